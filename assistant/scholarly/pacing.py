"""Requests to one host spaced out: at most one every ``interval`` seconds, whichever client or
thread of this process sends them (arXiv's terms: one every 3 s).

A host that answered 429 or 503 with ``Retry-After`` is left alone until then, by every client.
Other processes keep their own pace: two citewise runs at once each keep to the limit.
"""

import threading
import time
from collections.abc import Callable


class HostPacer:
    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str, interval: float) -> None:
        """Block until ``host`` may be sent the next request, and book the slot after it."""
        with self._lock:
            now = self._clock()
            at = max(now, self._next.get(host, 0.0))
            self._next[host] = at + interval
        if at > now:
            self._sleep(at - now)

    def hold(self, host: str, seconds: float) -> None:
        """Send nothing to ``host`` for ``seconds`` (it asked, with Retry-After)."""
        with self._lock:
            until = self._clock() + seconds
            self._next[host] = max(self._next.get(host, 0.0), until)


PACER = HostPacer()
"""The process's pacer: every client shares it, so limits hold across clients and threads."""
