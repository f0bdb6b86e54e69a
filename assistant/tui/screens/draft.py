"""Draft: a themed related-work section for a topic, or for the user's own abstract; edit it in
place (Ctrl+R), and Ctrl+R again reads the citations again and re-checks them; export."""

from typing import TYPE_CHECKING, ClassVar, Literal, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Input, Select, Static, TextArea

from assistant.tui.screens.task_screen import TaskScreen
from assistant.tui.widgets.answer_view import AnswerView
from assistant.tui.widgets.paper_panel import PaperPanel

if TYPE_CHECKING:
    from assistant.tasks.requests import DraftRequest

Length = Literal["short", "medium", "long"]
LENGTHS: tuple[Length, ...] = ("short", "medium", "long")
WELCOME = (
    "Type a topic and press Enter (or paste your abstract below and press Ctrl+G) for a "
    "related-work draft, grouped by theme and cited. Ctrl+R edits it; Ctrl+R again re-checks it."
)


class DraftScreen(TaskScreen):
    MODE = "draft"
    EXPORT_NAME = "related-work.md"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+g", "draft", "Draft", tooltip="Draft related work for the topic or abstract"),
        Binding(
            "ctrl+r", "edit", "Edit/check", tooltip="Edit the draft; again: read it back, check it"
        ),
    ]

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="draft-form"):
            yield Input(placeholder="Topic (Enter drafts)", id="topic")
            yield Input("2", type="integer", id="paragraphs", tooltip="Paragraphs (themes)")
            yield Select([(n, n) for n in LENGTHS], value="medium", allow_blank=False, id="length")
        yield TextArea(placeholder="…or paste your own abstract here", id="abstract")
        with Horizontal(classes="main"):
            with VerticalScroll(id="draft-result", can_focus=False):
                yield Static(Content(WELCOME), classes="welcome")
            yield TextArea(id="editor", soft_wrap=True)
            yield PaperPanel(id="panel")

    def on_mount(self) -> None:
        self.query_one("#topic", Input).focus()

    def current_view(self) -> AnswerView | None:
        found = self.query(AnswerView)
        return found.first() if found else None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_draft()

    def action_draft(self) -> None:
        topic = self.query_one("#topic", Input).value.strip()
        abstract = self.query_one("#abstract", TextArea).text.strip()
        if not (topic or abstract):
            self.notify("Type a topic, or paste your abstract.", severity="warning")
            return
        paragraphs = int(self.query_one("#paragraphs", Input).value or 2)
        length = cast(Length, self.query_one("#length", Select).value)
        self.draft(topic, abstract, max(1, paragraphs), length)

    @work(exclusive=True, exit_on_error=False, group="task")
    async def draft(self, topic: str, abstract: str, paragraphs: int, length: Length) -> None:
        view = await self._fresh_view(topic or "your abstract")

        def request() -> "DraftRequest":
            from assistant.tasks.requests import DraftRequest

            return DraftRequest(topic, abstract or None, paragraphs, length)

        await self.run_task(view, request)

    async def _fresh_view(self, title: str) -> AnswerView:
        self._editing(False)
        self.panel.close()
        result = self.query_one("#draft-result", VerticalScroll)
        await result.remove_children()
        view = AnswerView(title, "draft")
        await result.mount(view)
        return view

    async def action_edit(self) -> None:
        """Edit the draft's text (markers and all); the second press reads it back and checks
        it again."""
        view = self.current_view()
        if view is None or view.result is None:
            self.notify("Draft something first.", severity="warning")
            return
        editor = self.query_one("#editor", TextArea)
        if not editor.display:
            editor.text = view.result.text
            self._editing(True)
            editor.focus()
            return
        from assistant.citations.edits import edited

        revised = edited(view.result, editor.text)
        self._editing(False)
        await view.show(revised)
        self.check(view)
        if revised.invalid_citations:
            removed = ", ".join(revised.invalid_citations)
            self.notify(
                f"These markers cite no source of this draft: {removed}",
                severity="warning",
                markup=False,
            )

    def _editing(self, on: bool) -> None:
        self.query_one("#editor", TextArea).display = on
        self.query_one("#draft-result", VerticalScroll).display = not on

    @work(exclusive=True, exit_on_error=False, group="task")
    async def open_session(self, session_id: int) -> None:
        """Show the session's latest draft."""
        runner = await self.context.ready()
        entry = self.context.history.entries(session_id)[-1]
        view = await self._fresh_view(entry.query)
        await view.show(entry.result(runner.library.find))
        view.set_marks(entry.marks())
