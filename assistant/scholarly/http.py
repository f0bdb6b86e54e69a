"""The one HTTP layer of the scholarly clients: paced, retried, cached, and honest about failure.

Every request goes through ``Http.get``:

* the cache first (``cache.py``): an answer already parsed and not expired costs nothing, and is
  used even with the network switched off;
* then, if ``scholarly.network`` allows, the host's pace (``pacing.py``: arXiv one request per
  3 s, and so on), a short connect timeout (offline fails in seconds, in one line, never
  retried), and a read timeout;
* 429 and 503 are retried after ``Retry-After`` (seconds or an HTTP date), up to a cap, beyond
  which it is an error; other 5xx, timeouts and bodies cut short are retried with exponential
  backoff; after the last try the error says which and how often;
* 404 goes to the caller's parser (not found is an answer); any other 4xx is an error quoting the
  API's own message (arXiv's 400 goes to its parser, which reads the error from the feed).

Keys (``api_key``, ``x-api-key``) and the user's address (``mailto``) are sent but never part of
the cached or printed URL. The User-Agent names citewise, and the address when one is set.
"""

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx

from assistant import __version__
from assistant.errors import (
    ApiError,
    ApiRateLimited,
    ApiShapeChanged,
    ApiUnreachable,
    NetworkDisabled,
)
from assistant.scholarly.cache import ResponseCache
from assistant.scholarly.pacing import PACER, HostPacer
from assistant.settings import ScholarlySettings

T = TypeVar("T")
_TAGS = re.compile(r"<[^>]+>")
OFFLINE_HINT = "are you offline? Only enrich and discover need the network; the rest works offline"


@dataclass(frozen=True)
class Endpoint:
    """One API as the HTTP layer sees it."""

    api: str
    """Its name in messages: "OpenAlex", "Crossref", "Semantic Scholar", "arXiv"."""

    base_url: str
    interval_s: float
    """Seconds between two requests to its host."""

    private_params: Mapping[str, str] = field(default_factory=dict)
    """Sent with every request, never cached or shown: a key, the user's address."""

    private_headers: Mapping[str, str] = field(default_factory=dict)
    answers: frozenset[int] = frozenset({200, 404})
    """Statuses handed to the caller's parser (404 is "not found"; arXiv adds 400, whose
    Atom body says what was wrong); any other 4xx is an error here."""

    @property
    def host(self) -> str:
        return httpx.URL(self.base_url).netloc.decode()


@dataclass(frozen=True)
class Reply:
    api: str
    status: int
    body: bytes
    url: str
    """The public URL asked (no key, no address)."""

    cached: bool = False

    def json(self) -> Any:
        """The body as JSON; a body that is not JSON (cut short, an HTML error page) is an
        ``ApiShapeChanged`` naming the API."""
        try:
            return json.loads(self.body)
        except ValueError:
            raise ApiShapeChanged(
                self.api, "body", f"is not JSON ({len(self.body)} bytes; cut short?)"
            ) from None


