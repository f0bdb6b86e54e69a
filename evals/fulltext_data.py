"""The full-text evaluation set: questions whose answer is in a paper's body and not its abstract,
and a true and an altered claim for each (see ``evals/data/fulltext/README.md``).

``load_questions`` and ``load_claims`` read the JSON Lines files into typed records and refuse a
malformed line, naming the file, the line and the field. ``fold`` is the normalisation under
which a quote is matched against a page's extracted text (and may be matched against a passage).
"""

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin, get_type_hints

from assistant.corpus.normalize import clean_text

DATA_DIR = Path(__file__).parent / "data" / "fulltext"
PDF_DIR = Path(__file__).parents[1] / "tests" / "data" / "pdf"
"""The papers' PDFs: vendored once, with the reader's tests (their PROVENANCE.md is there)."""
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


_R = TypeVar("_R")


def load_questions(path: Path = QUESTIONS_PATH, split: Split | None = None) -> list[Question]:
    """The questions in file order; only those of ``split`` when it is given."""
    questions = _read(path, Question)
    return [question for question in questions if split is None or question.split == split]


def load_claims(path: Path = CLAIMS_PATH, split: Split | None = None) -> list[Claim]:
    """The claims in file order (a question's true claim, then its altered one)."""
    claims = _read(path, Claim)
    return [claim for claim in claims if split is None or claim.split == split]


def fold(text: str) -> str:
    """Text as compared with a quote: NFKC (ligatures such as "ﬁ" become "fi"), a hyphen at a
    line end joined with the next line, every hyphen and soft-hyphen mark dropped (so a compound
    broken at a line end matches either way), control characters dropped, white space collapsed."""
    text = _LINE_END_HYPHEN.sub("", unicodedata.normalize("NFKC", text))
    return clean_text(_HYPHENS.sub("", text))


class _BadRow(ValueError):
    """A line of a data file that does not hold a valid record."""


def _read(path: Path, kind: type[_R]) -> list[_R]:
    """Each line of ``path`` as a ``kind``, every field checked against its annotation."""
    hints = get_type_hints(kind)
    records = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise _BadRow("not a JSON object")
                if row.keys() != hints.keys():
                    missing, unknown = sorted(hints - row.keys()), sorted(row.keys() - hints)
                    raise _BadRow(f"fields missing: {missing}; unknown: {unknown}")
                records.append(kind(**{name: _value(name, row[name], hints[name]) for name in row}))
            except (json.JSONDecodeError, _BadRow) as error:
                raise ValueError(f"{path}:{number}: {error}") from error
    return records


def _value(name: str, value: Any, hint: Any) -> Any:
    """``value`` if it is what ``hint`` asks for (a page is an integer from 1)."""
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
        raise _BadRow(f"{name!r} must be a page, an integer from 1, not {value!r}")
    if hint == tuple[int, ...]:
        if isinstance(value, list) and value:
            return tuple(_value(name, page, int) for page in value)
        raise _BadRow(f"{name!r} must be a non-empty list of pages, not {value!r}")
    if hint is str:
        if isinstance(value, str) and value.strip():
            return value
        raise _BadRow(f"{name!r} must be a non-empty string, not {value!r}")
    choices = _choices(hint)
    if value in choices:
        return value
    raise _BadRow(f"{name!r} must be one of {choices}, not {value!r}")


def _choices(hint: Any) -> tuple[Any, ...]:
    """The values a Literal type allows, or a union of Literal types and None."""
    if get_origin(hint) is Literal:
        return get_args(hint)
    options = get_args(hint)
    return tuple(c for o in options for c in ((None,) if o is type(None) else _choices(o)))
