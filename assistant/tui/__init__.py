"""The terminal UI (Textual): ask, library, map, draft and history screens over one library.

``launch`` is what a bare ``citewise`` runs in a terminal. Importing this package is cheap: the
app and everything heavy (Chroma, the model client) load only when it starts, and the library
opens in a worker after the first screen is shown.
"""

import argparse
import os
import time

from assistant.settings import Settings

EXIT_WHEN_READY = "CITEWISE_TUI_EXIT_WHEN_READY"
"""Set (benchmarks): the app exits once the library is open, and prints when it was ready."""


def launch(args: argparse.Namespace, settings: Settings) -> int:
    """Run the TUI on the configured store until the user quits."""
    from assistant.tui.app import CitewiseApp

    app = CitewiseApp(settings, exit_when_ready=bool(os.environ.get(EXIT_WHEN_READY)))
    app.run()
    if app.exit_when_ready:
        ready = " ".join(f"{name}={stamp:.6f}" for name, stamp in app.times.items())
        print(f"CITEWISE_READY {ready} exited={time.time():.6f}", flush=True)
    return app.return_code or 0
