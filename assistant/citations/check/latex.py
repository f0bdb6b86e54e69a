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
from bisect import bisect_left
from collections.abc import Callable, Iterable

from assistant.citations.check.drafts import (
    LINE,
    PARAGRAPH,
    Block,
    CitationKeys,
    Draft,
    Output,
    assemble,
    paragraphs,
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
_BEGIN = re.compile(rf"\\begin\s*\{{({_DROPPED_ENVIRONMENTS})(\*?)\}}")
_END = re.compile(rf"\\end\s*\{{({_DROPPED_ENVIRONMENTS})(\*?)\}}")
_DISPLAY_OPENING = re.compile(r"(?<!\\)(?=\$\$)|(?=\\\[)")
_DISPLAY_CLOSING = re.compile(r"(?<!\\)(?=\$\$)|(?=\\\])")
"""Zero-width, so that overlapping ones (``$$$``) are all found."""
_VERB = re.compile(r"\\verb")
_VERB_DELIMITER = re.compile(r"[^A-Za-z\s]")
_COMMAND = re.compile(r"\\([A-Za-z]+)\*?")
_BRACE = re.compile(r"(?<!\\)[{}]")
_CITE = re.compile(r"[A-Za-z]*cite[A-Za-z]*")


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

Handler = Callable[[Output, str, list[str]], None]
"""(text written so far, command name, its braced arguments): writes what the command stands
for."""

Span = tuple[int, int, str]
"""Where a match starts and ends, and its kind (an opening closes at a closing of its kind)."""


def parse(source: str) -> Draft:
    text, first_line = _body(_COMMENT.sub("", source))
    text = _verbatim(_display_math(_environments(text)))
    keys = CitationKeys()
    footnotes: list[Block] = []
    bibliographies: list[str] = []
    inputs: list[str] = []

    def command(output: Output, name: str, args: list[str]) -> None:
        if _is_citation(name):
            marker = keys.marker(k for arg in args for k in arg.split(","))
            output.write(f"{marker} " if marker else "")
        elif name in ("footnote", "footnotetext"):
            note = rewrite(args[-1], command).strip().replace("\n", LINE)
            footnotes.append(Block(note, first_line + output.lines))
        elif name == "caption":
            output.write(f"{PARAGRAPH}{rewrite(args[-1], command)}{PARAGRAPH}")
        elif name == "href":
            output.write(rewrite(args[-1], command))
        elif name in _REFERENCES:
            output.write("X")
        elif name in _BIBLIOGRAPHY:
            bibliographies.extend(a.strip() for arg in args for a in arg.split(","))
        elif name in ("input", "include"):
            inputs.extend(args)
        elif name in _SECTIONS or name in _BREAKS:
            output.write(PARAGRAPH)
        # anything else is dropped: labels, URLs, graphics, \nocite

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
    output = Output()
    braces = _matching_braces(text)
    closers = _positions(text, "])")
    position = 0
    while match := _COMMAND.search(text, position):
        name = match.group(1)
        arity = _arity(name)
        if arity is None:
            output.write(text[position : match.end()])
            position = match.end()
            continue
        args, end = _arguments(text, match.end(), name, arity, braces, closers)
        if args is None:
            output.write(text[position : match.end()])
            position = match.end()
            continue
        output.write(text[position : match.start()])
        lines = output.lines
        handle(output, name, args)
        missing = text.count("\n", match.start(), end) - (output.lines - lines)
        output.write("\n" * max(missing, 0))
        position = end
    output.write(text[position:])
    return output.text()


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


def _arguments(
    text: str,
    start: int,
    name: str,
    arity: int,
    braces: dict[int, int],
    closers: dict[str, list[int]],
) -> tuple[list[str] | None, int]:
    """The braced arguments from ``start`` (optional ``[...]`` ones, and for citations
    ``(...)`` ones, skipped), and where they end; None when a required argument is missing or
    unbalanced (``braces``: from ``_matching_braces``; ``closers``: where each ``]`` and ``)``
    is)."""
    openers = "[(" if _is_citation(name) else "["
    args: list[str] = []
    position = start
    while arity < 0 or len(args) < arity:
        ahead = _skip_optional(text, position, openers, closers)
        if not text.startswith("{", ahead):
            break
        end = braces.get(ahead)
        if end is None:
            return None, start
        args.append(text[ahead + 1 : end])
        position = end + 1
    if (arity < 0 and not args) or (arity > 0 and len(args) < arity):
        return None, start
    if arity == 0 or name == "begin":  # \item[label], \begin{figure}[t]
        position = _skip_optional(text, position, "[", closers)
    return args, position


def _skip_optional(text: str, position: int, openers: str, closers: dict[str, list[int]]) -> int:
    """Past the optional arguments at ``position`` (and the spaces before them, but never a
    blank line); ``closers``: where each ``]`` and ``)`` is."""
    while True:
        rest = text[position : position + 200]
        ahead = position + len(rest) - len(rest.lstrip(" \t\n"))
        if text.count("\n", position, ahead) > 1:
            return position
        opener = text[ahead : ahead + 1]
        closer = "]" if opener == "[" else ")"
        end = _next(closers[closer], ahead) if opener and opener in openers else -1
        if end < 0:
            return ahead if text.startswith("{", ahead) else position
        position = end + 1


def _matching_braces(text: str) -> dict[int, int]:
    """Where each brace that opens a group closes it, in one pass (a brace after a backslash is
    text; an unclosed one is left out): scanning for the closing from every command takes
    quadratic time on many unclosed ones (``\\section{\\section{...``)."""
    closing: dict[int, int] = {}
    opened: list[int] = []
    for brace in _BRACE.finditer(text):
        if brace.group() == "{":
            opened.append(brace.start())
        elif opened:
            closing[opened.pop()] = brace.start()
    return closing


def _positions(text: str, characters: Iterable[str]) -> dict[str, list[int]]:
    """Where each of ``characters`` is in ``text``, in order, found in one pass: a ``find`` for
    the closing one from every opening scans to the end on many unclosed ones (``\\cite(``,
    ``\\verb`` with ever new delimiters), in time quadratic in the text's length."""
    found: dict[str, list[int]] = {character: [] for character in characters}
    if found:
        for match in re.finditer(f"[{''.join(map(re.escape, found))}]", text):
            found[match.group()].append(match.start())
    return found


def _next(positions: list[int], start: int) -> int:
    """The first of ``positions`` (sorted) from ``start``; -1 when there is none."""
    index = bisect_left(positions, start)
    return positions[index] if index < len(positions) else -1


def _environments(text: str) -> str:
    """``text`` with the dropped environments blanked, each to the first ``\\end`` of its name
    (starred or not, as it began)."""

    def spans(pattern: re.Pattern[str]) -> Iterable[Span]:
        return ((m.start(), m.end(), m.group(1) + m.group(2)) for m in pattern.finditer(text))

    return _drop(text, spans(_BEGIN), spans(_END))


def _display_math(text: str) -> str:
    """``text`` with display math blanked: ``$$...$$`` (neither one after a backslash) and
    ``\\[...\\]``, each to the first closing of its kind."""

    def spans(pattern: re.Pattern[str]) -> Iterable[Span]:
        return ((m.start(), m.start() + 2, text[m.start()]) for m in pattern.finditer(text))

    return _drop(text, spans(_DISPLAY_OPENING), spans(_DISPLAY_CLOSING))


def _drop(text: str, openings: Iterable[Span], closings: Iterable[Span]) -> str:
    """``text`` with each stretch from an opening to the first closing of its kind after it
    blanked (``_blank``), from the left, as ``re.sub`` with ``opening.*?closing`` would: such a
    regex searches to the end of the text from every unclosed opening, in quadratic time
    (``\\begin{equation}`` x 10,000 took 11 s); here each closing is a bisection away."""
    closing: dict[str, tuple[list[int], list[int]]] = {}  # kind: (starts, ends)
    for start, end, kind in closings:
        starts, ends = closing.setdefault(kind, ([], []))
        starts.append(start)
        ends.append(end)
    pieces: list[str] = []
    position = 0
    for start, end, kind in openings:
        starts, ends = closing.get(kind, ([], []))
        index = bisect_left(starts, end)
        if start >= position and index < len(starts):
            pieces += [text[position:start], _blank(text[start : ends[index]])]
            position = ends[index]
    pieces.append(text[position:])
    return "".join(pieces)


def _verbatim(text: str) -> str:
    """``text`` with each ``\\verb|...|`` made its content, as ``re.sub`` with
    ``\\verb\\*?([^A-Za-z\\s])(.*?)\\1`` would: the content runs to the delimiter's next
    occurrence on the same line; after a star, the star is the delimiter when the character after
    it does not recur. Each next occurrence is a bisection away (see ``_positions``)."""
    verbs = list(_VERB.finditer(text))
    if not verbs:
        return text
    after = (verb.end() + i for verb in verbs for i in (0, 1))
    found = _positions(text, {text[i] for i in after if i < len(text)} | {"\n"})
    pieces: list[str] = []
    position = 0
    for verb in verbs:
        if verb.start() < position:
            continue
        starred = text.startswith("*", verb.end())
        for at in (verb.end() + 1, verb.end()) if starred else (verb.end(),):
            if not _VERB_DELIMITER.match(text, at):
                continue
            end = _next(found[text[at]], at + 1)
            line_end = _next(found["\n"], at + 1)
            if end >= 0 and (end < line_end or line_end < 0):
                pieces += [text[position : verb.start()], text[at + 1 : end]]
                position = end + 1
                break
    pieces.append(text[position:])
    return "".join(pieces)


def _body(text: str) -> tuple[str, int]:
    """The document body and the line it starts on."""
    begin = _BEGIN_DOCUMENT.search(text)
    if begin is None:
        return text, 1
    end = _END_DOCUMENT.search(text, begin.end())
    body = text[begin.end() : end.start() if end else len(text)]
    return body, 1 + text.count("\n", 0, begin.end())


def _blank(span: str) -> str:
    """A dropped span: its line breaks only (and a space, so words on either side stay apart)."""
    return " " + "\n" * span.count("\n")
