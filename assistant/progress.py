"""How long work reports how far it has got: ``progress(phase, done, total, detail)``.

``phase`` names the step ("read", "embed", "enrich"…), ``done`` of ``total`` counts its units
(files, papers), and ``detail`` says more when there is more to say ("57 pages", "840 chunks,
14.2/s"). Front ends draw it (a bar with a rate and an estimate on the command line, the status
bar in the TUI); a callback may raise to stop the work between two units.
"""

from typing import Protocol


class Progress(Protocol):
    def __call__(self, phase: str, done: int, total: int, detail: str = "") -> None: ...
