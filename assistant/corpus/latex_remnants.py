"""LaTeX left in plain-text abstracts, mended: what a dump of arXiv abstracts keeps of the
source ("85.4\\% accuracy", "\\textbf{Mamba}", "5times higher", "384times384", "{1.31 FID}~(")
read as the text it stood for ("85.4% accuracy", "Mamba", "5× higher", "384×384", "1.31 FID (").
Only forms that are unambiguous in prose are touched: a word "times" glued to a digit (never
"sometimes" or "10 times"), escaped symbols, font and colour commands, braces around plain text."""

import re

_ESCAPED = re.compile(r"\\([%&_#$])")
_TIMES = re.compile(r"\\times\b|(?<=\d)times(?=\d|\s|[.,;:)]|$)")
_FONT = re.compile(
    r"\\(?:textbf|textit|textrm|textsf|texttt|textsc|emph|mathrm|mathbf|mathit|mathcal|"
    r"underline|text)\s*\{([^{}]*)\}"
)
_COLOUR = re.compile(r"\\(?:color|textcolor)\s*\{[^{}]*\}")
_ABBREVIATIONS = {"etc": "etc.", "eg": "e.g.", "ie": "i.e.", "wrt": "w.r.t.", "vs": "vs."}
_ABBREVIATION = re.compile(r"\\(" + "|".join(_ABBREVIATIONS) + r")\b\.?")
_TILDE = re.compile(r"(?<=[}\w.])~(?=[(\[{\\\w])")
_BRACED = re.compile(r"(?<![\\\w])\{([^{}\\]*)\}")
_COMMAND = re.compile(r"\\([A-Za-z]+)\b(?!\s*\{)")


def mend_latex(text: str) -> str:
    """``text`` with the LaTeX remnants above replaced by what they stand for."""
    if "\\" not in text and "times" not in text and "{" not in text and "~" not in text:
        return text
    text = _ESCAPED.sub(r"\1", text)
    text = _TIMES.sub("×", text)
    text = _COLOUR.sub("", text)
    text = _ABBREVIATION.sub(lambda m: _ABBREVIATIONS[m.group(1)], text)
    for _ in range(3):  # nested fonts: \textbf{\emph{x}}
        text = _FONT.sub(r"\1", text)
    text = _TILDE.sub(" ", text)
    text = _BRACED.sub(r"\1", text)
    return _COMMAND.sub(r"\1", text)
