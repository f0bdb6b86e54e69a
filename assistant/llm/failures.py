"""What a failure of an OpenAI-compatible endpoint means, in words a person can act on.

Shared by the chat client and the embeddings client: ``explain`` turns an ``openai`` exception into
a message and a hint, and each caller wraps them in its own error class (``LLMError``,
``EmbeddingError``). Nothing here ever prints an API key: messages quote only what the server
said, and ``scrub`` removes the key should a server echo it back.
"""

import email.utils
import socket
import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

import openai

Cause = Literal["refused", "dns", "tls", "other"]

MAX_QUOTE = 300
"""Characters of a server's own error message quoted in ours."""

MAX_MODELS = 12
"""Model names listed in a hint."""


@dataclass(frozen=True)
class Failure:
    message: str
    hint: str | None = None


def explain(
    error: openai.OpenAIError,
    *,
    endpoint: str,
    prefix: str = "CITEWISE_LLM__",
    secret: str | None = None,
    model: str | None = None,
    available: Sequence[str] = (),
    timeout_s: float | None = None,
) -> Failure:
    """``endpoint`` is the base URL as shown to the user (see ``public_url``); ``prefix`` names the
    settings section in hints; ``available`` lists the server's models, for a 404."""
    failure = _explain(error, endpoint, prefix, secret is not None, model, available, timeout_s)
    return Failure(scrub(failure.message, secret), failure.hint and scrub(failure.hint, secret))


def _explain(
    error: openai.OpenAIError,
    endpoint: str,
    prefix: str,
    has_key: bool,
    model: str | None,
    available: Sequence[str],
    timeout_s: float | None,
) -> Failure:
    where = f"set {prefix}BASE_URL or OPENAI_BASE_URL"
    key = f"{prefix}API_KEY or OPENAI_API_KEY"
    if isinstance(error, openai.APITimeoutError):
        within = f" within {timeout_s:g} s" if timeout_s else ""
        return Failure(
            f"{endpoint} did not answer{within}",
            f"the server may be busy or still loading the model; raise {prefix}TIMEOUT_S",
        )
    if isinstance(error, openai.APIConnectionError):
        return _connection_failure(error, endpoint, where)
    if isinstance(error, openai.AuthenticationError):
        if not has_key:
            return Failure(f"{endpoint} requires an API key (401)", f"set {key}")
        return Failure(f"{endpoint} rejected the API key (401)", f"check the key in {key}")
    if isinstance(error, openai.PermissionDeniedError):
        return Failure(
            f"{endpoint} refused access (403): {quote(error)}",
            "the key may not use this model or endpoint",
        )
    if isinstance(error, openai.NotFoundError):
        return _not_found(error, endpoint, prefix, model, available)
    if isinstance(error, openai.RateLimitError):
        return _rate_limited(error, endpoint, prefix)
    if isinstance(error, openai.APIStatusError):
        status = error.status_code
        if status >= 500:
            return Failure(
                f"{endpoint} failed (HTTP {status}): {quote(error)}",
                f"a fault on the server's side; try again later, or raise {prefix}MAX_RETRIES",
            )
        return Failure(f"{endpoint} refused the request (HTTP {status}): {quote(error)}")
    if isinstance(error, openai.APIError):
        return Failure(f"{endpoint} reported an error: {quote(error)}")
    return Failure(f"the client for {endpoint} failed: {str(error)[:MAX_QUOTE]}")


def _connection_failure(error: openai.APIConnectionError, endpoint: str, where: str) -> Failure:
    cause = connection_cause(error)
    if cause == "refused":
        return Failure(
            f"nothing is listening at {endpoint} (connection refused)",
            f"start the server, or {where} to one that runs",
        )
    if cause == "dns":
        host = urlsplit(endpoint).hostname or endpoint
        return Failure(
            f"the host {host!r} cannot be found (DNS lookup failed)",
            f"check the spelling of the URL and the network, or {where}",
        )
    if cause == "tls":
        return Failure(
            f"the TLS handshake with {endpoint} failed",
            "check http:// against https:// in the URL, and the server's certificate",
        )
    reason = root_cause(error)
    detail = f": {reason}" if reason else ""
    return Failure(f"the connection to {endpoint} failed{detail}", f"check the network, or {where}")


