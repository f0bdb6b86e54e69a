"""The two consoles every command prints with (cheap to import: the TUI starts from here)."""

from rich.console import Console

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
