"""The clause store of one knowledge base: what ingest writes and every later stage reads.

Layout of ``<workspace>/kbs/<kb>/``::

    manifest.json                 snapshot: source files in the KB, their hashes, documents
    manifest.journal              changes since the snapshot, one JSON line per commit
    clauses/<key>-<rev>.jsonl     the clauses of one source file (schema: grammar.schema)
    texts/<doc_id>-<rev>.txt      cleaned text of one document (clause offsets point here)
    texts/<key>-<rev>.lines.jsonl the extracted lines of the source ([text, page, literal]),
                                  so that ``ingest --resegment`` works without the file

Why this shape: a source file is the unit of change (re-ingesting a file replaces all of its
clauses), so each source has its own clause file.  New files are written under fresh names
first and the commit is one appended, fsynced journal line; a crash at any moment leaves
the previous state (a torn last line is ignored, and cut off by the next writer).  A
commit costs O(1) in the size of the knowledge base: the snapshot is rewritten only when
the journal has grown as long as the KB is large (amortised O(1)), not once per file.

Files a commit supersedes are *retired*, not deleted: a reader that loaded the previous
state (an ``index search`` during ``ingest --force``) can still read them; they are
deleted by a later commit once ``retire_grace`` seconds have passed.  Files no state
refers to (left by a killed writer, ``.manifest.json.*.tmp``) are swept by the first
commit of each process and on every snapshot rewrite.

Each source entry carries a ``revision`` (the store generation at which it last changed) so
the index can update incrementally without re-reading unchanged sources.  A damaged clause
file (truncated by a crash outside our atomic writes, a full disk, a hand edit) is named,
skipped by readers, and repaired by the next plain ``ingest`` of its source.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import UserError
from grammar.schema import SCHEMA_VERSION, Clause, DocumentInfo
from ingest.atomic import (
    dir_lock,
    write_bytes_atomic,
    write_json_atomic,
    write_jsonl_atomic,
    write_text_atomic,
)
from ingest.clause_ids import ID_SCHEME, assign_clause_ids, carry_legacy_ids, is_legacy_id
from ingest.readers.base import Line

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
# Key in a source's ``text_files`` for its extracted lines (no document id looks like it).
LINES_KEY = "@lines"
JOURNAL = "manifest.journal"
RETIRE_GRACE = 300.0  # seconds a superseded file stays readable for concurrent readers
COMPACT_MIN = 256  # journal lines before a snapshot rewrite is considered


class StoreError(UserError, RuntimeError):
    """The store on disk cannot be read (corrupt manifest, newer schema)."""


class DamagedSource(StoreError):
    """One source's clause or text file is missing or unreadable; the rest of the KB is
    fine.  ``source`` names it; re-ingesting it repairs the store."""

    def __init__(self, source: str, path: Path, detail: str) -> None:
        super().__init__(
            f"条款文件损坏：{path.name}（来源 {source}；{detail}）；"
            f"重新导入该文件即可修复：python -m ingest {source!r}"
        )
        self.source = source
        self.path = path


@dataclass(slots=True)
class SourceEntry:
    """One ingested source file and what it produced."""

    source: str
    sha256: str
    size: int
    fmt: str
    revision: int
    ingested_at: float
    clause_file: str
    documents: list[DocumentInfo] = field(default_factory=list)
    text_files: dict[str, str] = field(default_factory=dict)
    # Which clause-id scheme the clause file uses (ingest.clause_ids): entries written
    # before content ids carry no such key and read as 1 (positional ids, to migrate).
    id_scheme: int = 1

    @property
    def clause_count(self) -> int:
        return sum(d.clause_count for d in self.documents)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "sha256": self.sha256,
            "size": self.size,
            "fmt": self.fmt,
            "revision": self.revision,
            "ingested_at": self.ingested_at,
            "clause_file": self.clause_file,
            "documents": [d.to_dict() for d in self.documents],
            "text_files": self.text_files,
            "id_scheme": self.id_scheme,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SourceEntry:
        return cls(
            source=d["source"],
            sha256=d["sha256"],
            size=int(d.get("size", 0)),
            fmt=d.get("fmt", ""),
            revision=int(d.get("revision", 0)),
            ingested_at=float(d.get("ingested_at", 0.0)),
            clause_file=d["clause_file"],
            documents=[DocumentInfo.from_dict(x) for x in d.get("documents", [])],
            text_files=dict(d.get("text_files", {})),
            id_scheme=int(d.get("id_scheme", 1)),
        )


def sha256_file(path: Path) -> str:
    """Content hash of a file, streamed (files can be large PDFs)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def source_key(source: str) -> str:
    """Short stable key for a source path, used in file names."""
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:16]


