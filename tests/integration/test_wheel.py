"""The wheel, as pip builds it: an installed citewise carries what it reads at run time."""

import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from assistant.prompts import FIELDS

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[2]


def test_an_installed_wheel_reads_its_own_prompt_templates(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", tmp_path],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("citewise-*.whl")
    installed = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(installed)
    assert not (installed / "pyproject.toml").exists()  # so not read as a checkout
    probe = (
        "import assistant, assistant.paths as p, assistant.prompts as q; "
        "print(assistant.__file__); print(p.PROMPTS_DIR); print(len(q.load_prompts().templates))"
    )
    # -S: no .pth files, so not the checkout's editable install; the dependencies by path
    path = os.pathsep.join([str(installed), *site.getsitepackages()])
    found = subprocess.run(
        [sys.executable, "-S", "-c", probe],
        env={"PYTHONPATH": path, "PATH": ""},
        cwd=tmp_path,  # not the checkout, whose assistant/ would be imported first
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert found == [
        str(installed / "assistant" / "__init__.py"),
        str(installed / "assistant" / "prompt_templates"),
        str(len(FIELDS)),
    ]
