"""The clause store of one knowledge base: what ingest writes and every later stage reads.

Layout of ``<workspace>/kbs/<kb>/``::

    manifest.json                 which source files are in the KB, their hashes, documents
    clauses/<key>-<rev>.jsonl     the clauses of one source file (schema: grammar.schema)
    texts/<doc_id>-<rev>.txt      cleaned text of one document (clause offsets point here)

Why this shape: a source file is the unit of change (re-ingesting a file replaces all of its
clauses), so each source has its own clause file.  New files are written under fresh names
first and the manifest is swapped in last with an atomic rename; a crash at any moment
leaves the previous manifest pointing at complete previous files.  Files no manifest refers
to are swept on the next write.

Each source entry carries a ``revision`` (the store generation at which it last changed) so
the index can update incrementally without re-reading unchanged sources.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import UserError
from grammar.schema import SCHEMA_VERSION, Clause, DocumentInfo
from ingest.atomic import dir_lock, write_json_atomic, write_jsonl_atomic, write_text_atomic

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"


class StoreError(UserError, RuntimeError):
    """The store on disk cannot be read (corrupt manifest, newer schema)."""


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


class ClauseStore:
    """Read and atomically update the clause store of one knowledge base."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._manifest: dict[str, Any] | None = None

    # ----------------------------------------------------------------- reading
    @property
    def exists(self) -> bool:
        return (self.root / MANIFEST).is_file()

    def _load_manifest(self) -> dict[str, Any]:
        path = self.root / MANIFEST
        if not path.is_file():
            return {"schema": SCHEMA_VERSION, "generation": 0, "sources": {}}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreError(f"知识库清单损坏：{path}（{exc}）") from exc
        if int(data.get("schema", 0)) > SCHEMA_VERSION:
            raise StoreError(
                f"知识库 {self.root} 由更新版本写入（schema {data.get('schema')}），请升级本程序"
            )
        return data

    def reload(self) -> None:
        """Forget the cached manifest (another process may have written)."""
        self._manifest = None

    @property
    def manifest(self) -> dict[str, Any]:
        if self._manifest is None:
            self._manifest = self._load_manifest()
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
        """Clauses of one source, in document order."""
        path = self.root / "clauses" / entry.clause_file
        out: list[Clause] = []
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    out.append(Clause.from_dict(json.loads(line)))
        return out

    def iter_clauses(self, doc_ids: Iterable[str] | None = None) -> Iterator[Clause]:
        """All clauses of the KB (optionally of some documents), in document order."""
        wanted = set(doc_ids) if doc_ids is not None else None
        for entry in self.sources().values():
            if wanted is not None and not any(d.doc_id in wanted for d in entry.documents):
                continue
            for c in self.read_source_clauses(entry):
                if wanted is None or c.doc_id in wanted:
                    yield c

    def doc_text(self, doc_id: str) -> str:
        """Cleaned full text of a document (what clause offsets refer to)."""
        for entry in self.sources().values():
            name = entry.text_files.get(doc_id)
            if name:
                return (self.root / "texts" / name).read_text(encoding="utf-8")
        raise KeyError(doc_id)

    # ----------------------------------------------------------------- writing
    def _next_generation(self, manifest: dict[str, Any]) -> int:
        manifest["generation"] = int(manifest.get("generation", 0)) + 1
        return manifest["generation"]

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
    ) -> SourceEntry:
        """Store (or replace) everything one source file produced, atomically.

        The new clause and text files are written first under fresh names; only then is the
        manifest swapped.  If anything fails before the swap, the store is unchanged.
        """
        with dir_lock(self.root):
            manifest = self._load_manifest()
            rev = self._next_generation(manifest)
            key = source_key(source)
            clause_file = f"{key}-{rev}.jsonl"
            write_jsonl_atomic(self.root / "clauses" / clause_file, [c.to_dict() for c in clauses])
            text_files: dict[str, str] = {}
            for doc_id, text in texts.items():
                name = f"{doc_id}-{rev}.txt"
                write_text_atomic(self.root / "texts" / name, text)
                text_files[doc_id] = name
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
            )
            manifest["sources"][source] = entry.to_dict()
            manifest["schema"] = SCHEMA_VERSION
            write_json_atomic(self.root / MANIFEST, manifest)
            self._manifest = manifest
            self._sweep(manifest)
            return entry

    def remove_source(self, source: str) -> bool:
        """Drop a source file and all its documents.  Returns False if it was not stored."""
        with dir_lock(self.root):
            manifest = self._load_manifest()
            if source not in manifest["sources"]:
                return False
            del manifest["sources"][source]
            self._next_generation(manifest)
            write_json_atomic(self.root / MANIFEST, manifest)
            self._manifest = manifest
            self._sweep(manifest)
            return True

    def remove_document(self, doc_id: str) -> bool:
        """Drop one document (a collection file may hold several).  Returns False if absent.

        The source keeps its hash, so re-ingesting the unchanged file does not bring the
        document back unless ``--force`` is used; that is what deleting means to a user.
        """
        with dir_lock(self.root):
            manifest = self._load_manifest()
            for source, raw in manifest["sources"].items():
                entry = SourceEntry.from_dict(raw)
                if all(d.doc_id != doc_id for d in entry.documents):
                    continue
                rev = self._next_generation(manifest)
                rest = [d for d in entry.documents if d.doc_id != doc_id]
                if not rest:
                    del manifest["sources"][source]
                else:
                    clauses = [c for c in self.read_source_clauses(entry) if c.doc_id != doc_id]
                    entry.clause_file = f"{source_key(source)}-{rev}.jsonl"
                    write_jsonl_atomic(
                        self.root / "clauses" / entry.clause_file, [c.to_dict() for c in clauses]
                    )
                    entry.documents = rest
                    entry.text_files = {k: v for k, v in entry.text_files.items() if k != doc_id}
                    entry.revision = rev
                    manifest["sources"][source] = entry.to_dict()
                write_json_atomic(self.root / MANIFEST, manifest)
                self._manifest = manifest
                self._sweep(manifest)
                return True
            return False

    def _sweep(self, manifest: dict[str, Any]) -> None:
        """Delete clause/text files that the manifest no longer refers to."""
        live_clauses = {raw["clause_file"] for raw in manifest["sources"].values()}
        live_texts = {
            name
            for raw in manifest["sources"].values()
            for name in raw.get("text_files", {}).values()
        }
        for sub, live in (("clauses", live_clauses), ("texts", live_texts)):
            folder = self.root / sub
            if not folder.is_dir():
                continue
            for p in folder.iterdir():
                if p.name not in live and not p.name.startswith("."):
                    try:
                        p.unlink()
                    except OSError as exc:  # a leftover file is harmless; say so and go on
                        log.warning("could not remove stale file %s: %s", p, exc)
