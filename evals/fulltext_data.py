"""The full-text evaluation set: questions whose answer is in a paper's body and not its abstract,
and a true and an altered claim for each (see ``evals/data/fulltext/README.md``).

``load_questions`` and ``load_claims`` read the JSON Lines files into typed records and refuse a
malformed line, naming the file, the line and the field. ``fold`` is the normalisation under
which a quote is matched against a page's extracted text (and may be matched against a passage).
"""

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

from assistant.corpus.normalize import clean_text

DATA_DIR = Path(__file__).parent / "data" / "fulltext"
PDF_DIR = DATA_DIR / "pdf"
BIB_PATH = DATA_DIR / "papers.bib"
QUESTIONS_PATH = DATA_DIR / "questions.jsonl"
CLAIMS_PATH = DATA_DIR / "claims.jsonl"

Split = Literal["dev", "test"]
SectionKind = Literal["introduction", "methods", "results", "discussion", "conclusion", "appendix"]
Label = Literal["true", "altered"]
Alteration = Literal["number", "direction", "negation", "entity"]

_LINE_END_HYPHEN = re.compile(r"-[ \t]*\r?\n\s*")
_HYPHENS = re.compile("[-\u00ad\u2010\u2011\ufffe]")
"""Hyphen-minus, soft hyphen, hyphen, non-breaking hyphen, and U+FFFE, which pdfium puts where a
line ended in a hyphen (it cannot tell a broken word, "cor-pus", from a compound, "two-column")."""


@dataclass(frozen=True)
class Question:
    id: str
    paper: str
    """The PDF's file name in ``PDF_DIR``."""
    key: str
    """The paper's citation key in ``papers.bib``."""
    question: str
    answer: str
    """Short, and a verbatim span of ``quote`` (under ``fold``)."""
    page: int
    """1-based index of the PDF page where the answer's sentence starts (not the printed number)."""
    pages: tuple[int, ...]
    """Every page the sentence runs over: ``(page,)``, or two pages when it spans a page break."""
    quote: str
    section: str
    """The heading the answer is under, as printed."""
    section_kind: SectionKind
    split: Split


@dataclass(frozen=True)
class Claim:
    id: str
    question_id: str
    paper: str
    key: str
    claim: str
    label: Label
    alteration: Alteration | None
    """What was changed to make an altered claim false; None for a true claim."""
    page: int
    split: Split


_QUESTION_FIELDS = frozenset(field.name for field in fields(Question))
_CLAIM_FIELDS = frozenset(field.name for field in fields(Claim))
_R = TypeVar("_R")


def load_questions(path: Path = QUESTIONS_PATH, split: Split | None = None) -> list[Question]:
    """The questions in file order; only those of ``split`` when it is given."""
    questions = _read(path, _question, _QUESTION_FIELDS)
    return [question for question in questions if split is None or question.split == split]


def load_claims(path: Path = CLAIMS_PATH, split: Split | None = None) -> list[Claim]:
    """The claims in file order (a question's true claim, then its altered one)."""
    claims = _read(path, _claim, _CLAIM_FIELDS)
    return [claim for claim in claims if split is None or claim.split == split]


def fold(text: str) -> str:
    """Text as compared with a quote: NFKC (ligatures such as "ﬁ" become "fi"), a hyphen at a
    line end joined with the next line, every hyphen and soft-hyphen mark dropped (so a compound
    broken at a line end matches either way), control characters dropped, white space collapsed."""
    text = _LINE_END_HYPHEN.sub("", unicodedata.normalize("NFKC", text))
    return clean_text(_HYPHENS.sub("", text))


class _BadRow(ValueError):
    """A line of a data file that does not hold a valid record."""


def _read(path: Path, parse: Callable[[dict[str, Any]], _R], names: frozenset[str]) -> list[_R]:
    records = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise _BadRow("not a JSON object")
                if row.keys() != names:
                    missing, unknown = sorted(names - row.keys()), sorted(row.keys() - names)
                    raise _BadRow(f"fields missing: {missing}; unknown: {unknown}")
                records.append(parse(row))
            except (json.JSONDecodeError, _BadRow) as error:
                raise ValueError(f"{path}:{number}: {error}") from error
    return records


def _question(row: dict[str, Any]) -> Question:
    return Question(
        id=_text(row, "id"),
        paper=_text(row, "paper"),
        key=_text(row, "key"),
        question=_text(row, "question"),
        answer=_text(row, "answer"),
        page=_page(row["page"]),
        pages=tuple(_page(page) for page in _list(row, "pages")),
        quote=_text(row, "quote"),
        section=_text(row, "section"),
        section_kind=_choice(row, "section_kind", SectionKind),
        split=_choice(row, "split", Split),
    )


def _claim(row: dict[str, Any]) -> Claim:
    altered = row["alteration"] is not None
    return Claim(
        id=_text(row, "id"),
        question_id=_text(row, "question_id"),
        paper=_text(row, "paper"),
        key=_text(row, "key"),
        claim=_text(row, "claim"),
        label=_choice(row, "label", Label),
        alteration=_choice(row, "alteration", Alteration) if altered else None,
        page=_page(row["page"]),
        split=_choice(row, "split", Split),
    )


def _text(row: dict[str, Any], field: str) -> str:
    value = row[field]
    if not isinstance(value, str) or not value.strip():
        raise _BadRow(f"{field!r} must be a non-empty string, not {value!r}")
    return value


def _list(row: dict[str, Any], field: str) -> list[Any]:
    value = row[field]
    if not isinstance(value, list) or not value:
        raise _BadRow(f"{field!r} must be a non-empty list, not {value!r}")
    return value


def _page(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _BadRow(f"a page must be an integer from 1, not {value!r}")
    return value


def _choice(row: dict[str, Any], field: str, kind: Any) -> Any:
    """``row[field]`` if it is one of the values of the Literal type ``kind``."""
    value = row[field]
    if value not in get_args(kind):
        raise _BadRow(f"{field!r} must be one of {get_args(kind)}, not {value!r}")
    return value
