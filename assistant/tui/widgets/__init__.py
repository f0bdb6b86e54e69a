"""Widgets of the TUI, one a file, each named after its class."""
