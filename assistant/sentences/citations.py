"""Citations next to a sentence's end: the forms the splitter keeps with the sentence they follow.

Recognised: numbered markers (``[3]``, ``[3-5]``, ``[3, 5]``, ``[[3]]``), Pandoc groups
(``[@a; @b]``, ``[see @a, p. 3]``), LaTeX ``\\cite``-family commands (``\\citep[p.~4]{a}``,
``\\cites{a}{b}``) and author-year parentheses (``(Smith et al., 2020)``, ``(Smith et al. 2020;
Lee 2019)``, ``(2023)``). Each form is matched within a few hundred characters, so that looking
for one costs the same on any input.
"""

import re

_LONGEST = 300
"""Characters a citation's brackets may hold."""

_NUMBERED = re.compile(r"\[\[?\s*\d{1,6}(?:\s*(?:[-–—,;]|and)\s*\d{1,6})*\s*\]\]?")
_BRACKETS = re.compile(rf"\[([^\[\]\n]{{1,{_LONGEST}}})\]")
_KEY = re.compile(r"(?:^|[\s;,])-?@[\w{]")
_LATEX = re.compile(
    rf"\\[A-Za-z]*cite[A-Za-z]*\*?"
    rf"(?:(?:\s*\[[^\[\]{{}}]{{0,{_LONGEST}}}\]){{0,2}}\s*\{{[^{{}}]{{1,{_LONGEST}}}\}}){{1,8}}"
)
_PARENTHESES = re.compile(rf"\(([^()\n]{{1,{_LONGEST}}})\)")
_YEAR = r"(?:1[6-9]|20)\d\d[a-z]?"
_NAME = r"(?:(?:van|von|der|den|de|del|da|di|le|la)\s+)*[A-Z][\w'’-]*"
_AUTHOR_YEAR = (
    rf"{_NAME}(?:\s+(?:and|&)\s+{_NAME})?(?:\s+et\s+al\.?)?,?\s+{_YEAR}"
    r"(?:,\s*(?:p|pp|ch|sec)\.\s*\d+(?:[-–]\d+)?)?"
)
_AUTHOR_YEARS = re.compile(
    rf"\s*(?:(?:see|e\.g\.,?|cf\.)\s+)?{_AUTHOR_YEAR}(?:\s*;\s*{_AUTHOR_YEAR})*\s*|\s*{_YEAR}\s*"
)


def citation_end(text: str, position: int, limit: int) -> int:
    """Where the citation that starts at ``position`` ends (before ``limit``); -1 when none
    starts there."""
    opener = text[position : position + 1]
    if opener == "[":
        numbered = _NUMBERED.match(text, position, limit)
        if numbered:
            return numbered.end()
        bracketed = _BRACKETS.match(text, position, limit)
        if bracketed and _KEY.search(bracketed.group(1)):
            return bracketed.end()
    elif opener == "\\":
        command = _LATEX.match(text, position, limit)
        if command:
            return command.end()
    elif opener == "(":
        parenthesised = _PARENTHESES.match(text, position, limit)
        if parenthesised and _AUTHOR_YEARS.fullmatch(parenthesised.group(1)):
            return parenthesised.end()
    return -1


def ends_with_citation(text: str, end: int, floor: int) -> bool:
    """Whether ``text[floor:end]`` ends with a citation."""
    closer = text[end - 1 : end] if end > floor else ""
    opener = {"]": "[", "}": "\\", ")": "("}.get(closer)
    if opener is None:
        return False
    start = text.rfind(opener, max(floor, end - 2 * _LONGEST), end)
    if opener == "[" and start > floor and text[start - 1] == "[":
        start -= 1  # [[3]]
    return start >= 0 and citation_end(text, start, end) == end
