"""Title and identifier verification: the rules enrichment relies on (the full set of cases is
the evaluation in evals/title_matching.py)."""

import pytest

from assistant.corpus.paper import Paper
from assistant.scholarly.matching import same_record, same_work

BRAN = ["Andres M. Bran", "Sam Cox"]


def paper(title: str, year: int | None, *authors: str) -> Paper:
    return Paper(title=title, year=year, authors=list(authors))


def test_the_preprint_of_a_published_paper_matches_but_may_not_give_its_doi() -> None:
    published = paper("Augmenting large language models with chemistry tools", 2024, *BRAN)
    preprint = paper("ChemCrow: Augmenting large-language models with chemistry tools", 2023, *BRAN)
    match = same_work(published, preprint)
    assert match.accepted and not match.same_version
    same = same_work(published, paper(published.title, 2024, "Andres M Bran"))
    assert same.accepted and same.same_version


@pytest.mark.parametrize(
    ("mine", "theirs", "reason"),
    [
        (
            paper("Deep learning", 2015, "Yann LeCun"),
            paper("Deep learning", 2018, "Yann LeCun"),
            "2018 is not 2015",
        ),
        (
            paper("Random forests", 2001, "Leo Breiman"),
            paper("Random forests", 2001, "Adele Cutler"),
            "first author",
        ),
        (
            paper("Attention is all you need", 2017, "A Vaswani"),
            paper("Attention is not all you need", 2017, "A Vaswani"),
            "another title",
        ),
        (
            paper("Survival analysis part I", 2003, "T G Clark"),
            paper("Survival analysis part II", 2003, "T G Clark"),
            "another title",
        ),
        (
            paper("Group lending", 2015, "O Attanasio"),
            paper("Erratum: Group lending", 2015, "O Attanasio"),
            "a notice",
        ),
        (
            paper("Random forests", 2001),
            paper("Random forests", 2003, "Leo Breiman"),
            "2003 is not 2001",
        ),
        (
            paper("Random forests", None),
            paper("Random forests", 2001, "Leo Breiman"),
            "without authors",
        ),
    ],
)
def test_refusals_say_why(mine: Paper, theirs: Paper, reason: str) -> None:
    match = same_work(mine, theirs)
    assert not match.accepted and reason in match.reason


def test_names_match_across_forms() -> None:
    title = "Nonparametric estimation from incomplete observations"
    for other in ("Edward L. Kaplan", "E L Kaplan", "KAPLAN"):
        assert same_work(paper(title, 1958, "E. L. Kaplan"), paper(title, 1958, other)).accepted
    assert same_work(
        paper(title, 2020, "Nikol Kadeřábková"), paper(title, 2020, "N. Kaderabkova")
    ).accepted
    assert same_work(paper(title, 2021, "Jun Xu"), paper(title, 2021, "Xu Jun")).accepted


def test_a_record_found_by_its_doi_needs_a_title_that_broadly_agrees() -> None:
    mine = paper("Impact of CLSI and EUCAST breakpoint discrepancies", 2019)
    longer = paper("Impact of CLSI and EUCAST breakpoint discrepancies on reporting of AMR", 2018)
    assert same_record(mine, longer).accepted
    other = paper("Global burden of bacterial antimicrobial resistance in 2019", 2022)
    assert not same_record(mine, other).accepted
    notice = paper("Retraction: Impact of CLSI and EUCAST breakpoint discrepancies", 2020)
    assert not same_record(mine, notice).accepted
