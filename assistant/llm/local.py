"""llama.cpp's OpenAI-compatible server on 127.0.0.1, for the 'local' backend.

``LocalServer`` runs ``python -m llama_cpp.server`` (the optional extra ``citewise[local]``) on a
GGUF file, waits until ``GET /v1/models`` answers, and stops the process on exit, on Ctrl-C or
cancellation, and at interpreter exit should anything else have been missed. The chat client then
talks to it like to any other server.
"""

import asyncio
import atexit
import importlib.util
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from assistant.errors import ConfigError, LLMError
from assistant.settings import LLMSettings

SERVER_MODULE = "llama_cpp.server"
SERVER_REQUIRES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette")
"""What ``llama-cpp-python[server]`` brings and the server imports."""
INSTALL = "pip install 'citewise[local]'"
HOST = "127.0.0.1"
POLL_S = 0.25
STOP_WAIT_S = 10.0
TAIL_LINES = 6
TAIL_BYTES = 16_384

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
"""An opener that ignores HTTP(S)_PROXY: the server is on this machine."""


class LocalServer:
    """A context manager, sync (``with``) or async (``async with``), that yields the base URL."""

    def __init__(
        self,
        gguf_path: Path,
        *,
        n_ctx: int,
        port: int = 0,
        startup_timeout_s: float = 120.0,
        module: str = SERVER_MODULE,
        requires: Sequence[str] = SERVER_REQUIRES,
    ) -> None:
        self.gguf_path = gguf_path
        self.n_ctx = n_ctx
        self.port = port
        self.startup_timeout_s = startup_timeout_s
        self.module = module
        self.requires = tuple(requires)
        self.model_alias = gguf_path.stem
        """The model name the server lists and answers to."""
        self._process: subprocess.Popen[bytes] | None = None
        self._log: Path | None = None

    @classmethod
    def from_settings(cls, settings: LLMSettings) -> "LocalServer":
        if settings.gguf_path is None:
            raise ConfigError(
                "the local backend needs a GGUF model file",
                hint="set CITEWISE_LLM__GGUF_PATH=/path/to/model.gguf",
            )
        return cls(
            settings.gguf_path.expanduser(),
            n_ctx=settings.context_tokens(),
            port=settings.local_port,
            startup_timeout_s=settings.local_startup_timeout_s,
        )

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}/v1"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> str:
        """Start the server and wait until it answers; its base URL."""
        self._launch()
        try:
            deadline = time.monotonic() + self.startup_timeout_s
            while not self._answers():
                self._check(deadline)
                time.sleep(POLL_S)
        except BaseException:
            self.stop()
            raise
        return self.base_url

    async def astart(self) -> str:
        """``start`` without blocking the event loop; cancelling it stops the server."""
        self._launch()
        try:
            deadline = time.monotonic() + self.startup_timeout_s
            while not await asyncio.to_thread(self._answers):
                self._check(deadline)
                await asyncio.sleep(POLL_S)
        except BaseException:
            self.stop()
            raise
        return self.base_url

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            atexit.unregister(self.stop)
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=STOP_WAIT_S)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if self._log is not None:
            self._log.unlink(missing_ok=True)
            self._log = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> str:
        return await self.astart()

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"LocalServer({str(self.gguf_path)!r}, port={self.port}, running={self.running})"

    def preflight(self) -> None:
        """Raise what would stop the server from starting: no model file, no llama.cpp."""
        if not self.gguf_path.is_file():
            raise ConfigError(
                f"the GGUF model file {self.gguf_path} does not exist",
                hint="set CITEWISE_LLM__GGUF_PATH to a .gguf file",
            )
        missing = [name for name in self.requires if importlib.util.find_spec(name) is None]
        if missing:
            raise LLMError(
                f"the local backend needs llama.cpp's server ({', '.join(missing)} missing)",
                hint=f"install it with {INSTALL}, or set CITEWISE_LLM__BACKEND=openai or none",
            )

    def _launch(self) -> None:
        if self._process is not None:
            raise LLMError("the local server is already running", hint=self.base_url)
        self.preflight()
        self.port = self.port or free_port()
        with tempfile.NamedTemporaryFile(
            prefix="citewise-llama-", suffix=".log", delete=False
        ) as log:
            self._log = Path(log.name)
        command = [
            sys.executable,
            "-m",
            self.module,
            *("--model", str(self.gguf_path), "--model_alias", self.model_alias),
            *("--host", HOST, "--port", str(self.port), "--n_ctx", str(self.n_ctx)),
        ]
        with self._log.open("wb") as log:  # the child keeps its own copy of the descriptor
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        atexit.register(self.stop)

    def _answers(self) -> bool:
        try:
            with _DIRECT.open(f"{self.base_url}/models", timeout=1.0) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def _check(self, deadline: float) -> None:
        """Raise if the server died or the deadline passed, quoting its last output."""
        assert self._process is not None
        code = self._process.poll()
        if code is not None:
            raise LLMError(
                f"llama.cpp's server exited at start-up (code {code})",
                hint=f"its last output: {self._tail()}",
            )
        if time.monotonic() > deadline:
            raise LLMError(
                f"llama.cpp's server did not answer within {self.startup_timeout_s:g} s",
                hint="raise CITEWISE_LLM__LOCAL_STARTUP_TIMEOUT_S; "
                f"its last output: {self._tail()}",
            )

    def _tail(self) -> str:
        if self._log is None:
            return "(none)"
        with self._log.open("rb") as log:
            log.seek(max(0, log.seek(0, 2) - TAIL_BYTES))
            text = log.read().decode("utf-8", errors="replace")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return " | ".join(lines[-TAIL_LINES:]) or "(none)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])