class Http:
    def __init__(
        self,
        settings: ScholarlySettings,
        cache: ResponseCache | None = None,
        *,
        pacer: HostPacer = PACER,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self.pacer = pacer
        self.sleep = sleep
        self.requests = 0
        """Requests sent over the network (cache hits excluded)."""

        self._client = httpx.Client(
            timeout=httpx.Timeout(settings.timeout_s, connect=settings.connect_timeout_s),
            headers={"User-Agent": user_agent(settings.mailto)},
            follow_redirects=True,
        )

    def get(
        self,
        endpoint: Endpoint,
        path: str,
        params: Mapping[str, str | int],
        parse: Callable[[Reply], T],
    ) -> T:
        """``parse`` applied to the answer to ``GET base_url + path?params``; the answer is
        cached only once ``parse`` accepted it."""
        url = str(httpx.URL(endpoint.base_url + path, params=dict(params)))
        cached = self.cache.get(url) if self.cache else None
        if cached is not None:
            return parse(Reply(endpoint.api, cached.status, cached.body, url, cached=True))
        if not self.settings.network:
            raise NetworkDisabled(
                endpoint.api,
                "network use is switched off (scholarly.network = false) and the answer is "
                "not cached",
                hint="set CITEWISE_SCHOLARLY__NETWORK=true to allow it",
            )
        reply = self._fetch(endpoint, url)
        result = parse(reply)
        if self.cache is not None:
            self.cache.put(url, reply.status, reply.body)
        return result

    def _fetch(self, endpoint: Endpoint, url: str) -> Reply:
        host, attempts = endpoint.host, self.settings.retries + 1
        problem, limited = "", False
        for attempt in range(attempts):
            self.pacer.wait(host, endpoint.interval_s)
            wait, limited = self.settings.backoff_s * 2**attempt, False
            try:
                response = self._send(endpoint, url)
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                raise ApiUnreachable(
                    endpoint.api, f"cannot connect to {host} ({_reason(error)})", hint=OFFLINE_HINT
                ) from None
            except httpx.TimeoutException:
                problem = f"no answer from {host} within {self.settings.timeout_s:g} s"
            except (httpx.RemoteProtocolError, httpx.ReadError):
                problem = f"the answer from {host} was cut short"
            else:
                status = response.status_code
                if status in endpoint.answers:
                    return Reply(endpoint.api, status, response.content, url)
                if status in (429, 503):
                    wait = self._retry_after(endpoint, response, wait)
                    limited = status == 429
                    problem = f"{host} answered {status} ({_STATUS_WORDS[status]})"
                elif status >= 500:
                    problem = f"{host} answered {status}"
                else:
                    raise _refused(endpoint, status, response.content)
            if attempt + 1 < attempts:
                self.pacer.hold(host, wait)
        if limited:
            raise ApiRateLimited(
                endpoint.api,
                f"{problem}, {attempts} times",
                hint="wait a while; an API key or scholarly.mailto raises the limits",
            )
        raise ApiError(endpoint.api, f"{problem}, {attempts} times", hint="try again later")

    def _send(self, endpoint: Endpoint, url: str) -> httpx.Response:
        self.requests += 1
        request = self._client.build_request(
            "GET", httpx.URL(url).copy_merge_params(dict(endpoint.private_params))
        )
        request.headers.update(dict(endpoint.private_headers))
        return self._client.send(request)

    def _retry_after(self, endpoint: Endpoint, response: httpx.Response, backoff: float) -> float:
        """Seconds to wait before the next try: Retry-After when given, else the backoff."""
        asked = retry_after(response.headers.get("retry-after"))
        if asked is None:
            return backoff
        cap = self.settings.retry_after_cap_s
        if asked > cap:
            raise ApiRateLimited(
                endpoint.api,
                f"{endpoint.host} asks to wait {asked:g} s before the next request, longer "
                f"than scholarly.retry_after_cap_s ({cap:g} s)",
                hint="run it again later: answers already received are cached",
            )
        return asked

    def close(self) -> None:
        self._client.close()


_STATUS_WORDS = {429: "too many requests", 503: "unavailable"}


def retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds: a number, or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def user_agent(mailto: str | None) -> str:
    contact = f"; mailto:{mailto}" if mailto else ""
    return f"citewise/{__version__} (literature-review assistant{contact})"


def _refused(endpoint: Endpoint, status: int, body: bytes) -> ApiError:
    said = _excerpt(body)
    hint = "check the API key in the settings" if status in (401, 403) else None
    return ApiError(
        endpoint.api,
        f"{endpoint.host} refused the request ({status}{': ' + said if said else ''})",
        hint=hint,
    )


def _excerpt(body: bytes, width: int = 160) -> str:
    """What an error body says, in one short line: a JSON ``error``/``message``, else text."""
    text = body.decode("utf-8", "replace")
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if isinstance(value, dict):
        said = value.get("error") or value.get("message")
        text = said if isinstance(said, str) else json.dumps(said)
    text = " ".join(_TAGS.sub(" ", text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _reason(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text.split("] ", 1)[-1][:120]
