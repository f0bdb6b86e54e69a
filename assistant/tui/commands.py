"""The command palette (Ctrl+P): every action of the app, of the current screen and of the
focused widget, found from their key bindings (ours; Textual's own system commands are listed
beside them), so a new binding is a new command with nothing else to write."""

from collections.abc import Iterator
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.widget import Widget


class CitewiseCommands(Provider):
    def _commands(self) -> Iterator[tuple[str, str, DOMNode, Binding]]:
        focused = self.screen.focused
        chain = list(focused.ancestors_with_self) if focused is not None else [self.screen]
        for node in [n for n in chain if isinstance(n, Widget)] + [self.app]:
            ours = [c for c in type(node).__mro__ if c.__module__.startswith("assistant.")]
            declared = [vars(cls).get("BINDINGS", []) for cls in ours]
            for binding in Binding.make_bindings(b for bindings in declared for b in bindings):
                if binding.description and not binding.system:
                    key = binding.key.split(",")[0].upper().replace("CTRL+", "^")
                    help_text = f"{binding.tooltip} ({key})" if binding.tooltip else key
                    yield binding.description, help_text, node, binding

    async def discover(self) -> Hits:
        for title, help_text, node, binding in self._commands():
            yield DiscoveryHit(
                title, partial(self.app.run_action, binding.action, node), help=help_text
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, node, binding in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self.app.run_action, binding.action, node),
                    help=help_text,
                )
