"""Fixtures for the TUI tests: a small fixed corpus on the deterministic test embedding, and an
app factory with the chat model injected (the pilot helpers are in ``tests/ui/pilot.py``)."""

from contextlib import nullcontext

import pytest

from assistant.library import Library
from assistant.llm.types import ChatModel
from assistant.settings import Settings
from assistant.tui.app import CitewiseApp
from tests.helpers import CORPUS
from tests.ui.pilot import AppFactory


@pytest.fixture
def ui_library(library: Library) -> Library:
    """The test library holding the twelve papers of ``data/corpus.jsonl``."""
    library.ingest([CORPUS])
    return library


@pytest.fixture
def make_app(settings: Settings, ui_library: Library) -> AppFactory:
    """``make_app(model)``: the app on the test library; ``model`` None is evidence mode."""

    def make(model: ChatModel | None = None, library: Library | None = None) -> CitewiseApp:
        chosen = library or ui_library
        return CitewiseApp(settings, lambda: chosen, model_opener=lambda: nullcontext(model))

    return make
