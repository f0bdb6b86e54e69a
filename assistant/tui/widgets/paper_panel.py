"""A paper's details and abstract (or the passage of its full text that was cited, headed by its
page and section), beside the text that cites it. The sentence that is the evidence for the
chosen claim stands on its own, highlighted, and is scrolled into view."""

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from assistant.corpus.paper import Paper

NO_ABSTRACT = "No abstract: this paper is found by its title only."


class PaperPanel(VerticalScroll, can_focus=False):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"paper-panel--title", "paper-panel--meta"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="paper-panel")
        self.paper: Paper | None = None

    def compose(self) -> ComposeResult:
        yield Static(classes="paper-panel--head")
        yield Static(classes="paper-panel--where")
        yield Static(classes="paper-panel--before")
        yield Static(classes="paper-panel--evidence")
        yield Static(classes="paper-panel--after")

    def show(
        self,
        paper: Paper,
        sentences: list[str] | None = None,
        evidence: int | None = None,
        where: str = "",
    ) -> None:
        """Show ``paper``; its abstract (or the passage ``where`` says: "p. 6 · 3 Results") as
        ``sentences``, sentence ``evidence`` marked."""
        self.paper = paper
        meta = self.get_visual_style("paper-panel--meta", partial=True)
        details = [
            ", ".join(paper.authors[:6]) + (" et al." if len(paper.authors) > 6 else ""),
            " · ".join(str(v) for v in (paper.year, paper.venue) if v),
            paper.doi and f"doi:{paper.doi}",
            paper.arxiv_id and f"arXiv:{paper.arxiv_id}",
            ", ".join(paper.tags) and "tags: " + ", ".join(paper.tags),
        ]
        head = [
            Content.styled(paper.title, self.get_visual_style("paper-panel--title", partial=True))
        ]
        head.extend(Content.styled(line, meta) for line in details if line)
        if sentences is None:
            sentences = [paper.abstract] if paper.has_abstract else []
        if not sentences:
            head.extend([Content(""), Content.styled(NO_ABSTRACT, meta)])
        self.query_one(".paper-panel--head", Static).update(Content("\n").join(head))
        located = self.query_one(".paper-panel--where", Static)
        located.update(Content.styled(where, meta))
        located.display = bool(where)
        cut = len(sentences) if evidence is None else evidence
        parts = {
            "before": sentences[:cut],
            "evidence": sentences[cut : cut + 1],
            "after": sentences[cut + 1 :],
        }
        for name, shown in parts.items():
            part = self.query_one(f".paper-panel--{name}", Static)
            part.update(Content(" ".join(shown)))
            part.display = bool(shown)
        self.add_class("-open")
        self.scroll_home(animate=False)
        if evidence is not None:
            marked = self.query_one(".paper-panel--evidence")
            self.call_after_refresh(self.scroll_to_center, marked, animate=False)

    def close(self) -> bool:
        """Hide the panel; whether it was open."""
        was_open = self.has_class("-open")
        self.remove_class("-open")
        self.paper = None
        return was_open
