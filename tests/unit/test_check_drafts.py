"""Citation checking, reading the user's inputs: Markdown and LaTeX drafts, .bib files."""

from pathlib import Path

import pytest

from assistant.citations.check import parse_draft, read_bib, read_draft
from assistant.citations.check.checker import is_claim, looks_english
from assistant.errors import InputError
from tests.helpers import DATA

DRAFTS = DATA / "drafts"


def sentences(text: str, format: str = "markdown") -> list[tuple[str, tuple[str, ...]]]:
    draft = parse_draft(text, "latex" if format == "latex" else "markdown")
    return [(s.text, s.keys) for s in draft.sentences]


# Markdown


def test_markdown_draft_sentences_keys_and_lines() -> None:
    draft = read_draft(DRAFTS / "draft.md")
    assert draft.format == "markdown"
    found = [(s.line, s.keys) for s in draft.sentences]
    assert found == [
        (7, ("lopez2019coffee",)),
        (8, ("lopez2019coffee",)),
        (9, ("chen2021sleep",)),
        (12, ("chen2021sleep",)),
        (12, ()),
        (15, ("nguyen2020sparse",)),
        (17, ("noabstract2015", "missing2020")),
        (19, ()),
    ]
    assert draft.sentences[0].text == (
        "Adults who drink three or more cups of coffee a day have a lower risk of type 2 diabetes."
    )
    assert draft.keys == [
        "lopez2019coffee",
        "chen2021sleep",
        "nguyen2020sparse",
        "noabstract2015",
        "missing2020",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Attention helps [@a].", [("Attention helps.", ("a",))]),
        ("Both hold [@a; @b].", [("Both hold.", ("a", "b"))]),
        ("It works [see @a, p. 3; also @b, ch. 2].", [("It works.", ("a", "b"))]),
        ("As @smith2020 showed, it works.", [("As showed, it works.", ("smith2020",))]),
        ("Braced [@{odd key}].", [("Braced.", ("odd key",))]),
        ("Mail me@example.org now.", [("Mail me@example.org now.", ())]),
        ("It holds.[@a] Next one.", [("It holds.", ("a",)), ("Next one.", ())]),
        ("A [link](http://x.org) and **bold** _x_ `code`.", [("A link and bold x code.", ())]),
    ],
)
def test_markdown_citation_syntax(text: str, expected: list[tuple[str, tuple[str, ...]]]) -> None:
    assert sentences(text) == expected


def test_markdown_drops_code_front_matter_headings_and_tables() -> None:
    text = (
        "---\ntitle: T\n---\n# Heading text\n\nBody cites [@a].\n\n```\nNot [@code] here.\n```\n"
        "| col | cites [@t] |\n|---|---|\n\n<!-- hidden [@h] -->\n> Quoted claim [@q].\n"
    )
    assert sentences(text) == [("Body cites.", ("a",)), ("Quoted claim.", ("q",))]


def test_markdown_mends_latex_pasted_from_an_abstract() -> None:
    text = "Training is reduced by 6times and reaches 85.4\\% accuracy [@a]."
    assert sentences(text) == [("Training is reduced by 6× and reaches 85.4% accuracy.", ("a",))]


