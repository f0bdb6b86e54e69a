"""The command line's entry point: parse the arguments, hand them to a command's handler, and
turn an expected failure into one line and a non-zero exit (``guarded``).

Each group of commands lives in its own module (``library_commands``, ``task_commands``,
``history_commands``, ``check_command``, ``bib_command``) and adds its parsers here; a handler
parses no further than its arguments and calls the library or the task runner; ``output`` holds
what they print with.
"""

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.markup import escape

from assistant import __version__
from assistant.cli.console import err
from assistant.errors import AssistantError
from assistant.settings import Settings, load_settings

Handler = Callable[[argparse.Namespace, Settings], int]


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    return guarded(lambda: _run(argv))


def _run(argv: list[str]) -> int:
    tui = _tui_arguments(argv)
    if tui is not None:
        return launch_tui(tui)
    args = _parser().parse_args(argv)
    settings = _settings(args)
    handler: Handler = args.handler
    return handler(args, settings)


def launch_tui(args: argparse.Namespace) -> int:
    from assistant.tui import launch  # before the commands' heavy imports: starts fast

    return launch(args, _settings(args))


def guarded(run: Callable[[], int]) -> int:
    """``run()``, an expected failure printed as one line (exit 1), Ctrl-C as a note (130)."""
    try:
        return run()
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
    return load_settings(store)


def common_arguments() -> argparse.ArgumentParser:
    # SUPPRESS: a flag given before the command is not reset by the command's own copy.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument(
        "--store", metavar="DIR", help="store directory (default: $CITEWISE_STORE or store/)"
    )
    common.add_argument(
        "--server", metavar="URL", help="use a shared Chroma server instead of local files"
    )
    return common


def _tui_arguments(argv: list[str]) -> argparse.Namespace | None:
    """The store flags, when ``citewise`` runs in a terminal with no command: the TUI's case."""
    if not (sys.stdout.isatty() and sys.stdin.isatty()):
        return None  # scripts and CI get the printed summary instead
    args, rest = common_arguments().parse_known_args(argv)
    return None if rest else args


def _parser() -> argparse.ArgumentParser:
    from assistant.cli import (
        bib_command,
        check_command,
        history_commands,
        library_commands,
        scholarly_commands,
        task_commands,
    )

    common = common_arguments()
    parser = argparse.ArgumentParser(
        prog="citewise",
        parents=[common],
        description="Literature review from your own papers: ingest, search, cited answers.",
    )
    parser.add_argument("--version", action="version", version=f"citewise {__version__}")
    parser.set_defaults(handler=library_commands.start)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")
    library_commands.add_commands(commands, common)
    task_commands.add_commands(commands, common)
    history_commands.add_commands(commands, common)
    scholarly_commands.add_commands(commands, common)
    check_command.add_parser(commands, [common])
    bib_command.add_parser(commands, [common])
    return parser


if __name__ == "__main__":
    sys.exit(main())
