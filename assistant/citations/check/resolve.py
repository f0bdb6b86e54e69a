"""Citations to abstracts: each key found in the library, or in the user's .bib.

A key is looked up in this order: a library paper with that citation key; then, when the .bib
has an entry for the key, a library paper with the entry's DOI, arXiv id or (normalised) title;
then the key itself read as a DOI, an arXiv id or a paper id (prefix); last, the .bib entry's own
abstract stands in for a paper the library lacks. A paper without an abstract has nothing to
be checked against, unless its full text is in the library: the citation is unresolved, with a
message saying what to do.

Entries that share a title and have nothing else to tell them apart (``reading.shared_titles``)
are different papers as far as the check knows: none is matched to the library by title, and
each .bib abstract gets a paper id of its own (its title's and its key's), so no sentence is
judged against another entry's abstract.

The library's papers are indexed once per store generation (``paper_index``: paper ids by key,
DOI, arXiv id and title, kept in memory and in the cache dir), so a check reads only the papers
it cites, and a store is read whole only after it has changed.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant import paths
from assistant.citations.check.judging import Document
from assistant.citations.check.reading import Bibliography, shared_titles
from assistant.corpus.normalize import normalize_arxiv_id, normalize_doi, normalize_title
from assistant.corpus.paper import Paper, paper_id
from assistant.errors import InputError
from assistant.library import Library

_ID_PREFIX = re.compile(r"[0-9a-f]{6,12}")


@dataclass(frozen=True)
class Resolution:
    label: str
    """The citation as written: a key, or ``[n]`` for a numbered source."""

    document: Document | None
    paper: Paper | None = None
    via: str = ""
    """How it was found: "key", "DOI", "arXiv id", "title", "id", ".bib abstract", "source"."""

    problem: str | None = None
    """Why it is unresolved (``document`` is None), or a caveat."""


LOOKUPS = ("key", "DOI", "arXiv id", "title")


@dataclass
class PaperIndex:
    """Library paper ids by citation key, DOI, arXiv id and normalised title, for one store
    generation."""

    generation: str = ""
    ids: dict[str, dict[str, str]] = field(default_factory=lambda: {n: {} for n in LOOKUPS})

    @classmethod
    def build(cls, papers: list[Paper], generation: str) -> "PaperIndex":
        index = cls(generation)
        for paper in papers:
            values = (paper.citation_key, paper.doi, paper.arxiv_id, normalize_title(paper.title))
            for lookup, value in zip(LOOKUPS, values, strict=True):
                if value:
                    index.ids[lookup].setdefault(value, paper.id)
        return index

    def get(self, lookup: str, value: str | None) -> str | None:
        return self.ids[lookup].get(value) if value else None

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = path.with_suffix(".tmp")
        staging.write_text(json.dumps({"generation": self.generation, "ids": self.ids}))
        staging.replace(path)

    @classmethod
    def load(cls, path: Path, generation: str) -> "PaperIndex | None":
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if raw.get("generation") != generation or set(raw.get("ids", {})) != set(LOOKUPS):
            return None
        return cls(generation, raw["ids"])


_INDEXES: dict[str, PaperIndex] = {}


def paper_index(library: Library) -> PaperIndex:
    """The library's index: kept in memory and in the cache dir, rebuilt (one pass over the
    store) when the store has changed since."""
    generation = library.generation()
    cached = _INDEXES.get(library.location)
    if cached is not None and cached.generation == generation:
        return cached
    path = index_path(library)
    index = PaperIndex.load(path, generation)
    if index is None:
        index = PaperIndex.build(library.papers(), generation)
        index.save(path)
    _INDEXES[library.location] = index
    return index


def index_path(library: Library) -> Path:
    store = library.settings.store
    name = hashlib.sha1(f"{library.location}|{store.collection}".encode()).hexdigest()[:16]
    return paths.cache_dir() / "check" / f"papers-{name}.json"


class Resolver:
    def __init__(self, library: Library | None, bibliography: Bibliography | None = None) -> None:
        self.library = library
        self.bibliography = bibliography or Bibliography()
        self.index = paper_index(library) if library is not None else PaperIndex()
        self._shared = {key for keys in shared_titles(self.bibliography).values() for key in keys}

    @property
    def has_bib(self) -> bool:
        return bool(self.bibliography.entries)

    def resolve(self, key: str) -> Resolution:
        entry = self.bibliography.entries.get(key)
        found = self._in_library(key, entry)
        if found is not None:
            paper, via = found
            if paper.has_abstract or paper.pdf is not None:  # the full text is read (full_text)
                return Resolution(key, Document.of(paper), paper, via)
            if entry is not None and entry.has_abstract:
                return Resolution(key, self._bib_document(key, entry), paper, ".bib abstract")
            return Resolution(
                key, None, paper, via, f"{key}: “{paper.title}” has no abstract to check against"
            )
        if entry is not None and entry.has_abstract:
            return Resolution(key, self._bib_document(key, entry), entry, ".bib abstract")
        return Resolution(key, None, entry, problem=self._missing(key, entry))

    def _bib_document(self, key: str, entry: Paper) -> Document:
        document = Document.of(entry)
        if key not in self._shared:
            return document
        return Document(paper_id(f"{entry.identity()}|{key}"), entry.title, document.sentences)

    def _in_library(self, key: str, entry: Paper | None) -> tuple[Paper, str] | None:
        if self.library is None:
            return None
        lookups: list[tuple[str, str | None]] = [("key", key)]
        if entry is not None:
            lookups += [("DOI", entry.doi), ("arXiv id", entry.arxiv_id)]
            if key not in self._shared:
                lookups.append(("title", normalize_title(entry.title)))
        lookups += [("DOI", normalize_doi(key)), ("arXiv id", normalize_arxiv_id(key))]
        for via, value in lookups:
            paper_id = self.index.get(via, value)
            chunks = self.library.store.chunks_of(paper_id) if paper_id else []
            if chunks:
                return chunks[0].paper, via
        if _ID_PREFIX.fullmatch(key):
            try:
                return self.library.find(key), "id"
            except InputError:
                return None
        return None

    def _missing(self, key: str, entry: Paper | None) -> str:
        if entry is not None:
            return (
                f"{key}: in the .bib but not in the library, and the entry has no abstract "
                "(add the paper to the library, or give the entry an abstract)"
            )
        where = "neither in the .bib nor in the library" if self.has_bib else "not in the library"
        return f"{key}: {where}"
