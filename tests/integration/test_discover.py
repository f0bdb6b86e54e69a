"""Discovery through the replay server: a small citation graph served in OpenAlex's shape."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.errors import ApiError
from assistant.library import Library
from assistant.scholarly.clients import Apis
from assistant.scholarly.discover import Request, add_to_library, discover
from assistant.scholarly.http import Http
from tests.openalex_pool import OpenAlexPool, work
from tests.scholarly_server import Answer, ScholarlyServer

QUESTION = "how do mixture of experts models route tokens to experts"
BIB = """
@article{seed, title={Sparse mixture of experts with learned token routing}, author={Ada Seed},
  year={2022}, doi={10.5555/seed},
  abstract={A mixture of experts layer routes each token to a few experts chosen by a gate.}}
@article{owned, title={Gating networks for conditional computation}, author={Bo Owned},
  year={2017}, doi={10.5555/owned},
  abstract={Gating networks choose which experts process each input in conditional computation.}}
"""
CHOICE = (
    "Experts choose the tokens they process, balancing the load of each expert in mixture of "
    "experts models."
)
GRAPH = [
    work(
        "W1",
        "Sparse mixture of experts with learned token routing",
        "A mixture of experts layer routes each token to a few experts chosen by a gate.",
        year=2022,
        authors=["Ada Seed"],
        doi="10.5555/seed",
        references=["W2", "W3", "W9"],
    ),
    work(
        "W2",
        "Gating networks for conditional computation",
        "Gating networks choose which experts process each input in conditional computation.",
        year=2017,
        authors=["Bo Owned"],
        doi="10.5555/owned",
    ),
    work(
        "W3",
        "Expert choice routing for mixture of experts",
        CHOICE,
        year=2022,
        doi="10.5555/expert-choice",
        references=["W8"],
    ),
    work(
        "W4",
        "Load balancing losses for token routing in sparse experts",
        "An auxiliary loss balances how tokens are routed to experts.",
        year=2023,
        references=["W1"],
    ),
    work(
        "W5",
        "A recipe for sourdough bread",
        "Flour, water and salt ferment for a day before baking.",
        year=2023,
        references=["W1"],
    ),
    work(
        "W6",
        "Switch transformers route each token to one expert",
        "Routing each token to a single expert simplifies mixture of experts and scales well.",
        year=2021,
    ),
    work(
        "W7",
        "Expert choice routing for mixture of experts",
        CHOICE,
        year=2022,
        doi="10.5555/expert-choice",
    ),
    work(
        "W8",
        "Conditional computation in deep networks",
        "Only parts of a network are active for each example, chosen by learned gates.",
        year=2015,
    ),
    work("W9", "Unrelated record without a shared word", "", year=2000),
]


@pytest.fixture
def server() -> Iterator[ScholarlyServer]:
    with ScholarlyServer() as running:
        OpenAlexPool(GRAPH).mount(running)
        yield running


@pytest.fixture
def apis(server: ScholarlyServer) -> Apis:
    settings = server.settings()
    return Apis.open(settings, Http(settings))


@pytest.fixture
def seeded(library: Library, tmp_path: Path) -> Library:
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB)
    library.ingest([bib])
    return library


def titles(found: list) -> list[str]:  # type: ignore[type-arg]
    return [c.paper.title for c in found]


def test_search_and_snowballing_deduplicated_marked_and_explained(
    seeded: Library, apis: Apis
) -> None:
    seed = seeded.find("seed")
    result = discover(seeded, apis, Request(question=QUESTION, seeds=(seed,), limit=50))
    by_title = {c.paper.title: c for c in result.candidates}
    assert len(by_title) == len(result.candidates)  # W3 and W7 share a DOI: one candidate
    choice = by_title["Expert choice routing for mixture of experts"]
    assert "cited by “Sparse mixture of experts with learned token routing”" in choice.reasons
    assert any(r.startswith("search (OpenAlex #") for r in choice.reasons)
    assert by_title["A recipe for sourdough bread"].reasons == [
        "cites “Sparse mixture of experts with learned token routing”"
    ]
    balancing = by_title["Load balancing losses for token routing in sparse experts"]
    assert "cites “Sparse mixture of experts with learned token routing”" in balancing.reasons
    assert by_title["Gating networks for conditional computation"].in_library
    assert by_title["Sparse mixture of experts with learned token routing"].in_library
    assert not by_title["Switch transformers route each token to one expert"].in_library
    assert "Conditional computation in deep networks" not in by_title  # two hops away
    ranked = titles(result.candidates)
    assert ranked.index("A recipe for sourdough bread") > ranked.index(
        "Expert choice routing for mixture of experts"
    )


def test_a_second_hop_expands_the_best_first_hop_papers(seeded: Library, apis: Apis) -> None:
    seed = seeded.find("seed")
    result = discover(seeded, apis, Request(question=QUESTION, seeds=(seed,), hops=2, limit=50))
    deep = next(
        c for c in result.candidates if c.paper.title == "Conditional computation in deep networks"
    )
    assert deep.reasons == ["cited by “Expert choice routing for mixture of experts”"]


def test_without_seeds_the_library_papers_closest_to_the_question_are_snowballed(
    seeded: Library, apis: Apis
) -> None:
    result = discover(seeded, apis, Request(question=QUESTION, library_seeds=1, limit=50))
    assert [s.citation_key for s in result.seeds] == ["seed"]
    assert any(r.startswith("cites") for c in result.candidates for r in c.reasons)


def test_chosen_candidates_are_added_with_their_source(
    seeded: Library, apis: Apis, server: ScholarlyServer
) -> None:
    result = discover(seeded, apis, Request(question=QUESTION, hops=0, limit=50))
    chosen = [c for c in result.candidates if not c.in_library][:2]
    report = add_to_library(seeded, chosen)
    assert report.added == 2
    added = {p.title: p for p in seeded.papers()}
    for candidate in chosen:
        paper = added[candidate.paper.title]
        assert paper.sources[0].format == "openalex"
        assert paper.sources[0].path == f"{server.url}/openalex/works/{candidate.work.key}"
    again = discover(seeded, apis, Request(question=QUESTION, hops=0, limit=50))
    assert {c.paper.title for c in again.candidates if c.in_library} >= {
        c.paper.title for c in chosen
    }


def test_a_seed_openalex_does_not_know_is_a_note(
    seeded: Library, apis: Apis, tmp_path: Path
) -> None:
    bib = tmp_path / "more.bib"
    bib.write_text(
        "@article{lonely, title={A paper nobody indexed}, author={C D}, year={2020},"
        " doi={10.5555/nowhere}}\n"
    )
    seeded.ingest([bib])
    result = discover(seeded, apis, Request(seeds=(seeded.find("lonely"),)))
    assert result.notes == ["not found in OpenAlex, so not snowballed: A paper nobody indexed"]
    assert result.candidates == []


def test_a_failed_search_is_an_error_not_an_empty_list(
    seeded: Library, apis: Apis, server: ScholarlyServer
) -> None:
    server.fail(*[Answer(b"down", 503)] * 4, prefix="/openalex")
    with pytest.raises(ApiError, match="503"):
        discover(seeded, apis, Request(question=QUESTION, hops=0))
