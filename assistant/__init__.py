"""citewise: a terminal-first literature-review assistant."""

__version__ = "0.1.0"
