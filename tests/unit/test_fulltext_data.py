"""The full-text evaluation set holds together: every quote is on the page it names, every answer
is in its quote and not in the paper's abstract, and every claim belongs to a question."""

import json
import re
from collections import Counter
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from assistant.corpus.paper import Paper
from assistant.corpus.readers.bibtex import BibtexReader
from evals.fulltext_data import (
    BIB_PATH,
    PDF_DIR,
    Question,
    fold,
    load_claims,
    load_questions,
)

QUESTIONS = load_questions()
CLAIMS = load_claims()
NO_PDFIUM = "pypdfium2 is not installed: page counts and page text cannot be read"


def by_id(question: Question) -> str:
    return question.id


@cache
def papers() -> dict[str, Paper]:
    items = list(BibtexReader().read(BIB_PATH))
    found = {item.citation_key: item for item in items if isinstance(item, Paper)}
    assert len(found) == len(items), [item for item in items if not isinstance(item, Paper)]
    return {key: paper for key, paper in found.items() if key}


@cache
def page_texts(paper: str) -> tuple[str, ...]:
    pdfium = pytest.importorskip("pypdfium2", reason=NO_PDFIUM)
    document = pdfium.PdfDocument(PDF_DIR / paper)
    try:
        return tuple(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def test_the_set_is_large_enough_with_unique_ids() -> None:
    assert len(QUESTIONS) >= 40
    assert len({question.id for question in QUESTIONS}) == len(QUESTIONS)
    assert len({claim.id for claim in CLAIMS}) == len(CLAIMS)


def test_every_question_has_one_true_and_one_altered_claim_that_agree_with_it() -> None:
    questions = {question.id: question for question in QUESTIONS}
    assert {claim.question_id for claim in CLAIMS} == questions.keys()
    labels = Counter((claim.question_id, claim.label) for claim in CLAIMS)
    assert set(labels.values()) == {1}
    for claim in CLAIMS:
        question = questions[claim.question_id]
        assert (claim.paper, claim.key, claim.page, claim.split) == (
            question.paper,
            question.key,
            question.page,
            question.split,
        ), claim.id
        assert (claim.alteration is None) == (claim.label == "true"), claim.id


def test_both_splits_hold_questions_of_every_paper() -> None:
    by_paper = {(question.paper, question.split) for question in QUESTIONS}
    assert by_paper == {(q.paper, split) for q in QUESTIONS for split in ("dev", "test")}
    assert 0.25 <= len(load_questions(split="dev")) / len(QUESTIONS) <= 0.4
    assert len(load_claims(split="dev")) == 2 * len(load_questions(split="dev"))


def test_every_paper_is_a_vendored_pdf_with_its_entry_in_papers_bib() -> None:
    keys = {question.paper: question.key for question in QUESTIONS}
    assert len({(q.paper, q.key) for q in QUESTIONS}) == len(keys)  # one key per paper
    assert set(keys.values()) == papers().keys()
    assert keys.keys() <= {path.name for path in PDF_DIR.glob("*.pdf")}


@pytest.mark.parametrize("question", QUESTIONS, ids=by_id)
def test_the_answer_is_in_the_quote_and_not_in_the_abstract(question: Question) -> None:
    assert fold(question.answer) in fold(question.quote)
    abstract = papers()[question.key].abstract
    assert abstract
    assert fold(question.answer).casefold() not in fold(abstract).casefold()


@pytest.mark.parametrize("question", QUESTIONS, ids=by_id)
def test_the_quote_is_on_its_pages(question: Question) -> None:
    pages = page_texts(question.paper)
    assert question.pages[0] == question.page
    assert list(question.pages) == list(range(question.page, question.page + len(question.pages)))
    assert question.pages[-1] <= len(pages), f"{question.paper} has {len(pages)} pages"
    quote = fold(question.quote)
    if len(question.pages) == 1:
        assert quote in fold(pages[question.page - 1])
        return
    # A sentence over a page break: its start ends one page, its rest is on the next.
    first, second = (fold(pages[number - 1]) for number in question.pages)
    assert len(question.pages) == 2 and quote not in first and quote not in second
    assert any(quote[:cut] in first and quote[cut:] in second for cut in range(1, len(quote)))


def test_the_abstracts_in_papers_bib_are_the_printed_ones() -> None:
    # Bare numbers are left out on both sides: a footnote mark ("S2ORC,1") is not abstract text.
    def words(text: str) -> str:
        return " ".join(w for w in re.findall(r"\w+", fold(text).casefold()) if not w.isdigit())

    for question in {q.paper: q for q in QUESTIONS}.values():
        first_page = page_texts(question.paper)[0]
        assert words(papers()[question.key].abstract) in words(first_page), question.key


def test_fold_mends_what_pdf_text_extraction_breaks() -> None:
    assert fold("ﬁne-tuned on the ﬂow") == fold("fine\ufffetuned on the flow")
    assert fold("The cor\ufffepus con-\r\n  sists of") == fold("The corpus consists of")
    assert fold("a two-\ncolumn\tlayout") == fold("a two-column layout")
    assert fold("soft\u00adhyphen and\x02 control") == fold("softhyphen and control")
    assert fold("corpus") != fold("corps")


def write_lines(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_the_loaders_read_back_what_was_written(tmp_path: Path) -> None:
    question, true, altered = QUESTIONS[0], *CLAIMS[:2]
    assert (true.label, altered.label, altered.alteration) == ("true", "altered", "number")

    path = write_lines(tmp_path / "q.jsonl", [asdict(question)])
    assert load_questions(path) == [question]
    assert load_questions(path, split="dev" if question.split == "test" else "test") == []
    path = write_lines(tmp_path / "c.jsonl", [asdict(true), asdict(altered)])
    assert load_claims(path) == [true, altered]


@pytest.mark.parametrize(
    ("dropped", "added", "message"),
    [
        (None, {"split": "train"}, "'split' must be one of ('dev', 'test'), not 'train'"),
        (None, {"page": 0}, "'page' must be a page, an integer from 1, not 0"),
        (None, {"pages": [2, True]}, "'pages' must be a page, an integer from 1, not True"),
        (None, {"pages": []}, "'pages' must be a non-empty list of pages, not []"),
        (None, {"section_kind": None}, "'section_kind' must be one of ('introduction',"),
        (None, {"answer": " "}, "'answer' must be a non-empty string"),
        ("section", {"sectoin": "x"}, "fields missing: ['section']; unknown: ['sectoin']"),
    ],
)
def test_a_malformed_line_is_refused_naming_file_line_and_field(
    tmp_path: Path, dropped: str | None, added: dict[str, object], message: str
) -> None:
    good = asdict(QUESTIONS[0])
    bad = {key: value for key, value in good.items() if key != dropped} | added
    path = write_lines(tmp_path / "q.jsonl", [good, bad])
    with pytest.raises(ValueError, match=re.escape(f"q.jsonl:2: {message}")):
        load_questions(path)
