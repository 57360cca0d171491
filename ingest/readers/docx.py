"""DOCX: the body's paragraphs and table rows in document order, with the heading numbers
Word generates put back into the text.

Why not just ``python-docx``'s ``document.paragraphs``: it skips tables and loses their
position, drops text in tracked insertions, content controls and text boxes, and knows
nothing of automatic numbering.  So the body is walked as XML (python-docx is used to open
the package and reach styles, numbering and core properties):

* A paragraph is one line (a manual line break inside it starts another).  Deleted text
  (tracked deletions), field instructions, hidden runs and the ``mc:Fallback`` copy of
  drawings are skipped; text boxes are read after the paragraph that anchors them (the GB
  template puts the cover's code and title in frames and text boxes).
* A table row is one line, cells joined with " | ".  A cell spanning several columns is
  written once; a cell merged vertically repeats its text on every row it covers, so each
  row stays self-contained when retrieved on its own.  Nested tables are flattened into
  their cell's text.
* Headers, footers, footnotes and comments are not read: they are page furniture or
  commentary, not the document's clauses.

**Automatic heading numbers (heuristic).**  Standards drafted in Word usually number
headings with multilevel list numbering, so the text layer says "服务人员" where the page
shows "5.2 服务人员", and segmentation would find no clause numbers.  For a *heading* — a
paragraph whose style (or a style it is based on) is named "Heading N"/"标题 N", or
failing that has an outline level — that carries numbering (``w:numPr`` on the paragraph
or its style chain, ``numId`` not 0) and whose text does not already start with a number,
we prepend the number Word would display:

1. If numbering.xml defines the list level, its ``lvlText`` ("%1.%2", "第%1章", "附录%1")
   is rendered with per-list counters (numbering formats decimal, letters, roman,
   Chinese counting, circled numbers…).  Counters advance on *every* numbered paragraph of
   that list, headings or not, as Word's do.
2. Otherwise the number is synthesised from heading-level counters, GB style: "1", "1.1",
   "1.1.1" (a skipped level counts as 1, because "1.0.1" is not a clause number).

Not modelled: ``lvlRestart``, legal-style numbering across lists, numbering changed by
tracked changes, and numbers of non-heading list items (a), b)) — those stay as typed.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from lxml import etree

from grammar.numbering import int_to_chinese, match_heading
from ingest.readers.base import Line, RawDocument, UnreadableFile

logger = logging.getLogger(__name__)

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


def _wval(el: etree._Element | None, attr: str = "val") -> str | None:
    return None if el is None else el.get(_w(attr))


P, TBL, TR, TC, R, T = _w("p"), _w("tbl"), _w("tr"), _w("tc"), _w("r"), _w("t")
TAB, BR, CR, SYM = _w("tab"), _w("br"), _w("cr"), _w("sym")
NO_BREAK_HYPHEN, SOFT_HYPHEN = _w("noBreakHyphen"), _w("softHyphen")
TXBX_CONTENT = _w("txbxContent")
FALLBACK = f"{{{_MC}}}Fallback"
# Subtrees with no visible text of their own (deleted runs, field codes, properties).
_SKIP = frozenset(
    _w(t)
    for t in (
        "del",
        "moveFrom",
        "instrText",
        "delText",
        "delInstrText",
        "pPr",
        "rPr",
        "tblPr",
        "trPr",
        "tcPr",
        "sectPr",
        "footnoteReference",
        "endnoteReference",
        "commentReference",
    )
) | {FALLBACK}

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Zip-bomb limits, checked on the archive's directory *before* anything is inflated.
# zipfile never inflates a member past the size its directory entry declares, so checking
# declared sizes bounds every decompression.  Real standards: document.xml of a 300-page
# GB/T with tables is ~20 MB and compresses ~10:1; a bomb declares gigabytes at 1000:1.
MAX_MEMBER_BYTES = 128 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_RATIO = 100  # only judged for members over RATIO_FLOOR (tiny parts compress oddly)
RATIO_FLOOR = 4 * 1024 * 1024
MAX_MEMBERS = 10_000
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


# ---------------------------------------------------------------- number formats
def _letters(n: int, upper: bool) -> str:
    # Word repeats the letter after Z: 27 -> "AA", 28 -> "BB".
    base = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if upper else "abcdefghijklmnopqrstuvwxyz"
    return base[(n - 1) % 26] * ((n - 1) // 26 + 1)


def _roman(n: int) -> str:
    out = []
    for value, sym in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        q, n = divmod(n, value)
        out.append(sym * q)
    return "".join(out)


_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_LEGAL = str.maketrans("一二三四五六七八九十百千", "壹贰叁肆伍陆柒捌玖拾佰仟")


def format_number(n: int, fmt: str | None) -> str:
    """Counter value ``n`` in Word's numbering format ``fmt`` (ST_NumberFormat)."""
    if n <= 0:
        n = 1
    match fmt:
        case "upperLetter":
            return _letters(n, upper=True)
        case "lowerLetter":
            return _letters(n, upper=False)
        case "upperRoman":
            return _roman(n)
        case "lowerRoman":
            return _roman(n).lower()
        case "chineseCounting" | "chineseCountingThousand" | "ideographDigital":
            return int_to_chinese(n)
        case "chineseLegalSimplified":
            return int_to_chinese(n).translate(_LEGAL)
        case "ideographTraditional":
            return "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10]
        case "decimalEnclosedCircle" | "decimalEnclosedCircleChinese":
            return _CIRCLED[n - 1] if n <= len(_CIRCLED) else str(n)
        case "decimalZero":
            return f"{n:02d}"
        case "decimalFullWidth" | "decimalFullWidth2":
            return str(n).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
        case "none":
            return ""
        case _:  # decimal and everything we do not model
            return str(n)


