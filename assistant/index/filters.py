"""Search filters, shared by the vector store and the lexical index."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Filters:
    year_from: int | None = None
    year_to: int | None = None
    tag: str | None = None
    collection: str | None = None

    @property
    def active(self) -> bool:
        values = (self.year_from, self.year_to, self.tag, self.collection)
        return any(v is not None for v in values)

    def admits(self, year: int | None, tags: list[str], collections: list[str]) -> bool:
        if self.year_from is not None and (year is None or year < self.year_from):
            return False
        if self.year_to is not None and (year is None or year > self.year_to):
            return False
        if self.collection is not None and self.collection not in collections:
            return False
        return self.tag is None or self.tag in tags

    def chroma_where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.year_from is not None:
            clauses.append({"year": {"$gte": self.year_from}})
        if self.year_to is not None:
            clauses.append({"year": {"$lte": self.year_to}})
        if self.tag is not None:
            clauses.append({"tags": {"$contains": self.tag}})
        if self.collection is not None:
            clauses.append({"collections": {"$contains": self.collection}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}
