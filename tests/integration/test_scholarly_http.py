"""The scholarly HTTP layer against a real local server: faults, cache, pacing, offline, keys."""

import json
import socket
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest

from assistant.errors import (
    ApiError,
    ApiRateLimited,
    ApiShapeChanged,
    ApiUnreachable,
    NetworkDisabled,
)
from assistant.scholarly.cache import ResponseCache
from assistant.scholarly.clients import Apis
from assistant.scholarly.http import Http, retry_after
from assistant.scholarly.pacing import HostPacer
from assistant.settings import ScholarlySettings
from tests.scholarly_server import API_DATA, Answer, ScholarlyServer

PNAS = "10.1073/pnas.1414271111"
WORK = (API_DATA / "openalex" / "work_doi_10.1073_pnas.1414271111.json").read_bytes()


@pytest.fixture
def server() -> Iterator[ScholarlyServer]:
    with ScholarlyServer().recorded() as running:
        yield running


def apis(settings: ScholarlySettings, cache: ResponseCache | None = None) -> Apis:
    return Apis.open(settings, Http(settings, cache, pacer=HostPacer()))


def test_429_with_retry_after_is_honoured_then_the_answer_is_read(server: ScholarlyServer) -> None:
    server.fail(Answer(b"slow down", 429, headers={"Retry-After": "1"}), prefix="/openalex")
    work = apis(server.settings()).openalex.by_doi(PNAS)
    assert work is not None and work.key == "W2109415576"
    first, second = server.hits("/openalex")
    assert second.at - first.at >= 0.95


def test_a_retry_after_longer_than_the_cap_is_an_error_at_once(server: ScholarlyServer) -> None:
    server.fail(Answer(b"", 429, headers={"Retry-After": "3600"}), prefix="/openalex")
    started = time.monotonic()
    with pytest.raises(ApiRateLimited, match="asks to wait 3600 s"):
        apis(server.settings()).openalex.by_doi(PNAS)
    assert time.monotonic() - started < 1 and len(server.hits()) == 1


def test_429_every_time_ends_in_a_rate_limit_error(server: ScholarlyServer) -> None:
    server.fail(*[Answer(b"", 429, headers={"Retry-After": "0"})] * 3, prefix="/crossref")
    with pytest.raises(ApiRateLimited, match=r"Crossref: .* 429 \(too many requests\), 3 times"):
        apis(server.settings(retries=2)).crossref.by_doi("10.1371/journal.pone.0033693")


def test_500_is_retried_then_the_answer_is_read(server: ScholarlyServer) -> None:
    server.fail(Answer(b"oops", 500), Answer(b"oops", 502), prefix="/openalex")
    assert apis(server.settings()).openalex.by_doi(PNAS) is not None
    assert len(server.hits()) == 3


def test_500_every_time_is_a_clear_error_after_the_retries(server: ScholarlyServer) -> None:
    server.fail(*[Answer(b"oops", 500)] * 4, prefix="/s2")
    with pytest.raises(ApiError) as raised:
        apis(server.settings(retries=3)).semanticscholar.by_doi("10.1093/mind/lix.236.433")
    assert "Semantic Scholar" in str(raised.value) and "answered 500, 4 times" in str(raised.value)
    assert len(server.hits()) == 4


def test_an_answer_slower_than_the_timeout_is_retried_then_an_error(
    server: ScholarlyServer,
) -> None:
    server.fail(Answer(WORK, delay_s=1.0), Answer(WORK, delay_s=1.0), prefix="/openalex")
    started = time.monotonic()
    with pytest.raises(ApiError, match=r"no answer from .* within 0.3 s, 2 times"):
        apis(server.settings(timeout_s=0.3, retries=1)).openalex.by_doi(PNAS)
    assert time.monotonic() - started < 1.5


def test_a_body_cut_short_is_retried_and_never_cached(
    server: ScholarlyServer, tmp_path: Path
) -> None:
    server.fail(Answer(WORK, cut_at=500), prefix="/openalex")
    cache = ResponseCache(tmp_path / "cache.sqlite", 3600)
    client = apis(server.settings(), cache).openalex
    assert client.by_doi(PNAS) is not None
    assert len(server.hits()) == 2  # the cut answer, then the whole one
    server.fail(*[Answer(WORK, cut_at=500)] * 2, prefix="/openalex")
    with pytest.raises(ApiError, match="was cut short, 2 times"):
        apis(server.settings(retries=1), None).openalex.by_doi(PNAS)


