"""A LaTeX draft as sentences with citation keys.

Read: the body of ``\\begin{document}`` (the whole file when there is none), comments removed.
Citations: every ``\\cite``-family command (``\\cite``, ``\\citep``, ``\\citet``, ``\\parencite``,
``\\textcite``, ``\\autocite``, ``\\footcite``, starred forms, ``[pre][post]`` arguments, several
keys, and biblatex's ``\\cites{a}{b}``); ``\\nocite`` cites nothing in the text. Dropped: display
math, math and float-content environments (equation, align, tabular, tikzpicture, verbatim,
listings, algorithm, thebibliography, comment), headings (each starts a new paragraph), labels,
references, URLs, graphics. Kept as their own paragraphs: list items, captions and footnotes.
Everything else, inline math included, is decoded to Unicode text by the same LaTeX decoder the
BibTeX reader uses. Line numbers always refer to the file: every rewrite keeps the line count.
"""

import re
from collections.abc import Callable

from assistant.citations.check.drafts import (
    LINE,
    PARAGRAPH,
    Block,
    CitationKeys,
    Draft,
    assemble,
    paragraphs,
    place_marker,
)
from assistant.corpus.readers.bibtex import latex as decode

_COMMENT = re.compile(r"(?<!\\)%[^\n]*")
_BEGIN_DOCUMENT = re.compile(r"\\begin\s*\{document\}")
_END_DOCUMENT = re.compile(r"\\end\s*\{document\}")
_DROPPED_ENVIRONMENTS = (
    "equation|align|alignat|gather|multline|flalign|eqnarray|displaymath|math|tabular|tabularx"
    "|longtable|tikzpicture|verbatim|Verbatim|lstlisting|minted|algorithm|algorithmic"
    "|thebibliography|comment|filecontents"
)
_ENVIRONMENT = re.compile(
    rf"\\begin\s*\{{({_DROPPED_ENVIRONMENTS})(\*?)\}}.*?\\end\s*\{{\1\2\}}", re.DOTALL
)
_DISPLAY_MATH = re.compile(r"(?<!\\)\$\$.*?(?<!\\)\$\$|\\\[.*?\\\]", re.DOTALL)
_VERB = re.compile(r"\\verb\*?([^A-Za-z\s])(.*?)\1")
_COMMAND = re.compile(r"\\([A-Za-z]+)\*?")
_CITE = re.compile(r"[A-Za-z]*cite[A-Za-z]*")
_TEXTUAL = ("citet", "citealt", "textcite", "citeauthor", "smartcite")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SECTIONS = _words(
    "part chapter section subsection subsubsection paragraph subparagraph title author date thanks"
)
_REFERENCES = _words("ref eqref cref Cref autoref pageref nameref")
_DROPPED = (
    _words("label url includegraphics bibliographystyle vspace hspace input include") | _REFERENCES
)
_BIBLIOGRAPHY = frozenset({"bibliography", "addbibresource"})
_BREAKS = frozenset({"item", "par", "begin", "end"})

Handler = Callable[[str, str, list[str], str], str]
"""(text written so far, command name, its braced arguments, the text after it) -> new text."""


def parse(source: str) -> Draft:
    text, first_line = _body(_COMMENT.sub("", source))
    text = _ENVIRONMENT.sub(_blank, text)
    text = _DISPLAY_MATH.sub(_blank, text)
    text = _VERB.sub(lambda m: m.group(2), text)
    keys = CitationKeys()
    footnotes: list[Block] = []
    bibliographies: list[str] = []
    inputs: list[str] = []

    def command(done: str, name: str, args: list[str], after: str) -> str:
        if _is_citation(name):
            keys_here = [k for arg in args for k in arg.split(",")]
            textual = name.lower().startswith(_TEXTUAL)
            return place_marker(done, keys.marker(keys_here), after, textual=textual)
        if name in ("footnote", "footnotetext"):
            note = rewrite(args[-1], command).strip().replace("\n", LINE)
            footnotes.append(Block(note, first_line + done.count("\n")))
            return done
        if name == "caption":
            return f"{done}{PARAGRAPH}{rewrite(args[-1], command)}{PARAGRAPH}"
        if name == "href":
            return done + rewrite(args[-1], command)
        if name in _REFERENCES:
            return done + "X"
        if name in _BIBLIOGRAPHY:
            bibliographies.extend(a.strip() for arg in args for a in arg.split(","))
            return done
        if name in ("input", "include"):
            inputs.extend(args)
        if name in _SECTIONS or name in _BREAKS:
            return done + PARAGRAPH
        return done  # dropped: labels, URLs, graphics, \nocite

    text = rewrite(text, command)
    blocks = [*paragraphs(text, first_line), *footnotes]
    decoded = [Block(decode(b.text), b.line) for b in blocks]
    draft = assemble("latex", (b for b in decoded if b.text), keys)
    draft.bibliographies.extend(bibliographies)
    draft.notes.extend(
        f"\\input{{{name}}} is not followed: check that file on its own" for name in inputs
    )
    return draft


