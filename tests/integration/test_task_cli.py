"""ask, draft, summarize, history and doctor end to end: the real openai client against the test
server on 127.0.0.1 (tests/openai_server.py), real Chroma files, the fast test embedding."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant import cli
from assistant.history import INTERRUPTED, EntryRow, History, history_path
from assistant.results import EVIDENCE_LABEL
from assistant.settings import Settings
from tests.cli_corpus import ingest_records
from tests.openai_server import OpenAIServer, Reply

KEY = "sk-cli-test-key-never-stored-91"
ROOT = Path(__file__).resolve().parents[2]
RECORDS = [
    {
        "title": "Speculative decoding with draft models",
        "abstract": "A small draft model proposes tokens. The large model verifies them in "
        "parallel, so decoding is faster.",
        "year": 2023,
        "doi": "10.1000/spec",
        "citation_key": "leviathan2023spec",
    },
    {
        "title": "Key-value cache quantisation",
        "abstract": "Keys and values are stored in four bits. Memory falls with little loss.",
        "year": 2024,
    },
    {
        "title": "Routing tokens in mixture of experts",
        "abstract": "Experts are chosen per token by a learned router. The router balances the "
        "load across experts with an auxiliary loss.",
        "year": 2022,
    },
]
QUESTION = "how do draft models speed up decoding?"


@pytest.fixture(autouse=True)
def corpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ingest_records(tmp_path, monkeypatch, RECORDS)
    capsys.readouterr()


@pytest.fixture
def llm(openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch) -> OpenAIServer:
    """citewise pointed at the test server by the standard variables, with a key."""
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    return openai_server


def history() -> History:
    return History.for_store(Settings().store)


def last_entry() -> EntryRow:
    with history() as h:
        return h.entries(h.sessions()[0].id)[-1]


def numbered(stdout: str) -> dict[int, str]:
    """The sources listed after the text: number -> title."""
    return {int(n): t for n, t in re.findall(r"^\s*\[(\d+)\] (.+?) \(\d{4}\)", stdout, re.M)}


def assert_no_key_stored() -> None:
    files = list(history_path(Settings().store).parent.glob("history.sqlite3*"))
    assert files and all(KEY.encode() not in f.read_bytes() for f in files)


def test_ask_streams_the_answer_lists_sources_and_records_everything(
    llm: OpenAIServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[str] = []
    real_write = sys.stdout.write

    def write(text: str) -> int:
        writes.append(text)
        return real_write(text)

    monkeypatch.setattr(sys.stdout, "write", write)
    llm.enqueue(Reply(text="A draft model proposes tokens [1]. The large model verifies them [1]."))
    assert cli.main(["ask", QUESTION]) == 0
    captured = capsys.readouterr()
    assert "A draft model proposes tokens [1]. The large model verifies them [1].\n" in captured.out
    assert len([w for w in writes if "draft" in w or "verifies" in w]) >= 2  # piece by piece
    sources = numbered(captured.out)
    assert sources[1] == "Speculative decoding with draft models"
    assert "Tokens:" in captured.err and "Saved in the history: entry 1" in captured.err

    entry = last_entry()
    assert entry.status == "complete" and entry.query == QUESTION and entry.kind == "answer"
    assert entry.backend == "openai" and entry.model == "test-model" and entry.mode == "llm"
    assert entry.prompt_tokens > 0 and entry.completion_tokens > 0
    assert entry.prompt_version.startswith("system@") and "answer@" in entry.prompt_version
    assert [s.citations for s in entry.sentences] == [[1], [1]]
    assert entry.sources[0].title == sources[1] and entry.sources[0].year == 2023
    assert llm.chat_requests()[0].headers["authorization"] == f"Bearer {KEY}"
    assert_no_key_stored()


def test_a_citation_to_no_given_source_is_removed_warned_and_recorded(
    llm: OpenAIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    llm.enqueue(Reply(text="Draft models propose tokens [1][9]."))
    assert cli.main(["ask", QUESTION]) == 0
    captured = capsys.readouterr()
    assert "Draft models propose tokens [1]." in captured.out and "[9]" not in captured.out
    assert "Removed 1 citation(s) to sources that were not given: [9]" in captured.err
    assert last_entry().invalid_citations == ["[9]"]


def test_a_429_is_retried_then_the_answer_arrives(
    llm: OpenAIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    llm.enqueue(Reply(status=429, headers={"retry-after": "0"}), Reply(text="Fine now [1]."))
    assert cli.main(["ask", QUESTION]) == 0
    assert "Fine now [1]." in capsys.readouterr().out
    assert len(llm.chat_requests()) == 2 and last_entry().status == "complete"


def test_a_500_mid_stream_keeps_the_partial_answer_as_incomplete(
    llm: OpenAIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "Draft models propose several tokens at once [1] and the target model checks them."
    llm.enqueue(Reply(text=text, stream_cut_after=6, cut="error"))
    assert cli.main(["ask", QUESTION]) == 1
    captured = capsys.readouterr()
    assert "Draft models propose several tokens at" in captured.out
    assert "Incomplete" in captured.err and "stopped after" in captured.err
    entry = last_entry()
    assert entry.status == "incomplete" and entry.text.startswith("Draft models propose")
    assert "what arrived is kept" in (entry.error or "")


def test_a_timeout_is_a_clear_error_and_the_question_stays_in_history(
    llm: OpenAIServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITEWISE_LLM__TIMEOUT_S", "0.5")
    monkeypatch.setenv("CITEWISE_LLM__MAX_RETRIES", "0")
    llm.enqueue(Reply(text="too late", delay_s=3))
    assert cli.main(["ask", QUESTION]) == 1
    err = capsys.readouterr().err
    assert "Language model:" in err and "did not answer within 0.5 s" in err
    assert "Traceback" not in err
    entry = last_entry()
    assert entry.status == "failed" and entry.query == QUESTION
    assert "did not answer" in (entry.error or "") and entry.sources


def test_a_rejected_key_fails_without_the_key_anywhere(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with OpenAIServer(api_key="sk-the-right-one") as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        monkeypatch.setenv("CITEWISE_LLM__MODEL", "test-model")
        assert cli.main(["ask", QUESTION]) == 1
    captured = capsys.readouterr()
    assert "rejected the API key" in captured.err and KEY not in captured.out + captured.err
    assert last_entry().status == "failed"
    assert_no_key_stored()


def test_malformed_structured_output_still_reads_as_cited_prose(
    llm: OpenAIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = (
        '{"paragraphs": [{"sentences": [{"text": "Draft models propose tokens.", '
        '"citations": [1, 7]}, {"text": "The large model verif'
    )
    llm.enqueue(Reply(text=raw))
    cli.main(["ask", QUESTION])
    captured = capsys.readouterr()
    assert "Draft models propose tokens [1]. The large model verif" in captured.out
    assert "{" not in captured.out and '"citations"' not in captured.out
    assert "response_format" in llm.chat_requests()[0].body
    entry = last_entry()
    assert entry.sentences[0].citations == [1] and entry.invalid_citations == ["[7]"]


def test_evidence_mode_without_an_llm(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["ask", QUESTION]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(EVIDENCE_LABEL)
    banner = [line for line in captured.err.splitlines() if "No language model" in line]
    assert len(banner) == 1 and "OPENAI_BASE_URL=" in banner[0] and "citewise doctor" in banner[0]
    entry = last_entry()
    assert entry.mode == "evidence" and entry.status == "complete" and entry.sentences
    assert all(s.citations for s in entry.sentences)
    assert entry.prompt_tokens == entry.completion_tokens == 0 and "Tokens:" not in captured.err


def test_check_flag_reports_a_verdict_per_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["ask", QUESTION, "--check"]) == 0
    err = capsys.readouterr().err
    assert "Citation check" in err
    entry = last_entry()
    assert entry.sentences and entry.status == "complete"
    # Evidence-mode sentences are verbatim abstract sentences: the checker must agree.
    assert "unsupported" not in err and "contradicted" not in err


def test_draft_to_latex_writes_tex_and_bib_with_exactly_the_cited_keys(
    llm: OpenAIServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    abstract = tmp_path / "abstract.txt"
    abstract.write_text("We decode faster by letting a draft model propose tokens.")
    llm.enqueue(Reply(text="Drafting speeds decoding [1]. Routers pick experts [3]."))
    out = tmp_path / "out"
    assert (
        cli.main(["draft", "--from-abstract", str(abstract), "--format", "latex", "-o", str(out)])
        == 0
    )
    tex, bib = (tmp_path / "out.tex").read_text(), (tmp_path / "out.bib").read_text()
    cited = {key for group in re.findall(r"\\cite\{([^}]*)\}", tex) for key in group.split(",")}
    entries = set(re.findall(r"^@\w+\{([^,]+),", bib, re.M))
    assert cited == entries and len(entries) == 2
    assert (
        "letting a draft model propose tokens"
        in llm.chat_requests()[0].body["messages"][1]["content"]
    )
    assert f"Wrote {tmp_path / 'out.tex'} and {tmp_path / 'out.bib'}" in capsys.readouterr().err
    entry = last_entry()
    assert entry.kind == "draft" and entry.options["from_abstract"].startswith("We decode")
    assert entry.options["format"] == "latex"


def test_format_without_output_prints_the_document_on_stdout(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["summarize", "draft models", "--format", "md"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"*{EVIDENCE_LABEL}*") and "## References" in captured.out
    assert EVIDENCE_LABEL in captured.err  # the live text went to stderr
    assert cli.main(["draft", "x", "--format", "latex"]) == 1
    assert "give -o FILE" in capsys.readouterr().err


def test_a_follow_up_continues_the_session_and_history_shows_it(
    llm: OpenAIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    llm.enqueue(
        Reply(text="A draft model proposes tokens [1]."), Reply(text="They cost memory [2].")
    )
    cli.main(["ask", QUESTION])
    assert 'citewise ask --session 1 "..."' in capsys.readouterr().err
    assert cli.main(["ask", "--session", "1", "and what does it cost?"]) == 0
    follow_up = llm.chat_requests()[1].body["messages"][1]["content"]
    assert QUESTION in follow_up and "A draft model proposes tokens" in follow_up
    capsys.readouterr()

    assert cli.main(["history"]) == 0
    listed = capsys.readouterr().out
    assert "Session 1" in listed and QUESTION in listed
    assert listed.index("#2 ") < listed.index("#1 ") < listed.index("\n", listed.index("#1 "))
    assert re.search(r"#2 +answer +complete +and what does it cost\?", listed)  # newest first

    assert cli.main(["history", "show", "2"]) == 0
    shown = capsys.readouterr()
    assert "Question: and what does it cost?" in shown.out and "They cost memory [2]." in shown.out
    assert "Model: test-model (openai)" in shown.out and numbered(shown.out)
    assert "Tokens:" in shown.err

    assert cli.main(["history", "show", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["query"] == "and what does it cost?" and data["session_id"] == 1
    assert cli.main(["history", "--json"]) == 0
    assert [e["id"] for e in json.loads(capsys.readouterr().out)[0]["entries"]] == [2, 1]
    assert cli.main(["history", "show", "7"]) == 1
    assert "no history entry 7" in capsys.readouterr().err
    assert cli.main(["ask", "--session", "5", "q"]) == 1


def test_history_before_anything_was_asked(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["history"]) == 0
    assert "No history yet" in capsys.readouterr().out
    assert not history_path(Settings().store).exists()


def test_doctor_without_an_llm(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "LLM backend: none" in out and "OPENAI_BASE_URL=" in out


def test_doctor_with_the_test_server(llm: OpenAIServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "LLM backend: openai" in out and "(answers)" in out and "Model: test-model" in out
    assert KEY not in out
    llm.models = []
    assert cli.main(["doctor"]) == 1
    assert "lists no models" in capsys.readouterr().out


def test_killing_the_process_mid_answer_loses_nothing(llm: OpenAIServer) -> None:
    words = " ".join(f"word{i}" for i in range(60))
    llm.enqueue(Reply(text=f"Draft models help [1]. {words}.", chunk_delay_s=0.05))
    script = (
        "import sys\n"
        "from assistant import cli\n"
        "import assistant.library\n"
        "from tests.fakes import HashEmbedder\n"
        "assistant.library.make_embedder = lambda _: HashEmbedder()\n"
        "sys.exit(cli.main(sys.argv[1:]))\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, "ask", QUESTION],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    seen = b""
    while b"word20" not in seen:
        piece = process.stdout.read1(64)
        if not piece:
            pytest.fail(f"the answer stopped before it was killed: {seen!r}")
        seen += piece
    time.sleep(0.6)  # a flush interval
    process.send_signal(signal.SIGKILL)
    process.wait()
    entry = last_entry()  # opening the history marks what the dead process left running
    assert entry.status == "incomplete" and entry.error == INTERRUPTED
    assert entry.query == QUESTION and entry.text.startswith("Draft models help [1]. word0")
