"""One answer (or draft) in the conversation: the question, the text streaming in as Markdown
with its citation markers as links, then the finished text as ``CitedText``, its sources and its
status, then (once checked) each sentence's verdict. Choosing a citation or a source posts
``SourceChosen``."""

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import ScrollableContainer, Vertical
from textual.content import Content
from textual.message import Message
from textual.style import Style
from textual.widgets import Static

from assistant.citations.markers import MARKER, OPEN_MARKER, marker_numbers
from assistant.errors import InputError
from assistant.results import Kind, Marks, Source, Spot, TaskResult
from assistant.tasks.events import Checked, Finished, Retrieved, RunEvent, TextDelta
from assistant.tui.widgets.cited_text import CitedText

if TYPE_CHECKING:
    from textual.widgets import Markdown

HEADERS = {"answer": "› ", "draft": "Draft: ", "summary": "Summary: "}
VERDICT_NAMES = {"supported": "supported", "partial": "partly supported"}


class MarkerLinks:
    """Streamed text with each citation marker turned into a Markdown link (``cite:N``); the end
    of a piece that may be the start of a marker (``[1, ``) waits for the next piece."""

    def __init__(self) -> None:
        self._held = ""

    def feed(self, piece: str) -> str:
        text = self._held + piece
        opened = OPEN_MARKER.search(text)
        cut = opened.start() if opened else len(text)
        self._held = text[cut:]
        return self._link(text[:cut])

    def close(self) -> str:
        text, self._held = self._held, ""
        return self._link(text)

    @staticmethod
    def _link(text: str) -> str:
        def link(match: re.Match[str]) -> str:
            numbers = marker_numbers(match.group(1))
            label = match.group(0).replace("[", "\\[").replace("]", "\\]")
            return f"[{label}](cite:{numbers[0]})" if numbers else match.group(0)

        return MARKER.sub(link, text)


class AnswerView(Vertical):
    @dataclass
    class SourceChosen(Message):
        view: "AnswerView"
        number: int
        claim: str | None = None
        """The sentence that cites it, when a citation (not the source list) was chosen."""

        sentence: int | None = None

    def __init__(self, query: str, kind: Kind = "answer") -> None:
        super().__init__(classes="answer")
        self.heading, self.kind = query, kind
        self.sources: dict[int, Source] = {}
        self.result: TaskResult | None = None
        self.evidence: dict[tuple[int, int], Spot] = {}
        """(sentence, source number) -> abstract sentence, from the citation check."""
        self._notes: dict[str, str] = {}
        self._following = False

    def compose(self) -> ComposeResult:
        yield Static(Content(HEADERS[self.kind] + self.heading), classes="answer--query")
        from textual.widgets import Markdown  # markdown-it: loaded when first asked, not at start

        yield Markdown(open_links=False, classes="answer--stream")
        yield Static(classes="answer--sources")
        yield Static(classes="answer--note")

    @property
    def cited(self) -> CitedText | None:
        found = self.query(CitedText)
        return found.first() if found else None

    async def follow(self, events: AsyncIterable[RunEvent]) -> TaskResult:
        """Stream a run into the view: the text as it arrives, the finished result, then its
        check's verdicts. Returns the result as shown (also kept as ``result``, even when an
        error follows it)."""
        from textual.widgets import Markdown

        stream = Markdown.get_stream(self.query_one(Markdown))
        links = MarkerLinks()
        self._following = streaming = True
        try:
            async for event in events:
                if isinstance(event, Retrieved):
                    self._sources(event.sources)
                    self.note(f"{len(event.sources)} sources found; writing…")
                elif isinstance(event, TextDelta):
                    await stream.write(links.feed(event.text))
                elif isinstance(event, Finished):
                    await stream.write(links.close())
                    await stream.stop()
                    self._following = streaming = False
                    await self.show(event.result)
                    if event.result.sentences:
                        self.note("Checking the citations… (Escape stops)", "check")
                elif isinstance(event, Checked):
                    if event.result is not self.result:  # repaired
                        await self.show(event.result)
                    self.set_marks(event.report.marks())
        except asyncio.CancelledError:
            if streaming:
                self.note("Stopped. What arrived is kept in the history.")
            raise
        finally:
            if self._notes.get("check", "").startswith("Checking"):
                self.note("", "check")  # the check did not finish
            self._following = False
            if streaming:
                await stream.write(links.close())
                await stream.stop()
        if self.result is None:
            raise InputError("the task ended without a result")
        return self.result

    async def show(self, result: TaskResult) -> None:
        """The finished text, sentence by sentence, with its sources and status."""
        self.result = result
        self._sources(result.sources)
        await self.query(".answer--stream").remove()
        await self.query(CitedText).remove()
        await self.mount(CitedText(result), after=self.query_one(".answer--query"))
        cited = {n for s in result.sentences for n in s.citations}
        lines = [self._source_line(s) for s in result.sources if s.number in cited]
        if len(result.sources) > len(lines) and lines:
            lines.append(
                Content.styled(f"({len(result.sources) - len(lines)} more not cited)", "dim")
            )
        self.query_one(".answer--sources", Static).update(Content("\n").join(lines))
        notes = []
        if result.status != "complete":
            notes.append(f"{result.status.capitalize()}: {result.error or 'no reason given'}")
        if result.invalid_citations:
            removed = ", ".join(result.invalid_citations)
            notes.append(f"Removed citations to sources that were not given: {removed}")
        self.note("\n".join(notes))

    def set_marks(self, marks: Marks) -> None:
        """Each sentence's verdict, and a line counting them."""
        self.evidence = marks.evidence
        if self.cited is not None:
            self.cited.verdicts = dict(marks.verdicts)
        counts = Counter(marks.verdicts.values())
        summary = ", ".join(f"{n} {VERDICT_NAMES.get(v, v)}" for v, n in counts.most_common())
        self.note(f"Citations checked: {summary}." if summary else "", "check")

    def note(self, text: str, kind: str = "status") -> None:
        """Set one of the lines under the text (``kind``: "status" or "check")."""
        self._notes[kind] = text
        shown = "\n".join(line for line in self._notes.values() if line)
        note = self.query_one(".answer--note", Static)
        note.update(Content(shown))
        note.display = bool(shown)

    def on_resize(self) -> None:
        """Keep the end of a growing answer in sight (Textual's ``anchor`` scrolls past the top
        when the text is replaced, so the scrolling is done here)."""
        if self._following and isinstance(self.parent, ScrollableContainer):
            self.parent.scroll_end(animate=False)

    def on_cited_text_chosen(self, event: CitedText.Chosen) -> None:
        event.stop()
        citation = event.citation
        self.post_message(self.SourceChosen(self, citation.number, event.claim, citation.sentence))

    def on_markdown_link_clicked(self, event: "Markdown.LinkClicked") -> None:
        event.stop()
        if event.href.startswith("cite:") and event.href[5:].isdigit():
            self.post_message(self.SourceChosen(self, int(event.href[5:])))

    def action_source(self, number: int) -> None:
        self.post_message(self.SourceChosen(self, number))

    def _sources(self, sources: list[Source]) -> None:
        self.sources = {source.number: source for source in sources}

    def _source_line(self, source: Source) -> Content:
        paper = source.paper
        year = f" ({paper.year})" if paper.year else ""
        click = Style.from_meta({"@click": f"source({source.number})"})
        retracted = (" retracted", Style.parse("bold red"))
        return Content.assemble(
            (f"[{source.number}]", Style(bold=True) + click),
            f" {paper.title}{year}",
            *([retracted] if paper.retracted else []),
        )
