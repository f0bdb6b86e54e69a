"""The dependency tree stays small and offline: no torch, no model downloads."""

import importlib.metadata
import re


def requirements_closure(name: str) -> set[str]:
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        key = re.sub(r"[-_.]+", "-", current).lower()
        if key in seen:
            continue
        seen.add(key)
        try:
            requires = importlib.metadata.requires(current) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for requirement in requires:
            if "extra ==" in requirement:
                continue
            todo.append(re.split(r"[ ;<>=!~\[(]", requirement, maxsplit=1)[0])
    return seen


def test_no_torch_anywhere_in_the_dependency_tree() -> None:
    closure = requirements_closure("citewise")
    assert "chromadb" in closure and "onnxruntime" in closure  # the walk really walked
    assert not {"torch", "sentence-transformers", "transformers"} & closure
