"""An HTTP server on 127.0.0.1 serving in a daemon thread, for the test servers that stand in
for remote services (``openai_server``, ``scholarly_server``). A context manager; its handler
reaches the server object as ``self.server.owner``."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self


class ThreadedServer:
    def __init__(
        self, handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self._http = ThreadingHTTPServer((host, port), handler)
        self._http.daemon_threads = True
        self._http.owner = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._http.serve_forever, args=(0.05,), daemon=True)

    @property
    def port(self) -> int:
        return int(self._http.server_address[1])

    def start(self) -> Self:
        """Serve in the background."""
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread (a server run as its own process)."""
        self._http.serve_forever()

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
