"""Prompt templates: files in ``prompts/``, loaded and checked once, rendered without surprises.

Each template is a Markdown file with a front matter (``version:`` and ``description:``) and a
body holding named placeholders such as ``{question}``. ``FIELDS`` is the contract between the
files and the code: at start-up (``load_prompts``) every template must exist and use exactly the
placeholders the code fills, or a ``ConfigError`` names the file and the placeholder. Rendering
substitutes values in a single pass over the parsed template, so a value's own braces (an
abstract with ``{x}`` in it) are copied as they are and never interpreted. ``{{`` and ``}}`` in a
template are literal braces.
"""

import hashlib
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant import paths
from assistant.errors import ConfigError

FIELDS: dict[str, frozenset[str]] = {
    "system": frozenset(),
    "format_markers": frozenset(),
    "format_json": frozenset(),
    "answer": frozenset({"sources", "history", "question", "output_format"}),
    "draft": frozenset({"sources", "subject", "paragraphs", "length", "output_format"}),
    "summarize": frozenset({"sources", "focus", "output_format"}),
    "judge": frozenset({"items"}),
    "repair": frozenset({"sources", "sentences"}),
}
"""Each template's placeholders: exactly the values the code passes to ``Prompt.render``."""


@dataclass(frozen=True)
class Prompt:
    name: str
    path: Path
    declared_version: str
    description: str
    pieces: tuple[tuple[str, str | None], ...]
    """The body parsed once: (literal text, placeholder name or None)."""

    digest: str

    @property
    def version(self) -> str:
        """``name@declared-hash``: changes whenever the file does; recorded in the history."""
        return f"{self.name}@{self.declared_version}-{self.digest}"

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(field for _, field in self.pieces if field is not None)

    def render(self, **values: str) -> str:
        """The body with each placeholder replaced by its value, copied verbatim."""
        if set(values) != self.fields:
            missing, extra = sorted(self.fields - set(values)), sorted(set(values) - self.fields)
            raise ValueError(f"prompt {self.name}: missing {missing}, unexpected {extra}")
        return "".join(text + (values[field] if field else "") for text, field in self.pieces)


@dataclass(frozen=True)
class Prompts:
    templates: Mapping[str, Prompt]

    def __getitem__(self, name: str) -> Prompt:
        return self.templates[name]

    def version(self, *names: str) -> str:
        """One version string for the templates that built a request."""
        return " ".join(self.templates[name].version for name in names)


def load_prompts(directory: Path | None = None) -> Prompts:
    """Read and check every template in ``FIELDS`` from ``directory`` (default ``PROMPTS_DIR``)."""
    directory = directory or paths.PROMPTS_DIR
    templates = {name: _load(directory / f"{name}.md", name) for name in FIELDS}
    return Prompts(templates)


@lru_cache(maxsize=1)
def default_prompts() -> Prompts:
    """The checked templates of ``PROMPTS_DIR``, read once per process."""
    return load_prompts()


def _load(path: Path, name: str) -> Prompt:
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(
            f"prompt template {path} cannot be read: {error.strerror or error}",
            hint="restore it from the citewise checkout",
        ) from error
    meta, body = _front_matter(raw, path)
    pieces = _parse(body.strip() + "\n", path)
    prompt = Prompt(
        name=name,
        path=path,
        declared_version=meta.get("version", "0"),
        description=meta.get("description", ""),
        pieces=pieces,
        digest=hashlib.sha256(raw.encode()).hexdigest()[:8],
    )
    expected = FIELDS[name]
    for field in sorted(prompt.fields - expected):
        allowed = ", ".join(f"{{{f}}}" for f in sorted(expected)) or "none"
        raise ConfigError(
            f"prompt template {path} uses unknown placeholder {{{field}}}",
            hint=f"placeholders it may use: {allowed}; write {{{{ and }}}} for literal braces",
        )
    for field in sorted(expected - prompt.fields):
        raise ConfigError(
            f"prompt template {path} lacks the placeholder {{{field}}}",
            hint="the code fills it; put it back where the value belongs",
        )
    return prompt


def _front_matter(raw: str, path: Path) -> tuple[dict[str, str], str]:
    lines = raw.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ConfigError(f"prompt template {path} has no front matter", hint="start it with ---")
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            meta = {}
            for line in lines[1:end]:
                key, sep, value = line.partition(":")
                if sep:
                    meta[key.strip()] = value.strip()
            return meta, "".join(lines[end + 1 :])
    raise ConfigError(f"prompt template {path}: front matter never ends", hint="close it with ---")


def _parse(body: str, path: Path) -> tuple[tuple[str, str | None], ...]:
    try:
        parsed = list(string.Formatter().parse(body))
    except ValueError as error:
        raise ConfigError(
            f"prompt template {path}: {error}",
            hint="write {{ and }} for literal braces",
        ) from error
    pieces: list[tuple[str, str | None]] = []
    for text, field, spec, conversion in parsed:
        if field is not None and (not field.isidentifier() or spec or conversion):
            raise ConfigError(
                f"prompt template {path}: placeholder {{{field}}} must be a plain name",
                hint="no attributes, indexes, conversions or format specs",
            )
        pieces.append((text, field))
    return tuple(pieces)
