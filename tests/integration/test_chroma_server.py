"""Server mode against a real `chroma run` on 127.0.0.1."""

import json
from pathlib import Path

from assistant.library import Library
from assistant.settings import Settings
from tests.fakes import HashEmbedder


def test_two_clients_share_one_corpus(chroma_server: str, tmp_path: Path) -> None:
    settings = Settings(store={"server_url": chroma_server, "collection": "shared"})
    source = tmp_path / "refs.jsonl"
    source.write_text(
        json.dumps({"title": "Speculative decoding", "abstract": "A draft model proposes tokens."})
        + "\n"
        + json.dumps({"title": "Quantised attention", "abstract": "Keys are stored in int8."})
        + "\n"
    )
    first = Library(settings, embedder=HashEmbedder())
    assert first.ingest([source]).added == 2
    assert first.location == chroma_server

    second = Library(settings, embedder=HashEmbedder())
    assert {p.title for p in second.papers()} == {"Speculative decoding", "Quantised attention"}
    hits = second.search("draft model proposes tokens")
    assert hits[0].paper.title == "Speculative decoding"
    assert [h.paper.title for h in second.search("int8 keys", mode="lexical")] == [
        "Quantised attention"
    ]
    assert second.ingest([source]).unchanged == 2
