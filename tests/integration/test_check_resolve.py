"""Resolving a draft's citation keys against a real library (Chroma files) and a .bib."""

from pathlib import Path

from assistant.library import Library


def test_resolution_order_and_the_cached_index(library: Library, tmp_path: Path) -> None:
    from assistant.citations.check import Bibliography, Resolver
    from assistant.citations.check.resolve import _INDEXES, index_path
    from assistant.corpus.paper import Paper

    stored = Paper(
        title="Coffee and Diabetes",
        abstract="Coffee lowers risk.",
        doi="10.5555/c",
        citation_key="c1",
    )
    titled = Paper(title="Sleep and Memory", abstract="Sleep helps memory.", citation_key="s1")
    library.add_papers([stored, titled])
    bib = Bibliography(
        {
            "byDoi": Paper(title="Another title", doi="10.5555/c", citation_key="byDoi"),
            "byTitle": Paper(title="Sleep and memory!", citation_key="byTitle"),
            "bibOnly": Paper(title="Elsewhere", abstract="Only here.", citation_key="bibOnly"),
        }
    )
    resolver = Resolver(library, bib)
    found = {
        key: resolver.resolve(key) for key in ("c1", "byDoi", "byTitle", "bibOnly", "10.5555/C")
    }
    assert {k: r.via for k, r in found.items()} == {
        "c1": "key",
        "byDoi": "DOI",
        "byTitle": "title",
        "bibOnly": ".bib abstract",
        "10.5555/C": "DOI",
    }
    assert found["byDoi"].document is not None and found["byDoi"].document.paper_id == stored.id
    assert resolver.resolve(stored.id[:8]).via == "id"
    missing = resolver.resolve("nowhere")
    assert (
        missing.document is None
        and missing.problem == "nowhere: neither in the .bib nor in the library"
    )

    assert index_path(library).is_file()  # kept for the next run
    _INDEXES.clear()
    assert Resolver(library).resolve("c1").via == "key"
