"""Citation checking: every sentence of a cited text judged against the abstracts it cites.

Inputs: a task's result (numbered sources), or a user's Markdown or LaTeX draft with a .bib
(``reading``, ``markdown``, ``latex``, ``drafts``), its keys resolved to library papers or .bib
abstracts (``resolve``). Judges, behind one protocol (``judging.Judge``): offline, calibrated
on SciFact train (``offline``, ``features``); the judge that asks a language model, and the
choice between them, are a task (``tasks.llm_judge``), as is repairing what a check finds
(``tasks.repair``).
``checker.Checker`` produces the ``report.CheckReport``: a verdict per sentence with its
evidence and suggestions, and ALCE-style metrics.
"""

from assistant.citations.check.checker import Checker, CitedClaim, check_file, is_claim
from assistant.citations.check.drafts import Draft, DraftSentence
from assistant.citations.check.judging import (
    Document,
    EvidenceRef,
    Judge,
    Judgement,
    Pair,
    PairVerdict,
)
from assistant.citations.check.offline import Calibration, OfflineJudge
from assistant.citations.check.reading import Bibliography, parse_draft, read_bib, read_draft
from assistant.citations.check.report import (
    CheckReport,
    Evidence,
    Metrics,
    SentenceCheck,
    Suggestion,
)
from assistant.citations.check.resolve import Resolution, Resolver

__all__ = [
    "Bibliography",
    "Calibration",
    "CheckReport",
    "Checker",
    "CitedClaim",
    "Document",
    "Draft",
    "DraftSentence",
    "Evidence",
    "EvidenceRef",
    "Judge",
    "Judgement",
    "Metrics",
    "OfflineJudge",
    "Pair",
    "PairVerdict",
    "Resolution",
    "Resolver",
    "SentenceCheck",
    "Suggestion",
    "check_file",
    "is_claim",
    "parse_draft",
    "read_bib",
    "read_draft",
]
