"""The clause record: the one data shape every later stage (index, qa, app, eval) reads.

A *clause* is the smallest unit we retrieve and cite: a numbered heading of a standard
(章 "5", 条 "5.2.1", 附录 "附录A", "A.1"), a terminology entry ("3.1"), an article of a
regulation ("第三条"), an outline item of a guidance text ("二、"), or an unnumbered element
("前言").  Its text holds everything up to the next heading, so 列项, 注, 示例 and table
rows stay with the sentence that introduces them.

The schema is defined once here and serialised as one JSON object per line (JSONL).  Field
order in ``to_dict`` is the documented order; unknown keys in stored records are ignored on
load so that older readers survive newer writers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

SCHEMA_VERSION = 1


class ClauseKind(StrEnum):
    """What kind of structural unit a clause is; decides how it is numbered and cited."""

    PREAMBLE = "preamble"  # text before the first heading: cover, title block
    ELEMENT = "element"  # unnumbered element: 前言, 引言, 参考文献, 索引
    CHAPTER = "chapter"  # GB/T 1.1 章: "5"
    CLAUSE = "clause"  # GB/T 1.1 条: "5.2", "5.2.1" … five levels
    TERM = "term"  # terminology entry under 术语和定义: "3.1"
    ANNEX = "annex"  # "附录A"
    ANNEX_CLAUSE = "annex_clause"  # "A.1", "A.1.1"
    REG_PART = "reg_part"  # regulation 编: "第一编"
    REG_CHAPTER = "reg_chapter"  # regulation 章: "第一章"
    REG_SECTION = "reg_section"  # regulation 节: "第一章第二节"
    ARTICLE = "article"  # regulation 条: "第三条"
    OUTLINE = "outline"  # outline numbering: "一、", "（一）", "1.", "（1）", "①"


class AnnexType(StrEnum):
    """GB/T 1.1 annex status, marked "（规范性）" / "（资料性）" (2009: "（规范性附录）")."""

    NORMATIVE = "normative"
    INFORMATIVE = "informative"

    @property
    def mark(self) -> str:
        """The status as printed after the annex number: "（规范性）" / "（资料性）"."""
        return "（规范性）" if self is AnnexType.NORMATIVE else "（资料性）"


@dataclass(slots=True, frozen=True)
class HeadingRef:
    """One ancestor on a clause's heading path: its number and its title."""

    no: str
    title: str

    def label(self) -> str:
        """Human form, e.g. "5.2 服务人员" or "前言"."""
        return f"{self.no} {self.title}".strip()


@dataclass(slots=True)
class Clause:
    """One retrievable, citable unit of a document.

    Attributes:
        clause_id: ``"{doc_id}:{h}"``, ``h`` 10 hex digits of a hash of the clause's
            content (ancestors' numbers, number, title, text; see
            :mod:`ingest.clause_ids`): unique in a knowledge base, identical whenever the
            same text is segmented again, and changed by an edit of this clause only.
            Opaque: never parse it for order (use ``seq``).  Stores written before
            content ids held positional ids ``"{doc_id}:{seq:05d}"``; they are migrated
            and kept as ``extra["legacy_id"]``.
        doc_id: identifies one document; a collection file ("合集") yields several.
        doc_title: document title ("社区居家养老服务规范"), never empty.
        standard_code: normalised code ("GB/T 24421.3—2009", "T/BZQC 001—2025") or None.
        clause_no: normalised number: "5.2.1", "A.1", "附录A", "第三条", "第二章第一节",
            outline paths such as "三、（二）2."; "" for the preamble; element name
            ("前言") for unnumbered elements.
        clause_title: heading title ("服务人员"); "" when the clause has none.
        heading_path: ancestors, outermost first (not including the clause itself).
        kind: see :class:`ClauseKind`.
        annex_type: set on annexes and on every clause inside one.
        text: the clause body (heading line excluded), 列项/注/示例/表 rows included.
        source: absolute path of the file the document came from.
        page: 1-based page of the heading in a PDF; None for other formats.
        start, end: character offsets of the clause (heading included) in the cleaned
            document text stored next to the clauses.
        seq: position of the clause within its document, from 0: the one source of
            document order (neighbours, sections, "previous/next clause").
        is_section: the heading has no body of its own, only sub-clauses ("4 要求" directly
            followed by "4.1"): it stands for its whole subtree and is never an answer by
            itself.  Absent in stores written before it existed (loads as False).
    """

    clause_id: str
    doc_id: str
    doc_title: str
    standard_code: str | None
    clause_no: str
    clause_title: str
    heading_path: list[HeadingRef]
    kind: ClauseKind
    annex_type: AnnexType | None
    text: str
    source: str
    page: int | None
    start: int
    end: int
    seq: int
    extra: dict[str, Any] = field(default_factory=dict)
    is_section: bool = False

    @property
    def heading(self) -> str:
        """The clause's own heading, e.g. "5.2.1 服务人员"."""
        return HeadingRef(self.clause_no, self.clause_title).label()

    @property
    def status_heading(self) -> str:
        """The heading with an annex's status, "附录A（规范性） 标题" — printed nowhere else
        (ingest keeps it in ``annex_type``), and often what is asked; other clauses: the
        heading."""
        if self.kind is ClauseKind.ANNEX and self.annex_type:
            return f"{self.clause_no}{self.annex_type.mark} {self.clause_title}".strip()
        return self.heading

    def path_labels(self) -> list[str]:
        """Heading path including the clause itself, for display and for embedding."""
        return [h.label() for h in self.heading_path] + [self.heading]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict in the documented field order."""
        d = asdict(self)
        d["kind"] = str(self.kind)
        d["annex_type"] = str(self.annex_type) if self.annex_type else None
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Clause:
        """Inverse of :meth:`to_dict`; tolerant of extra keys written by newer versions."""
        annex = d.get("annex_type")
        return cls(
            clause_id=d["clause_id"],
            doc_id=d["doc_id"],
            doc_title=d["doc_title"],
            standard_code=d.get("standard_code"),
            clause_no=d.get("clause_no", ""),
            clause_title=d.get("clause_title", ""),
            heading_path=[HeadingRef(h["no"], h["title"]) for h in d.get("heading_path", [])],
            kind=ClauseKind(d.get("kind", ClauseKind.CLAUSE)),
            annex_type=AnnexType(annex) if annex else None,
            text=d.get("text", ""),
            source=d.get("source", ""),
            page=d.get("page"),
            start=int(d.get("start", 0)),
            end=int(d.get("end", 0)),
            seq=int(d.get("seq", 0)),
            extra=dict(d.get("extra") or {}),
            is_section=bool(d.get("is_section", False)),
        )


@dataclass(slots=True)
class DocumentInfo:
    """Per-document facts kept in the manifest (the app lists documents without reading
    every clause)."""

    doc_id: str
    title: str
    standard_code: str | None
    source: str
    clause_count: int
    char_count: int
    pages: int | None = None
    # A made-up example (the bundled samples), marked "虚构示例" wherever it is shown; set at
    # ingest from the folder's metadata file (see ingest/folder_meta.py).
    fictitious: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DocumentInfo:
        return cls(
            doc_id=d["doc_id"],
            title=d["title"],
            standard_code=d.get("standard_code"),
            source=d.get("source", ""),
            clause_count=int(d.get("clause_count", 0)),
            char_count=int(d.get("char_count", 0)),
            pages=d.get("pages"),
            fictitious=bool(d.get("fictitious", False)),
        )
