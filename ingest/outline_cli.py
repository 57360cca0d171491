"""``python -m ingest --outline DOC_ID_OR_PATH [--kb NAME] [--json]``.

Resolves the target to documents — a ``doc_id`` of the knowledge base, a file stored in it
(its stored clauses), or any readable file not in it (segmented on the fly, nothing is
stored) — and prints each document's clause tree followed by its anomalies
(:mod:`ingest.outline`).  JSON shape::

    {"documents": [{"doc_id", "title", "standard_code", "source", "stored",
                    "outline": [{"clause_no", "clause_title", "kind", "depth", "parent",
                                 "chars", "page", "seq", "children"}],
                    "anomalies": [{"kind", "clause_no", "seq", "message"}]}]}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from grammar.schema import Clause
from ingest.outline import Outline, format_outline, outline
from ingest.readers.base import UnreadableFile
from ingest.store import ClauseStore


class OutlineTargetError(ValueError):
    """The target names no document: message is the one-line reason for the user."""


@dataclass(slots=True)
class DocumentOutline:
    doc_id: str
    title: str
    standard_code: str | None
    source: str
    stored: bool
    outline: Outline

    def to_dict(self) -> dict[str, object]:
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "standard_code": self.standard_code,
            "source": self.source,
            "stored": self.stored,
            **self.outline.to_dict(),
        }


def _group(clauses: list[Clause]) -> dict[str, list[Clause]]:
    out: dict[str, list[Clause]] = {}
    for c in clauses:
        out.setdefault(c.doc_id, []).append(c)
    return out


def resolve_outlines(target: str, store: ClauseStore | None) -> list[DocumentOutline]:
    """Outlines of the document(s) ``target`` names; raises :class:`OutlineTargetError`."""
    path = Path(target)
    if store is not None and store.exists:
        for info in store.documents():
            if info.doc_id == target:
                clauses = list(store.iter_clauses([target]))
                return [
                    DocumentOutline(
                        info.doc_id, info.title, info.standard_code, info.source, True,
                        outline(clauses),
                    )
                ]  # fmt: skip
        if path.is_file() and (entry := store.entry(str(path.resolve()))) is not None:
            by_doc = _group(store.read_source_clauses(entry))
            return [
                DocumentOutline(
                    d.doc_id, d.title, d.standard_code, d.source, True,
                    outline(by_doc.get(d.doc_id, [])),
                )
                for d in entry.documents
            ]  # fmt: skip
    if not path.is_file():
        raise OutlineTargetError(f"既不是知识库中的文档编号，也不是文件：{target}")
    from ingest.pipeline import process_file  # heavy: readers for every format

    try:
        processed = process_file(path)
    except UnreadableFile as exc:
        raise OutlineTargetError(f"无法切分 {path.name}：{exc}") from exc
    return [
        DocumentOutline(
            d.info.doc_id, d.info.title, d.info.standard_code, d.info.source, False,
            outline(d.clauses),
        )
        for d in processed.documents
    ]  # fmt: skip


def print_outlines(docs: list[DocumentOutline], as_json: bool) -> None:
    if as_json:
        print(json.dumps({"documents": [d.to_dict() for d in docs]}, ensure_ascii=False, indent=1))
        return
    for k, d in enumerate(docs):
        if k:
            print()
        code = f"{d.standard_code} " if d.standard_code else ""
        where = "知识库" if d.stored else "未入库，临时切分"
        head = f"{code}{d.title}  （{d.doc_id}，{len(d.outline.nodes)} 个条款，{where}）"
        print(format_outline(d.outline, title=head))
