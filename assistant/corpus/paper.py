"""The Paper model: one record per paper, whatever file it came from."""

import hashlib
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, InstanceOf, model_validator

from assistant.corpus.fulltext import Body, Reference
from assistant.corpus.normalize import normalize_title


class Source(BaseModel):
    """Where a record was read: a file, a format, and a line or record number in it."""

    model_config = ConfigDict(frozen=True)

    path: str = Field(description="File the record came from (absolute path).")
    format: str = Field(description="Reader that produced it, e.g. 'bibtex'.")
    line: int | None = Field(default=None, description="1-based line where the record starts.")
    record: int | None = Field(default=None, description="1-based record number in the file.")

    def location(self) -> str:
        where = f"line {self.line}" if self.line else f"record {self.record}" if self.record else ""
        return f"{self.path}:{where}" if where else self.path


class PdfRecord(BaseModel):
    """The PDF a paper's full text was read from, as the store keeps it (the text itself is in
    the paper's chunks): enough to tell an unchanged file, and the paper's reference list."""

    model_config = ConfigDict(frozen=True)

    file: str = Field(description="The PDF's path when it was read.")
    sha256: str = Field(description="Of the file's bytes: an unchanged PDF is not embedded again.")
    pages: int = Field(description="Pages in the PDF.")
    references: list[Reference] = Field(
        default_factory=list, description="Its reference list, as printed, with DOIs and arXiv ids."
    )

    @classmethod
    def of(cls, path: Path, body: Body) -> "PdfRecord":
        return cls(
            file=str(path),
            sha256=body.sha256,
            pages=len(body.pages),
            references=list(body.references),
        )


class Paper(BaseModel):
    """A paper's metadata and abstract, with every source it was read from."""

    id: str = Field(default="", description="Stable id; derived from DOI, arXiv id or title.")
    title: str
    abstract: str = ""
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    venue: str | None = None
    doi: str | None = Field(default=None, description="Normalised: lower case, no resolver URL.")
    arxiv_id: str | None = Field(default=None, description="Normalised: no version, no prefix.")
    url: str | None = None
    citation_key: str | None = Field(default=None, description="The user's own key, if any.")
    tags: list[str] = Field(default_factory=list)
    collections: list[str] = Field(
        default_factory=list, description="Reference-manager collections (folders) holding it."
    )
    sources: list[Source] = Field(default_factory=list)
    retracted: bool = Field(
        default=False, description="A scholarly API says it was retracted (or withdrawn)."
    )
    provenance: dict[str, str] = Field(
        default_factory=dict,
        description="Fields filled in from a scholarly API rather than read from the user's "
        "files, each with the API that gave it, e.g. {'abstract': 'openalex'}.",
    )
    pdf: PdfRecord | None = Field(
        default=None, description="The PDF its full text came from (None: abstract only)."
    )
    body: InstanceOf[Body] | None = Field(
        default=None,
        exclude=True,
        repr=False,
        description="The full text read from a PDF: pages, sections, references. Never "
        "serialised with the record (it is not validated again either: readers build it).",
    )

    @model_validator(mode="after")
    def _derive_id(self) -> Self:
        if not self.id:
            self.id = paper_id(self.identity())
        return self

    @property
    def has_abstract(self) -> bool:
        return bool(self.abstract.strip())

    def identity(self) -> str:
        """The strongest identifier this record has: DOI, then arXiv id, then normalised title."""
        if self.doi:
            return f"doi:{self.doi}"
        if self.arxiv_id:
            return f"arxiv:{self.arxiv_id}"
        return f"title:{normalize_title(self.title)}"

    def richness(self) -> int:
        """How much this record knows; deduplication keeps the richest."""
        fields = (self.doi, self.arxiv_id, self.url, self.venue, self.year, self.citation_key)
        return len(self.abstract) + 50 * sum(v is not None for v in fields) + 20 * len(self.authors)


def paper_id(identity: str) -> str:
    """A short, stable, URL- and shell-safe id for an identity string."""
    return hashlib.sha1(identity.encode()).hexdigest()[:12]
