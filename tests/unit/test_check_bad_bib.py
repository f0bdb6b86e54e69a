"""Bad .bib input through ``check_file``: entries that share a title, a key defined twice, a key
the .bib lacks. Each keeps its own identity and verdict, with one clear note, and the report is
always written."""

import json
from pathlib import Path

from assistant.citations.check import CheckReport, OfflineJudge, check_file
from assistant.library import Library
from tests.fakes import HashEmbedder

BIB = """
@article{coffee, title = {Summary},
  abstract = {Coffee drinkers had a lower risk of type 2 diabetes. The cohort was large.}}
@article{sleep, title = {Summary},
  abstract = {Sleep deprivation impaired memory consolidation in young adults.}}
@article{twice, title = {First definition},
  abstract = {Aerobic exercise increased hippocampal volume in older adults.}}
@article{twice, title = {Second definition},
  abstract = {Meditation reduced anxiety in students.}}
"""


async def check(tmp_path: Path, draft: str, library: Library | None = None) -> CheckReport:
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / "draft.md").write_text(draft, encoding="utf-8")
    return await check_file(
        tmp_path / "draft.md", OfflineJudge(HashEmbedder()), library, [tmp_path / "refs.bib"]
    )


async def test_entries_that_share_a_title_keep_their_own_abstracts(tmp_path: Path) -> None:
    report = await check(
        tmp_path,
        "Coffee drinkers had a lower risk of type 2 diabetes [@coffee].\n\n"
        "Sleep deprivation impaired memory consolidation in young adults [@sleep].\n\n"
        "Coffee drinkers had a lower risk of type 2 diabetes [@sleep].\n\n"
        "Sleep deprivation impaired memory consolidation in young adults [@coffee; @sleep].\n",
    )
    right_coffee, right_sleep, wrong_paper, both = report.sentences
    assert right_coffee.verdict == "supported" and right_sleep.verdict == "supported"
    assert right_coffee.evidence[0].sentence.startswith("Coffee drinkers")
    assert right_sleep.evidence[0].sentence.startswith("Sleep deprivation")
    assert right_coffee.evidence[0].paper_id != right_sleep.evidence[0].paper_id
    assert wrong_paper.verdict == "unsupported"  # not the coffee entry's verdict
    assert both.verdict == "supported" and both.by_citation == {
        "coffee": "unsupported",
        "sleep": "supported",
    }
    assert [e.citation for e in both.evidence] == ["sleep"]
    assert (
        "coffee, sleep: .bib entries with the same title (“Summary”) and no DOI or arXiv id to "
        "tell them apart; each is checked against its own abstract"
    ) in report.notes
    json.dumps(report.to_json())


async def test_shared_titles_are_not_matched_to_the_library_by_title(
    tmp_path: Path, library: Library
) -> None:
    from assistant.corpus.paper import Paper

    library.add_papers([Paper(title="Summary", abstract="Tea improves sleep quality in adults.")])
    report = await check(
        tmp_path, "Coffee drinkers had a lower risk of type 2 diabetes [@coffee].\n", library
    )
    (sentence,) = report.sentences
    assert sentence.verdict == "supported"
    assert sentence.evidence[0].sentence.startswith("Coffee drinkers")


async def test_a_key_defined_twice_is_one_note_and_the_first_is_used(tmp_path: Path) -> None:
    report = await check(
        tmp_path, "Aerobic exercise increased hippocampal volume in older adults [@twice].\n"
    )
    (sentence,) = report.sentences
    assert sentence.verdict == "supported"
    twice = [n for n in report.notes if n.startswith("twice is defined twice")]
    assert len(twice) == 1 and twice[0].endswith("the first is used")
    assert "refs.bib" in twice[0]


async def test_a_key_the_bib_lacks_is_unresolved_with_a_note_naming_it(tmp_path: Path) -> None:
    report = await check(
        tmp_path,
        "Meditation reduces anxiety in university students [@nowhere2020].\n\n"
        "Coffee drinkers had a lower risk of type 2 diabetes [@coffee; @nowhere2020].\n",
    )
    missing, partly = report.sentences
    assert missing.verdict == "unresolved" and missing.fails()
    assert missing.notes == ["nowhere2020: neither in the .bib nor in the library"]
    assert partly.verdict == "supported"
    assert partly.by_citation == {"coffee": "supported", "nowhere2020": "unresolved"}
    assert "nowhere2020: neither in the .bib nor in the library" in partly.notes