# ---------------------------------------------------------------- styles and numbering
@dataclass(slots=True)
class _Style:
    name: str
    based_on: str | None
    num_id: str | None  # None: not set on this style; "0": numbering explicitly off
    ilvl: int | None
    outline: int | None


@dataclass(slots=True)
class _Level:
    start: int = 1
    fmt: str | None = "decimal"
    text: str | None = None
    legal: bool = False


@dataclass(slots=True)
class _Numbering:
    """numbering.xml, reduced to what rendering a heading number needs, plus counters."""

    abstract_of: dict[str, str] = field(default_factory=dict)  # numId -> abstractNumId
    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)  # abstractNumId
    overrides: dict[str, dict[int, int]] = field(default_factory=dict)  # numId -> starts
    style_levels: dict[str, int] = field(default_factory=dict)  # styleId -> ilvl
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    used_num_ids: set[str] = field(default_factory=set)

    def render(self, num_id: str, ilvl: int) -> str | None:
        """Advance the list's counter at ``ilvl`` and return the displayed number; None if
        the list or level is not defined (or is a bullet)."""
        abstract = self.abstract_of.get(num_id)
        levels = self.levels.get(abstract or "")
        if not levels or ilvl not in levels:
            return None
        level = levels[ilvl]
        if level.fmt == "bullet":
            return None
        counters = self.counters.setdefault(abstract or "", {})
        override = self.overrides.get(num_id, {})
        if num_id not in self.used_num_ids:
            self.used_num_ids.add(num_id)
            for lvl, start in override.items():  # a startOverride restarts the list
                counters[lvl] = start - 1
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if level.text is None:
            return None

        def one(match: re.Match[str]) -> str:
            k = int(match.group(1)) - 1
            lv = levels.get(k, _Level())
            # An unused parent level shows its start value and from then on counts as used.
            value = counters.setdefault(k, lv.start)
            return format_number(value, "decimal" if level.legal else lv.fmt)

        return re.sub(r"%([1-9])", one, level.text).strip()


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _load_styles(doc: DocumentObject) -> tuple[dict[str, _Style], str | None]:
    """styleId -> style facts, and the id of the default paragraph style."""
    styles: dict[str, _Style] = {}
    default: str | None = None
    root = doc.styles.element
    for st in root.iterchildren(_w("style")):
        if st.get(_w("type")) != "paragraph":
            continue
        sid = st.get(_w("styleId")) or ""
        ppr = st.find(_w("pPr"))
        num_pr = ppr.find(_w("numPr")) if ppr is not None else None
        styles[sid] = _Style(
            name=_wval(st.find(_w("name"))) or sid,
            based_on=_wval(st.find(_w("basedOn"))),
            num_id=_wval(num_pr.find(_w("numId"))) if num_pr is not None else None,
            ilvl=_int(_wval(num_pr.find(_w("ilvl")))) if num_pr is not None else None,
            outline=_int(_wval(ppr.find(_w("outlineLvl")))) if ppr is not None else None,
        )
        if st.get(_w("default")) in ("1", "true", "on"):
            default = sid
    return styles, default