def test_a_truncated_body_with_a_matching_length_is_a_shape_error(server: ScholarlyServer) -> None:
    server.fail(Answer(WORK[:500]), prefix="/openalex")
    with pytest.raises(ApiShapeChanged) as raised:
        apis(server.settings()).openalex.by_doi(PNAS)
    assert raised.value.api == "OpenAlex" and raised.value.field == "body"
    assert "is not JSON" in str(raised.value)


@pytest.mark.parametrize(
    ("prefix", "call", "field"),
    [
        ("/openalex", lambda a: a.openalex.by_doi(PNAS), "abstract_inverted_index"),
        ("/crossref", lambda a: a.crossref.search("widget", 5), "message.items"),
        ("/s2", lambda a: a.semanticscholar.search("turing", 5), "data"),
        ("/arxiv", lambda a: a.arxiv.search("testing", 5), "opensearch:totalResults"),
    ],
)
def test_a_renamed_field_is_an_error_naming_the_api_and_the_field(
    server: ScholarlyServer, prefix: str, call: object, field: str
) -> None:
    renamed = {
        "/openalex": (WORK, b'"abstract_inverted_index"', b'"abstract_index"'),
        "/crossref": (
            (API_DATA / "crossref" / "works_query-widget.json").read_bytes(),
            b'"items"',
            b'"works"',
        ),
        "/s2": (
            (API_DATA / "semanticscholar" / "search_turing.json").read_bytes(),
            b'"data"',
            b'"papers"',
        ),
        "/arxiv": (
            (
                Path("tests/data/fixtures/arxivpy_2026_q_testing_s0_m10.body-extracted.atom.xml")
            ).read_bytes(),
            b"opensearch:totalResults",
            b"opensearch:total",
        ),
    }[prefix]
    body, old, new = renamed
    assert old in body
    server.fail(Answer(body.replace(old, new)), prefix=prefix)
    with pytest.raises(ApiShapeChanged) as raised:
        call(apis(server.settings()))  # type: ignore[operator]
    assert raised.value.field.endswith(field)
    assert raised.value.api in str(raised.value) and field in str(raised.value)


def test_an_empty_page_where_results_were_announced_is_an_error(server: ScholarlyServer) -> None:
    empty = {"meta": {"count": 12, "page": 1, "per_page": 25}, "results": []}
    server.fail(Answer.json(empty), prefix="/openalex")
    with pytest.raises(ApiShapeChanged, match=r"is empty on page 1 although meta\.count is 12"):
        apis(server.settings()).openalex.search("mixture of experts")
    server.fail(Answer.json({"offset": 0, "next": 100, "data": []}), prefix="/s2")
    with pytest.raises(ApiShapeChanged, match="`data` is empty at offset 0"):
        apis(server.settings()).semanticscholar.search("mixture of experts")


def test_empty_answers_the_apis_really_give_are_empty_results(server: ScholarlyServer) -> None:
    clients = apis(server.settings())
    assert clients.semanticscholar.search("n0 r3sult s3arch t3rm") == []  # {"total": 0, ...}
    assert clients.openalex.by_doi("10.9999/not-there") is None  # OpenAlex's HTML 404
    assert clients.crossref.by_doi("10.1371/notarealdoi") is None  # Crossref's text 404
    assert clients.arxiv.by_arxiv("0000.0000") is None  # a feed without entries


def test_the_same_request_twice_reaches_the_server_once(
    server: ScholarlyServer, tmp_path: Path
) -> None:
    cache = ResponseCache(tmp_path / "cache.sqlite", 3600)
    first = apis(server.settings(), cache).openalex.by_doi(PNAS)
    again = apis(server.settings(), cache)  # another process would share the file too
    assert again.openalex.by_doi(PNAS) == first
    assert again.http.requests == 0 and len(server.hits()) == 1
    assert apis(server.settings(), cache).openalex.by_doi("10.9999/not-there") is None
    assert apis(server.settings(), cache).openalex.by_doi("10.9999/not-there") is None
    assert len(server.hits()) == 2  # "not found" is an answer, cached too


def test_an_expired_answer_is_asked_again(server: ScholarlyServer, tmp_path: Path) -> None:
    now = [1000.0]
    cache = ResponseCache(tmp_path / "cache.sqlite", 60, clock=lambda: now[0])
    apis(server.settings(), cache).openalex.by_doi(PNAS)
    now[0] += 59
    apis(server.settings(), cache).openalex.by_doi(PNAS)
    assert len(server.hits()) == 1
    now[0] += 2
    apis(server.settings(), cache).openalex.by_doi(PNAS)
    assert len(server.hits()) == 2


