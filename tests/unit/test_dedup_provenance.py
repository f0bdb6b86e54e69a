"""What enrichment filled in (``Paper.provenance``) survives merging and re-reading the file."""

from assistant.corpus.dedup import Deduplicator, keep_filled, merge
from assistant.corpus.paper import Paper, Source

FILE = Source(path="/refs.bib", format="bibtex", line=1)


def test_a_reread_record_keeps_what_an_api_filled_where_the_file_is_still_empty() -> None:
    stored = Paper(
        title="A paper",
        abstract="From OpenAlex.",
        doi="10.1/x",
        retracted=True,
        sources=[FILE],
        provenance={"abstract": "openalex", "doi": "crossref", "retracted": "openalex"},
    )
    record = Paper(title="A paper", year=2020, sources=[FILE])
    kept = keep_filled(stored, record)
    assert (kept.abstract, kept.doi, kept.retracted, kept.year) == (
        "From OpenAlex.",
        "10.1/x",
        True,
        2020,
    )
    assert kept.provenance == stored.provenance
    written = record.model_copy(update={"abstract": "Mine."})
    assert keep_filled(stored, written).abstract == "Mine."
    assert keep_filled(stored, written).provenance == {"doi": "crossref", "retracted": "openalex"}


def test_a_stand_in_being_reread_keeps_its_filled_fields() -> None:
    stored = Paper(
        title="A paper", abstract="Filled.", sources=[FILE], provenance={"abstract": "openalex"}
    )
    dedup = Deduplicator([stored], rereading={"/refs.bib"})
    paper = dedup.add(Paper(title="A paper", sources=[FILE]))
    assert (
        paper.id == stored.id
        and paper.abstract == "Filled."
        and paper.provenance == stored.provenance
    )


def test_merging_two_records_keeps_provenance_and_the_retraction_flag() -> None:
    rich = Paper(
        title="A paper", abstract="A long abstract from the user.", authors=["A B"], sources=[FILE]
    )
    other = Source(path="/other.ris", format="ris", line=3)
    poor = Paper(
        title="A paper",
        doi="10.1/x",
        retracted=True,
        sources=[other],
        provenance={"doi": "crossref", "retracted": "crossref"},
    )
    merged = merge(rich, poor)
    assert merged.doi == "10.1/x" and merged.retracted
    assert merged.provenance == {"doi": "crossref", "retracted": "crossref"}
    assert merged.abstract == rich.abstract
