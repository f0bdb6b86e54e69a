"""A finished answer or draft, sentence by sentence: its citation markers stand out and can be
chosen (click, or ``[`` / ``]`` and Enter when focused), and each sentence shows its verdict once
the citations are checked (``verdicts``: by sentence index)."""

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.style import Style
from textual.widget import Widget

from assistant.citations.markers import page_locator
from assistant.results import EVIDENCE_LABEL, TaskResult

MARKS = {"quoted": "≡", "supported": "✓", "partial": "~", "unsupported": "✗", "contradicted": "!"}
QUOTED_LEGEND = "≡ quoted word for word from its source"
JUDGED_LEGEND = "✓ supported   ~ partly supported   ✗ unsupported   ! contradicted"

Part = str | tuple[str, str | Style]


@dataclass(frozen=True)
class Citation:
    sentence: int
    """Index into the result's sentences."""

    number: int
    """The source it cites."""


class CitedText(Widget, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("]", "step(1)", "Next citation"),
        Binding("[", "step(-1)", "Previous citation"),
        Binding("right,down", "step(1)", "Next citation", show=False),
        Binding("left,up", "step(-1)", "Previous citation", show=False),
        Binding("enter", "choose", "Open paper", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "cited-text--marker",
        "cited-text--selected",
        "cited-text--current",
        "cited-text--heading",
        "cited-text--label",
        "cited-text--supported",
        "cited-text--partial",
        "cited-text--unsupported",
        "cited-text--contradicted",
        "cited-text--quoted",
        "cited-text--legend",
    }

    selected: reactive[int | None] = reactive(None)
    """Index into ``citations``."""

    verdicts: reactive[dict[int, str]] = reactive(dict, always_update=True)

    @dataclass
    class Chosen(Message):
        """A citation was chosen: show its paper, and the evidence for ``claim`` in it."""

        cited: "CitedText"
        citation: Citation
        claim: str

    def __init__(self, result: TaskResult, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.result = result
        self.citations = [
            Citation(i, n) for i, s in enumerate(result.sentences) for n in s.citations
        ]

    def action_step(self, step: int) -> None:
        if not self.citations:
            return
        now = self.selected
        start = (-1 if step > 0 else 0) if now is None else now
        self.action_select((start + step) % len(self.citations))

    def action_choose(self) -> None:
        if self.selected is not None:
            self.action_select(self.selected)

    def action_select(self, index: int) -> None:
        """Choose citation ``index`` (clicking a marker runs this)."""
        self.selected = index
        citation = self.citations[index]
        claim = self.result.sentences[citation.sentence].text
        self.post_message(self.Chosen(self, citation, claim))

    def on_focus(self) -> None:
        if self.selected is None and self.citations:
            self.action_select(0)

    def render(self) -> Content:
        result = self.result
        blocks: list[Content] = []
        if result.mode == "evidence":
            blocks.append(Content.styled(EVIDENCE_LABEL, self._style("label")))
        if not result.sentences:
            blocks.append(Content(result.text.strip()))
        index = 0
        for paragraph, group in groupby(result.sentences, key=lambda s: s.paragraph):
            parts: list[Part] = []
            if paragraph in result.headings:
                blocks.append(
                    Content.styled(f"Theme: {result.headings[paragraph]}", self._style("heading"))
                )
            for _sentence in group:
                if parts:
                    parts.append("\n• " if result.mode == "evidence" else " ")
                elif result.mode == "evidence":
                    parts.append("• ")
                parts.extend(self._sentence(index))
                index += 1
            blocks.append(Content.assemble(*parts))
        if self.verdicts:
            blocks.append(Content.styled(legend(self.verdicts.values()), self._style("legend")))
        return Content("\n\n").join(blocks)

    def _sentence(self, index: int) -> list[Part]:
        sentence = self.result.sentences[index]
        verdict = self.verdicts.get(index)
        current = self.selected is not None and self.citations[self.selected].sentence == index
        style = self._style(verdict) if verdict in MARKS else Style()
        if current:
            style = self._style("current") + style
        markers: list[Part] = []
        for number in sentence.citations:
            position = self.citations.index(Citation(index, number))
            name = "selected" if position == self.selected else "marker"
            click = Style.from_meta({"@click": f"select({position})"})
            label = f"[{number}{page_locator(sentence.pages.get(number, ''), ', ')}]"
            markers.extend([" ", (label, self._style(name) + click)])
        if sentence.quoted_from is None:
            parts: list[Part] = [(sentence.text, style), *markers]
        else:  # as ``markers.cite`` writes it: Kitaev et al. [1]: “…”
            who = [sentence.quoted_from] if sentence.quoted_from else []
            parts = [*who, *markers[bool(not who) :], ": “", (sentence.text, style), "”"]
        if verdict in MARKS:
            parts.extend([" ", (MARKS[verdict], self._style(verdict))])
        return parts

    def _style(self, name: str | None) -> Style:
        return self.get_visual_style(f"cited-text--{name}", partial=True) if name else Style()


def legend(verdicts: Iterable[str]) -> str:
    """What the marks shown mean: quotations, judged sentences, or both."""
    shown = set(verdicts)
    parts = [QUOTED_LEGEND] if "quoted" in shown else []
    parts += [JUDGED_LEGEND] if shown - {"quoted"} else []
    return "   ".join(parts)
