"""What a check reads of a cited paper: its abstract, and its full text when the library has it.

A cited paper whose PDF is in the library is read as its abstract plus the ``passages`` body
passages that best match the sentence being checked (``within_paper``), each sentence with its
pages, so the evidence can name the page. When nothing read supports the sentence, the note says
what was searched: "the abstract does not say this" is a weaker finding than "the paper does not
say this".
"""

from collections.abc import Sequence
from dataclasses import replace

from assistant.citations.check.judging import Document
from assistant.citations.check.resolve import Resolution
from assistant.within_paper import PaperSearch


def read_in_full(
    resolution: Resolution, text: str, search: PaperSearch, passages: int
) -> Resolution:
    """The resolution with its document widened by the full-text passages closest to ``text``
    (unchanged for a paper without full text in the library)."""
    paper, document = resolution.paper, resolution.document
    if document is None or paper is None or paper.pdf is None or passages <= 0:
        return resolution
    found = search.passages(paper.id, text, passages)
    if not found:
        return resolution
    widened = document.with_passages([(p.text, p.location.pages) for p in found])
    return replace(resolution, document=widened)


def not_found(documents: Sequence[Document], labels: Sequence[str]) -> str:
    """What was searched in vain for an unsupported sentence, by citation."""
    full = [label for d, label in zip(documents, labels, strict=True) if d.full_text]
    brief = [label for d, label in zip(documents, labels, strict=True) if not d.full_text]
    if not brief:
        subject = "the paper does" if len(full) == 1 else "the papers do"
        return f"{subject} not say this: full text searched"
    if not full:
        subject = "abstract does" if len(brief) == 1 else "abstracts do"
        return f"the {subject} not say this: no full text in the library to search"
    return (
        f"not found in the full text of {', '.join(full)} nor in the abstract of "
        f"{', '.join(brief)} (no full text in the library)"
    )
