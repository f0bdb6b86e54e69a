"""A real OpenAI-compatible HTTP server on 127.0.0.1, written for the tests.

It speaks what citewise uses of the protocol: ``POST /v1/chat/completions`` (plain JSON, and SSE
streaming with ``data: {...}`` chunks closed by ``data: [DONE]``), ``GET /v1/models`` and
``POST /v1/embeddings``. Each POST takes the next scripted ``Reply`` (``enqueue``), or a plain
success when none is queued; every request is recorded in ``requests``, headers included, so tests
can assert that the key was sent (and elsewhere that it was never printed).

Run as ``python -m tests.openai_server --model FILE --host H --port P [--n_ctx N]
[--model_alias A]`` it stands in for llama.cpp's server, with the same arguments; a model file
that does not start with ``GGUF`` makes it fail at start-up like the real one.
"""

import argparse
import hashlib
import json
import sys
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Literal

from tests.threaded_server import ThreadedServer

Cut = Literal["close", "error", "end"]


@dataclass
class Reply:
    """One scripted answer to a POST."""

    text: str = "Hello from the test server."
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    stream_cut_after: int | None = None
    """Content chunks sent before the stream is cut (None: the whole reply)."""
    cut: Cut = "close"
    """How it is cut: 'close' drops the connection midway through the body; 'error' sends an SSE
    error event (what a 500 midway looks like); 'end' ends the body cleanly, without a
    finish_reason."""
    delay_s: float = 0.0
    """Seconds before the status line."""
    chunk_delay_s: float = 0.0
    """Seconds between streamed chunks."""
    json_schema_supported: bool = True
    usage: bool = True
    """Whether usage is reported (streaming: when asked with stream_options)."""
    error: str | None = None
    """The error message for a status other than 200."""


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    """Lower-cased names."""
    body: Any
    at: float
    """``time.monotonic()`` when it arrived."""


