"""Conversations kept in the workspace (``<workspace>/app.sqlite``).

Why SQLite: a conversation grows one answer at a time, several browser tabs (and several
users of a shared workspace) append at once, and a reload must find every answer that
was shown.  SQLite gives atomic appends and concurrent readers without a server; each
write is one short transaction, so a crash loses at most the answer being written.

Each turn stores the answer as the JSON of ``python -m qa --json`` (citations included),
so a restored conversation shows the same answer and the same cards even after the
knowledge base changed.  Nothing here knows about Streamlit.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import UserError

DB_NAME = "app.sqlite"
DEFAULT_TITLE = "新对话"
MAX_TITLE = 60

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    renamed INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    kb TEXT NOT NULL,
    result TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);
CREATE INDEX IF NOT EXISTS conversations_updated ON conversations(updated DESC);
"""


class ConversationError(UserError):
    """A conversation operation the user asked for cannot be done (bad title, unknown id)."""


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    title: str
    created: float
    updated: float
    turns: int = 0


@dataclass(frozen=True, slots=True)
class StoredTurn:
    seq: int
    kb: str
    result: dict[str, Any]  # AnswerResult.to_json()
    created: float


def clean_title(title: str) -> str:
    """A one-line title of at most :data:`MAX_TITLE` characters; raises on an empty one."""
    one_line = " ".join((title or "").split())
    if not one_line:
        raise ConversationError("对话名称不能为空")
    return one_line[:MAX_TITLE]


def title_from_question(question: str, limit: int = 24) -> str:
    """The automatic title: the first question, cut at ``limit`` characters."""
    one_line = " ".join((question or "").split())
    if not one_line:
        return DEFAULT_TITLE
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def is_conversation_id(value: object) -> bool:
    """True for the shape of id this store hands out (a query parameter is user input)."""
    if not isinstance(value, str) or len(value) != 32:
        return False
    try:
        return uuid.UUID(hex=value).hex == value
    except ValueError:
        return False


class ConversationStore:
    """Conversations and their turns in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @classmethod
    def for_workspace(cls, workspace: Path) -> ConversationStore:
        return cls(Path(workspace) / DB_NAME)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA journal_mode = WAL")
            with db:  # one transaction: committed on success, rolled back on error
                yield db
        finally:
            db.close()

    # ------------------------------------------------------------------ conversations
    def create(self, title: str = DEFAULT_TITLE) -> Conversation:
        now = time.time()
        conv = Conversation(uuid.uuid4().hex, clean_title(title), now, now)
        with self._connect() as db:
            db.execute(
                "INSERT INTO conversations (id, title, created, updated) VALUES (?, ?, ?, ?)",
                (conv.id, conv.title, conv.created, conv.updated),
            )
        return conv

    def list(self, limit: int = 200) -> list[Conversation]:
        """Most recently used first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT c.id, c.title, c.created, c.updated, COUNT(t.seq) FROM conversations c"
                " LEFT JOIN turns t ON t.conversation_id = c.id"
                " GROUP BY c.id ORDER BY c.updated DESC, c.created DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [Conversation(*r) for r in rows]

    def get(self, conversation_id: str) -> Conversation | None:
        if not is_conversation_id(conversation_id):
            return None
        with self._connect() as db:
            row = db.execute(
                "SELECT c.id, c.title, c.created, c.updated, COUNT(t.seq) FROM conversations c"
                " LEFT JOIN turns t ON t.conversation_id = c.id WHERE c.id = ? GROUP BY c.id",
                (conversation_id,),
            ).fetchone()
        return Conversation(*row) if row else None

    def rename(self, conversation_id: str, title: str) -> None:
        title = clean_title(title)
        with self._connect() as db:
            cur = db.execute(
                "UPDATE conversations SET title = ?, renamed = 1 WHERE id = ?",
                (title, conversation_id),
            )
        if cur.rowcount == 0:
            raise ConversationError("对话不存在（可能已被删除）")

    def delete(self, conversation_id: str) -> bool:
        """Delete a conversation and its turns; False when it did not exist."""
        with self._connect() as db:
            cur = db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
        return cur.rowcount > 0

    # ------------------------------------------------------------------ turns
    def add_turn(self, conversation_id: str, kb: str, result: dict[str, Any]) -> int:
        """Append an answer; the first question names a conversation the user has not
        renamed.  Returns the turn's position (from 0)."""
        body = json.dumps(result, ensure_ascii=False)
        now = time.time()
        with self._connect() as db:
            row = db.execute(
                "SELECT renamed, (SELECT COALESCE(MAX(seq) + 1, 0) FROM turns"
                " WHERE conversation_id = ?) FROM conversations WHERE id = ?",
                (conversation_id, conversation_id),
            ).fetchone()
            if row is None:
                raise ConversationError("对话不存在（可能已被删除）")
            renamed, seq = int(row[0]), int(row[1])
            db.execute(
                "INSERT INTO turns (conversation_id, seq, kb, result, created)"
                " VALUES (?, ?, ?, ?, ?)",
                (conversation_id, seq, kb, body, now),
            )
            if seq == 0 and not renamed:
                title = title_from_question(str(result.get("question", "")))
                db.execute(
                    "UPDATE conversations SET title = ?, updated = ? WHERE id = ?",
                    (title, now, conversation_id),
                )
            else:
                db.execute(
                    "UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id)
                )
        return seq

    def turns(self, conversation_id: str) -> list[StoredTurn]:
        """The conversation's answers in order; a row that no longer parses is skipped
        (and logged by the caller's absence of it) rather than failing the whole list."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT seq, kb, result, created FROM turns WHERE conversation_id = ? ORDER BY seq",
                (conversation_id,),
            ).fetchall()
        out: list[StoredTurn] = []
        for seq, kb, body, created in rows:
            try:
                data = json.loads(body)
            except ValueError:
                continue
            if isinstance(data, dict):
                out.append(StoredTurn(int(seq), str(kb), data, float(created)))
        return out

    def export(self, conversation_id: str) -> dict[str, Any]:
        """The whole conversation as one JSON-ready object (the JSON download)."""
        conv = self.get(conversation_id)
        if conv is None:
            raise ConversationError("对话不存在（可能已被删除）")
        return {
            "id": conv.id,
            "title": conv.title,
            "created": _iso(conv.created),
            "updated": _iso(conv.updated),
            "turns": [
                {"kb": t.kb, "created": _iso(t.created), **t.result}
                for t in self.turns(conversation_id)
            ],
        }


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(ts))
