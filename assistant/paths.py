"""The one module that decides where data lives.

``CITEWISE_STORE`` (or ``--store``) redirects the store; ``CITEWISE_CACHE`` redirects the cache of
built model files. Tests point both at ``tmp_path``.
"""

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DEMO_CORPUS_DIR = PACKAGE_DIR / "demo_corpus"


def _checkout_root() -> Path | None:
    """The source checkout this package runs from, if it runs from one."""
    root = PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() else None


def _prompts_dir() -> Path:
    """The checkout's prompts/; in an installed wheel, the copy it carries (setup.py)."""
    root = _checkout_root()
    return root / "prompts" if root else PACKAGE_DIR / "prompt_templates"


PROMPTS_DIR = _prompts_dir()


def _user_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "citewise"


def default_store_dir() -> Path:
    """``$CITEWISE_STORE``, else ``store/`` in the checkout, else the user's data directory."""
    env = os.environ.get("CITEWISE_STORE")
    if env:
        return Path(env).expanduser()
    root = _checkout_root()
    return (root / "store") if root else (_user_data_dir() / "store")


def cache_dir() -> Path:
    """Where derived files that can be rebuilt at any time (e.g. the ONNX model) are kept."""
    env = os.environ.get("CITEWISE_CACHE")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "citewise"
