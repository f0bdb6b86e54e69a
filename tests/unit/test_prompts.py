"""Prompt templates: checked at start-up, rendered without interpreting the values."""

import re
import shutil
from pathlib import Path

import pytest

from assistant import paths
from assistant.errors import ConfigError
from assistant.prompts import FIELDS, load_prompts


@pytest.fixture
def prompt_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "prompts"
    shutil.copytree(paths.PROMPTS_DIR, directory)
    return directory


def test_shipped_templates_are_valid_and_versioned() -> None:
    prompts = load_prompts()
    for name, fields in FIELDS.items():
        assert prompts[name].fields == fields
        assert re.match(rf"{name}@\d+-", prompts[name].version)
    assert prompts.version("system", "answer").count("@") == 2


def test_unknown_placeholder_names_file_and_placeholder(prompt_dir: Path) -> None:
    path = prompt_dir / "answer.md"
    path.write_text(path.read_text() + "\n{questoin}\n")
    with pytest.raises(ConfigError) as error:
        load_prompts(prompt_dir)
    assert "answer.md" in str(error.value) and "{questoin}" in str(error.value)


def test_missing_placeholder_is_reported(prompt_dir: Path) -> None:
    path = prompt_dir / "summarize.md"
    path.write_text(path.read_text().replace("{focus}", "the focus"))
    with pytest.raises(ConfigError, match=r"summarize\.md lacks the placeholder \{focus\}"):
        load_prompts(prompt_dir)


@pytest.mark.parametrize("bad", ["{question!r}", "{question:>10}", "{question.upper}", "{0}", "{"])
def test_only_plain_placeholders_are_allowed(prompt_dir: Path, bad: str) -> None:
    path = prompt_dir / "answer.md"
    path.write_text(path.read_text() + bad)
    with pytest.raises(ConfigError, match=r"answer\.md"):
        load_prompts(prompt_dir)


def test_missing_template_and_front_matter(prompt_dir: Path) -> None:
    (prompt_dir / "draft.md").unlink()
    with pytest.raises(ConfigError, match=r"draft\.md"):
        load_prompts(prompt_dir)
    shutil.copy(paths.PROMPTS_DIR / "draft.md", prompt_dir / "draft.md")
    (prompt_dir / "system.md").write_text("no front matter")
    with pytest.raises(ConfigError, match="front matter"):
        load_prompts(prompt_dir)


def test_version_changes_with_the_file(prompt_dir: Path) -> None:
    before = load_prompts(prompt_dir)["answer"].version
    path = prompt_dir / "answer.md"
    path.write_text(path.read_text() + "\nBe brief.\n")
    assert load_prompts(prompt_dir)["answer"].version != before


def test_values_with_braces_are_copied_verbatim() -> None:
    prompt = load_prompts()["answer"]
    hostile = "{question} {0} {sources!r} }{ {{x}}"
    text = prompt.render(sources=hostile, history="", question="Why {x}?", output_format="F")
    assert hostile in text and "Why {x}?" in text
    with pytest.raises(ValueError, match="missing"):
        prompt.render(sources="", question="q", output_format="")
