"""Content-based clause ids: the same clause gets the same id however often it is segmented.

A clause id is ``"{doc_id}:{h}"`` where ``h`` is 10 hex digits of a hash of what the clause
*is* — its number, the numbers of its ancestors, its title and its text (NFKC, whitespace
removed) — not of where it sits.  Why: URLs (``?clause=``), citations kept in saved
conversations, eval outputs and the index's vector ids all hold clause ids.  The earlier
positional ids (``"{doc_id}:{seq:05d}"``) moved for every clause after one inserted early
in a document; content ids move only for the clause whose content changed.

Guarantees (tested in ``tests/test_clause_ids.py``):

* re-segmenting unchanged text gives identical ids;
* editing one clause changes that clause's id only (not its neighbours');
* ids are unique within a document: clauses with the same number, title and text (rare:
  repeated boilerplate) are told apart by their occurrence among those equal clauses, in
  document order, which is deterministic too.

Document order is the explicit ``Clause.seq`` field; nothing may parse an id for it.  The
``doc_id:`` prefix stays, so an id still names its document.

Ids from stores written before this scheme (positional, :func:`is_legacy_id`) are migrated
by the next index sync or ``ingest --resegment``; the old id is kept on the clause as
``extra["legacy_id"]`` so that an old link (``?clause=<doc>:00005``) still resolves
(:func:`find_clause`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence

from grammar.schema import Clause

ID_HEX = 10  # 40 bits: collisions inside one document are resolved below anyway
ID_SCHEME = 2  # 1: positional "doc:00042"; 2: content hash (this module)
LEGACY_KEY = "legacy_id"  # Clause.extra key holding the positional id a clause had

_LEGACY = re.compile(r"\d{5}")
_SPACE = re.compile(r"\s+")
_NTH = "\x1e"  # separates a repeated content key from its occurrence number
_SALT = "\x1d"  # separates a colliding basis from its salt


def is_legacy_id(clause_id: str) -> bool:
    """True for a positional id of the first scheme (``"3f9c…:00042"``)."""
    _, sep, tail = clause_id.rpartition(":")
    return bool(sep) and _LEGACY.fullmatch(tail) is not None


def _norm(text: str) -> str:
    """What an id depends on: NFKC, no whitespace (a reflowed line keeps its id; the
    index's per-clause digest still sees the exact text)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def content_key(clause: Clause) -> str:
    """The content an id is a hash of: ancestors' numbers, number, title, text.  Ancestor
    *titles* are left out so retitling a chapter does not move the ids under it."""
    path = "/".join(_norm(h.no) for h in clause.heading_path)
    return "\x1f".join(
        (path, _norm(clause.clause_no), _norm(clause.clause_title), _norm(clause.text))
    )


def _hash(basis: str) -> str:
    return hashlib.blake2b(basis.encode("utf-8"), digest_size=8).hexdigest()[:ID_HEX]


def assign_clause_ids(clauses: Sequence[Clause]) -> None:
    """Give every clause its content id, in place.  ``clauses`` must be in document order
    (the order decides which of several equal clauses is the first)."""
    seen: dict[tuple[str, str], int] = {}
    used: set[str] = set()
    for c in clauses:
        key = content_key(c)
        n = seen.get((c.doc_id, key), 0)
        seen[(c.doc_id, key)] = n + 1
        basis = key if n == 0 else f"{key}{_NTH}{n}"
        cid = f"{c.doc_id}:{_hash(basis)}"
        salt = 0
        while cid in used:  # two different contents with one short hash: astronomically rare
            salt += 1
            cid = c.doc_id + ":" + _hash(f"{basis}{_SALT}{salt}")
        used.add(cid)
        c.clause_id = cid


def _occurrences(clauses: Iterable[Clause]) -> dict[tuple[str, str, int], Clause]:
    out: dict[tuple[str, str, int], Clause] = {}
    count: dict[tuple[str, str], int] = {}
    for c in clauses:
        key = (c.doc_id, content_key(c))
        n = count.get(key, 0)
        count[key] = n + 1
        out[(*key, n)] = c
    return out


def carry_legacy_ids(old: Iterable[Clause], new: Sequence[Clause]) -> int:
    """Record on each clause of ``new`` the positional id the same clause had in ``old``
    (the source's previous clauses), or the one it inherited; returns how many carry one.

    "The same clause" is the same document, content key and occurrence — what its content
    id is made of — so an edited clause loses its old id (its old link then says the
    clause is no longer in the document, rather than showing a different text)."""
    before = _occurrences(old)
    carried = 0
    for key, c in _occurrences(new).items():
        prev = before.get(key)
        if prev is None:
            continue
        legacy = prev.extra.get(LEGACY_KEY) or (
            prev.clause_id if is_legacy_id(prev.clause_id) else None
        )
        if legacy:
            c.extra[LEGACY_KEY] = legacy
            carried += 1
    return carried


def find_clause(clauses: Sequence[Clause], clause_id: str | None) -> Clause | None:
    """The clause ``clause_id`` names in ``clauses``: by its id, else (an old link) by the
    positional id it had before ids became content-based; None when neither matches."""
    if not clause_id:
        return None
    for c in clauses:
        if c.clause_id == clause_id:
            return c
    if is_legacy_id(clause_id):
        for c in clauses:
            if c.extra.get(LEGACY_KEY) == clause_id:
                return c
    return None


__all__ = [
    "ID_SCHEME",
    "LEGACY_KEY",
    "assign_clause_ids",
    "carry_legacy_ids",
    "content_key",
    "find_clause",
    "is_legacy_id",
]
