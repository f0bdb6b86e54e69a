"""The command line: parse, call the library or a task, print. No logic of its own.

Each group of commands lives in its own module (``library_commands``, ``task_commands``,
``history_commands``) and adds its parsers here; ``output`` holds what they print with.
"""

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.markup import escape

from assistant import __version__
from assistant.cli import check_command, history_commands, library_commands, task_commands
from assistant.cli.output import err
from assistant.errors import AssistantError, ConfigError
from assistant.settings import Settings
from assistant.tui import launch

Handler = Callable[[argparse.Namespace, Settings], int]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
        handler: Handler = args.handler
        return handler(args, settings)
    except AssistantError as error:
        err.print(f"[bold red]{error.title}:[/] {escape(str(error))}", soft_wrap=True)
        return 1
    except KeyboardInterrupt:
        err.print(
            "[yellow]Interrupted.[/] Everything written so far is kept; run it again to resume."
        )
        return 130


def _settings(args: argparse.Namespace) -> Settings:
    store: dict[str, Any] = {}
    if getattr(args, "store", None):
        store["path"] = Path(args.store).expanduser()
    if getattr(args, "server", None):
        store["server_url"] = args.server
    try:
        return Settings(store=store) if store else Settings()
    except ValidationError as error:
        raise ConfigError(f"invalid settings: {error}") from error


def _parser() -> argparse.ArgumentParser:
    # SUPPRESS: a flag given before the command is not reset by the command's own copy.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument(
        "--store", metavar="DIR", help="store directory (default: $CITEWISE_STORE or store/)"
    )
    common.add_argument(
        "--server", metavar="URL", help="use a shared Chroma server instead of local files"
    )
    parser = argparse.ArgumentParser(
        prog="citewise",
        parents=[common],
        description="Literature review from your own papers: ingest, search, cited answers.",
    )
    parser.add_argument("--version", action="version", version=f"citewise {__version__}")
    in_terminal = sys.stdout.isatty() and sys.stdin.isatty()  # else print, for scripts and CI
    parser.set_defaults(handler=launch if in_terminal else library_commands.start)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")
    library_commands.add_commands(commands, common)
    task_commands.add_commands(commands, common)
    history_commands.add_commands(commands, common)
    check_command.add_parser(commands, [common])
    return parser


if __name__ == "__main__":
    sys.exit(main())
