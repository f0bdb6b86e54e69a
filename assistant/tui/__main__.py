"""``python -m assistant.tui [--store DIR]``: the TUI alone, without the command line."""

import argparse
import sys
from pathlib import Path

from assistant.settings import Settings
from assistant.tui import launch

parser = argparse.ArgumentParser(prog="python -m assistant.tui")
parser.add_argument("--store", metavar="DIR", help="store directory (default: the configured one)")
arguments = parser.parse_args()
store = {"path": Path(arguments.store).expanduser()} if arguments.store else None
sys.exit(launch(arguments, Settings(store=store) if store else Settings()))
