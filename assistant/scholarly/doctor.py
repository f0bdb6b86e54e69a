"""What ``citewise doctor`` says about the scholarly APIs: how each is configured (base URL, key,
pace) and, only when asked to go online, whether it answers one small request and how fast.
The probe skips the cache, so it really reaches the API."""

import time
from dataclasses import dataclass, replace

from assistant.errors import ApiError
from assistant.scholarly.clients import Apis
from assistant.scholarly.http import Http
from assistant.scholarly.work import LABELS
from assistant.settings import ScholarlySettings


@dataclass(frozen=True)
class ApiStatus:
    name: str
    base_url: str
    pace: str
    key: str
    answer: str | None = None
    """Online only: how it answered ("answers in 120 ms") or the error."""

    ok: bool = True


def statuses(settings: ScholarlySettings, *, online: bool = False) -> list[ApiStatus]:
    apis = Apis.open(settings, Http(settings, cache=None)) if online else None
    found = []
    for name in ("openalex", "crossref", "semanticscholar", "arxiv"):
        status = _configured(settings, name)
        if apis is not None:
            status = _probe(apis, status)
        found.append(status)
    if apis is not None:
        apis.close()
    return found


def _configured(settings: ScholarlySettings, name: str) -> ApiStatus:
    if name == "openalex":
        key = "set" if settings.openalex.api_key else "not set (OpenAlex requires one since 2026)"
        interval = settings.openalex.interval_s
        base = settings.openalex.base_url
    elif name == "crossref":
        key = "none needed" + ("; polite pool (mailto)" if settings.mailto else "; public pool")
        interval, base = settings.crossref.interval_s, settings.crossref.base_url
    elif name == "semanticscholar":
        s2 = settings.semanticscholar
        key = "set" if s2.api_key else "not set (shared pool)"
        interval, base = s2.interval(), s2.base_url
    else:
        key, interval, base = "none needed", settings.arxiv.interval_s, settings.arxiv.base_url
    pace = f"one request every {interval:g} s" if interval else "no pause between requests"
    return ApiStatus(LABELS[name], base, pace, key)


_PROBES = {
    "OpenAlex": lambda apis: apis.openalex.by_id("W2741809807"),
    "Crossref": lambda apis: apis.crossref.by_doi("10.1371/journal.pone.0033693"),
    "Semantic Scholar": lambda apis: apis.semanticscholar.by_doi("10.1093/mind/lix.236.433"),
    "arXiv": lambda apis: apis.arxiv.by_arxiv("1707.08567"),
}
"""One cheap request each: a record by id (free of charge at OpenAlex)."""


def _probe(apis: Apis, status: ApiStatus) -> ApiStatus:
    started = time.perf_counter()
    try:
        _PROBES[status.name](apis)
    except ApiError as error:
        return replace(status, answer=str(error), ok=False)
    took = (time.perf_counter() - started) * 1000
    return replace(status, answer=f"answers ({took:.0f} ms)")
