"""Ask: questions answered from the library, cited; follow-ups continue the conversation."""

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from assistant.tui.screens.task_screen import TaskScreen
from assistant.tui.widgets.answer_view import AnswerView
from assistant.tui.widgets.paper_panel import PaperPanel
from assistant.tui.widgets.question_input import QuestionInput

if TYPE_CHECKING:
    from assistant.tasks.requests import AnswerRequest

WELCOME = (
    "Ask a question about your papers; the answer cites them. Tab moves to the answer, "
    "[ and ] step through its citations, and the cited paper opens beside it. "
    "Ctrl+P lists every command."
)


class AskScreen(TaskScreen):
    MODE = "ask"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "new_conversation", "New", tooltip="Start a new conversation"),
        Binding(
            "tab",
            "focus_answer",
            "Citations",
            show=False,
            tooltip="From the question box to the latest answer's citations, and back",
        ),
    ]

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="main"):
            with VerticalScroll(id="conversation", can_focus=False):
                yield Static(Content(WELCOME), classes="welcome")
            yield PaperPanel(id="panel")
        yield QuestionInput("Ask a question… (Enter asks; ↑ ↓ earlier questions)", id="question")

    def on_mount(self) -> None:
        self.query_one(QuestionInput).focus()

    @property
    def conversation(self) -> VerticalScroll:
        return self.query_one("#conversation", VerticalScroll)

    def current_view(self) -> AnswerView | None:
        focused = self.focused
        if focused is not None and isinstance(focused.parent, AnswerView):
            return focused.parent
        views = [v for v in self.query(AnswerView) if v.result is not None]
        return views[-1] if views else None

    def action_focus_answer(self) -> None:
        """Tab: from the question box to the latest answer's citations, and back."""
        answers = [v.cited for v in self.query(AnswerView) if v.cited is not None]
        if isinstance(self.focused, QuestionInput) and answers:
            answers[-1].focus()
        else:
            self.query_one(QuestionInput).focus()

    def on_question_input_asked(self, event: QuestionInput.Asked) -> None:
        self.ask(event.question)

    @work(exclusive=True, exit_on_error=False, group="task")
    async def ask(self, question: str) -> None:
        view = AnswerView(question)
        await self.query(".welcome").remove()
        await self.conversation.mount(view)
        self.conversation.scroll_end(animate=False)
        if await self.run_task(view, lambda: _request(question), self.session_id) is None:
            self.query_one(QuestionInput).restore(question)

    def action_new_conversation(self) -> None:
        self.workers.cancel_group(self, "task")
        self.session_id = None
        self.conversation.remove_children()
        self.panel.close()
        self.query_one(QuestionInput).focus()

    @work(exclusive=True, exit_on_error=False, group="task")
    async def open_session(self, session_id: int) -> None:
        """Show a past session; new questions continue it."""
        runner = await self.context.ready()
        entries = self.context.history.entries(session_id)
        await self.conversation.remove_children()
        self.panel.close()
        for entry in entries:
            view = AnswerView(entry.query, entry.kind)
            await self.conversation.mount(view)
            await view.show(entry.result(runner.library.find))
            view.set_marks(entry.marks())
        self.session_id = session_id
        if entries:
            self.call_after_refresh(self._reveal, view)
        self.query_one(QuestionInput).focus()


def _request(question: str) -> "AnswerRequest":
    from assistant.tasks.requests import AnswerRequest

    return AnswerRequest(question)