def _load_numbering(doc: DocumentObject) -> _Numbering:
    numbering = _Numbering()
    try:
        part = doc.part.numbering_part
    except Exception:  # no numbering part or an unreadable one: fall back to counters
        logger.debug("no usable numbering part", exc_info=True)
        return numbering
    root = part.element
    style_link: dict[str, str] = {}  # abstractNumId -> numbering style it defers to
    for an in root.iterchildren(_w("abstractNum")):
        aid = an.get(_w("abstractNumId")) or ""
        levels: dict[int, _Level] = {}
        for lvl in an.iterchildren(_w("lvl")):
            ilvl = _int(lvl.get(_w("ilvl")))
            if ilvl is None:
                continue
            start = _int(_wval(lvl.find(_w("start"))))
            levels[ilvl] = _Level(
                start=start if start is not None else 1,
                fmt=_wval(lvl.find(_w("numFmt"))) or "decimal",
                text=_wval(lvl.find(_w("lvlText"))),
                legal=lvl.find(_w("isLgl")) is not None,
            )
            if (pstyle := _wval(lvl.find(_w("pStyle")))) is not None:
                numbering.style_levels[pstyle] = ilvl
        numbering.levels[aid] = levels
        if (link := _wval(an.find(_w("numStyleLink")))) is not None:
            style_link[aid] = link
    for num in root.iterchildren(_w("num")):
        nid = num.get(_w("numId")) or ""
        numbering.abstract_of[nid] = _wval(num.find(_w("abstractNumId"))) or ""
        for ov in num.iterchildren(_w("lvlOverride")):
            ilvl = _int(ov.get(_w("ilvl")))
            start = _int(_wval(ov.find(_w("startOverride"))))
            if ilvl is not None and start is not None:
                numbering.overrides.setdefault(nid, {})[ilvl] = start
    if style_link:
        _resolve_style_links(doc, numbering, style_link)
    return numbering


def _resolve_style_links(doc: DocumentObject, numbering: _Numbering, links: dict[str, str]) -> None:
    """An abstractNum with ``numStyleLink`` takes its levels from the list a numbering
    style points to (how Word stores "list styles")."""
    for st in doc.styles.element.iterchildren(_w("style")):
        sid = st.get(_w("styleId"))
        ppr = st.find(_w("pPr"))
        num_id = _wval(ppr.find(f"{_w('numPr')}/{_w('numId')}")) if ppr is not None else None
        if sid is None or num_id is None:
            continue
        target = numbering.abstract_of.get(num_id)
        for aid, link in links.items():
            if link == sid and target and target != aid and target in numbering.levels:
                numbering.levels[aid] = numbering.levels[target]


# ---------------------------------------------------------------- text extraction
def _is_hidden(run: etree._Element) -> bool:
    rpr = run.find(_w("rPr"))
    if rpr is None:
        return False
    vanish = rpr.find(_w("vanish"))
    return vanish is not None and _wval(vanish) not in ("0", "false", "off")


def _inline(el: etree._Element, out: list[str], boxes: list[etree._Element]) -> None:
    """Visible text under ``el`` in document order; text boxes are collected separately."""
    for child in el:
        tag = child.tag
        if tag == T:
            out.append(child.text or "")
        elif tag in (TAB,):
            out.append("\t")
        elif tag in (BR, CR):
            out.append("\n")
        elif tag == NO_BREAK_HYPHEN:
            out.append("-")
        elif tag == SYM:
            # Symbol-font characters live in the private-use area and render as garbage.
            code = _int_hex(child.get(_w("char")))
            if code is not None and not 0xE000 <= code <= 0xF8FF:
                out.append(chr(code))
        elif tag == TXBX_CONTENT:
            boxes.append(child)
        elif tag in _SKIP or tag == SOFT_HYPHEN or not isinstance(tag, str):
            continue  # comments and processing instructions have non-string tags
        elif tag == R and _is_hidden(child):
            continue
        else:
            _inline(child, out, boxes)


def _int_hex(value: str | None) -> int | None:
    try:
        return int(value, 16) if value else None
    except ValueError:
        return None


def _iter_blocks(container: etree._Element) -> Iterator[etree._Element]:
    """Paragraphs and tables under a body, cell or text box, looking through content
    controls and custom XML wrappers."""
    for child in container:
        if child.tag in (P, TBL):
            yield child
        elif isinstance(child.tag, str) and child.tag not in _SKIP:
            yield from _iter_blocks(child)


def _paragraph_text(p: etree._Element) -> tuple[str, list[etree._Element]]:
    out: list[str] = []
    boxes: list[etree._Element] = []
    _inline(p, out, boxes)
    return "".join(out), boxes


