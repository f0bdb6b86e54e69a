"""Checking a cited text: every sentence judged against the papers it cites.

A cited paper is read as its abstract, and, when the library holds its full text, the body
passages that best match the sentence (``full_text``): the evidence then names its page.

A quotation (a sentence evidence mode quotes from its source, ``CitedSentence.quoted_from``) is
not judged: it is checked to be verbatim in the one source it cites, and is ``quoted`` when it
is; one that is not (the user edited it) is judged like any claim, with a note saying so.

For a sentence citing papers D (those that resolved), the judge sees the sentence against all
of D together (its verdict is the sentence's, unless D says nothing together while one paper
alone contradicts it or holds evidence), and, when D has more than one paper, against each
alone; for ALCE precision a paper that does not support the sentence alone is tested by leaving
it out (needed when the rest no longer support the sentence). Every judge call is one batch.

For each sentence whose citations fail it (unsupported, contradicted, unresolved) and each claim
that cites nothing, the library is searched with the sentence and the best few papers not already
cited are judged: those that hold evidence for it are its suggestions.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.citations.check.drafts import Draft
from assistant.citations.check.full_text import not_found, read_in_full
from assistant.citations.check.judging import Document, Judge, Judgement, Pair, supports
from assistant.citations.check.offline import OfflineJudge
from assistant.citations.check.reading import bib_files_named, read_bib, read_draft
from assistant.citations.check.report import CheckReport, Evidence, SentenceCheck, Suggestion
from assistant.citations.check.resolve import Resolution, Resolver
from assistant.citations.markers import unmark
from assistant.corpus.paper import Paper
from assistant.library import Library
from assistant.results import Source, TaskResult
from assistant.within_paper import PaperSearch

LONG_SENTENCE = 60
"""Words; a longer sentence is still judged, as a whole, with a note to split it."""

SUGGESTED_SENTENCES = 25
"""At most this many sentences get suggestions (each costs a search)."""

BODY_PASSAGES = 3
"""Full-text passages read with a cited paper's abstract, by default (``check.body_passages``)."""

_NOT_A_CLAIM = re.compile(
    r"^(?:we|our|here,? we|in this (?:paper|section|chapter|work|article|review)|this "
    r"(?:paper|section|chapter|work|article|review)|the rest of|table|figure|fig\.|see)\b",
    re.IGNORECASE,
)
_ENGLISH = frozenset(
    {"the", "a", "an", "of", "and", "or", "to", "in", "is", "are", "was", "were", "be", "been"}
    | {"that", "this", "with", "for", "on", "by", "as", "from", "at", "it", "its", "which"}
    | {"not", "than", "these", "those", "has", "have", "had", "can", "may"}
)
_LETTERS = re.compile(r"[^\W\d_]+")
_RANK: dict[str, int] = {"supported": 3, "partial": 2, "contradicted": 1, "unsupported": 0}


@dataclass(frozen=True)
class CitedClaim:
    """One sentence to check, with its citations resolved (or not)."""

    text: str
    citations: tuple[Resolution, ...]
    line: int | None = None
    paragraph: int = 0
    quoted: bool = False
    """Offered as a verbatim quotation of its one citation."""


PairKey = tuple[str, tuple[Document, ...]]
"""A pair by its content: two documents with one paper id but different sentences (two .bib
entries of one title) are never confused."""


Outside = Callable[[str], list[Paper]]
"""Papers outside the library for a sentence (``scholarly.suggest.OutsideSuggester``)."""


