"""Citation checking: every sentence of a cited text judged against the abstracts it cites.

Inputs: a task's result (numbered sources), or a user's Markdown or LaTeX draft with a .bib
(``reading``, ``markdown``, ``latex``, ``drafts``), its keys resolved to library papers or .bib
abstracts (``resolve``). Judges, behind one protocol (``judging.Judge``): offline, calibrated on
SciFact train (``offline``, ``features``), or the configured chat model (``llm_judge``); chosen
by ``judges.make_judge``. ``checker.Checker`` produces the ``report.CheckReport``: a verdict per
sentence with its evidence and suggestions, and ALCE-style metrics. ``repair.checked`` wraps a
task's events into a checked, repaired generation.
"""

from assistant.citations.check.checker import Checker, CitedClaim, check_file, is_claim
from assistant.citations.check.drafts import Draft, DraftSentence
from assistant.citations.check.judges import make_judge
from assistant.citations.check.judging import (
    Document,
    EvidenceRef,
    Judge,
    Judgement,
    Pair,
    PairVerdict,
)
from assistant.citations.check.llm_judge import JudgementCache, LLMJudge
from assistant.citations.check.offline import Calibration, OfflineJudge
from assistant.citations.check.reading import Bibliography, parse_draft, read_bib, read_draft
from assistant.citations.check.repair import CheckedRun, checked, repair
from assistant.citations.check.report import (
    CheckReport,
    Evidence,
    Metrics,
    SentenceCheck,
    Suggestion,
    Verdict,
)
from assistant.citations.check.resolve import Resolution, Resolver

__all__ = [
    "Bibliography",
    "Calibration",
    "CheckReport",
    "CheckedRun",
    "Checker",
    "CitedClaim",
    "Document",
    "Draft",
    "DraftSentence",
    "Evidence",
    "EvidenceRef",
    "Judge",
    "Judgement",
    "JudgementCache",
    "LLMJudge",
    "Metrics",
    "OfflineJudge",
    "Pair",
    "PairVerdict",
    "Resolution",
    "Resolver",
    "SentenceCheck",
    "Suggestion",
    "Verdict",
    "check_file",
    "checked",
    "is_claim",
    "make_judge",
    "parse_draft",
    "read_bib",
    "read_draft",
    "repair",
]