def rewrite(text: str, handle: Handler) -> str:
    """``text`` with each command we know (citations, headings, footnotes...) replaced by what
    ``handle`` makes of it; other commands are left for the decoder. Line count is kept."""
    done = ""
    position = 0
    while match := _COMMAND.search(text, position):
        name = match.group(1)
        arity = _arity(name)
        if arity is None:
            done += text[position : match.end()]
            position = match.end()
            continue
        args, end = _arguments(text, match.end(), name, arity)
        if args is None:
            done += text[position : match.end()]
            position = match.end()
            continue
        before = done + text[position : match.start()]
        replaced = handle(before, name, args, text[end:])
        missing = text.count("\n", match.start(), end) - (replaced.count("\n") - before.count("\n"))
        done = replaced + "\n" * max(missing, 0)
        position = end
    return done + text[position:]


def _arity(name: str) -> int | None:
    """Braced arguments the command takes (-1: one or more); None for commands left as they
    are."""
    if _is_citation(name):
        return -1 if name.endswith("cites") else 1
    if name in ("item", "par", "maketitle", "appendix", "newpage", "clearpage", "centering"):
        return 0
    if name in ("href",):
        return 2
    known = _SECTIONS | _DROPPED | _BIBLIOGRAPHY
    if name in known or name in ("footnote", "footnotetext", "caption", "begin", "end", "nocite"):
        return 1
    return None


def _is_citation(name: str) -> bool:
    return name != "nocite" and _CITE.fullmatch(name) is not None


def _arguments(text: str, start: int, name: str, arity: int) -> tuple[list[str] | None, int]:
    """The braced arguments from ``start`` (optional ``[...]`` ones, and for citations
    ``(...)`` ones, skipped), and where they end; None when a required argument is missing or
    unbalanced."""
    openers = "[(" if _is_citation(name) else "["
    args: list[str] = []
    position = start
    while arity < 0 or len(args) < arity:
        ahead = _skip_optional(text, position, openers)
        if not text.startswith("{", ahead):
            break
        end = _closing_brace(text, ahead)
        if end is None:
            return None, start
        args.append(text[ahead + 1 : end])
        position = end + 1
    if (arity < 0 and not args) or (arity > 0 and len(args) < arity):
        return None, start
    if arity == 0 or name == "begin":  # \item[label], \begin{figure}[t]
        position = _skip_optional(text, position, "[")
    return args, position


def _skip_optional(text: str, position: int, openers: str) -> int:
    """Past the optional arguments at ``position`` (and the spaces before them, but never a
    blank line)."""
    while True:
        rest = text[position : position + 200]
        ahead = position + len(rest) - len(rest.lstrip(" \t\n"))
        if text.count("\n", position, ahead) > 1:
            return position
        opener = text[ahead : ahead + 1]
        end = (
            text.find("]" if opener == "[" else ")", ahead) if opener and opener in openers else -1
        )
        if end < 0:
            return ahead if text.startswith("{", ahead) else position
        position = end + 1


def _closing_brace(text: str, start: int) -> int | None:
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char == "\\":
            continue
        if char == "{" and text[index - 1 : index] != "\\":
            depth += 1
        elif char == "}" and text[index - 1 : index] != "\\":
            depth -= 1
            if depth == 0:
                return index
    return None


def _body(text: str) -> tuple[str, int]:
    """The document body and the line it starts on."""
    begin = _BEGIN_DOCUMENT.search(text)
    if begin is None:
        return text, 1
    end = _END_DOCUMENT.search(text, begin.end())
    body = text[begin.end() : end.start() if end else len(text)]
    return body, 1 + text.count("\n", 0, begin.end())


def _blank(match: re.Match[str]) -> str:
    """A dropped span: its line breaks only (and a space, so words on either side stay apart)."""
    return " " + "\n" * match.group(0).count("\n")
