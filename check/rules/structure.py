"""Structure rules: elements present and in order, numbering of 章/条/附录, 目次.

Numbering is read from the segmenter's clauses.  A number the segmenter refused as a
heading (it does not continue the numbering) is looked for in the plain lines too, so a
gap such as chapter 4 followed by "6 服务评价" is still reported at the right line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from check.catalogue import rule
from check.draft import Draft, squash
from check.model import Hit, Location, Severity
from check.rules.common import clause_hit, in_annex, is_caption, para_hit
from grammar.schema import Clause, ClauseKind
from grammar.titles import title_like
from grammar.wording import DRAFTING_BASIS

_REQUIRED = (
    ("1", ("范围",)),
    ("2", ("规范性引用文件", "引用文件")),
    ("3", ("术语和定义", "术语", "定义")),
)
_PREFACE_TRACE = re.compile(r"起草单位|归口|提出。|规则起草|的规定起草")
# A heading-shaped line the segmenter did not take: "6 服务评价", "5.1.1.1.1.1 标识".
_LOOSE_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,3}){0,7})[ \t\u3000]+(\S.{0,30})$")


def _gb_key(no: str) -> tuple[int, ...] | None:
    if re.fullmatch(r"\d+(?:\.\d+)*", no):
        return tuple(int(x) for x in no.split("."))
    m = re.fullmatch(r"([A-Z])((?:\.\d+)+)", no)
    if m:
        return (1000 + ord(m.group(1)) - 65, *(int(x) for x in m.group(2)[1:].split(".")))
    return None


def _loose_headings(draft: Draft) -> list[tuple[tuple[int, ...], str, object]]:
    """Heading-shaped lines inside clause bodies (numbers the segmenter refused)."""
    if "loose" in draft.cache:
        return draft.cache["loose"]  # type: ignore[return-value]
    out = []
    for p in draft.body_paras():
        if p.heading:
            continue
        m = _LOOSE_HEADING.match(p.half.strip())
        if m and title_like(m.group(2), 30, allow_modal=False) and not re.search(r"\d", m.group(2)):
            out.append((tuple(int(x) for x in m.group(1).split(".")), m.group(2), p))
    draft.cache["loose"] = out
    return out


_FOREIGN = re.compile(r"[A-Za-z0-9]{2,}|[\[\]|]")


def confirmed_chapters(draft: Draft) -> list[Clause]:
    """Chapters that are certainly headings: they have 条, appear in the 目次, are the
    fixed chapters 1–3, or carry a Chinese title and a body sentence.  Flattened table rows
    ("15 事件使能 DWORD") are taken for chapters by a segmenter; numbering rules judge only
    confirmed chapters, so such rows never produce a numbering error."""
    if "confirmed" in draft.cache:
        return draft.cache["confirmed"]  # type: ignore[return-value]
    toc = {squash(e.text) for e in draft.toc or []}
    out = []
    following = {id(a): b for a, b in zip(draft.clauses, draft.clauses[1:], strict=False)}
    for c in draft.chapters():
        title = c.clause_title
        nxt = following.get(id(c))
        ok = (
            (nxt is not None and nxt.clause_no.startswith(c.clause_no + "."))
            or squash(c.clause_no + title) in toc
            or (c.clause_no in ("1", "2", "3") and re.search(r"范围|引用|术语", title))
            or (
                title
                and not _FOREIGN.search(title)
                and any(re.search(r"[。：:]", p.text) for p in draft.body(c)[:3])
            )
        )
        if ok:
            out.append(c)
    draft.cache["confirmed"] = out
    return out


@rule(
    "structure.required-elements", "必备要素", Severity.ERROR, "6.3", verified=False, guide="4.2.1"
)
def required_elements(draft: Draft) -> Iterator[Hit]:
    """前言, 1 范围, 2 规范性引用文件, 3 术语和定义 and at least one core chapter."""
    text_lines = {squash(p.text) for p in draft.paras}
    for no, words in _REQUIRED:
        ch = draft.chapter(no)
        if ch is not None and any(w in squash(ch.clause_title) for w in words):
            continue
        if any(f"{no}{w}" in text_lines for w in words):
            continue  # printed as a heading; the segmenter merely missed it
        found = draft.chapter_titled(*words)
        where = f"（现为第{found.clause_no}章）" if found else ""
        yield Hit(
            f"第{no}章应为“{words[0]}”{where}",
            f"将“{words[0]}”编为第{no}章；没有内容时也保留该章并写明固定表述",
            Location(found.clause_no if found else None),
        )
    has_preface = draft.element("前言") is not None or "前言" in text_lines
    if not has_preface:
        pre = [p for p in draft.paras if p.clause is None or p.clause.kind is ClauseKind.PREAMBLE]
        has_preface = any(_PREFACE_TRACE.search(p.text) for p in pre)
    if not has_preface:
        yield Hit("缺少前言", f"在正文之前增加“前言”，首句为“{DRAFTING_BASIS}”", Location())
    chapters = [c for c in draft.chapters() if c.clause_no.isdigit()]
    if chapters and max(int(c.clause_no) for c in chapters) <= 3 and not _printed(draft, "4"):
        yield Hit(
            "缺少核心技术要素（第3章之后没有章）",
            "在术语和定义之后编写规定技术内容的章",
            Location(),
        )


def _confirmed_ids(draft: Draft) -> set[str]:
    if "confirmed_ids" not in draft.cache:
        draft.cache["confirmed_ids"] = {c.clause_id for c in confirmed_chapters(draft)}
    return draft.cache["confirmed_ids"]  # type: ignore[return-value]


def _rank(draft: Draft, c: Clause) -> int | None:
    if c.kind is ClauseKind.ELEMENT:
        return {"目次": 0, "前言": 1, "引言": 2, "参考文献": 5, "索引": 6}.get(squash(c.clause_no))
    if c.kind is ClauseKind.CHAPTER:
        return 3 if c.clause_id in _confirmed_ids(draft) else None
    if c.kind is ClauseKind.ANNEX:
        return 4
    return None


@rule("structure.element-order", "要素顺序", Severity.ERROR, "6.3", verified=False, guide="4.2.2")
def element_order(draft: Draft) -> Iterator[Hit]:
    """目次, 前言, 引言, 章, 附录, 参考文献, 索引 in this order."""
    names = {0: "目次", 1: "前言", 2: "引言", 3: "正文各章", 4: "附录", 5: "参考文献", 6: "索引"}
    best = -1
    best_name = ""
    for c in draft.clauses:
        r = _rank(draft, c)
        if r is None:
            continue
        if r < best:
            label = c.clause_no if c.kind is not ClauseKind.CHAPTER else f"第{c.clause_no}章"
            yield clause_hit(
                draft, c, f"“{label}”位于{best_name}之后", f"{names[r]}应置于{names[best]}之前"
            )
            continue
        if r > best:
            best, best_name = r, (c.clause_no if c.kind is not ClauseKind.CHAPTER else "正文各章")


@rule("structure.chapter-numbering", "章编号连续", Severity.ERROR, "7.2", guide="5.2.1")
def chapter_numbering(draft: Draft) -> Iterator[Hit]:
    """章 numbered 1, 2, … from 范围 without gaps or repeats."""
    nums: list[tuple[int, Clause | None, object]] = [
        (int(c.clause_no), c, draft.heading_para(c))
        for c in confirmed_chapters(draft)
        if c.clause_no.isdigit()
    ]
    seen = {n for n, _, _ in nums}
    loose_all = _loose_headings(draft)
    for key, _title, p in loose_all:
        if (
            len(key) == 1
            and key[0] not in seen
            and key[0] > 1
            and (key[0] - 1 in seen or key[0] - 2 in seen)
            and not _FOREIGN.search(_title)
            and (
                key[0] + 1 in seen
                or (*key, 1) in {k for k, _, _ in loose_all}
                or any(c.clause_no.startswith(f"{key[0]}.") for c in draft.clauses)
            )
        ):
            nums.append((key[0], None, p))
            seen.add(key[0])
    nums.sort(key=lambda t: t[2].idx if t[2] is not None else 0)
    expected = 1
    for n, c, p in nums:
        if (
            n > expected
            and all(_printed(draft, str(m)) for m in range(expected, n))
            and c is not None
        ):
            expected = n + 1
            continue
        if n != expected:
            msg = (
                f"第{n}章之前缺少第{expected}章"
                if n > expected
                else f"章编号{n}重复或倒序（应为{expected}）"
            )
            yield para_hit(p, msg, f"章从1开始连续编号，此处应为“{expected}”", clause=c)
        expected = n + 1


@rule("structure.chapter-title", "章标题", Severity.ERROR, "7.2", guide="5.2.2")
def chapter_title(draft: Draft) -> Iterator[Hit]:
    nums = set()
    for c in draft.chapters():
        nums.add(c.clause_no)
        if not c.clause_title.strip():
            yield clause_hit(
                draft, c, f"第{c.clause_no}章没有章标题", "每一章都应有章标题，置于章编号之后"
            )
    # A chapter number followed by a sentence is refused as a heading by the segmenter;
    # find it where the numbering has a gap exactly there.
    for n in range(2, 100):
        if str(n) in nums or str(n - 1) not in nums or str(n + 1) not in nums:
            continue
        for p in draft.body_paras():
            m = re.match(rf"^{n}[ \t\u3000]+(\S.*)$", p.half.strip())
            if m and not title_like(m.group(1), 30):
                yield para_hit(
                    p, f"第{n}章没有章标题", "每一章都应有章标题，置于章编号之后；正文另起一段"
                )
                break


def _printed(draft: Draft, no: str, *, toc: bool = False) -> bool:
    """Is ``no`` printed at the start of some line ("5.1 协议指令集", "5. 1 …")?  Then a
    gap at ``no`` is the segmenter missing a heading, not the draft skipping a number."""
    key = f"printed:{no}:{toc}"
    if key not in draft.cache:
        pat = re.compile(
            r"^(?:#+\s*)?" + r"\s*\.\s*".join(re.escape(x) for x in no.split(".")) + r"(?![\d.])"
        )
        draft.cache[key] = any(pat.match(p.half.strip()) for p in draft.paras) or (
            toc and any(pat.match(squash(e.text)) for e in draft.toc or [])
        )
    return bool(draft.cache[key])


def _children(draft: Draft) -> dict[str, list[Clause]]:
    """Numbered sub-clauses (条) of each chapter, clause and annex, by parent number."""
    kids: dict[str, list[Clause]] = {}
    for c in draft.clauses:
        if c.kind not in (ClauseKind.CLAUSE, ClauseKind.ANNEX_CLAUSE):
            continue
        if any(len(x) > 2 for x in re.findall(r"\d+", c.clause_no)):
            continue  # "G.723.1" is a codec, not annex G's clause 723.1
        parent = c.clause_no.rsplit(".", 1)[0]
        if re.fullmatch(r"[A-Z]", parent):
            parent = f"附录{parent}"
        kids.setdefault(parent, []).append(c)
    return kids


@rule("structure.clause-numbering", "条编号连续", Severity.ERROR, "7.3", guide="5.3.1")
def clause_numbering(draft: Draft) -> Iterator[Hit]:
    """Sub-clauses of one parent numbered .1, .2, … without gaps."""
    kids = _children(draft)
    loose: dict[tuple[int, ...], object] = {
        k: p for k, _, p in _loose_headings(draft) if len(k) > 1
    }
    for parent, cs in kids.items():
        expected = 1
        for c in cs:
            last = int(c.clause_no.rsplit(".", 1)[1])
            if last != expected:
                pkey = _gb_key(c.clause_no)
                # The segmenter may have refused the missing number as a heading.
                missing = f"{parent.replace('附录', '')}.{expected}"
                if (pkey and (*pkey[:-1], expected) in loose) or (
                    last > expected and _printed(draft, missing, toc=True)
                ):
                    expected = last + 1
                    continue
                yield clause_hit(
                    draft,
                    c,
                    f"条编号不连续：{c.clause_no}之前缺少{parent.replace('附录', '')}.{expected}"
                    if last > expected
                    else f"条编号{c.clause_no}重复或倒序",
                    f"同一层次的条连续编号，此处应为“{parent.replace('附录', '')}.{expected}”",
                )
            expected = last + 1


@rule("structure.clause-depth", "条的层次不超过五层", Severity.ERROR, "7.3", guide="5.3.2")
def clause_depth(draft: Draft) -> Iterator[Hit]:
    for c in draft.clauses:
        if c.kind in (ClauseKind.CLAUSE, ClauseKind.TERM) and c.clause_no.count(".") >= 5:
            yield clause_hit(
                draft,
                c,
                f"条{c.clause_no}超过五个层次",
                "条最多分为五个层次（如5.1.1.1.1），调整章条划分",
            )
    for key, _t, p in _loose_headings(draft):
        if len(key) >= 6:
            yield para_hit(
                p, f"条{'.'.join(map(str, key))}超过五个层次", "条最多分为五个层次，调整章条划分"
            )


@rule("structure.single-subclause", "只有一个下级条", Severity.ERROR, "7.3", guide="5.3.3")
def single_subclause(draft: Draft) -> Iterator[Hit]:
    """A level exists only with at least two 条: no x.1 without x.2."""
    for parent, cs in _children(draft).items():
        if len(cs) == 1:
            c = cs[0]
            yield clause_hit(
                draft,
                c,
                f"{parent}中只有一个下一层次的条{c.clause_no}",
                f"删去条编号{c.clause_no}，将其内容作为{parent}的段",
            )


@rule("structure.sibling-titles", "同层条标题一致", Severity.WARNING, "7.3", guide="5.3.4")
def sibling_titles(draft: Draft) -> Iterator[Hit]:
    for parent, cs in _children(draft).items():
        cs = [c for c in cs if c.kind is not ClauseKind.TERM]
        titled = [c for c in cs if c.clause_title]
        if titled and len(titled) < len(cs):
            odd = [c for c in cs if not c.clause_title] if len(titled) * 2 >= len(cs) else titled
            for c in odd:
                has = "有" if c.clause_title else "没有"
                yield clause_hit(
                    draft,
                    c,
                    f"{parent}下同一层次的条有的有标题、有的没有，{c.clause_no}{has}标题",
                    "同一层次的条，有无标题应一致",
                )


@rule("structure.hanging-paragraph", "悬置段", Severity.WARNING, "7.4", guide="5.4.2")
def hanging_paragraph(draft: Draft) -> Iterator[Hit]:
    kids = _children(draft)
    for c in draft.clauses:
        if (
            c.kind not in (ClauseKind.CHAPTER, ClauseKind.CLAUSE, ClauseKind.ANNEX)
            or c.clause_no not in kids
        ):
            continue
        if c.kind is ClauseKind.CHAPTER and re.search(
            r"术语|符号|缩略语|规范性引用", c.clause_title
        ):
            continue  # lead-ins of 术语和定义 and 符号 are not hanging paragraphs
        body = [p for p in draft.body(c) if not is_caption(p.text)]
        head = draft.heading_para(c)
        own = head is not None and squash(head.text) not in (
            squash(c.clause_no + c.clause_title),
            "",
        )
        if c.kind is ClauseKind.ANNEX:
            body = [
                p
                for p in body
                if not re.fullmatch(r"[(（].*[)）]", p.text.strip())
                and squash(p.text) != squash(c.clause_title)
            ]
            own = False
        if body or own:
            p = body[0] if body else head
            yield para_hit(
                p,
                f"{c.clause_no}的标题与第一个下级条之间有悬置段",
                f"将该段编为“{kids[c.clause_no][0].clause_no.rsplit('.', 1)[0]}.1”（如“总则”），其后各条顺延",
                clause=c,
            )


def _mentions(draft: Draft) -> dict[str, tuple[int, int]]:
    """Where (paragraph, offset) each annex letter is first mentioned outside itself."""
    if "mentions" in draft.cache:
        return draft.cache["mentions"]  # type: ignore[return-value]
    first: dict[str, tuple[int, int]] = {}
    for p in draft.paras:
        if p.heading and p.clause is not None and p.clause.kind is ClauseKind.ANNEX:
            continue
        own = in_annex(p.clause)
        for m in re.finditer(r"附\s*录\s*([A-Z])(?![A-Za-z])", p.half):
            letter = m.group(1)
            if letter != own and letter not in first:
                first[letter] = (p.idx, m.start())
    draft.cache["mentions"] = first
    return first


@rule("structure.annex-order", "附录编号顺序", Severity.ERROR, "9.6", guide="7.7.2")
def annex_order(draft: Draft) -> Iterator[Hit]:
    annexes = draft.annexes()
    for k, a in enumerate(annexes):
        want = chr(65 + k)
        if a.clause_no != f"附录{want}":
            yield clause_hit(
                draft, a, f"{a.clause_no}应编为附录{want}", "附录用大写拉丁字母从A开始连续编号"
            )
    mentions = _mentions(draft)
    order = sorted(
        ((mentions[a.clause_no[-1]], a) for a in annexes if a.clause_no[-1] in mentions),
        key=lambda t: t[0],
    )
    letters = [a.clause_no[-1] for _, a in order]
    if letters != sorted(letters):
        for (_, a), want in zip(order, sorted(letters), strict=True):
            if a.clause_no[-1] != want:
                yield clause_hit(
                    draft,
                    a,
                    f"附录的编号与正文中首次提及的顺序不一致：{a.clause_no}应为附录{want}",
                    "按正文中首次提及的先后顺序编排附录",
                    severity=Severity.WARNING,
                )
                break


@rule("structure.annex-type", "附录性质标示", Severity.ERROR, "9.6", guide="7.7.2")
def annex_type(draft: Draft) -> Iterator[Hit]:
    for a in draft.annexes():
        if a.annex_type is None:
            yield clause_hit(
                draft,
                a,
                f"{a.clause_no}没有标示“（规范性）”或“（资料性）”",
                "在附录编号之下标示附录的性质",
            )


@rule("structure.annex-cited", "附录在正文中提及", Severity.WARNING, "9.6", guide="7.7.3")
def annex_cited(draft: Draft) -> Iterator[Hit]:
    mentions = _mentions(draft)
    for a in draft.annexes():
        if a.clause_no[-1] not in mentions:
            verb = (
                "见" if a.annex_type is not None and a.annex_type.value == "normative" else "参见"
            )
            yield clause_hit(
                draft,
                a,
                f"正文中没有提及{a.clause_no}",
                f"在正文相关条款中提及该附录，如“{verb}{a.clause_no}”",
            )


_CAPTION = re.compile(
    r"^(?P<kind>[表图])\s*(?:(?P<letter>[A-Z])\s*[.．]\s*)?(?P<n>\d{1,3})(?P<cont>\s*[(（]续[)）])?(?:\s+|$)(?P<title>.*)$"
)


def captions(draft: Draft) -> Iterator[tuple[object, str, str | None, int, bool, str]]:
    """Table and figure captions: (para, 表/图, annex letter in the number, n, continued, title)."""
    for p in draft.body_paras():
        m = _CAPTION.match(p.half.strip())
        if not m:
            continue
        title = m.group("title").strip()
        if title and not title_like(title, 40, allow_modal=False):
            continue
        if not title and not m.group("cont"):
            continue
        yield p, m.group("kind"), m.group("letter"), int(m.group("n")), bool(m.group("cont")), title


_ANNEX_LINE = re.compile(r"^(?:#+\s*)?附\s*录\s*([A-Z])(?![A-Za-z])[^。；]{0,60}$")


def annex_at(draft: Draft, p: object) -> str | None:
    """The annex a paragraph lies in, by position: everything after an annex heading
    belongs to that annex.  Printed annex headings count too (a segmenter may miss one,
    or hang an annex's "1.1" clauses elsewhere)."""
    if "annex_starts" not in draft.cache:
        starts = [
            (hp.idx, a.clause_no[-1]) for a in draft.annexes() if (hp := draft.heading_para(a))
        ]
        starts += [
            (q.idx, m.group(1)) for q in draft.paras if (m := _ANNEX_LINE.match(q.half.strip()))
        ]
        draft.cache["annex_starts"] = sorted(starts)
    own = None
    for idx, letter in draft.cache["annex_starts"]:  # type: ignore[attr-defined]
        if idx <= p.idx:  # type: ignore[attr-defined]
            own = letter
    tail = draft.element("参考文献")
    if (
        own
        and tail is not None
        and (hp := draft.heading_para(tail)) is not None
        and hp.idx <= p.idx
    ):  # type: ignore[attr-defined]
        return None
    return own


@rule("structure.annex-numbering", "附录内的编号", Severity.ERROR, "9.6", guide="7.7.4")
def annex_numbering(draft: Draft) -> Iterator[Hit]:
    """Inside 附录B: clauses B.1, figures 图B.1, tables 表B.1."""
    for p, kind, letter, n, _cont, _title in captions(draft):
        own = annex_at(draft, p)  # type: ignore[arg-type]
        if own and letter != own:
            yield para_hit(
                p,
                f"附录{own}中的{kind}编为“{kind}{letter + '.' if letter else ''}{n}”",
                f"附录中的{kind}编为“{kind}{own}.{n}”形式",
            )  # type: ignore[arg-type]
        elif not own and letter and f"附录{letter}" in {a.clause_no for a in draft.annexes()}:
            yield para_hit(
                p,
                f"正文中的{kind}编为“{kind}{letter}.{n}”",
                f"正文中的{kind}用阿拉伯数字连续编号，如“{kind}{n}”",
            )  # type: ignore[arg-type]
    for c in draft.clauses:
        own = in_annex(c)
        if own and c.kind is ClauseKind.ANNEX_CLAUSE and not c.clause_no.startswith(own + "."):
            yield clause_hit(
                draft,
                c,
                f"附录{own}中的条编为{c.clause_no}",
                f"附录中的条编为“{own}.1”“{own}.1.1”形式",
            )


def _toc_key(text: str) -> tuple[str, str]:
    """(number, title) of a 目次 entry or heading, squashed."""
    t = squash(text)
    if m := re.match(r"^(附录[A-Z])(?:[(（](?:规范性|资料性)(?:附录)?[)）])?(.*)$", t):
        return m.group(1), m.group(2)
    if m := re.match(r"^([A-Z]?\.?\d+(?:\.\d+)*)(.*)$", t):
        return m.group(1), m.group(2)
    return t, ""


@rule("structure.toc", "目次与标题一致", Severity.WARNING, "8.2", guide=None)
def toc(draft: Draft) -> Iterator[Hit]:
    if not draft.toc:
        return
    heads: dict[str, str] = {}
    for c in draft.clauses:
        if c.kind in (
            ClauseKind.CHAPTER,
            ClauseKind.CLAUSE,
            ClauseKind.ANNEX,
            ClauseKind.TERM,
            ClauseKind.ANNEX_CLAUSE,
        ):
            heads[c.clause_no] = squash(c.clause_title)
        elif c.kind is ClauseKind.ELEMENT:
            heads[squash(c.clause_no)] = ""
    listed: set[str] = set()
    for e in draft.toc:
        no, title = _toc_key(e.text)
        if re.match(r"^[表图]", no):
            continue  # lists of tables and figures
        listed.add(no)
        loc = Location(None, e.line, e.page)
        if no not in heads:
            yield Hit(
                f"目次条目“{e.text}”在正文中没有对应的标题",
                "按正文的章条标题更新目次",
                loc,
                excerpt=e.text,
                context=e.text,
            )
        elif title and heads[no] and title != heads[no]:
            yield Hit(
                f"目次条目“{e.text}”与正文标题“{no} {heads[no]}”不一致",
                "按正文的章条标题更新目次",
                loc,
                excerpt=e.text,
                context=e.text,
            )
    for c in draft.clauses:
        key = squash(c.clause_no) if c.kind is ClauseKind.ELEMENT else c.clause_no
        if (
            c.kind in (ClauseKind.CHAPTER, ClauseKind.ANNEX, ClauseKind.ELEMENT)
            and key not in listed
            and key != "目次"
        ):
            yield clause_hit(
                draft, c, f"目次中没有列出“{c.heading}”", "目次列出前言、各章、附录和参考文献"
            )
