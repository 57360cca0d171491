"""A document's clause tree and what looks wrong in it — shown by ``python -m ingest
--outline`` and by the app's 知识库 page.

Why: everything downstream cites clause numbers, and a segmentation fault is invisible in
an answer until someone compares it with the paper.  The outline makes the structure
visible at a glance, and the anomaly list points at the places worth looking at:

* ``gap`` — a sibling number is skipped (5.1 → 5.3, 附录A → 附录C, 第三条 → 第五条): a
  heading was probably swallowed into the clause before it;
* ``order`` — a number smaller than one already seen at its level (7 after 9), or a
  chapter after an annex: usually a table row or a 目次 entry taken as a heading;
* ``parent`` — a number hung under the wrong clause (6.3.3.1 directly under 6.3, 6.1 at
  top level): its parent heading was lost;
* ``duplicate`` — the same number twice: a 目次 entry or a table row taken as a heading,
  or a renumbered document;
* ``empty`` — a clause with no text and no sub-clauses (a heading without body that is
  not a section over a subtree: usually a stray 目次 entry);
* ``title`` — a suspicious title: too long, ends with a colon ("…如下："), starts with a
  modal verb (应/宜/不得…), reads as a sentence, or has an unpaired quote or bracket
  (cut inside a value: "对信用等级为“A"): body text taken as a heading.

Only stored clause fields are used, so the same code serves a stored document and a file
segmented on the fly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum

from grammar.numbering import chinese_to_int
from grammar.schema import Clause, ClauseKind
from grammar.titles import brackets_balanced, ends_in_reference, has_modal

TITLE_MAX_CHARS = 30  # GB/T headings are short; longer ones are usually body text
_MODAL_START = re.compile(r"^(不应|不宜|不得|不可|必须|可以)")
_LATIN_TAIL = re.compile(r"\s+[A-Za-z][A-Za-z0-9 ,;:()'/-]*$")  # term's English equivalent
_SENTENCE = re.compile(r"[。；;！!]|[，,].{6,}")
_ANNEX = re.compile(r"^附录([A-Z])$")
_GB = re.compile(r"^([A-Z]|\d+)((?:\.\d+)*)$")
_ARTICLE = re.compile(r"第([零〇一二三四五六七八九十百千两\d]+)条$")
_CHAPTER = re.compile(r"^第([零〇一二三四五六七八九十百千两\d]+)章$")


class AnomalyKind(StrEnum):
    GAP = "gap"
    ORDER = "order"
    PARENT = "parent"
    DUPLICATE = "duplicate"
    EMPTY = "empty"
    TITLE = "title"


@dataclass(slots=True, frozen=True)
class OutlineNode:
    """One line of the clause tree (parts of a clause split for the embedder are merged)."""

    clause_no: str
    clause_title: str
    kind: str
    depth: int
    parent: str
    chars: int
    page: int | None
    seq: int
    children: int = 0

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @property
    def label(self) -> str:
        return f"{self.clause_no} {self.clause_title}".strip() or "（封面/前置文字）"


@dataclass(slots=True, frozen=True)
class Anomaly:
    kind: AnomalyKind
    clause_no: str
    seq: int
    message: str

    def to_dict(self) -> dict[str, object]:
        return {"kind": str(self.kind), "clause_no": self.clause_no, "seq": self.seq,
                "message": self.message}  # fmt: skip


@dataclass(slots=True)
class Outline:
    nodes: list[OutlineNode]
    anomalies: list[Anomaly]

    def to_dict(self) -> dict[str, object]:
        return {
            "outline": [n.to_dict() for n in self.nodes],
            "anomalies": [a.to_dict() for a in self.anomalies],
        }

    def flagged(self) -> dict[int, list[Anomaly]]:
        """Anomalies by node ``seq``, for marking lines of the tree."""
        out: dict[int, list[Anomaly]] = {}
        for a in self.anomalies:
            out.setdefault(a.seq, []).append(a)
        return out


def build_tree(clauses: Iterable[Clause]) -> list[OutlineNode]:
    """One node per clause in document order; ``chars`` is the clause body length (all
    parts), ``children`` the number of direct sub-clauses."""
    merged: list[tuple[Clause, int]] = []
    for c in clauses:
        if (
            merged
            and int(c.extra.get("part", 0) or 0) > 1
            and merged[-1][0].clause_no == c.clause_no
        ):
            first, chars = merged[-1]
            merged[-1] = (first, chars + len(c.text.strip()))
            continue
        merged.append((c, len(c.text.strip())))
    nodes = []
    open_at: dict[int, str] = {}  # depth -> number of the latest clause at that depth
    for c, chars in merged:
        depth = len(c.heading_path)
        open_at[depth] = c.clause_no
        # The enclosing clause's own number (a heading path labels a section "第一节"
        # while its number is "第三章第一节").
        parent = open_at.get(depth - 1, c.heading_path[-1].no) if c.heading_path else ""
        nodes.append(
            OutlineNode(
                clause_no=c.clause_no,
                clause_title=c.clause_title,
                kind=str(c.kind),
                depth=len(c.heading_path),
                parent=parent,
                chars=chars,
                page=c.page,
                seq=len(nodes),
            )
        )
    # Count direct children: a node's children follow it, one level deeper, until the
    # next node at its own depth or shallower.
    counts = [0] * len(nodes)
    stack: list[int] = []
    for i, n in enumerate(nodes):
        while stack and nodes[stack[-1]].depth >= n.depth:
            stack.pop()
        if stack and nodes[stack[-1]].depth == n.depth - 1:
            counts[stack[-1]] += 1
        stack.append(i)
    return [_with_children(n, k) for n, k in zip(nodes, counts, strict=True)]


def _with_children(n: OutlineNode, k: int) -> OutlineNode:
    return OutlineNode(
        n.clause_no, n.clause_title, n.kind, n.depth, n.parent, n.chars, n.page, n.seq, k
    )


def _sequence_key(no: str) -> tuple[str, int] | None:
    """(series, ordinal) of a number among its siblings: "5.2.3" → ("5.2", 3), "附录B" →
    ("附录", 2), "第十二条" → ("条", 12).  None for numbers without a sibling order
    (elements such as 前言, outline paths)."""
    if m := _ANNEX.match(no):
        return ("附录", ord(m.group(1)) - ord("A") + 1)
    if m := _GB.match(no):
        parts = no.split(".")
        if not parts[-1].isdigit():
            return None
        return (".".join(parts[:-1]) or "章", int(parts[-1]))
    if (m := _ARTICLE.search(no)) and (n := chinese_to_int(m.group(1))) is not None:
        return ("条", n)  # articles are numbered through the whole regulation
    if (m := _CHAPTER.match(no)) and (n := chinese_to_int(m.group(1))) is not None:
        return ("章", n)
    return None


def _implied_parent(no: str) -> str | None:
    """The parent a GB/T number names by itself: "6.3.3.1" → "6.3.3", "A.1" → "附录A";
    None for chapters, annexes and other families."""
    if not _GB.match(no) or "." not in no:
        return None
    head = no.rsplit(".", 1)[0]
    return f"附录{head}" if head.isalpha() else head


def _suspicious_title(title: str) -> str | None:
    t = title.strip()
    if not t:
        return None
    size = len(_LATIN_TAIL.sub("", t))
    if size > TITLE_MAX_CHARS:
        return f"标题过长（{size} 字）"
    if t[-1] in ":：":
        return "标题以冒号结尾（可能是引出列项的正文）"
    if _MODAL_START.match(t) or (t[0] in "应宜须" and has_modal(t[:2])):
        return "标题以助动词开头（可能是要求条文）"
    if not brackets_balanced(t):
        return "标题中括号或引号不成对（可能在值中间被截断）"
    if ends_in_reference(t):
        return "标题以引用结尾（可能是正文的前半句）"
    if _SENTENCE.search(t):
        return "标题像一句话（可能是正文）"
    return None


_NUMBERED = {
    str(ClauseKind.CHAPTER),
    str(ClauseKind.CLAUSE),
    str(ClauseKind.TERM),
    str(ClauseKind.ANNEX),
    str(ClauseKind.ANNEX_CLAUSE),
    str(ClauseKind.ARTICLE),
    str(ClauseKind.REG_CHAPTER),
}


def find_anomalies(nodes: list[OutlineNode]) -> list[Anomaly]:
    """Numbering gaps, out-of-order numbers, wrong parents, duplicate numbers, empty
    clauses and suspicious titles, in document order."""
    out: list[Anomaly] = []
    seen: dict[str, int] = {}
    last: dict[str, int] = {}
    for n in nodes:
        if n.kind in _NUMBERED and n.clause_no:
            if n.clause_no in seen:
                out.append(
                    Anomaly(
                        AnomalyKind.DUPLICATE,
                        n.clause_no,
                        n.seq,
                        f"编号 {n.clause_no} 重复（第一次出现在第 {seen[n.clause_no] + 1} 项）",
                    )
                )
            else:
                seen[n.clause_no] = n.seq
                key = _sequence_key(n.clause_no)
                if key is not None:
                    series, ordinal = key
                    expected = last.get(series, 0) + 1
                    if ordinal < expected or (series == "章" and "附录" in last):
                        out.append(
                            Anomaly(
                                AnomalyKind.ORDER,
                                n.clause_no,
                                n.seq,
                                f"编号倒序：{n.clause_no} 出现在同级更大的编号或附录之后",
                            )
                        )
                    elif ordinal > expected:
                        missing = _missing_label(n.clause_no, series, expected, ordinal)
                        out.append(
                            Anomaly(
                                AnomalyKind.GAP,
                                n.clause_no,
                                n.seq,
                                f"编号跳跃：{n.clause_no} 之前缺少 {missing}",
                            )
                        )
                    last[series] = max(last.get(series, 0), ordinal)
            implied = _implied_parent(n.clause_no)
            if implied is not None and implied != n.parent:
                where = f"挂在 {n.parent} 下" if n.parent else "位于顶层"
                out.append(
                    Anomaly(
                        AnomalyKind.PARENT,
                        n.clause_no,
                        n.seq,
                        f"层级不符：{n.clause_no} 的上级应为 {implied}，实际{where}",
                    )
                )
        if n.kind != str(ClauseKind.PREAMBLE) and n.chars == 0 and n.children == 0:
            out.append(
                Anomaly(AnomalyKind.EMPTY, n.clause_no, n.seq, "空条款：既无正文也无下级条款")
            )
        if reason := _suspicious_title(n.clause_title):
            out.append(Anomaly(AnomalyKind.TITLE, n.clause_no, n.seq, f"可疑标题：{reason}"))
    return out


def _missing_label(no: str, series: str, first: int, upto: int) -> str:
    """Human form of the skipped numbers, e.g. "5.2" or "附录B～附录C"."""

    def one(k: int) -> str:
        if series == "附录":
            return f"附录{chr(ord('A') + k - 1)}"
        if series == "条":
            return f"第{k}条"
        if series == "章":
            return f"第{k}章" if no.startswith("第") else str(k)
        return f"{series}.{k}"

    return one(first) if first == upto - 1 else f"{one(first)}～{one(upto - 1)}"


def outline(clauses: Iterable[Clause]) -> Outline:
    """The clause tree of one document and its anomalies."""
    nodes = build_tree(clauses)
    return Outline(nodes, find_anomalies(nodes))


def format_outline(result: Outline, *, title: str = "") -> str:
    """Plain-text rendering: indented tree, then the anomaly list."""
    flagged = result.flagged()
    lines = [title] if title else []
    for n in result.nodes:
        mark = " ⚠" if n.seq in flagged else ""
        page = f" p{n.page}" if n.page else ""
        lines.append(f"{'  ' * n.depth}{n.label}  [{n.kind}, {n.chars} 字{page}]{mark}")
    lines.append("")
    if not result.anomalies:
        lines.append("未发现异常。")
    else:
        lines.append(f"异常 {len(result.anomalies)} 处：")
        for a in result.anomalies:
            lines.append(f"  [{a.kind}] {a.clause_no or '（无编号）'}：{a.message}")
    return "\n".join(lines)