def test_markdown_numbered_reference_is_reported_not_checked() -> None:
    draft = parse_draft("Old style citation [12]. Fine [@a].", "markdown")
    assert [s.keys for s in draft.sentences] == [(), ("a",)]
    assert draft.notes == ["[12] is a numbered reference, not a citation key: not checked"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # the case: a sentence that starts with a lower-case name, on the next line
            "Mamba drops attention entirely [@gu2023mamba].\n"
            "iTransformer embeds each variate as a token [@liu2024itransformer].",
            [
                ("Mamba drops attention entirely.", ("gu2023mamba",)),
                ("iTransformer embeds each variate as a token.", ("liu2024itransformer",)),
            ],
        ),
        ("Linear attention (cf. [@k]) is fast.", [("Linear attention (cf.) is fast.", ("k",))]),
        (
            "It holds. [@a] iTransformer follows.",
            [("It holds.", ("a",)), ("iTransformer follows.", ())],
        ),
        (
            "It holds. @smith2020 showed it. [@b] show the rest.",
            [("It holds.", ()), ("showed it.", ("smith2020",)), ("show the rest.", ("b",))],
        ),
        (  # a line that ends with a full stop ends the sentence, whatever the next starts with
            "Attention links tokens [@a].\nmixture-of-experts layers route them [@b].",
            [
                ("Attention links tokens.", ("a",)),
                ("mixture-of-experts layers route them.", ("b",)),
            ],
        ),
        (  # a Markdown hard break, and a citation wrapped onto the next line
            "Attention links tokens [@a].  \nSwitch routes to one expert\n[@b]. GShard scales.",
            [
                ("Attention links tokens.", ("a",)),
                ("Switch routes to one expert.", ("b",)),
                ("GShard scales.", ()),
            ],
        ),
        (
            "Transformers use attention [@a]\nMamba uses a state [@b]\nrecurrence is old [@c]",
            [
                ("Transformers use attention", ("a",)),
                ("Mamba uses a state", ("b",)),
                ("recurrence is old", ("c",)),
            ],
        ),
        (
            "Lists follow:\n- REALM [@guu2020] trains the retriever\n- kNN-LM interpolates [@k]",
            [
                ("Lists follow:", ()),
                ("REALM trains the retriever", ("guu2020",)),
                ("kNN-LM interpolates", ("k",)),
            ],
        ),
        (
            "多头注意力并行计算[@a]。稀疏注意力更快[@b]！",
            [("多头注意力并行计算。", ("a",)), ("稀疏注意力更快！", ("b",))],
        ),
    ],
)
def test_markdown_sentences_never_join_two_cited_sentences(
    text: str, expected: list[tuple[str, tuple[str, ...]]]
) -> None:
    assert sentences(text) == expected


def test_a_sentence_too_long_to_be_one_is_checked_whole_and_reported() -> None:
    long = "word " * 1_200 + "end [@a]"
    draft = parse_draft(f"Intro.\n\n{long} and more", "markdown")
    assert [len(s.text.split()) for s in draft.sentences] == [1, 1_203]
    assert draft.sentences[1].keys == ("a",)
    assert draft.notes == [
        "line 3: a sentence of 6,012 characters, checked as one: is its punctuation missing?"
    ]


# LaTeX


def test_latex_draft_sentences_keys_and_lines() -> None:
    draft = read_draft(DRAFTS / "draft.tex")
    assert draft.format == "latex"
    assert [(s.line, s.keys) for s in draft.sentences] == [
        (10, ("patel2018exercise",)),
        (12, ("chen2021sleep",)),
        (14, ("patel2018exercise",)),
        (15, ("lopez2019coffee",)),
        (22, ("missing2020",)),
        (23, ()),
        (29, ()),
    ]
    texts = [s.text for s in draft.sentences]
    assert (
        texts[1] == "report that one night without sleep reduces recall of word pairs by about 30%."
    )
    assert texts[-1] == "Hippocampal volume change by group."
    assert not any("V_" in t or "\\" in t or "Exercise and memory" in t for t in texts)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"A holds \cite{a}.", [("A holds.", ("a",))]),
        (r"A holds \citep[p.~3]{a, b}.", [("A holds.", ("a", "b"))]),
        (r"A holds \citep[see][p.~3]{a}.", [("A holds.", ("a",))]),
        (r"\citet{a} show it.", [("show it.", ("a",))]),
        (r"A holds \parencite*{a}.", [("A holds.", ("a",))]),
        (r"A holds \cites[3]{a}[4]{b}.", [("A holds.", ("a", "b"))]),
        (r"A holds.~\cite{a} B follows.", [("A holds.", ("a",)), ("B follows.", ())]),
        (r"A holds \nocite{x}.", [("A holds.", ())]),
        (r"Rates of $\alpha = 0.5$ hold \cite{a}.", [("Rates of α = 0.5 hold.", ("a",))]),
        (r"A \emph{bold} \textbf{claim} \cite{a}.", [("A bold claim.", ("a",))]),
        ("A % comment \\cite{hidden}\nholds \\cite{a}.", [("A holds.", ("a",))]),
        (r"See Fig.~\ref{f} now.", [("See Fig. X now.", ())]),
        (r"A holds.\cite{a} b follows.", [("A holds. b follows.", ("a",))]),
        ("A holds.\n\\citet{b} show it.", [("A holds.", ()), ("show it.", ("b",))]),
        (
            r"Mamba drops it \citep{gu}. iTransformer inverts it \cite{liu}.",
            [("Mamba drops it.", ("gu",)), ("iTransformer inverts it.", ("liu",))],
        ),
        (
            r"Efficient variants, i.e.\ Performer, use features \citep[see][Sec.~3]{p}.",
            [("Efficient variants, i.e. Performer, use features.", ("p",))],
        ),
        (
            "\\begin{itemize}\n\\item LoRA adds low-rank matrices \\cite{hu}\n"
            "\\item prefix-tuning learns prompts \\cite{li}\n\\end{itemize}",
            [("LoRA adds low-rank matrices", ("hu",)), ("prefix-tuning learns prompts", ("li",))],
        ),
    ],
)
def test_latex_citations_and_macros(text: str, expected: list[tuple[str, tuple[str, ...]]]) -> None:
    assert sentences(text, "latex") == expected


