"""A real HTTP server on 127.0.0.1 that replays recorded answers of the scholarly APIs.

Each API lives under its own prefix: ``/openalex``, ``/crossref``, ``/s2`` (the Graph API root)
and ``/arxiv/query``; ``settings()`` points citewise's clients at them. ``add(path, answer,
**query)`` serves ``answer`` (bytes, a file under ``tests/data/api``, or a function of the
request) to GETs of ``path`` whose query holds the given parameters (others, such as
``select``, ``fields`` or ``api_key``, are ignored); ``recorded()`` adds every vendored recorded
answer at the path the client asks for. Requests that match nothing get the API's real
not-found answer (OpenAlex's HTML 404, Crossref's text, Semantic Scholar's JSON error, arXiv's
empty feed).

Faults: ``fail(*answers, prefix=...)`` queues answers served before any route to the next
requests on that prefix: a status with ``Retry-After``, ``delay_s`` past the client's timeout,
``cut_at`` (the body cut short after that many bytes, Content-Length still promising all of
it), or a changed body. Every request is recorded with its arrival time (``time.monotonic()``).
"""

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from assistant.settings import ScholarlySettings
from tests.threaded_server import ThreadedServer

API_DATA = Path(__file__).parent / "data" / "api"
FIXTURES = Path(__file__).parent / "data" / "fixtures"
EMPTY_FEED = (API_DATA / "arxiv" / "id_list_0000.0000_none.xml").read_bytes()


@dataclass
class Answer:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    """Seconds before the status line."""
    cut_at: int | None = None
    """Bytes of the body sent before the connection is closed (None: all)."""

    @classmethod
    def file(cls, name: str, status: int = 200) -> "Answer":
        path = API_DATA / name if (API_DATA / name).exists() else FIXTURES / name
        kinds = {".json": "application/json", ".xml": "application/atom+xml", ".html": "text/html"}
        return cls(path.read_bytes(), status, kinds.get(path.suffix, "text/plain"))

    @classmethod
    def json(cls, value: Any, status: int = 200) -> "Answer":
        return cls(json.dumps(value).encode(), status)


@dataclass(frozen=True)
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    """Lower-cased names."""
    at: float


Responder = Answer | Callable[[Request], Answer]


@dataclass
class _Route:
    path: str
    query: dict[str, str]
    answer: Responder


NOTHING = {
    "/openalex/works": Answer.file("own/openalex_works_empty.json"),
    "/crossref/works": Answer.file("own/crossref_works_empty.json"),
    "/s2/paper/search": Answer.file("semanticscholar/search_empty.json"),
    "/s2/paper/search/match": Answer.file("own/s2_search-match_404.json", 404),
}
"""What a search that finds nothing gets (the empty pages are written in the APIs' shapes)."""
NOT_FOUND = {
    "/openalex": Answer.file("openalex/404.html", 404),
    "/crossref": Answer.file("crossref/404.txt", 404),
    "/s2": Answer.file("semanticscholar/404_paper.json", 404),
    "/arxiv": Answer(EMPTY_FEED, 200, "application/atom+xml"),
}
"""What a lookup of a record the server does not hold gets: each API's real answer."""


