"""A draft as the rules see it: its clauses, and every paragraph with its place.

The draft is read with the ingest readers, cleaned and segmented with the same code the
knowledge base uses (``read_document`` → ``clean_lines`` → ``segment_lines``), so a rule
never re-parses numbering on its own.  Two things are added on top, both specific to
reviewing a draft rather than indexing it:

* **Source positions.**  Cleaning drops blank and decoration lines and strips Markdown,
  so each cleaned line is mapped back to the line of the file it came from (DOCX:
  paragraph number; PDF: page only), which is what a drafter needs to find the finding.
* **The 目次 is taken out before segmentation** and kept as a list of entries.  Its
  entries repeat the headings; left in, they would be read as headings themselves, and
  the 目次 rule needs them as they were printed (dot leaders and page numbers removed).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path

from grammar.codes import find_codes
from grammar.numbering import RE_ELEMENT, halfwidth
from grammar.schema import Clause, ClauseKind
from grammar.titles import title_like
from grammar.wording import OLD_DRAFTING_BASIS, THIS_STANDARD
from ingest.clean import clean_lines
from ingest.readers import read_document
from ingest.readers.base import Line, UnreadableFile
from ingest.segment import segment_lines

# A 目次 entry: leaders and a page number (arabic or roman) at the end.
_TOC_TAIL = re.compile(r"\s*(?:[.．…·—\-_]{2,}|\s{2,}|\t)\s*[\dIVXⅠ-Ⅻivx]+\s*$|\s+[\dⅠ-Ⅻ]+\s*$")
_TOC_LEADER = re.compile(r"(?:[.．…·\-_]{2,})\s*[\dIVXⅠ-Ⅻivx]*\s*$")
_MARKUP = re.compile(r"^\s{0,3}#{1,6}\s+|\*\*|__|^\s*>\s?")
_SPACE = re.compile(r"\s+")
# Lines between 目次 entries that are no entries: Markdown images, HTML tags, page marks.
_DECORATION = re.compile(r"^(?:!\[[^\]]*\]\([^)]*\)|<[^>]+>|[-—\s]*\d{1,3}[-—\s]*|[IVXⅠ-Ⅻ]+)$")


def squash(text: str) -> str:
    """Text without Markdown markup and whitespace, half-width: for comparing lines."""
    return _SPACE.sub("", halfwidth(_MARKUP.sub("", text)))


@dataclass(slots=True)
class Para:
    """One cleaned line of the draft and where it is.

    ``line`` is the 1-based line of the source file (paragraph for DOCX, None for PDF and
    where the line could not be traced); ``clause`` the clause whose text holds the line;
    ``heading`` marks the line that carries the clause's own number and title.
    """

    idx: int
    text: str
    line: int | None
    page: int | None
    clause: Clause | None
    heading: bool = False
    start: int = 0
    half: str = ""


@dataclass(slots=True)
class TocEntry:
    text: str
    line: int | None
    page: int | None


@dataclass
class Draft:
    """The parsed draft.  Build with :meth:`load` or :meth:`from_text`."""

    name: str
    fmt: str
    clauses: list[Clause]
    paras: list[Para]
    toc: list[TocEntry] | None
    toc_line: int | None = None
    page_count: int | None = None
    _by_clause: dict[str, list[Para]] = field(default_factory=dict)
    cache: dict[str, object] = field(default_factory=dict)

    # ------------------------------------------------------------ building
    @classmethod
    def load(cls, path: Path, *, name: str | None = None) -> Draft:
        """Read, clean and segment ``path``.  Raises :class:`UnreadableFile` (one-line
        reason) when the file cannot be read or holds no text."""
        raw = read_document(path)
        return cls.from_lines(raw.lines, name=name or path.name, fmt=raw.fmt, pages=raw.page_count)

    @classmethod
    def from_text(cls, text: str, *, name: str = "draft.txt") -> Draft:
        """A draft from plain text (tests, benchmarks)."""
        return cls.from_lines([Line(t) for t in text.splitlines()], name=name, fmt="txt")

    @classmethod
    def from_lines(
        cls, raw_lines: list[Line], *, name: str, fmt: str, pages: int | None = None
    ) -> Draft:
        cleaned = clean_lines(raw_lines)
        if not cleaned.lines:
            raise UnreadableFile("没有可审查的正文（只有空白、页码或网站模板）")
        src = _trace(raw_lines, cleaned.lines, numbered=fmt != "pdf")
        toc_range, toc, toc_line = _find_toc(raw_lines, cleaned.lines, src)
        # The segmenter finds and skips the 目次 itself (ingest/toc.py); here its entries
        # are extracted for the 目次 rule, and its lines are kept out of the paragraphs the
        # other rules read (an entry is no heading, and "附录B" in it is no mention).
        keep = list(range(len(cleaned.lines)))
        lines = [cleaned.lines[i] for i in keep]
        if not lines:
            raise UnreadableFile("没有可审查的正文（只有目次）")
        seg = segment_lines(
            lines, doc_id="draft", doc_title=Path(name).stem, standard_code=None, source=name
        )
        starts: list[int] = []
        pos = 0
        for ln in lines:
            starts.append(pos)
            pos += len(ln.text) + 1
        clause_starts = [c.start for c in seg.clauses]
        paras: list[Para] = []
        for k, (i, ln) in enumerate(zip(keep, lines, strict=True)):
            s = starts[k]
            e = s + len(ln.text)
            j = bisect.bisect_right(clause_starts, e) - 1
            # The clause whose heading begins on this line owns it; otherwise the one before.
            clause = seg.clauses[j] if j >= 0 else None
            heading = (
                clause is not None
                and s <= clause.start <= e
                and clause.kind is not ClauseKind.PREAMBLE
            )
            if clause is not None and clause.start > s and not heading:
                clause = seg.clauses[j - 1] if j > 0 else None
            if toc_range and toc_range[0] <= i < toc_range[1]:
                continue
            paras.append(
                Para(len(paras), ln.text, src[i], ln.page, clause, heading, s, halfwidth(ln.text))
            )
        draft = cls(name, fmt, seg.clauses, paras, toc, toc_line, pages)
        for p in paras:
            if p.clause is not None:
                draft._by_clause.setdefault(p.clause.clause_id, []).append(p)
        return draft

    # ------------------------------------------------------------ queries
    def body(self, clause: Clause) -> list[Para]:
        """Paragraphs of ``clause`` after its heading line (its own text only)."""
        return [p for p in self._by_clause.get(clause.clause_id, []) if not p.heading]

    def heading_para(self, clause: Clause) -> Para | None:
        for p in self._by_clause.get(clause.clause_id, []):
            if p.heading:
                return p
        paras = self._by_clause.get(clause.clause_id)
        return paras[0] if paras else None

    def chapters(self) -> list[Clause]:
        if "chapters" not in self.cache:
            self.cache["chapters"] = [c for c in self.clauses if c.kind is ClauseKind.CHAPTER]
        return self.cache["chapters"]  # type: ignore[return-value]

    def chapter(self, no: str) -> Clause | None:
        return next((c for c in self.chapters() if c.clause_no == no), None)

    def chapter_titled(self, *words: str) -> Clause | None:
        """The chapter whose title contains one of ``words`` (first such)."""
        return next(
            (c for c in self.chapters() if any(w in squash(c.clause_title) for w in words)), None
        )

    def element(self, name: str) -> Clause | None:
        return next(
            (
                c
                for c in self.clauses
                if c.kind is ClauseKind.ELEMENT and squash(c.clause_no) == name
            ),
            None,
        )

    def annexes(self) -> list[Clause]:
        return [c for c in self.clauses if c.kind is ClauseKind.ANNEX]

    def within(self, clause: Clause) -> list[Clause]:
        """``clause`` and every clause below it."""
        out = [clause]
        for c in self.clauses:
            if any(h.no == clause.clause_no for h in c.heading_path) and c is not clause:
                out.append(c)
        return out

    def paras_under(self, clause: Clause) -> list[Para]:
        """Body paragraphs of ``clause`` and of every clause below it, in order."""
        ids = {c.clause_id for c in self.within(clause)}
        return [
            p
            for p in self.paras
            if p.clause is not None and p.clause.clause_id in ids and not p.heading
        ]

    def body_paras(self) -> list[Para]:
        """Paragraphs of the normative text: chapters 1… and annexes, not the preamble,
        前言, 引言 or 参考文献."""
        if "body" not in self.cache:
            self.cache["body"] = self._body_paras()
        return self.cache["body"]  # type: ignore[return-value]

    def _body_paras(self) -> list[Para]:
        return [
            p
            for p in self.paras
            if p.clause is not None
            and p.clause.kind not in (ClauseKind.PREAMBLE, ClauseKind.ELEMENT)
        ]

    @property
    def era(self) -> str:
        """ "2009" if the draft follows GB/T 1.1—2009 (its drafting-basis sentence, or 本标准
        more often than 本文件), else "2020"."""
        text = "\n".join(p.text for p in self.paras)
        if OLD_DRAFTING_BASIS.search(text):
            return "2009"
        return "2009" if len(THIS_STANDARD.findall(text)) > text.count("本文件") else "2020"


def _trace(raw: list[Line], cleaned: list[Line], *, numbered: bool) -> list[int | None]:
    """For each cleaned line, the 1-based line of ``raw`` it came from (None for PDFs,
    whose extracted lines are not lines a user can go to)."""
    out: list[int | None] = []
    j = 0
    keys = [squash(r.text) for r in raw]
    for ln in cleaned:
        probe = squash(ln.text)[:12]
        found = None
        for k in range(j, min(len(raw), j + 400)):
            if probe and probe in keys[k]:
                found = k
                break
        if found is None:
            out.append(None)
            continue
        j = found
        out.append(found + 1 if numbered else None)
    return out


def _entry_key(text: str) -> str:
    return squash(_TOC_TAIL.sub("", _TOC_LEADER.sub("", text)))


def _find_toc(
    raw: list[Line], cleaned: list[Line], src: list[int | None]
) -> tuple[tuple[int, int] | None, list[TocEntry] | None, int | None]:
    """Locate the 目次: (range of cleaned lines to drop, its entries, its source line).

    Entries run from the "目次" line until a line repeats an earlier entry (the body's first
    heading) or a line is no heading at all.  Entries without leader or page number count
    only when such a repeat is found, so a lone "目次" heading followed by the body is not
    mistaken for a table of contents.
    """
    limit = max(40, len(cleaned) // 3)
    head = next(
        (
            i
            for i, ln in enumerate(cleaned[:limit])
            if (m := RE_ELEMENT.match(ln.text.strip())) and squash(m.group("name")) == "目次"
        ),
        None,
    )
    if head is None:
        return None, None, None
    # Raw lines after the heading (the leader lines were dropped by cleaning).
    r0 = _raw_index(raw, cleaned, src, head)
    entries: list[TocEntry] = []
    seen: set[str] = set()
    end_key: str | None = None
    led = 0
    for k in range(r0 + 1, len(raw)):
        t = raw[k].text.strip()
        if not squash(t) or _DECORATION.match(t):
            continue
        key = _entry_key(t)
        leader = bool(_TOC_LEADER.search(t) or _TOC_TAIL.search(t))
        if key in seen:
            end_key = key
            break
        if find_codes(t) and squash(find_codes(t)[0].code) == key:
            continue  # the document's code printed between the 目次 and the body
        if not key or not title_like(_TOC_TAIL.sub("", _TOC_LEADER.sub("", t)).strip(), 60):
            break
        if leader and len(entries) == led:
            led += 1
        seen.add(key)
        entries.append(
            TocEntry(_TOC_TAIL.sub("", _TOC_LEADER.sub("", t)).strip(), k + 1, raw[k].page)
        )
    if end_key is None:
        entries = entries[:led]
    if not entries:
        return (head, head + 1), [], src[head]
    # Drop cleaned lines from the heading up to the body's first heading.
    stop = head + 1
    if end_key is not None:
        # The body's first heading: the end_key line not followed by another entry (when
        # the entries survived cleaning, the first end_key line is the entry itself).
        while stop < len(cleaned):
            nxt = _entry_key(cleaned[stop + 1].text) if stop + 1 < len(cleaned) else ""
            if _entry_key(cleaned[stop].text) == end_key and nxt not in seen:
                break
            stop += 1
    else:
        while (
            stop < len(cleaned)
            and _entry_key(cleaned[stop].text) in seen
            and stop - head <= len(entries)
        ):
            stop += 1
    return (head, stop), entries, src[head]


def _raw_index(raw: list[Line], cleaned: list[Line], src: list[int | None], i: int) -> int:
    if src[i] is not None:
        return src[i] - 1
    probe = squash(cleaned[i].text)
    for k, r in enumerate(raw):
        if squash(r.text) == probe:
            return k
    return 0