def test_latex_environments_footnotes_and_captions() -> None:
    text = (
        "\\begin{document}\nA claim\\footnote{A note cites \\cite{n}.} holds \\cite{a}.\n"
        "\\begin{align}x &= y \\cite{math}\\end{align}\n"
        "\\begin{figure}[t]\\caption{Caption cites \\cite{c}.}\\end{figure}\n"
        "\\begin{verbatim}\\cite{v}\\end{verbatim}\n\\end{document}\nAfter the end \\cite{z}."
    )
    draft = parse_draft(text, "latex")
    assert [(s.text, s.keys, s.line) for s in draft.sentences] == [
        ("A claim holds.", ("a",), 2),
        ("Caption cites.", ("c",), 4),
        ("A note cites.", ("n",), 2),
    ]


def test_latex_names_its_bibliography_and_inputs() -> None:
    draft = parse_draft("\\input{intro}\nText \\cite{a}.\n\\bibliography{refs,more}", "latex")
    assert draft.bibliographies == ["refs", "more"]
    assert draft.notes == ["\\input{intro} is not followed: check that file on its own"]


def test_format_from_suffix_or_content(tmp_path: Path) -> None:
    unknown = tmp_path / "draft.txt2"
    unknown.write_text("\\documentclass{article}\\begin{document}X \\cite{a}.\\end{document}")
    assert read_draft(unknown).format == "latex"
    empty = tmp_path / "empty.md"
    empty.write_text("  \n")
    with pytest.raises(InputError, match="empty"):
        read_draft(empty)


# .bib files


def test_bib_entries_by_key() -> None:
    bib = read_bib([DRAFTS / "refs.bib"])
    assert set(bib.entries) == {
        "chen2021sleep",
        "lopez2019coffee",
        "patel2018exercise",
        "nguyen2020sparse",
        "noabstract2015",
    }
    assert bib.entries["lopez2019coffee"].doi == "10.5555/coffee.2019.001"
    assert "30% fewer word pairs" in bib.entries["chen2021sleep"].abstract
    assert bib.notes == []


def test_bib_that_does_not_parse_gives_notes_per_entry() -> None:
    bib = read_bib([DRAFTS / "broken.bib"])
    assert bib.entries == {}
    assert any("broken.bib:1: malformed @article 'lopez2019coffee'" in n for n in bib.notes)
    assert any("broken.bib:8: malformed @article" in n for n in bib.notes)
    assert bib.notes[-1].endswith(
        "no BibTeX entry could be read; citations are looked up in the library alone"
    )
    assert read_bib([DRAFTS / "notbib.bib"]).entries == {}
    assert "cannot read" in read_bib([DRAFTS / "missing.bib"]).notes[0]


# Sentences


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("Coffee lowers the risk of type 2 diabetes.", True),
        ("We return to these questions in the next section.", False),
        ("In this section we review prior work on memory.", False),
        ("Does sleep help memory consolidation at all?", False),
        ("Results follow.", False),
    ],
)
def test_is_claim(text: str, claim: bool) -> None:
    assert is_claim(text) is claim


def test_looks_english() -> None:
    assert looks_english("Coffee lowers the risk of type 2 diabetes in adults.")
    assert not looks_english("Le café réduit le risque de diabète de type 2 chez les adultes.")
    assert not looks_english("コーヒーは成人の2型糖尿病のリスクを下げる。これは長い文です。")
