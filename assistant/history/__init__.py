"""The history: every answer, draft and summary, written as it happens (SQLite under the store).

A session is a conversation: one or more entries (an answer, a draft or a summary each). An entry
is written before the model is called (status "running", with the query and options), its text
is rewritten as it streams (``tasks.recording`` does it as the events pass), and it is
finalised at the end: sources and scores, prompt template version, backend and
model, tokens, output, cited sentences, invalid citations, status. So a terminal killed midway
loses nothing already typed or shown: the entry stays "running", and the next ``History`` opened
on the file marks it "incomplete" (``mark_interrupted``), its partial text kept.

The file is ``<store>/history.sqlite3`` for a local store, and for a shared Chroma server one file
per server and collection in the user's cache directory. WAL mode lets a reader (``citewise
history``) and a writer (a streaming answer) work at once. Nothing here sees the settings, so no
API key can reach the file; error messages come from the llm layer, which scrubs keys.
"""

from assistant.history.database import (
    FILE_NAME,
    INTERRUPTED,
    SCHEMA_VERSION,
    STOPPED,
    History,
    history_path,
)
from assistant.history.rows import EntryRow, SessionRow, SourceRecord, source_records

__all__ = [
    "FILE_NAME",
    "INTERRUPTED",
    "SCHEMA_VERSION",
    "STOPPED",
    "EntryRow",
    "History",
    "SessionRow",
    "SourceRecord",
    "history_path",
    "source_records",
]