class ScholarlyServer(ThreadedServer):
    """Serves on a free port of 127.0.0.1 in a thread; a context manager."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._routes: list[_Route] = []
        self._faults: dict[str, deque[Answer]] = {}
        self._lock = threading.Lock()
        super().__init__(_Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings(self, **overrides: Any) -> ScholarlySettings:
        """Settings that send every client here, without pauses between requests."""
        values: dict[str, Any] = {
            "openalex": {"base_url": f"{self.url}/openalex", "interval_s": 0},
            "crossref": {"base_url": f"{self.url}/crossref", "interval_s": 0},
            "semanticscholar": {"base_url": f"{self.url}/s2", "interval_s": 0},
            "arxiv": {"base_url": f"{self.url}/arxiv/query", "interval_s": 0},
            "backoff_s": 0.01,
            "timeout_s": 2.0,
            "connect_timeout_s": 1.0,
            "retry_after_cap_s": 5.0,
        }
        for key, value in overrides.items():
            if isinstance(value, dict) and isinstance(values.get(key), dict):
                values[key] = values[key] | value
            else:
                values[key] = value
        return ScholarlySettings(**values)

    def add(self, path: str, answer: Responder | str, **query: str) -> None:
        """Serve ``answer`` (a file name under tests/data/api when a string) at ``path`` (every
        path starting with it, when it ends with ``*``)."""
        chosen = Answer.file(answer) if isinstance(answer, str) else answer
        with self._lock:
            self._routes.append(_Route(path, query, chosen))

    def fail(self, *answers: Answer, prefix: str = "") -> None:
        """Serve ``answers`` first, in order, to the next requests under ``prefix``."""
        with self._lock:
            self._faults.setdefault(prefix, deque()).extend(answers)

    def hits(self, prefix: str = "") -> list[Request]:
        return [r for r in self.requests if r.path.startswith(prefix)]

    def recorded(self) -> Self:
        """Every vendored recorded answer, at the path citewise's clients ask for."""
        self.add(
            "/openalex/works/doi:10.1073/pnas.1414271111",
            "openalex/work_doi_10.1073_pnas.1414271111.json",
        )
        self.add(
            "/openalex/works",
            "openalex/works_title-search_chemistry-tools.json",
            filter="title.search:Augmenting large language models with chemistry tools",
        )
        self.add(
            "/openalex/works",
            "openalex/works_cites_W3209445140_empty.json",
            filter="cites:W3209445140",
        )
        self.add(
            "/openalex/works", "dspace_openalex-publication-single.json", search="folin phenol"
        )
        self.add(
            "/crossref/works/10.1371/journal.pone.0033693",
            "crossref/work_10.1371_journal.pone.0033693.json",
        )
        self.add(
            "/crossref/works/10.1136/jclinpath-2020-206745",
            "crossref/work_10.1136_jclinpath-2020-206745.json",
        )
        self.add("/crossref/works", "crossref/works_query-widget.json", query="widget", offset="0")
        self.add(
            "/s2/paper/DOI:10.1093/mind/lix.236.433",
            "semanticscholar/paper_10.1093_mind_lix.236.433.json",
        )
        self.add(
            "/s2/paper/search", "semanticscholar/search_turing.json", query="turing", offset="0"
        )
        self.add(
            "/s2/paper/search", "semanticscholar/search_empty.json", query="n0 r3sult s3arch t3rm"
        )
        self.add(
            "/s2/paper/search/match",
            "semanticscholar/search-match_mining-association-rules.json",
            query="mining association rules between",
        )
        for offset in ("0", "50"):
            self.add(
                "/s2/paper/10.2139/ssrn.2250500/references",
                f"semanticscholar/references_10.2139_ssrn.2250500_offset{offset}.json",
                offset=offset,
            )
        for offset in ("0", "100"):
            self.add(
                "/s2/paper/CorpusID:14514057/citations",
                f"semanticscholar/citations_CorpusID_14514057_offset{offset}.json",
                offset=offset,
            )
        self.add("/arxiv/query", "arxiv/id_list_0808.05394_1707.08567.xml", id_list="1707.08567")
        self.add("/arxiv/query", "arxiv/id_list_astro-ph_0601001.xml", id_list="astro-ph/0601001")
        self.add("/arxiv/query", Answer.file("arxiv/id_list_abc_400.xml", 400), id_list="abc")
        self.add(
            "/arxiv/query",
            "arxivpy_2026_q_testing_s0_m10.body-extracted.atom.xml",
            search_query="all:testing",
        )
        return self

    def zotero7(self) -> Self:
        """Answers for the items of tests/data/fixtures/zotero7.sqlite without an abstract
        (hand-written, in the APIs' shapes: ``own/zotero7/``)."""
        for doi in (
            "10.1038/sj.bjc.6601118",  # Clark 2003: an abstract
            "10.1080/01621459.1958.10501452",  # Kaplan & Meier 1958: a record without one
            "10.1038/s44259-024-00051-6",  # Kadeřábková 2024: the DOI leads to another paper
            "10.1016/j.cmi.2019.03.007",  # Cusack 2019: an abstract
        ):
            name = f"own/zotero7/openalex_doi_{doi.replace('/', '_')}.json"
            self.add(f"/openalex/works/doi:{doi}", name)
        self.add(
            "/openalex/works",
            "own/zotero7/openalex_title_CABBAGE.json",
            filter="title.search:CABBAGE",
        )
        self.add(
            "/crossref/works/10.1038/nbt1209-1135",
            "own/zotero7/crossref_doi_10.1038_nbt1209-1135.json",
        )
        query = {"query.bibliographic": "CABBAGE"}
        self.add("/crossref/works", "own/zotero7/crossref_title_CABBAGE.json", **query)
        return self

    def environment(self, **extra: str) -> dict[str, str]:
        """``CITEWISE_SCHOLARLY__*`` variables pointing the command line here (as ``settings``)."""
        values = {
            "OPENALEX__BASE_URL": f"{self.url}/openalex",
            "CROSSREF__BASE_URL": f"{self.url}/crossref",
            "SEMANTICSCHOLAR__BASE_URL": f"{self.url}/s2",
            "ARXIV__BASE_URL": f"{self.url}/arxiv/query",
            "OPENALEX__INTERVAL_S": "0",
            "CROSSREF__INTERVAL_S": "0",
            "SEMANTICSCHOLAR__INTERVAL_S": "0",
            "ARXIV__INTERVAL_S": "0",
            "BACKOFF_S": "0.01",
        } | extra
        return {f"CITEWISE_SCHOLARLY__{name}": value for name, value in values.items()}

    def answer(self, request: Request) -> Answer:
        with self._lock:
            self.requests.append(request)
            for prefix, queue in self._faults.items():
                if queue and request.path.startswith(prefix):
                    return queue.popleft()
            routes = list(self._routes)
        for route in reversed(routes):  # the latest added wins
            if _matches(route.path, request.path) and all(
                request.query.get(k) == v for k, v in route.query.items()
            ):
                return route.answer(request) if callable(route.answer) else route.answer
        if request.path in NOTHING:
            return NOTHING[request.path]
        prefix = "/" + request.path.split("/")[1]
        return NOT_FOUND.get(prefix, Answer(b"no such API", 404, "text/plain"))


def _matches(pattern: str, path: str) -> bool:
    """A route's path: exact, or a prefix when it ends with ``*``."""
    return path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests read ``requests``

    def do_GET(self) -> None:
        at = time.monotonic()
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        owner: ScholarlyServer = self.server.owner  # type: ignore[attr-defined]
        answer = owner.answer(Request(parts.path, query, headers, at))
        if answer.delay_s:
            time.sleep(answer.delay_s)
        body = answer.body
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body if answer.cut_at is None else body[: answer.cut_at])
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return  # the client gave up (a timeout test)
        if answer.cut_at is not None:
            self.close_connection = True
