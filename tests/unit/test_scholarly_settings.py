"""The scholarly settings: described, strict, read from the environment, keys kept secret."""

import pytest

from assistant.errors import ConfigError
from assistant.settings import (
    ArxivSettings,
    CrossrefSettings,
    OpenAlexSettings,
    ScholarlySettings,
    SemanticScholarSettings,
    load_settings,
)

SECTIONS = (
    ScholarlySettings,
    OpenAlexSettings,
    CrossrefSettings,
    SemanticScholarSettings,
    ArxivSettings,
)


@pytest.mark.parametrize("section", SECTIONS)
def test_every_field_has_a_description(section: type) -> None:
    assert all(field.description for field in section.model_fields.values())


def test_the_environment_sets_nested_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITEWISE_SCHOLARLY__ARXIV__INTERVAL_S", "0.5")
    monkeypatch.setenv("CITEWISE_SCHOLARLY__OPENALEX__API_KEY", "k-123")
    monkeypatch.setenv("CITEWISE_SCHOLARLY__SOURCES", '["crossref", "openalex"]')
    scholarly = load_settings().scholarly
    assert scholarly.arxiv.interval_s == 0.5
    assert scholarly.openalex.api_key is not None and "k-123" not in repr(scholarly)
    assert scholarly.sources == ["crossref", "openalex"]


def test_semantic_scholar_paces_by_whether_a_key_is_set() -> None:
    assert SemanticScholarSettings().interval() == 3.0
    assert SemanticScholarSettings(api_key="k").interval() == 1.0
    assert SemanticScholarSettings(api_key="k", interval_s=0.2).interval() == 0.2


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("CITEWISE_SCHOLARLY__CROSSREF__BASE_URL", "api.crossref.org", "must start with http"),
        ("CITEWISE_SCHOLARLY__SOURCES", '["google"]', "scholarly.sources.0"),
        ("CITEWISE_SCHOLARLY__OPENALEX__COLOUR", "blue", "scholarly.openalex.colour"),
    ],
)
def test_bad_settings_are_one_configuration_error(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, says: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=says):
        load_settings()