def _empty_manifest() -> dict[str, Any]:
    return {"schema": SCHEMA_VERSION, "generation": 0, "sources": {}, "retired": []}


def _apply(manifest: dict[str, Any], record: dict[str, Any]) -> None:
    """Apply one journal record to a manifest (in place)."""
    if "put" in record:
        entry = record["put"]
        manifest["sources"][entry["source"]] = entry
    if "del" in record:
        manifest["sources"].pop(record["del"], None)
    retired = manifest.setdefault("retired", [])
    retired.extend([name, record.get("t", 0.0)] for name in record.get("retire", ()))
    swept = set(record.get("swept", ()))
    if swept:
        retired[:] = [r for r in retired if r[0] not in swept]
    manifest["generation"] = int(record["g"])


def _stat_key(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class ClauseStore:
    """Read and atomically update the clause store of one knowledge base."""

    def __init__(self, root: Path, *, retire_grace: float = RETIRE_GRACE) -> None:
        self.root = root
        self.retire_grace = retire_grace
        self._manifest: dict[str, Any] | None = None
        self._base_key: tuple[int, int, int] | None = None
        self._journal_offset = 0  # bytes of the journal applied to _manifest
        self._journal_lines = 0
        self._snapshot_sources = 0  # sources in manifest.json when it was last read/written
        self._orphans_swept = False
        self.damaged: dict[str, str] = {}  # source -> reason, found by the last read

    # ----------------------------------------------------------------- reading
    @property
    def exists(self) -> bool:
        return (self.root / MANIFEST).is_file() or (self.root / JOURNAL).is_file()

    def _read_base(self) -> dict[str, Any]:
        path = self.root / MANIFEST
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _empty_manifest()
        except (OSError, UnicodeDecodeError) as exc:
            raise StoreError(f"知识库清单无法读取：{path}（{exc}）") from exc
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or not isinstance(data.get("sources", {}), dict):
                raise ValueError("结构不对")
        except ValueError as exc:
            raise StoreError(f"知识库清单损坏：{path}（{exc}）") from exc
        if int(data.get("schema", 0)) > SCHEMA_VERSION:
            raise StoreError(
                f"知识库 {self.root} 由更新版本写入（schema {data.get('schema')}），请升级本程序"
            )
        data.setdefault("sources", {})
        data.setdefault("retired", [])
        data.setdefault("generation", 0)
        return data

    def _replay(self, manifest: dict[str, Any], offset: int) -> tuple[int, int, bool]:
        """Apply journal records from byte ``offset``; returns (new offset, lines applied,
        torn tail seen).  A record that does not parse ends the replay: it can only be the
        last, half-written line of a killed writer."""
        path = self.root / JOURNAL
        try:
            with open(path, "rb") as fh:
                fh.seek(offset)
                data = fh.read()
        except FileNotFoundError:
            return 0, 0, False
        lines = 0
        pos = 0
        base_gen = int(manifest.get("generation", 0))
        while pos < len(data):
            nl = data.find(b"\n", pos)
            if nl == -1:
                return offset + pos, lines, True
            try:
                record = json.loads(data[pos:nl])
                gen = int(record["g"])
            except (ValueError, KeyError, TypeError):
                return offset + pos, lines, True
            if gen > base_gen:
                _apply(manifest, record)
                base_gen = gen
            lines += 1
            pos = nl + 1
        return offset + pos, lines, False

    def _refresh(self) -> bool:
        """Bring the cached manifest up to date with disk, reading only what changed.
        Returns whether a torn journal tail was seen."""
        for _ in range(5):
            base_key = _stat_key(self.root / MANIFEST)
            journal_size = (_stat_key(self.root / JOURNAL) or (0, 0, 0))[2]
            incremental = (
                self._manifest is not None
                and base_key == self._base_key
                and journal_size >= self._journal_offset
            )
            if not incremental:
                manifest = self._read_base()
                self._snapshot_sources = len(manifest["sources"])
                offset, lines, torn = self._replay(manifest, 0)
            else:
                assert self._manifest is not None
                manifest = self._manifest
                offset, lines, torn = self._replay(manifest, self._journal_offset)
                lines += self._journal_lines
            if _stat_key(self.root / MANIFEST) != base_key:
                continue  # a snapshot rewrite raced us: read again
            self._manifest, self._base_key = manifest, base_key
            self._journal_offset, self._journal_lines = offset, lines
            return torn
        raise StoreError(f"知识库 {self.root} 正被频繁改写，暂时无法读取，请稍后再试")

    def _load_manifest(self) -> dict[str, Any]:
        self._refresh()
        assert self._manifest is not None
        return self._manifest

    def reload(self) -> None:
        """Re-read what another process may have written (cheap: only the new journal
        lines are read unless the snapshot was rewritten)."""
        self._refresh()

    @property
    def manifest(self) -> dict[str, Any]:
        if self._manifest is None:
            self._refresh()
        assert self._manifest is not None
        return self._manifest

    @property
    def generation(self) -> int:
        """Increments on every change; lets readers notice staleness cheaply."""
        return int(self.manifest.get("generation", 0))

    def sources(self) -> dict[str, SourceEntry]:
        return {k: SourceEntry.from_dict(v) for k, v in self.manifest["sources"].items()}

    def entry(self, source: str) -> SourceEntry | None:
        raw = self.manifest["sources"].get(source)
        return SourceEntry.from_dict(raw) if raw else None

    def documents(self) -> list[DocumentInfo]:
        """Every document in the KB, in source order."""
        return [d for e in self.sources().values() for d in e.documents]

    def find_sha(self, sha256: str) -> str | None:
        """Source path already ingested with this content hash, if any."""
        for src, raw in self.manifest["sources"].items():
            if raw.get("sha256") == sha256:
                return src
        return None

    def read_source_clauses(self, entry: SourceEntry) -> list[Clause]:
        """Clauses of one source, in document order.  Raises :class:`DamagedSource`
        naming the source when its clause file is missing, truncated or garbage."""
        path = self.root / "clauses" / entry.clause_file
        out: list[Clause] = []
        try:
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        out.append(Clause.from_dict(json.loads(line)))
        except FileNotFoundError as exc:
            raise DamagedSource(entry.source, path, "文件缺失") from exc
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise DamagedSource(
                entry.source, path, f"内容不完整或损坏：{type(exc).__name__}"
            ) from exc
        if len(out) != entry.clause_count:
            raise DamagedSource(
                entry.source, path, f"应有 {entry.clause_count} 个条款，实有 {len(out)} 个"
            )
        return out

    def verify(self, entry: SourceEntry) -> str | None:
        """Why ``entry``'s stored files are unusable, or None when they are sound."""
        try:
            self.read_source_clauses(entry)
        except DamagedSource as exc:
            return str(exc)
        for name in entry.text_files.values():
            if not (self.root / "texts" / name).is_file():
                return f"正文文件缺失：{name}"
        return None

    def iter_clauses(self, doc_ids: Iterable[str] | None = None) -> Iterator[Clause]:
        """All clauses of the KB (optionally of some documents), in document order.

        A damaged source is skipped with a warning naming it (and listed in
        :attr:`damaged`): one bad file must not make the whole knowledge base unusable."""
        wanted = set(doc_ids) if doc_ids is not None else None
        self.damaged = {}
        for entry in self.sources().values():
            if wanted is not None and not any(d.doc_id in wanted for d in entry.documents):
                continue
            try:
                clauses = self.read_source_clauses(entry)
            except DamagedSource as exc:
                self.damaged[entry.source] = str(exc)
                log.warning("%s", exc)
                continue
            for c in clauses:
                if wanted is None or c.doc_id in wanted:
                    yield c

    def source_lines(self, entry: SourceEntry) -> list[Line] | None:
        """The extracted lines kept for a source (None in stores written before)."""
        name = entry.text_files.get(LINES_KEY)
        if not name:
            return None
        out: list[Line] = []
        with open(self.root / "texts" / name, encoding="utf-8") as fh:
            for row in fh:
                if row.strip():
                    text, page, literal = [*json.loads(row), None, False][:3]
                    out.append(Line(text, page, bool(literal)))
        return out

    def doc_text(self, doc_id: str) -> str:
        """Cleaned full text of a document (what clause offsets refer to)."""
        for entry in self.sources().values():
            name = entry.text_files.get(doc_id)
            if name:
                path = self.root / "texts" / name
                try:
                    return path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise DamagedSource(entry.source, path, type(exc).__name__) from exc
        raise KeyError(doc_id)

    # ----------------------------------------------------------------- writing
    @contextlib.contextmanager
    def _writing(self) -> Iterator[dict[str, Any]]:
        """Exclusive write access with the current manifest; a torn journal tail left by
        a killed writer is cut off first, so the next record starts on a line of its own."""
        with dir_lock(self.root):
            torn = self._refresh()
            if torn:
                with open(self.root / JOURNAL, "r+b") as fh:
                    fh.truncate(self._journal_offset)
                    fh.flush()
                    os.fsync(fh.fileno())
                log.warning("discarded a half-written journal record in %s", self.root)
            if not self._orphans_swept:
                self._sweep_orphans()
                self._orphans_swept = True
            assert self._manifest is not None
            yield self._manifest

    def _commit(self, manifest: dict[str, Any], record: dict[str, Any]) -> None:
        """Append one record (O(1) in the KB size), apply it, delete retired files whose
        grace has passed, and rewrite the snapshot when the journal has grown long."""
        now = time.time()
        record["g"] = int(manifest.get("generation", 0)) + 1
        record["t"] = now
        due = [
            name for name, t in manifest.get("retired", []) if now - float(t) >= self.retire_grace
        ]
        if self.retire_grace <= 0:  # no concurrent readers to protect (tests, tools)
            due += record.get("retire", [])
        if due:
            record["swept"] = due
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        _append_journal(self.root / JOURNAL, line)
        _apply(manifest, record)
        self._journal_offset += len(line)
        self._journal_lines += 1
        for name in due:
            with contextlib.suppress(FileNotFoundError):
                (self.root / name).unlink()
        # Rewrite the snapshot once the journal is as long as the snapshot is large: the
        # O(n) rewrite then happens every ~n commits, amortised O(1) per commit.
        if self._journal_lines >= max(COMPACT_MIN, self._snapshot_sources):
            self.compact()

    def compact(self) -> None:
        """Rewrite the snapshot from the current state and empty the journal (caller
        holds the lock).  A crash between the two steps is harmless: journal records
        at or below the snapshot's generation are skipped on replay."""
        manifest = self.manifest
        manifest["schema"] = SCHEMA_VERSION
        write_json_atomic(self.root / MANIFEST, manifest)
        write_bytes_atomic(self.root / JOURNAL, b"")
        self._base_key = _stat_key(self.root / MANIFEST)
        self._journal_offset = 0
        self._journal_lines = 0
        self._snapshot_sources = len(manifest["sources"])
        self._sweep_orphans()

    def _next_rev(self) -> int:
        return int(self.manifest.get("generation", 0)) + 1

    def replace_source(
        self,
        source: str,
        *,
        sha256: str,
        size: int,
        fmt: str,
        documents: list[DocumentInfo],
        clauses: list[Clause],
        texts: dict[str, str],
        lines: list[Line] | None = None,
    ) -> SourceEntry:
        """Store (or replace) everything one source file produced, atomically.

        The new clause and text files are written first under fresh names; only then is the
        commit record appended.  If anything fails before that, the store is unchanged.
        """
        with self._writing() as manifest:
            old = manifest["sources"].get(source)
            self._carry_legacy_ids(old, clauses)
            rev = self._next_rev()
            key = source_key(source)
            clause_file = f"{key}-{rev}.jsonl"
            write_jsonl_atomic(self.root / "clauses" / clause_file, [c.to_dict() for c in clauses])
            text_files: dict[str, str] = {}
            for doc_id, text in texts.items():
                name = f"{doc_id}-{rev}.txt"
                write_text_atomic(self.root / "texts" / name, text)
                text_files[doc_id] = name
            if lines:
                name = f"{key}-{rev}.lines.jsonl"
                write_jsonl_atomic(
                    self.root / "texts" / name, [[ln.text, ln.page, ln.literal] for ln in lines]
                )
                text_files[LINES_KEY] = name
            entry = SourceEntry(
                source=source,
                sha256=sha256,
                size=size,
                fmt=fmt,
                revision=rev,
                ingested_at=time.time(),
                clause_file=clause_file,
                documents=documents,
                text_files=text_files,
                id_scheme=_scheme_of(clauses),
            )
            self._commit(manifest, {"put": entry.to_dict(), "retire": _files_of(old)})
            return entry

    def _carry_legacy_ids(self, old: dict[str, Any] | None, clauses: list[Clause]) -> None:
        """Keep, on the new clauses, the positional ids their unchanged predecessors had
        or inherited (an old ``?clause=`` link still finds them).  Reads this one source's
        previous clause file: O(source), not O(knowledge base)."""
        if not old:
            return
        entry = SourceEntry.from_dict(old)
        try:
            before = self.read_source_clauses(entry)
        except DamagedSource:
            return  # being repaired: its old links cannot be told apart from new ones
        carry_legacy_ids(before, clauses)

    def migrate_clause_ids(self) -> int:
        """Give the clauses of every source stored with positional ids (before content ids,
        :mod:`ingest.clause_ids`) their content ids, keeping each old id on its clause as
        ``extra["legacy_id"]``; returns the number of sources migrated.

        Only the clause file is rewritten (one commit per source, the texts are kept), and
        the source's revision moves, so the next index sync re-adds it — from the embedding
        cache, the texts being unchanged.  A damaged source is left for ingest to repair."""
        todo = [e for e in self.sources().values() if e.id_scheme < ID_SCHEME]
        done = 0
        for stale in todo:
            with self._writing() as manifest:
                raw = manifest["sources"].get(stale.source)
                if raw is None:
                    continue
                entry = SourceEntry.from_dict(raw)
                if entry.id_scheme >= ID_SCHEME:
                    continue  # another writer migrated it meanwhile
                try:
                    clauses = self.read_source_clauses(entry)
                except DamagedSource as exc:
                    log.warning("%s", exc)
                    continue
                before = [Clause.from_dict(c.to_dict()) for c in clauses]
                assign_clause_ids(clauses)  # stored in document order
                carry_legacy_ids(before, clauses)
                rev = self._next_rev()
                entry.clause_file = f"{source_key(entry.source)}-{rev}.jsonl"
                write_jsonl_atomic(
                    self.root / "clauses" / entry.clause_file, [c.to_dict() for c in clauses]
                )
                entry.revision = rev
                entry.id_scheme = ID_SCHEME
                retire = [f for f in _files_of(raw) if f not in _files_of(entry.to_dict())]
                self._commit(manifest, {"put": entry.to_dict(), "retire": retire})
                done += 1
        if done:
            log.info("clause ids of %d source(s) migrated to content ids", done)
        return done

    def remove_source(self, source: str) -> bool:
        """Drop a source file and all its documents.  Returns False if it was not stored."""
        with self._writing() as manifest:
            old = manifest["sources"].get(source)
            if old is None:
                return False
            self._commit(manifest, {"del": source, "retire": _files_of(old)})
            return True

    def remove_document(self, doc_id: str) -> bool:
        """Drop one document (a collection file may hold several).  Returns False if absent.

        The source keeps its hash, so re-ingesting the unchanged file does not bring the
        document back unless ``--force`` is used; that is what deleting means to a user.
        """
        with self._writing() as manifest:
            for source, raw in list(manifest["sources"].items()):
                entry = SourceEntry.from_dict(raw)
                if all(d.doc_id != doc_id for d in entry.documents):
                    continue
                rest = [d for d in entry.documents if d.doc_id != doc_id]
                if not rest:
                    self._commit(manifest, {"del": source, "retire": _files_of(raw)})
                    return True
                rev = self._next_rev()
                clauses = [c for c in self.read_source_clauses(entry) if c.doc_id != doc_id]
                entry.clause_file = f"{source_key(source)}-{rev}.jsonl"
                write_jsonl_atomic(
                    self.root / "clauses" / entry.clause_file, [c.to_dict() for c in clauses]
                )
                entry.documents = rest
                entry.text_files = {k: v for k, v in entry.text_files.items() if k != doc_id}
                entry.revision = rev
                retire = [f for f in _files_of(raw) if f not in _files_of(entry.to_dict())]
                self._commit(manifest, {"put": entry.to_dict(), "retire": retire})
                return True
            return False

    def _sweep_orphans(self) -> None:
        """Delete files no state refers to: clause/text files left by a killed writer,
        temporary files of interrupted atomic writes (``.manifest.json.*.tmp`` too).
        Retired files are kept until their grace has passed."""
        manifest = self.manifest
        keep = {f for raw in manifest["sources"].values() for f in _files_of(raw)}
        keep |= {name for name, _ in manifest.get("retired", [])}
        for p in self.root.glob(f".{MANIFEST}.*.tmp"):
            p.unlink(missing_ok=True)
        for p in self.root.glob(f".{JOURNAL}.*.tmp"):
            p.unlink(missing_ok=True)
        for sub in ("clauses", "texts"):
            folder = self.root / sub
            if not folder.is_dir():
                continue
            for p in folder.iterdir():
                if f"{sub}/{p.name}" in keep:
                    continue
                try:
                    p.unlink()
                except OSError as exc:  # a leftover file is harmless; say so and go on
                    log.warning("could not remove stale file %s: %s", p, exc)


def _scheme_of(clauses: list[Clause]) -> int:
    """The id scheme a clause file is written in: positional ids only come from stores
    (or tools) of the first scheme."""
    return 1 if any(is_legacy_id(c.clause_id) for c in clauses) else ID_SCHEME


def _files_of(raw: dict[str, Any] | None) -> list[str]:
    """Store-relative paths of the files one source entry refers to."""
    if not raw:
        return []
    return [f"clauses/{raw['clause_file']}"] + [
        f"texts/{name}" for name in raw.get("text_files", {}).values()
    ]


def _append_journal(path: Path, line: bytes) -> None:
    """Append one commit record and fsync it (the commit point)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())