class Checker:
    def __init__(
        self,
        judge: Judge,
        library: Library | None = None,
        suggestions: int = 3,
        outside: Outside | None = None,
        body_passages: int = BODY_PASSAGES,
    ) -> None:
        self.judge = judge
        self.library = library
        self.suggestions = suggestions if library is not None else 0
        self.outside = outside
        self.body_passages = body_passages
        self._search = (
            PaperSearch(library.store, library.retriever.query_vector) if library else None
        )
        self._judged: dict[PairKey, Judgement] = {}

    # Inputs

    async def check_draft(self, draft: Draft, resolver: Resolver) -> CheckReport:
        resolved = {key: resolver.resolve(key) for key in draft.keys}
        claims = [
            CitedClaim(s.text, tuple(resolved[k] for k in s.keys), s.line, s.paragraph)
            for s in draft.sentences
        ]
        notes = [*resolver.bibliography.notes, *draft.notes]
        if not draft.sentences:
            notes.append("no sentence to check: the draft is empty once markup is removed")
        elif not resolved:
            notes.append("the draft cites nothing: its claims are all uncited")
        return await self.check(claims, notes)

    async def check_result(self, result: TaskResult) -> CheckReport:
        """A task's result, its numbered sources as the citations."""
        by_number = {
            s.number: Resolution(f"[{s.number}]", _source_document(s), s.paper, "source")
            for s in result.sources
        }
        claims = [
            CitedClaim(
                s.text,
                tuple(by_number[n] for n in s.citations),
                None,
                s.paragraph,
                quoted=s.quoted_from is not None,
            )
            for s in result.sentences
        ]
        return await self.check(claims, [f"removed citation {c}" for c in result.invalid_citations])

    # The check

    async def check(self, claims: Sequence[CitedClaim], notes: Sequence[str] = ()) -> CheckReport:
        claims = [self._read_in_full(c) for c in claims]
        quoted = {i: found for i, c in enumerate(claims) if (found := quotation(c)) is not None}
        judged = [c for i, c in enumerate(claims) if i not in quoted]
        await self._judge([p for c in judged for p in _first_pairs(c)])
        await self._judge([p for c in judged for p in self._leave_one_out(c)])
        checks = [
            _quoted(claim, quoted[i]) if i in quoted else self._sentence(claim)
            for i, claim in enumerate(claims)
        ]
        await self._suggest(claims, checks)
        notes = list(notes)
        if isinstance(self.judge, OfflineJudge) and not self.judge.calibrated:
            notes.append(
                f"the offline judge was calibrated with {self.judge.calibration.embedder}, not "
                f"{self.judge.embedder.name}: its verdicts are uncalibrated (see check.thresholds)"
            )
        return CheckReport(checks, self.judge.name, notes)

    def _read_in_full(self, claim: CitedClaim) -> CitedClaim:
        if self._search is None:
            return claim
        search, count = self._search, self.body_passages
        citations = tuple(read_in_full(c, claim.text, search, count) for c in claim.citations)
        return replace(claim, citations=citations)

    async def judge_each(
        self, texts: Sequence[str], documents: Sequence[Document]
    ) -> list[list[Judgement]]:
        """Each text against each document alone (one batch)."""
        pairs = [[Pair(text, (d,)) for d in documents] for text in texts]
        await self._judge([p for row in pairs for p in row])
        return [[self._judged[_key(p)] for p in row] for row in pairs]

    async def _judge(self, pairs: Sequence[Pair]) -> None:
        todo = {_key(p): p for p in pairs if _key(p) not in self._judged}
        if todo:
            judged = await self.judge.judge(list(todo.values()))
            self._judged.update(zip(todo, judged, strict=True))

    def _leave_one_out(self, claim: CitedClaim) -> list[Pair]:
        documents = _documents(claim)
        if len(documents) < 3 or not supports(self._judged[_key(Pair(claim.text, documents))]):
            return []
        return [
            Pair(claim.text, tuple(d for d in documents if d is not left))
            for left in documents
            if not supports(self._judged[_key(Pair(claim.text, (left,)))])
        ]

    def _sentence(self, claim: CitedClaim) -> SentenceCheck:
        labels = list(dict.fromkeys(c.label for c in claim.citations))
        check = SentenceCheck(claim.text, labels, "uncited", line=claim.line)
        check.paragraph = claim.paragraph
        check.claim = bool(labels) or is_claim(claim.text)
        check.notes = _notes(claim)
        documents = _documents(claim)
        if labels and not documents:
            check.verdict = "unresolved"
        if not documents:
            check.by_citation = {label: "unresolved" for label in labels}
            check.precise = {label: False for label in labels}
            return check
        joint = self._judged[_key(Pair(claim.text, documents))]
        alone = {d: self._judged[_key(Pair(claim.text, (d,)))] for d in documents}
        chosen, chosen_documents = joint, documents
        if joint.verdict == "unsupported" or (joint.verdict == "partial" and len(documents) > 1):
            best = max(documents, key=lambda d: (_RANK[alone[d].verdict], alone[d].score))
            if _RANK[alone[best].verdict] > _RANK[joint.verdict]:
                chosen, chosen_documents = alone[best], (best,)
        check.verdict, check.score = chosen.verdict, joint.score
        check.confidence = chosen.confidence
        labels_of = {c.document: c.label for c in claim.citations if c.document}
        if chosen.note:
            check.notes.append(chosen.note)
        if chosen.verdict == "unsupported":
            check.notes.append(not_found(documents, [labels_of[d] for d in documents]))
        check.evidence = [
            _evidence(
                labels_of[chosen_documents[ref.document]],
                chosen_documents[ref.document],
                ref.sentence,
            )
            for ref in chosen.evidence
            if chosen.holds_evidence
        ]
        for citation in claim.citations:
            if citation.document is None:
                check.by_citation[citation.label] = "unresolved"
                check.precise[citation.label] = False
                continue
            check.by_citation[citation.label] = alone[citation.document].verdict
            check.precise[citation.label] = self._precise(claim.text, documents, citation.document)
        return check

    def _precise(self, text: str, documents: tuple[Document, ...], document: Document) -> bool:
        """ALCE: the citation supports the sentence alone, or the others do not without it
        (only for a sentence its citations support together)."""
        if not supports(self._judged[_key(Pair(text, documents))]):
            return False
        if len(documents) == 1 or supports(self._judged[_key(Pair(text, (document,)))]):
            return True
        rest = tuple(d for d in documents if d is not document)
        return not supports(self._judged[_key(Pair(text, rest))])

    # Suggestions

    async def _suggest(self, claims: Sequence[CitedClaim], checks: list[SentenceCheck]) -> None:
        if self.library is None or self.suggestions <= 0:
            return
        wanted = [
            i
            for i, check in enumerate(checks)
            if (check.verdict in ("unsupported", "contradicted", "unresolved") and check.citations)
            or (check.verdict == "uncited" and check.claim)
        ][:SUGGESTED_SENTENCES]
        candidates: dict[int, list[tuple[Paper, Document]]] = {}
        beyond: dict[str, str] = {}  # paper id -> API record, for papers outside the library
        for i in wanted:
            cited = {c.document.paper_id for c in claims[i].citations if c.document}
            hits = self.library.search(claims[i].text, self.suggestions + len(cited) + 2)
            papers = [h.paper for h in hits if h.paper.id not in cited and h.paper.has_abstract]
            papers = papers[: self.suggestions]
            if self.outside is not None:
                new = self.outside(claims[i].text)
                beyond.update((p.id, p.sources[0].path) for p in new if p.sources)
                papers += new
            candidates[i] = [(p, Document.of(p)) for p in papers]
        await self._judge(
            [Pair(claims[i].text, (d,)) for i, found in candidates.items() for _, d in found]
        )
        for i, found in candidates.items():
            suggestions = []
            for paper, document in found:
                judgement = self._judged[_key(Pair(claims[i].text, (document,)))]
                if judgement.verdict in ("supported", "partial"):
                    evidence = [document.sentences[r.sentence] for r in judgement.evidence]
                    suggestions.append(
                        Suggestion(
                            paper.id,
                            paper.title,
                            paper.citation_key,
                            judgement.verdict,
                            judgement.score,
                            evidence,
                            beyond.get(paper.id),
                        )
                    )
            checks[i].suggestions = sorted(suggestions, key=lambda s: (-_RANK[s.verdict], -s.score))


