"""What the Ask and Draft screens share: running a task on the runner into an ``AnswerView``
(recorded in the history and checked as it goes), checking an edited result again, showing a
cited paper beside it, copying and exporting the result.

The export code is imported when first used, never at start-up.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer

from assistant.citations.markers import page_locator
from assistant.sentences import split_sentences
from assistant.tui.messages import TaskEnded
from assistant.tui.screens.base import ModeScreen
from assistant.tui.screens.path_prompt import PathPrompt
from assistant.tui.widgets.answer_view import AnswerView
from assistant.tui.widgets.paper_panel import PaperPanel

if TYPE_CHECKING:
    from pathlib import Path

    from assistant.results import Source, Spot, TaskResult
    from assistant.tasks.runner import Request

EXPORT_HINT = "name.md: Markdown · name.tex: LaTeX and name.bib · name.txt: plain text"


class TaskScreen(ModeScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s", "export", "Export", tooltip="Save as Markdown, or LaTeX and .bib, or text"
        ),
        Binding("ctrl+t", "copy", "Copy", tooltip="Copy as Markdown to the clipboard"),
    ]
    EXPORT_NAME = "answer.md"

    session_id: int | None = None

    @property
    def panel(self) -> PaperPanel:
        return self.query_one(PaperPanel)

    def current_view(self) -> AnswerView | None:
        """The answer that copy and export act on (screens say which)."""
        raise NotImplementedError

    async def run_task(
        self, view: AnswerView, make_request: Callable[[], "Request"], session: int | None = None
    ) -> "TaskResult | None":
        """Run the request into ``view``, checked (the verdicts shown, nothing repaired: the
        user edits), continuing ``session``; its result, or None when it failed (the user is
        told)."""
        try:
            runner = await self.context.ready()
            run = runner.start(make_request(), session=session, check=True)
            self.session_id = run.session
            result = await view.follow(run.events)
        except Exception as error:
            self.fail(error)
            if view.result is not None:
                await view.show(view.result)
            view.note(f"Failed: {error}")
            return None
        finally:
            self.post_message(TaskEnded())
        self.call_after_refresh(self._reveal, view)
        return result

    def _reveal(self, view: AnswerView) -> None:
        """The finished answer in sight: all of it, or (when taller than the screen) its
        start."""
        scroll = view.parent
        if isinstance(scroll, ScrollableContainer):
            if view.outer_size.height > scroll.scrollable_content_region.height:
                scroll.scroll_to_widget(view, animate=False, top=True)
            else:
                scroll.scroll_end(animate=False)

    @work(exit_on_error=False, group="check")
    async def check(self, view: AnswerView) -> None:
        """Check the citations of the view's result (the user's edit of one) again, and mark
        each sentence with its verdict."""
        result = view.result
        if result is None or not any(s.citations for s in result.sentences):
            return
        view.note("Checking the citations… (Escape stops)", "check")
        runner = await self.context.ready()
        try:
            report = await runner.check_result(result)
        finally:
            view.note("", "check")
        view.set_marks(report.marks())
        self.call_after_refresh(self._reveal, view)

    def on_answer_view_source_chosen(self, event: AnswerView.SourceChosen) -> None:
        view = event.view
        source = view.sources.get(event.number)
        if source is None:
            return
        spot, pages = None, ""
        if event.sentence is not None:
            spot = view.evidence.get((event.sentence, event.number))
            if view.result is not None and event.sentence < len(view.result.sentences):
                pages = view.result.sentences[event.sentence].pages.get(event.number, "")
        self.show_source(source, event.claim, spot, pages)

    @work(thread=True, exclusive=True, exit_on_error=False, group="panel")
    def show_source(
        self, source: "Source", claim: str | None, spot: "Spot | None", pages: str
    ) -> None:
        """The source in the side panel: the passage of its full text that holds the check's
        evidence (or that is on the page the sentence cites), else its abstract; the evidence
        marked, or the sentence closest to ``claim``."""
        passage = None
        if spot is not None and spot.page:
            passage = source.passage_with(spot.sentence)
        elif spot is None and pages:
            passage = source.passage_on(pages)
        if passage is not None:
            location = passage.location
            where = " · ".join(filter(None, [page_locator(location.pages), location.section]))
            text = passage.text
        elif spot is not None and spot.page:  # read by the check, beyond the prompt's passages
            text, where = spot.sentence, page_locator(spot.page)
        else:
            text, where = source.paper.abstract, ""
        sentences = split_sentences(text)
        evidence = sentences.index(spot.sentence) if spot and spot.sentence in sentences else None
        if evidence is None and claim and self.context.is_open:
            sentences, evidence = self.context.runner.closest_sentence(claim, text)
        self.app.call_from_thread(self.panel.show, source.paper, sentences, evidence, where)

    def action_close_panel(self) -> None:
        self.panel.close()

    def action_copy(self) -> None:
        result = self._result()
        if result is not None:
            from assistant.citations.export import render

            self.app.copy_to_clipboard(render(result))
            self.notify("Copied as Markdown (through the terminal: OSC 52).")

    def action_export(self) -> None:
        if self._result() is None:
            return
        prompt = PathPrompt("Export to", EXPORT_HINT, self.EXPORT_NAME)
        self.app.push_screen(prompt, self._export)

    def _export(self, path: "Path | None") -> None:
        result = self._result()
        if path is None or result is None:
            return
        from assistant.citations.export import write_export

        try:
            written = write_export(result, path)
        except Exception as error:
            self.fail(error)
            return
        self.notify("Wrote " + " and ".join(str(p) for p in written), markup=False)

    def _result(self) -> "TaskResult | None":
        view = self.current_view()
        result = view.result if view is not None else None
        if result is None:
            self.notify("Nothing to copy or export yet.", severity="warning")
        return result
