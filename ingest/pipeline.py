"""Ingest files into a knowledge base: read → clean → split → segment → store.

Each file is processed on its own and committed on its own, so one bad file costs only
itself: it is reported with a one-line reason and everything else (including what was
stored before) stays.  A file whose content hash is unchanged is not processed again.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from core.display import safe_display
from core.errors import user_message
from grammar.elements import annotate as annotate_elements
from grammar.schema import Clause, DocumentInfo
from ingest.chunk import split_long_clauses
from ingest.clean import clean_lines
from ingest.folder_meta import folder_meta
from ingest.metadata import cover_title, detect_standard_code, detect_title, is_cover_title
from ingest.readers import DEFAULT_MAX_BYTES, SUPPORTED_SUFFIXES, read_document
from ingest.readers.base import Line, RawDocument, UnreadableFile
from ingest.segment import segment_lines
from ingest.split import split_documents
from ingest.store import ClauseStore, SourceEntry, sha256_file

log = logging.getLogger(__name__)


class FileStatus(StrEnum):
    INGESTED = "ingested"  # new or changed, stored
    UNCHANGED = "unchanged"  # same content hash as stored: nothing to do
    DUPLICATE = "duplicate"  # same content already stored from another path
    SKIPPED = "skipped"  # cannot be ingested (unsupported, empty, encrypted, …)
    FAILED = "failed"  # unexpected error while processing


@dataclass(slots=True)
class FileResult:
    path: str
    status: FileStatus
    reason: str = ""
    documents: int = 0
    clauses: int = 0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "status": str(self.status),
            "reason": self.reason,
            "documents": self.documents,
            "clauses": self.clauses,
            "warnings": self.warnings,
        }


@dataclass(slots=True)
class IngestReport:
    """What one ``ingest_paths`` run did; the CLI prints it as the summary."""

    kb: str
    files: list[FileResult] = field(default_factory=list)
    removed_sources: list[str] = field(default_factory=list)
    seconds: float = 0.0
    kb_documents: int = 0
    kb_clauses: int = 0

    def count(self, status: FileStatus) -> int:
        return sum(1 for f in self.files if f.status is status)

    @property
    def ok(self) -> bool:
        """False only when files were given and none of them could be ingested."""
        good = {FileStatus.INGESTED, FileStatus.UNCHANGED, FileStatus.DUPLICATE}
        return not self.files or any(f.status in good for f in self.files)

    def to_dict(self) -> dict[str, object]:
        return {
            "kb": self.kb,
            "files": len(self.files),
            "ingested": self.count(FileStatus.INGESTED),
            "unchanged": self.count(FileStatus.UNCHANGED),
            "duplicate": self.count(FileStatus.DUPLICATE),
            "skipped": self.count(FileStatus.SKIPPED),
            "failed": self.count(FileStatus.FAILED),
            "documents": sum(f.documents for f in self.files if f.status is FileStatus.INGESTED),
            "clauses": sum(f.clauses for f in self.files if f.status is FileStatus.INGESTED),
            "kb_documents": self.kb_documents,
            "kb_clauses": self.kb_clauses,
            "removed_sources": self.removed_sources,
            "seconds": round(self.seconds, 3),
            "results": [f.to_dict() for f in self.files],
        }


@dataclass(slots=True)
class ProcessedDocument:
    info: DocumentInfo
    clauses: list[Clause]
    text: str
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ProcessedFile:
    fmt: str
    documents: list[ProcessedDocument]
    lines: list[Line] = field(default_factory=list)


def make_doc_id(source: str, index: int) -> str:
    """Stable id of the ``index``-th document of a source file."""
    return hashlib.sha1(f"{source}#{index}".encode()).hexdigest()[:12]


def process_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ProcessedFile:
    """Turn one file into documents and clauses, without touching the store.

    Raises :class:`UnreadableFile` with a one-line reason when there is nothing to ingest.
    """
    raw = read_document(path, max_bytes=max_bytes)
    return process_raw(raw, path)


def process_raw(raw: RawDocument, path: Path) -> ProcessedFile:
    """The in-memory stages (clean → split → segment → chunk) on extracted lines; what
    ``--resegment`` re-runs on the lines kept in the store."""
    source = str(path.resolve())
    cleaned = clean_lines(raw.lines)
    if not cleaned.lines:
        raise UnreadableFile("清理后没有正文（只有网站模板、页码或空白）")
    if cleaned.removed:
        log.debug("%s: removed %s", path.name, cleaned.removed)
    split = split_documents(cleaned.lines, cleaned.breaks)
    single = len(split.parts) == 1
    meta = folder_meta(path)
    documents: list[ProcessedDocument] = []
    for k, part in enumerate(split.parts):
        doc_id = make_doc_id(source, k)
        front = cleaned.front_matter
        hint = raw.title_hint if raw.title_hint and is_cover_title(raw.title_hint) else None
        title = (
            part.title
            or (front.title if front and front.title and single else None)
            or cover_title(part.lines)
            or (cleaned.markdown_title if k == 0 else None)
            or (split.collection_title if part.from_break else None)
            or detect_title(part.lines)
            or split.collection_title
            or (hint if single and hint and len(hint) >= 4 else None)
            or (path.stem if single else f"{path.stem}（{k + 1}）")
        )
        code = detect_standard_code(
            part.lines,
            filename_stem=path.stem if single else None,
            declared=front.code if front and single else None,
        )
        seg = segment_lines(
            part.lines, doc_id=doc_id, doc_title=title, standard_code=code, source=source
        )
        clauses = split_long_clauses(seg.clauses, seg.text)
        if not clauses:
            continue
        annotate_elements(clauses)
        if meta.fictitious:
            for c in clauses:
                c.extra["fictitious"] = True
        info = DocumentInfo(
            doc_id=doc_id,
            title=title,
            standard_code=code,
            source=source,
            clause_count=len(clauses),
            char_count=len(seg.text),
            pages=raw.page_count,
            fictitious=meta.fictitious,
        )
        for w in seg.warnings:
            log.warning("%s: %s", path.name, w)
        documents.append(ProcessedDocument(info, clauses, seg.text, seg.warnings))
    if not documents:
        raise UnreadableFile("没有可切分的条款（正文为空）")
    return ProcessedFile(raw.fmt, documents, list(raw.lines))


_METADATA_STEMS = ("readme", "license", "licence", "changelog", "copying", "notice")


def is_folder_metadata(path: Path) -> bool:
    """README/LICENSE-style files found while walking a folder describe the folder, they
    are not standards (a file named explicitly on the command line is still ingested)."""
    return path.stem.lower().split(".")[0] in _METADATA_STEMS


def discover_files(paths: Iterable[Path]) -> tuple[list[Path], list[FileResult]]:
    """Expand folders recursively (hidden files skipped).  Returns candidate files and
    results for paths that could not even be looked at."""
    files: list[Path] = []
    problems: list[FileResult] = []
    for p in paths:
        if p.is_dir():
            root = p.resolve()
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                if f.is_symlink() and not f.resolve().is_relative_to(root):
                    # A link inside the folder leading out of it: importing it would read
                    # a file nobody chose (/etc/…, another user's folder).  Reported.
                    problems.append(
                        FileResult(str(f), FileStatus.SKIPPED, "符号链接指向所选文件夹之外，未导入")
                    )
                    continue
                if f.is_file():
                    if is_folder_metadata(f):
                        problems.append(
                            FileResult(
                                str(f),
                                FileStatus.SKIPPED,
                                "说明文件（README/LICENSE 等），未作为标准导入",
                            )
                        )
                        continue
                    files.append(f)
        elif p.is_file():
            files.append(p)
        else:
            problems.append(FileResult(str(p), FileStatus.SKIPPED, "路径不存在"))
    # The same file named twice (a folder and a file in it) is ingested once.
    seen: set[Path] = set()
    unique = []
    for f in files:
        r = f.resolve()
        if r not in seen:
            seen.add(r)
            unique.append(f)
    return unique, problems


def ingest_file(
    store: ClauseStore, path: Path, *, force: bool = False, max_bytes: int = DEFAULT_MAX_BYTES
) -> FileResult:
    """Ingest one file into ``store``; never raises for a bad file."""
    source = str(path.resolve())
    shown = str(path)
    try:
        source.encode("utf-8")
    except UnicodeEncodeError:  # e.g. GBK names from a Windows zip on a UTF-8 system
        shown = shown.encode("utf-8", "replace").decode("utf-8")
        return FileResult(
            shown,
            FileStatus.SKIPPED,
            "文件名不是有效的 UTF-8 编码（可能来自 GBK 压缩包），请重命名后再导入",
        )
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        try:
            read_document(path, max_bytes=max_bytes)  # for its precise one-line reason
        except UnreadableFile as exc:
            return FileResult(shown, FileStatus.SKIPPED, str(exc))
    try:
        digest = sha256_file(path)
    except OSError as exc:
        return FileResult(shown, FileStatus.SKIPPED, f"无法读取文件：{exc.strerror or exc}")
    entry = store.entry(source)
    repaired = ""
    if entry is not None and entry.sha256 == digest and not force:
        damage = store.verify(entry)
        if damage is None:
            return FileResult(
                shown, FileStatus.UNCHANGED, "内容未变化", len(entry.documents), entry.clause_count
            )
        log.warning("%s", damage)
        repaired = "已修复损坏的条款文件"
    twin = store.find_sha(digest)
    moved_from: str | None = None
    if twin is not None and twin != source and not force:
        if Path(twin).exists():
            return FileResult(shown, FileStatus.DUPLICATE, f"与已导入的 {Path(twin).name} 内容相同")
        moved_from = twin  # the file was renamed or moved: it takes over the old entry
    try:
        processed = process_file(path, max_bytes=max_bytes)
    except UnreadableFile as exc:
        return FileResult(shown, FileStatus.SKIPPED, str(exc))
    except Exception as exc:  # one file's bug must not stop the batch
        log.debug("processing %s failed", path, exc_info=True)
        return FileResult(shown, FileStatus.FAILED, f"处理出错：{type(exc).__name__}: {exc}")
    clauses = [c for d in processed.documents for c in d.clauses]
    try:
        store.replace_source(
            source,
            sha256=digest,
            size=path.stat().st_size,
            fmt=processed.fmt,
            documents=[d.info for d in processed.documents],
            clauses=clauses,
            texts={d.info.doc_id: d.text for d in processed.documents},
            lines=processed.lines,
        )
    except OSError as exc:
        return FileResult(shown, FileStatus.FAILED, f"写入知识库失败：{user_message(exc)}")
    if moved_from is not None:
        store.remove_source(moved_from)
        log.info("%s moved to %s", moved_from, source)
    warnings = [w for d in processed.documents for w in d.warnings]
    return FileResult(
        shown, FileStatus.INGESTED, repaired, len(processed.documents), len(clauses), warnings
    )


def prune_missing(store: ClauseStore, folders: Iterable[Path]) -> list[str]:
    """Remove stored sources that lived under ``folders`` but no longer exist on disk."""
    roots = [str(f.resolve()) for f in folders if f.is_dir()]
    removed = []
    for source in list(store.sources()):
        under = any(source.startswith(r.rstrip("/") + "/") for r in roots)
        if under and not Path(source).exists() and store.remove_source(source):
            removed.append(source)
    return removed


def ingest_paths(
    paths: Iterable[Path],
    store: ClauseStore,
    *,
    kb: str,
    force: bool = False,
    prune: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_file: Callable[[FileResult], None] | None = None,
    wrap: Callable[[list[Path]], Iterable[Path]] | None = None,
) -> IngestReport:
    """Ingest every supported file under ``paths``.  ``wrap`` lets the caller add a
    progress bar; ``on_file`` sees each result as it is produced."""
    started = time.perf_counter()
    paths = list(paths)
    files, problems = discover_files(paths)
    report = IngestReport(kb=kb, files=list(problems))
    for path in wrap(files) if wrap else files:
        result = ingest_file(store, path, force=force, max_bytes=max_bytes)
        log.info("%s: %s %s", safe_display(result.path), result.status, result.reason)
        report.files.append(result)
        if on_file:
            on_file(result)
    if prune:
        report.removed_sources = prune_missing(store, paths)
    store.reload()
    docs = store.documents()
    report.kb_documents = len(docs)
    report.kb_clauses = sum(d.clause_count for d in docs)
    report.seconds = time.perf_counter() - started
    return report


@dataclass(slots=True)
class ResegmentReport:
    """What ``--resegment`` did: sources re-segmented, and clauses before/after."""

    kb: str
    sources: int = 0
    from_lines: int = 0
    from_file: int = 0
    from_text: int = 0
    clauses_before: int = 0
    clauses_after: int = 0
    changed: int = 0
    failed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "kb": self.kb,
            "sources": self.sources,
            "from_stored_lines": self.from_lines,
            "from_original_file": self.from_file,
            "from_stored_text": self.from_text,
            "clauses_before": self.clauses_before,
            "clauses_after": self.clauses_after,
            "clauses_changed": self.changed,
            "failed": self.failed,
            "warnings": self.warnings,
        }


def _from_stored_text(store: ClauseStore, entry: SourceEntry) -> ProcessedFile:
    """Old stores kept no extracted lines: segment each document's stored text again, with
    the title and code it was stored with (pages are not known any more)."""
    documents = []
    for info in entry.documents:
        lines = [Line(t) for t in store.doc_text(info.doc_id).split("\n")]
        seg = segment_lines(
            lines,
            doc_id=info.doc_id,
            doc_title=info.title,
            standard_code=info.standard_code,
            source=entry.source,
        )
        clauses = split_long_clauses(seg.clauses, seg.text)
        info = DocumentInfo(**{**info.to_dict(), "clause_count": len(clauses)})
        documents.append(ProcessedDocument(info, clauses, seg.text, seg.warnings))
    return ProcessedFile(entry.fmt, documents)


def resegment_store(
    store: ClauseStore,
    *,
    kb: str,
    wrap: Callable[[list[SourceEntry]], Iterable[SourceEntry]] | None = None,
) -> ResegmentReport:
    """Re-run cleaning and segmentation on every stored source after an upgrade, without
    the original files: from the extracted lines kept in the store; else from the file if
    it is still there unchanged; else from the stored document text.  Clause ids stay
    stable for unchanged documents, and the index's embedding cache (keyed by text) makes
    the next sync embed only clauses whose text changed."""
    report = ResegmentReport(kb=kb)
    entries = list(store.sources().values())
    for entry in wrap(entries) if wrap else entries:
        report.sources += 1
        try:
            before = store.read_source_clauses(entry)
            lines = store.source_lines(entry)
            path = Path(entry.source)
            if lines is not None:
                fmt = entry.fmt
                processed = process_raw(RawDocument(path, fmt, lines), path)
                report.from_lines += 1
            elif path.is_file() and sha256_file(path) == entry.sha256:
                processed = process_file(path)
                report.from_file += 1
            else:
                processed = _from_stored_text(store, entry)
                report.from_text += 1
            after = [c for d in processed.documents for c in d.clauses]
            old = {(c.clause_no, c.clause_title, c.text) for c in before}
            report.changed += sum(
                1 for c in after if (c.clause_no, c.clause_title, c.text) not in old
            )
            report.clauses_before += len(before)
            report.clauses_after += len(after)
            report.warnings += [
                f"{path.name}: {w}" for d in processed.documents for w in d.warnings
            ]
            store.replace_source(
                entry.source,
                sha256=entry.sha256,
                size=entry.size,
                fmt=entry.fmt,
                documents=[d.info for d in processed.documents],
                clauses=after,
                texts={d.info.doc_id: d.text for d in processed.documents},
                lines=processed.lines or lines,
            )
        except (UnreadableFile, OSError, KeyError, ValueError) as exc:
            report.failed.append(f"{entry.source}: {exc}")
            log.warning("resegment %s failed: %s", entry.source, exc)
    store.reload()
    return report