async def check_file(
    path: Path,
    judge: Judge,
    library: Library | None,
    bib: Sequence[Path] = (),
    suggestions: int = 3,
    outside: Outside | None = None,
    body_passages: int = BODY_PASSAGES,
) -> CheckReport:
    """A draft file checked, with the given .bib files (none given: those a LaTeX draft names,
    found beside it)."""
    draft = read_draft(path)
    paths = list(bib) or bib_files_named(draft, path)
    bibliography = read_bib(paths)
    if not bib and draft.bibliographies and not paths:
        named = ", ".join(draft.bibliographies)
        bibliography.notes.append(f"the draft names {named}, not found beside it; give --bib")
    resolver = Resolver(library, bibliography)
    checker = Checker(judge, library, suggestions, outside, body_passages)
    return await checker.check_draft(draft, resolver)


def is_claim(text: str) -> bool:
    """Whether a sentence states something a reader would expect a citation for: at least
    six words, not a question or a heading-like lead-in, not about the author's own work."""
    words = text.split()
    if len(words) < 6 or text.rstrip().endswith(("?", ":")):
        return False
    return _NOT_A_CLAIM.match(text.strip()) is None


def looks_english(text: str) -> bool:
    """Mostly Latin letters, and (from six words on) some common English words."""
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isascii() for c in letters) / len(letters) < 0.8:
        return False
    words = [w.lower() for w in _LETTERS.findall(text)]
    return len(words) < 6 or sum(w in _ENGLISH for w in words) / len(words) >= 0.08


