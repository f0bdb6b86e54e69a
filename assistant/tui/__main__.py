"""``python -m assistant.tui [--store DIR] [--server URL]``: the terminal UI without the rest of the
command line (its errors reported as ``citewise`` reports them)."""

import argparse
import sys

from assistant.cli import common_arguments, guarded, launch_tui

parser = argparse.ArgumentParser(prog="python -m assistant.tui", parents=[common_arguments()])
sys.exit(guarded(lambda: launch_tui(parser.parse_args())))
