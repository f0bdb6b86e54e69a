"""Screens of the TUI, one a file: the five modes (ask, library, map, draft, history) and the
modal prompts."""