def retractions(claim: CitedClaim) -> list[str]:
    """A note for each retracted paper the claim cites."""
    return [
        f"cites {c.label}, which has been retracted"
        for c in claim.citations
        if c.paper and c.paper.retracted
    ]


def _notes(claim: CitedClaim) -> list[str]:
    notes = [c.problem for c in claim.citations if c.problem]
    if claim.quoted:
        notes.append("offered as a quotation, but not found word for word: judged as a claim")
    notes += retractions(claim)
    words = len(claim.text.split())
    if words > LONG_SENTENCE:
        notes.append(f"{words} words long: judged as a whole; splitting it gives sharper verdicts")
    if not looks_english(claim.text):
        notes.append("does not look like English: the offline judge's verdict is unreliable here")
    return list(dict.fromkeys(notes))


def quotation(claim: CitedClaim) -> Evidence | None:
    """Where a claim offered as a quotation stands, word for word, in the one source it cites
    (None: it is no quotation, or not a verbatim one)."""
    documents = _documents(claim)
    if not claim.quoted or len(documents) != 1:
        return None
    document, wanted = documents[0], _folded(claim.text)
    for index, sentence in enumerate(document.sentences):
        if wanted in _folded(unmark(sentence)):
            label = next(c.label for c in claim.citations if c.document is document)
            return _evidence(label, document, index)
    return None


def _evidence(label: str, document: Document, index: int) -> Evidence:
    return Evidence(
        label, document.paper_id, document.sentences[index], index, document.page(index)
    )


def _quoted(claim: CitedClaim, evidence: Evidence) -> SentenceCheck:
    check = SentenceCheck(claim.text, [evidence.citation], "quoted", [evidence], claim=False)
    check.paragraph = claim.paragraph
    check.notes = retractions(claim)
    check.by_citation = {evidence.citation: "quoted"}
    check.precise = {evidence.citation: True}
    return check


def _source_document(source: Source) -> Document:
    """A numbered source as its abstract (its passages when it has none), and the passages of
    its full text the result was made from."""
    document = Document.of(source.paper, source.texts)
    body = [(p.text, p.location.pages) for p in source.passages if p.location.page is not None]
    return document.with_passages(body) if body else document


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _documents(claim: CitedClaim) -> tuple[Document, ...]:
    """The resolved abstracts, each once, in citation order."""
    documents: dict[Document, None] = {}
    for citation in claim.citations:
        if citation.document is not None and not citation.document.empty:
            documents.setdefault(citation.document)
    return tuple(documents)


def _first_pairs(claim: CitedClaim) -> list[Pair]:
    documents = _documents(claim)
    if not documents:
        return []
    singles = [Pair(claim.text, (d,)) for d in documents] if len(documents) > 1 else []
    return [Pair(claim.text, documents), *singles]


def _key(pair: Pair) -> PairKey:
    return pair.claim, pair.documents