def _not_found(
    error: openai.NotFoundError,
    endpoint: str,
    prefix: str,
    model: str | None,
    available: Sequence[str],
) -> Failure:
    if available:
        shown = ", ".join(available[:MAX_MODELS])
        more = f" and {len(available) - MAX_MODELS} more" if len(available) > MAX_MODELS else ""
        subject = f"has no model {model!r}" if model else "answered 404"
        return Failure(
            f"{endpoint} {subject} (404)",
            f"it offers: {shown}{more}; set {prefix}MODEL to one of them",
        )
    if model:
        return Failure(
            f"{endpoint} answered 404 for model {model!r}: {quote(error)}",
            f"set {prefix}MODEL to a model the server serves, and check that the URL ends in /v1",
        )
    return Failure(
        f"{endpoint} answered 404: {quote(error)}", "check that the base URL ends in /v1"
    )


def _rate_limited(error: openai.RateLimitError, endpoint: str, prefix: str) -> Failure:
    if error.code == "insufficient_quota":
        return Failure(
            f"{endpoint} refused the request: the account is out of quota (429)",
            "check the plan and billing of the account behind the key",
        )
    wait = retry_after_s(error.response.headers)
    when = f"retry in {wait:.0f} s" if wait is not None else "retry in a minute"
    return Failure(
        f"{endpoint} is rate limiting requests (429); {when}", "or lower the request rate"
    )


def connection_cause(error: BaseException) -> Cause:
    """Why a connection failed, from the chain of causes under the client's exception."""
    for link in _chain(error):
        if isinstance(link, ConnectionRefusedError):
            return "refused"
        if isinstance(link, socket.gaierror):
            return "dns"
        if isinstance(link, ssl.SSLError):
            return "tls"
    text = " ".join(str(link) for link in _chain(error)).lower()
    if "connection refused" in text or "connect call failed" in text:
        return "refused"
    if "name or service not known" in text or "nodename nor servname" in text:
        return "dns"
    return "other"


def root_cause(error: BaseException) -> str:
    """The innermost cause's text, for messages: what the socket said."""
    links = list(_chain(error))
    return str(links[-1])[:MAX_QUOTE] if len(links) > 1 else ""


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    pending: list[BaseException] = [error]
    while pending and len(seen) < 20:
        link = pending.pop(0)
        if any(link is known for known in seen):
            continue
        seen.append(link)
        pending.extend(arg for arg in link.args if isinstance(arg, BaseException))
        for nxt in (link.__cause__, link.__context__):
            if nxt is not None:
                pending.append(nxt)
    return seen


def retry_after_s(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = lowered.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) / divisor)
        except ValueError:
            pass
    date = lowered.get("retry-after")
    parsed = email.utils.parsedate_tz(date) if date else None
    if parsed is None:
        return None
    return max(0.0, email.utils.mktime_tz(parsed) - time.time())


def quote(error: openai.APIError) -> str:
    """The server's own words about the error, shortened."""
    body = error.body
    text = ""
    if isinstance(body, Mapping):
        nested = body.get("error")
        source = nested if isinstance(nested, Mapping) else body
        text = str(source.get("message") or source.get("detail") or "")
    elif isinstance(body, str):
        text = body
    text = " ".join((text or error.message).split())
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1] + "…"


def mentions(error: openai.APIError, *words: str) -> bool:
    """Whether the server's error names any of ``words`` (a parameter it refuses)."""
    text = f"{quote(error)} {error.param or ''} {error.message}".lower()
    return any(word.lower() in text for word in words)


def scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "[key]") if secret else text


def public_url(url: str) -> str:
    """The URL without user, password, query or fragment: safe to print."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # not a number: leave it out rather than fail while reporting
        port = None
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