def test_an_answer_that_failed_to_parse_is_not_cached(
    server: ScholarlyServer, tmp_path: Path
) -> None:
    cache = ResponseCache(tmp_path / "cache.sqlite", 3600)
    server.fail(Answer(WORK.replace(b'"is_retracted"', b'"retracted"')), prefix="/openalex")
    with pytest.raises(ApiShapeChanged, match="is_retracted"):
        apis(server.settings(), cache).openalex.by_doi(PNAS)
    assert apis(server.settings(), cache).openalex.by_doi(PNAS) is not None
    assert len(server.hits()) == 2


def test_arxiv_requests_are_spaced_by_the_interval_across_clients(server: ScholarlyServer) -> None:
    settings = server.settings(arxiv={"interval_s": 0.5})
    pacer = HostPacer()
    one = Apis.open(settings, Http(settings, pacer=pacer))
    two = Apis.open(settings, Http(settings, pacer=pacer))  # another window of the same run
    one.arxiv.by_arxiv("1707.08567")
    two.arxiv.by_arxiv("astro-ph/0601001")
    one.arxiv.search("testing", 10)
    times = [r.at for r in server.hits("/arxiv")]
    assert len(times) == 3
    assert all(later - earlier >= 0.48 for earlier, later in pairwise(times))


def test_offline_is_one_line_fast_and_never_retried() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = ScholarlySettings(openalex={"base_url": f"http://127.0.0.1:{port}", "interval_s": 0})
    started = time.monotonic()
    with pytest.raises(ApiUnreachable) as raised:
        apis(settings).openalex.by_doi(PNAS)
    assert time.monotonic() - started < 2
    message = str(raised.value)
    assert "\n" not in message and message.startswith(
        f"OpenAlex: cannot connect to 127.0.0.1:{port}"
    )
    assert "offline" in message


def test_with_the_network_switched_off_only_cached_answers_are_read(
    server: ScholarlyServer, tmp_path: Path
) -> None:
    cache = ResponseCache(tmp_path / "cache.sqlite", 3600)
    apis(server.settings(), cache).openalex.by_doi(PNAS)
    offline = apis(server.settings(network=False), cache)
    assert offline.openalex.by_doi(PNAS) is not None
    with pytest.raises(NetworkDisabled, match="switched off"):
        offline.crossref.by_doi("10.1371/journal.pone.0033693")
    assert len(server.hits()) == 1


def test_keys_and_the_address_are_sent_but_never_cached_or_shown(
    server: ScholarlyServer, tmp_path: Path
) -> None:
    settings = server.settings(
        mailto="someone@example.org",
        openalex={"api_key": "oa-secret"},
        semanticscholar={"api_key": "s2-secret"},
    )
    clients = apis(settings, ResponseCache(tmp_path / "cache.sqlite", 3600))
    work = clients.openalex.by_doi(PNAS)
    clients.semanticscholar.by_doi("10.1093/mind/lix.236.433")
    openalex, s2 = server.hits("/openalex")[0], server.hits("/s2")[0]
    assert (
        openalex.query["api_key"] == "oa-secret"
        and openalex.query["mailto"] == "someone@example.org"
    )
    assert s2.headers["x-api-key"] == "s2-secret"
    assert "citewise/" in openalex.headers["user-agent"]
    assert "mailto:someone@example.org" in openalex.headers["user-agent"]
    assert work is not None and "secret" not in work.url
    stored = (tmp_path / "cache.sqlite").read_bytes()
    assert b"oa-secret" not in stored and b"someone@example.org" not in stored


def test_a_refused_request_quotes_the_apis_own_message(server: ScholarlyServer) -> None:
    server.fail(Answer.file("semanticscholar/400_unknown-field.json", 400), prefix="/s2")
    with pytest.raises(ApiError, match=r"refused the request \(400: Unrecognized or unsupported"):
        apis(server.settings()).semanticscholar.by_doi("10.1093/mind/lix.236.433")
    server.fail(Answer.json({"error": "bad key"}, 403), prefix="/openalex")
    with pytest.raises(ApiError) as raised:
        apis(server.settings()).openalex.by_doi(PNAS)
    assert raised.value.hint is not None and "API key" in raised.value.hint


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after("7") == 7.0
    assert retry_after(None) is None and retry_after("soon") is None
    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    assert 25 <= (retry_after(later) or 0) <= 31
    assert json.dumps(retry_after("Wed, 21 Oct 2015 07:28:00 GMT")) == "0.0"  # in the past