class _Walker:
    """Walks one document body, holding the style/numbering state heading numbers need."""

    def __init__(self, doc: DocumentObject) -> None:
        self.doc = doc
        self.styles, self.default_style = _load_styles(doc)
        self.numbering = _load_numbering(doc)
        self.heading_counters: list[int] = []
        self.synthesised = 0

    # -- styles
    def _chain(self, style_id: str | None) -> Iterator[tuple[str, _Style]]:
        seen: set[str] = set()
        sid = style_id if style_id is not None else self.default_style
        while sid is not None and sid in self.styles and sid not in seen:
            seen.add(sid)
            yield sid, self.styles[sid]
            sid = self.styles[sid].based_on

    def _heading_level(self, style_id: str | None, para_outline: int | None) -> int | None:
        chain = list(self._chain(style_id))
        for _, st in chain:
            if m := _HEADING_STYLE.match(st.name.strip()):
                return int(m.group(1))
        outline = para_outline
        if outline is None:
            outline = next((st.outline for _, st in chain if st.outline is not None), None)
        return outline + 1 if outline is not None and 0 <= outline <= 8 else None

    def _num_pr(
        self, style_id: str | None, num_pr: etree._Element | None
    ) -> tuple[str, int] | None:
        """(numId, ilvl) in effect for a paragraph, or None if it is not numbered."""
        if num_pr is not None and (nid := _wval(num_pr.find(_w("numId")))) is not None:
            ilvl = _int(_wval(num_pr.find(_w("ilvl"))))
            if ilvl is None:
                ilvl = next((st.ilvl for _, st in self._chain(style_id) if st.ilvl is not None), 0)
            return (nid, ilvl) if nid != "0" else None
        for sid, st in self._chain(style_id):
            if st.num_id is not None:
                if st.num_id == "0":
                    return None
                ilvl = st.ilvl
                if ilvl is None:
                    ilvl = self.numbering.style_levels.get(sid, 0)
                return st.num_id, ilvl
        return None

    # -- numbering
    def _auto_number(self, p: etree._Element, text: str) -> str | None:
        ppr = p.find(_w("pPr"))
        style_id = _wval(ppr.find(_w("pStyle"))) if ppr is not None else None
        num_pr = ppr.find(_w("numPr")) if ppr is not None else None
        numbered = self._num_pr(style_id, num_pr)
        if numbered is None:
            return None
        num_id, ilvl = numbered
        rendered = self.numbering.render(num_id, ilvl)  # advances counters even if unused
        para_outline = _int(_wval(ppr.find(_w("outlineLvl")))) if ppr is not None else None
        level = self._heading_level(style_id, para_outline)
        if level is None or not text.strip() or match_heading(text) is not None:
            return None
        if rendered is None:
            rendered = self._counter_number(level)
        return rendered or None

    def _counter_number(self, level: int) -> str:
        counters = self.heading_counters[:level]
        counters += [0] * (level - len(counters))
        # A skipped level is shown as 1 and then counts as used, so the next heading at
        # that level is 2 and clause numbers never repeat.
        counters = [c or 1 for c in counters[:-1]] + [counters[-1] + 1]
        self.heading_counters = counters
        return ".".join(map(str, counters))

    # -- blocks
    def lines(self, container: etree._Element) -> Iterator[str]:
        for block in _iter_blocks(container):
            if block.tag == TBL:
                yield from self._table_lines(block)
            else:
                yield from self._paragraph_lines(block)

    def _paragraph_lines(self, p: etree._Element) -> Iterator[str]:
        text, boxes = _paragraph_text(p)
        text = text.replace("\t", " ")
        number = self._auto_number(p, text)
        if number:
            self.synthesised += 1
            text = f"{number} {text.lstrip()}"
        for part in text.split("\n"):
            if part.strip():
                yield part.rstrip()
        for box in boxes:
            yield from self.lines(box)

    def _cell_text(self, tc: etree._Element) -> str:
        return " ".join(" ".join(line.split()) for line in self.lines(tc))

    def _row_tcs(self, table: etree._Element) -> list[list[etree._Element]]:
        """Cell elements of each row; python-docx resolves spans and vertical merges."""
        try:
            rows = []
            for row in Table(table, self.doc).rows:  # type: ignore[arg-type]
                tcs: list[etree._Element] = []
                for cell in row.cells:
                    if not tcs or tcs[-1] is not cell._tc:  # a span yields one cell per column
                        tcs.append(cell._tc)
                rows.append(tcs)
            return rows
        except Exception:  # malformed merges: read the cells as they are
            logger.debug("table layout not resolvable; reading raw cells", exc_info=True)
            return [list(tr.iterchildren(TC)) for tr in table.iterchildren(TR)]

    def _table_lines(self, table: etree._Element) -> Iterator[str]:
        for tcs in self._row_tcs(table):
            cells = [self._cell_text(tc) for tc in tcs]
            if any(cells):
                yield " | ".join(cells)


