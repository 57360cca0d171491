"""The naive baseline: what a generic LangChain RAG tutorial does with the same documents.

Each document's cleaned text (the same text our clauses point into) is cut into fixed
500-character chunks with LangChain's ``RecursiveCharacterTextSplitter(chunk_size=500,
chunk_overlap=50)`` — the tutorial defaults; its separators ("\\n\\n", "\\n", " ", "")
ignore clause structure — embedded with the *same* embedder as our index, and searched
dense-only in a flat inner-product FAISS index.  Only the chunking and the retrieval
strategy differ from ours, so the margin measures what clause-aware retrieval buys.

A chunk retrieves every clause whose ``[start, end)`` span it overlaps; the metrics then
treat one chunk as one rank position holding those clauses.  Chunk embeddings are cached
per document under ``<kb>/eval_cache/naive/`` keyed by a hash of embedder, splitter settings
and text, so a rerun embeds nothing that did not change.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ingest.store import ClauseStore

log = logging.getLogger(__name__)

CHUNK_SIZE = 500
CHUNK_OVERLAP = 50


@dataclass(slots=True, frozen=True)
class Chunk:
    doc_id: str
    start: int
    end: int
    text: str
    clause_ids: tuple[str, ...]


def split_text(
    text: str, chunk_size: int = CHUNK_SIZE, overlap: int = CHUNK_OVERLAP
) -> list[tuple[int, str]]:
    """``(start offset, chunk)`` pairs from LangChain's recursive splitter."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size, chunk_overlap=overlap, add_start_index=True
    )
    out: list[tuple[int, str]] = []
    for d in splitter.create_documents([text]):
        start = int(d.metadata.get("start_index", -1))
        if start < 0 or text[start : start + len(d.page_content)] != d.page_content:
            start = text.find(d.page_content)  # the splitter could not place it; search
        if start >= 0:
            out.append((start, d.page_content))
    return out


def overlapping(spans: list[tuple[int, int, str]], start: int, end: int) -> tuple[str, ...]:
    """Ids of the clauses (``(start, end, id)``) whose span overlaps ``[start, end)``."""
    return tuple(cid for s, e, cid in spans if s < end and start < e)


def _safe(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", name)[:80] or "embedder"


class NaiveIndex:
    """Fixed-size chunks of every document of a knowledge base, dense flat-IP search."""

    def __init__(self, chunks: list[Chunk], vectors: np.ndarray, embedder: Any) -> None:
        import faiss

        self.chunks = chunks
        self.embedder = embedder
        self.index = faiss.IndexFlatIP(int(vectors.shape[1]) if len(chunks) else int(embedder.dim))
        if len(chunks):
            self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    @classmethod
    def build(
        cls,
        store: ClauseStore,
        embedder: Any,
        cache_dir: Path | None,
        *,
        chunk_size: int = CHUNK_SIZE,
        overlap: int = CHUNK_OVERLAP,
        wrap: Callable[[list[str]], Iterable[str]] | None = None,
    ) -> NaiveIndex:
        """Chunk and embed every document of ``store`` (cached embeddings reused)."""
        spans: dict[str, list[tuple[int, int, str]]] = {}
        for c in store.iter_clauses():
            spans.setdefault(c.doc_id, []).append((c.start, c.end, c.clause_id))
        doc_ids = [d.doc_id for d in store.documents()]
        folder = cache_dir / _safe(embedder.name) if cache_dir else None
        if folder:
            folder.mkdir(parents=True, exist_ok=True)
        chunks: list[Chunk] = []
        blocks: list[np.ndarray] = []
        used: set[str] = set()
        for doc_id in wrap(doc_ids) if wrap else doc_ids:
            text = store.doc_text(doc_id)
            pieces = split_text(text, chunk_size, overlap)
            if not pieces:
                continue
            key = hashlib.sha256(
                f"{embedder.name}|{chunk_size}|{overlap}|".encode() + text.encode("utf-8")
            ).hexdigest()[:32]
            vecs = _load(folder / f"{key}.npy", len(pieces)) if folder else None
            if vecs is None:
                vecs = np.asarray(embedder.embed_passages([p for _, p in pieces]), dtype=np.float32)
                if folder:
                    np.save(folder / f"{key}.npy", vecs)
            used.add(f"{key}.npy")
            doc_spans = spans.get(doc_id, [])
            for start, piece in pieces:
                end = start + len(piece)
                chunks.append(Chunk(doc_id, start, end, piece, overlapping(doc_spans, start, end)))
            blocks.append(vecs)
        if folder:
            for stale in folder.glob("*.npy"):
                if stale.name not in used:
                    stale.unlink(missing_ok=True)
        dim = int(embedder.dim)
        vectors = np.vstack(blocks) if blocks else np.zeros((0, dim), dtype=np.float32)
        log.info("naive baseline: %d chunks from %d documents", len(chunks), len(doc_ids))
        return cls(chunks, vectors, embedder)

    def stats(self) -> dict[str, float | int]:
        """Chunk count and how many clauses a chunk spans (a chunk retrieves them all)."""
        n = len(self.chunks)
        spans = [len(c.clause_ids) for c in self.chunks]
        return {"chunks": n, "clauses_per_chunk": round(sum(spans) / n, 2) if n else 0.0}

    def search(self, query: str, k: int = 10) -> list[Chunk]:
        """Top ``k`` chunks by inner product with the query embedding."""
        if not self.chunks:
            return []
        q = np.asarray(self.embedder.embed_queries([query]), dtype=np.float32)
        _, idx = self.index.search(q, min(k, len(self.chunks)))
        return [self.chunks[i] for i in idx[0] if i >= 0]


def _load(path: Path, n: int) -> np.ndarray | None:
    """Cached vectors if present and of the expected row count (else re-embed)."""
    if not path.is_file():
        return None
    try:
        vecs = np.load(path)
    except (OSError, ValueError):
        return None
    return vecs if vecs.ndim == 2 and vecs.shape[0] == n else None