class OpenAIServer(ThreadedServer):
    """Serves on a free port of 127.0.0.1 in a thread; a context manager."""

    def __init__(
        self,
        *,
        models: Sequence[str] = ("test-model", "other-model"),
        api_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.models = list(models)
        self.api_key = api_key
        """When set, requests without ``Authorization: Bearer <api_key>`` get a 401."""
        self.accepts_stream_options = True
        self.accepts_max_tokens = True
        """False: refuse ``max_tokens`` for ``max_completion_tokens`` (newer OpenAI models)."""
        self.requests: list[Request] = []
        self._replies: deque[Reply] = deque()
        self._stopping = threading.Event()
        super().__init__(_Handler, host, port)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def enqueue(self, *replies: Reply) -> None:
        self._replies.extend(replies)

    def chat_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def stop(self) -> None:
        self._stopping.set()
        super().stop()

    def next_reply(self) -> Reply:
        return self._replies.popleft() if self._replies else Reply()

    def wait(self, seconds: float) -> None:
        self._stopping.wait(seconds)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    @property
    def owner(self) -> OpenAIServer:
        return self.server.owner  # type: ignore[attr-defined, no-any-return]

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the tests read ``requests``

    def do_GET(self) -> None:
        self._record(None)
        if self._refused_key():
            return
        if self.path.rstrip("/").endswith("/models"):
            data = [
                {"id": m, "object": "model", "created": 0, "owned_by": "test"}
                for m in self.owner.models
            ]
            self._json(200, {"object": "list", "data": data})
        else:
            self._error(404, f"no route {self.path}")

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        self._record(body)
        if self._refused_key():
            return
        if self.path.endswith("/chat/completions"):
            self._chat(body)
        elif self.path.endswith("/embeddings"):
            self._embeddings(body)
        else:
            self._error(404, f"no route {self.path}")

    def _chat(self, body: dict[str, Any]) -> None:
        if body.get("model") not in self.owner.models:
            message = f"The model `{body.get('model')}` does not exist"
            return self._error(404, message, code="model_not_found")
        if "stream_options" in body and not self.owner.accepts_stream_options:
            message = "Unrecognized request argument supplied: stream_options"
            return self._error(400, message, param="stream_options")
        if "max_tokens" in body and not self.owner.accepts_max_tokens:
            message = "Unsupported parameter: 'max_tokens'. Use 'max_completion_tokens' instead."
            return self._error(400, message, param="max_tokens")
        reply = self._scripted()
        if reply is None:
            return None
        if "response_format" in body and not reply.json_schema_supported:
            message = "response_format of type json_schema is not supported by this server"
            return self._error(400, message, param="response_format")
        if body.get("stream"):
            return self._stream(body, reply)
        answer = {"role": "assistant", "content": reply.text}
        choice = {"index": 0, "message": answer, "finish_reason": "stop"}
        self._json(200, _completion(body, reply, "chat.completion", choice, with_usage=reply.usage))
        return None

    def _stream(self, body: dict[str, Any], reply: Reply) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        pieces = _pieces(reply.text)
        cut_at = len(pieces) if reply.stream_cut_after is None else reply.stream_cut_after
        for index, piece in enumerate(pieces[:cut_at]):
            if index and reply.chunk_delay_s:
                self.owner.wait(reply.chunk_delay_s)
            delta = {"role": "assistant", "content": piece} if index == 0 else {"content": piece}
            self._event(_completion(body, reply, "chat.completion.chunk", _chunk(delta, None)))
        if cut_at < len(pieces):
            if reply.cut == "close":
                self.close_connection = True
                return  # no terminating chunk: the body is incomplete
            if reply.cut == "error":
                error = {
                    "message": "The server had an error processing your request.",
                    "type": "server_error",
                    "code": 500,
                }
                self._event({"error": error})
            self._write(b"0\r\n\r\n")
            return
        self._event(_completion(body, reply, "chat.completion.chunk", _chunk({}, "stop")))
        if reply.usage and (body.get("stream_options") or {}).get("include_usage"):
            usage = _completion(body, reply, "chat.completion.chunk", None, with_usage=True)
            self._event(usage)
        self._write(_chunked(b"data: [DONE]\n\n") + b"0\r\n\r\n")

    def _embeddings(self, body: dict[str, Any]) -> None:
        reply = self._scripted()
        if reply is None:
            return
        texts = body.get("input")
        texts = [texts] if isinstance(texts, str) else list(texts or [])
        data = [
            {"object": "embedding", "index": i, "embedding": _vector(t)}
            for i, t in enumerate(texts)
        ]
        usage = {"prompt_tokens": sum(len(str(t).split()) for t in texts), "total_tokens": 0}
        self._json(
            200, {"object": "list", "data": data, "model": body.get("model"), "usage": usage}
        )

    def _scripted(self) -> Reply | None:
        """The next reply, after its delay; None when it is an error, already sent."""
        reply = self.owner.next_reply()
        if reply.delay_s:
            self.owner.wait(reply.delay_s)
        if reply.status != 200:
            message = reply.error or HTTPStatus(reply.status).phrase
            self._error(reply.status, message, headers=reply.headers)
            return None
        return reply

    def _refused_key(self) -> bool:
        expected = self.owner.api_key
        if expected is None or self.headers.get("authorization") == f"Bearer {expected}":
            return False
        self._error(401, "Incorrect API key provided.", code="invalid_api_key")
        return True

    def _record(self, body: Any) -> None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.owner.requests.append(
            Request(self.command, self.path, headers, body, time.monotonic())
        )

    def _error(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        kind = "server_error" if status >= 500 else "invalid_request_error"
        error = {"message": message, "type": kind, "param": param, "code": code}
        self._json(status, {"error": error}, headers)

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True  # the client gave up (a timeout test)

    def _event(self, payload: Any) -> None:
        self._write(_chunked(f"data: {json.dumps(payload)}\n\n".encode()))

    def _write(self, data: bytes) -> None:
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True


def _chunked(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def _pieces(text: str) -> list[str]:
    """The reply in streamed pieces: one word each, with its leading space."""
    words = text.split(" ")
    return [words[0], *(f" {word}" for word in words[1:])] if text else []


def _chunk(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {"index": 0, "delta": delta, "finish_reason": finish}


def _completion(
    body: dict[str, Any],
    reply: Reply,
    kind: str,
    choice: dict[str, Any] | None,
    *,
    with_usage: bool = False,
) -> dict[str, Any]:
    prompt = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
    usage = {
        "prompt_tokens": prompt,
        "completion_tokens": len(_pieces(reply.text)),
        "total_tokens": prompt + len(_pieces(reply.text)),
    }
    return {
        "id": "chatcmpl-test",
        "object": kind,
        "created": int(time.time()),
        "model": body.get("model"),
        "choices": [choice] if choice else [],
        "usage": usage if with_usage else None,
    }


def _vector(text: str, dimension: int = 8) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest()
    return [byte / 255 for byte in digest[:dimension]]


def main(argv: Sequence[str] | None = None) -> int:
    """Stand in for ``python -m llama_cpp.server`` (same arguments)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--model_alias")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--n_ctx", type=int, default=2048)
    args = parser.parse_args(argv)
    header = Path(args.model).read_bytes()[:4]
    if header == b"SLOW":
        time.sleep(3600)  # never answers: for the start-up timeout test
    if header != b"GGUF":
        print(f"error: {args.model} is not a GGUF file", file=sys.stderr, flush=True)
        return 1
    server = OpenAIServer(models=[args.model_alias or args.model], host=args.host, port=args.port)
    print(f"serving on {args.host}:{server.port}", file=sys.stderr, flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
