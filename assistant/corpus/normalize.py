"""Canonical forms of identifiers and text, shared by every reader and by deduplication."""

import re
import unicodedata

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_DOI_SHAPE = re.compile(r"^10\.\d{4,9}/\S+$")
_ARXIV_PREFIX = re.compile(
    r"^(?:arxiv:\s*|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)", re.IGNORECASE
)
_ARXIV_NEW = re.compile(r"^(\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?$")
_ARXIV_OLD = re.compile(r"^([a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?:\.pdf)?$", re.IGNORECASE)
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069"
    r"\ud800-\udfff]"
)
"""C0 and C1 controls (ESC, and CSI as one byte, drive a terminal; NEL is white space); the
invisible marks, embeddings, overrides and isolates that reorder bidirectional text; and lone
surrogates (JSON's ``"\\ud800"``), which no UTF-8 encoder accepts. Letters of every script stay."""
_SPACE = re.compile(r"\s+")


def clean_text(text: str | None) -> str:
    """Collapse whitespace and drop control and bidi-override characters."""
    if not text:
        return ""
    return _SPACE.sub(" ", _CONTROL.sub("", text)).strip()


def normalize_doi(value: str | None) -> str | None:
    """``https://doi.org/10.1/ABC`` -> ``10.1/abc``; None when it is not a DOI."""
    if not value:
        return None
    doi = _DOI_PREFIX.sub("", clean_text(value)).strip().rstrip(".").lower()
    return doi if _DOI_SHAPE.match(doi) else None


def normalize_arxiv_id(value: str | None) -> str | None:
    """``arXiv:2401.01234v2`` or an abs/pdf URL -> ``2401.01234``; None when it is not one."""
    if not value:
        return None
    raw = _ARXIV_PREFIX.sub("", clean_text(value)).strip()
    for pattern in (_ARXIV_NEW, _ARXIV_OLD):
        match = pattern.match(raw)
        if match:
            return match.group(1)
    return None


def normalize_title(title: str | None) -> str:
    """A key for matching titles: accents folded, case folded, punctuation and braces dropped."""
    if not title:
        return ""
    decomposed = unicodedata.normalize("NFKD", title)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", letters.casefold()))
