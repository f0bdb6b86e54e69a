"""``python -m assistant.tui [--store DIR]``: the TUI alone, without the command line."""

import argparse
import sys
from pathlib import Path

from assistant.errors import ConfigError
from assistant.settings import load_settings
from assistant.tui import launch

parser = argparse.ArgumentParser(prog="python -m assistant.tui")
parser.add_argument("--store", metavar="DIR", help="store directory (default: the configured one)")
arguments = parser.parse_args()
try:
    settings = load_settings(
        {"path": Path(arguments.store).expanduser()} if arguments.store else None
    )
except ConfigError as error:
    sys.exit(f"{error.title}: {error}")
sys.exit(launch(arguments, settings))