# ---------------------------------------------------------------- entry point
def check_archive(data: bytes) -> None:
    """Refuse a zip bomb before python-docx inflates anything.

    First the central directory: a member, or all of them together, declaring more than the
    limits above, or a large member compressed implausibly well, is refused without
    inflating a byte.  Then every member is inflated *in 1 MiB chunks* and counted: a
    directory that lies about sizes cannot make a later ``ZipFile.read`` (which inflates a
    member in one call) allocate gigabytes, because the stream has been proven to stop at
    its declared size with a good CRC.  Raises :class:`UnreadableFile`.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            _check_directory(infos)
            for info in infos:
                _check_stream(zf, info)
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(f"DOCX 文件损坏：不是有效的 ZIP 压缩包（{exc}）") from exc
    except (NotImplementedError, RuntimeError, OSError, EOFError, ValueError) as exc:
        raise UnreadableFile(f"DOCX 文件损坏：{type(exc).__name__}") from exc


def _bomb(name: str, size: int, ratio: float) -> UnreadableFile:
    return UnreadableFile(
        f"DOCX 文件异常：部件 {name} 解压后 {size // 2**20} MB"
        f"（压缩比 {ratio:.0f}:1），疑似压缩炸弹，已拒绝"
    )


def _check_directory(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_MEMBERS:
        raise UnreadableFile(f"DOCX 文件异常：压缩包内有 {len(infos)} 个部件，疑似压缩炸弹")
    total = 0
    for info in infos:
        size = info.file_size
        total += size
        ratio = size / max(info.compress_size, 1)
        if size > MAX_MEMBER_BYTES or (size > RATIO_FLOOR and ratio > MAX_RATIO):
            raise _bomb(info.filename, size, ratio)
    if total > MAX_TOTAL_BYTES:
        raise UnreadableFile(
            f"DOCX 文件异常：解压后共 {total // 2**20} MB，超过上限 {MAX_TOTAL_BYTES // 2**20} MB"
        )


def _check_stream(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Inflate one member in bounded chunks; zipfile stops at the declared size and checks
    the CRC at the end, so a lying directory surfaces as ``BadZipFile`` here."""
    seen = 0
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 20):
            seen += len(chunk)
            if seen > info.file_size or seen > MAX_MEMBER_BYTES:
                raise _bomb(info.filename, seen, seen / max(info.compress_size, 1))


def _open(data: bytes) -> DocumentObject:
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_PACKAGE in data:
            raise UnreadableFile("DOCX 已加密（设置了打开密码），请取消密码后再导入")
        raise UnreadableFile("这是旧版 Word（.doc）文件，请用 Word 另存为 .docx 后再导入")
    check_archive(data)
    try:
        return Document(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(f"DOCX 文件损坏：不是有效的 ZIP 压缩包（{exc}）") from exc
    except PackageNotFoundError as exc:
        raise UnreadableFile("DOCX 文件损坏：找不到文档内容") from exc
    except KeyError as exc:
        raise UnreadableFile(f"DOCX 文件损坏：缺少部件 {exc}") from exc
    except etree.XMLSyntaxError as exc:
        raise UnreadableFile("DOCX 文件损坏：XML 格式错误") from exc
    except ValueError as exc:
        if "not a Word file" in str(exc):
            reason = "不是 Word 文档（可能是改了扩展名的 Excel/PowerPoint 文件）"
            raise UnreadableFile(reason) from exc
        raise UnreadableFile(f"DOCX 文件损坏：{type(exc).__name__}") from exc
    except Exception as exc:
        raise UnreadableFile(f"DOCX 文件损坏：{type(exc).__name__}") from exc


def read_docx(path: Path, data: bytes) -> RawDocument:
    """A .docx body as lines (see the module docstring for what is read and how)."""
    doc = _open(data)
    walker = _Walker(doc)
    try:
        texts = list(walker.lines(doc.element.body))
    except etree.XMLSyntaxError as exc:  # parts are parsed lazily
        raise UnreadableFile("DOCX 文件损坏：XML 格式错误") from exc
    if walker.synthesised:
        logger.debug("%s: %d automatic heading numbers restored", path.name, walker.synthesised)
    try:
        title = (doc.core_properties.title or "").strip() or None
    except Exception:  # damaged docProps/core.xml: a hint is not worth failing over
        logger.debug("unreadable core properties", exc_info=True)
        title = None
    return RawDocument(path=path, fmt="docx", lines=[Line(t) for t in texts], title_hint=title)
