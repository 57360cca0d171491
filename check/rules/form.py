"""Form rules: 列项, 注 and 示例 numbering, 图/表 numbering, 前言 statements, document codes."""

from __future__ import annotations

import re
from collections.abc import Iterator

from check.catalogue import rule
from check.draft import Draft, Para, squash
from check.model import Hit, Severity
from check.rules.common import (
    diff,
    is_caption,
    is_example,
    is_note,
    para_hit,
    similarity,
    span_hit,
)
from check.rules.structure import captions
from grammar.numbering import halfwidth
from grammar.schema import ClauseKind
from grammar.wording import DRAFTING_BASIS, OLD_DRAFTING_BASIS, PREFACE_STATEMENTS

# Marker classes: GB/T 1.1 uses —— (or ·) and a) with 1) below; anything else is foreign.
_MARKERS = (
    ("dash", re.compile(r"^——")),
    ("dot", re.compile(r"^[·•]")),
    ("letter", re.compile(r"^[a-z][)）]")),
    ("digit", re.compile(r"^[1-9]\d?[)）]")),
    ("third", re.compile(r"^(?:[①-⑳]|[(（]\d{1,2}[)）]|[ivx]{1,4}[)）]|[-▪■◆●○]\s)")),
)
_LEVEL = {"dash": 1, "letter": 1, "dot": 2, "digit": 2, "third": 3}


def _marker(text: str) -> str | None:
    t = halfwidth(text).lstrip()
    for name, pat in _MARKERS:
        if pat.match(t):
            return name
    return None


def lists(draft: Draft) -> Iterator[tuple[Para | None, list[tuple[Para, str]]]]:
    """Runs of list items in one clause: (the paragraph before the run, items with markers).
    Items the segmenter took for outline headings ("① 调查") continue the run."""

    def item(p: Para) -> str | None:
        if p.heading and (p.clause is None or p.clause.kind is not ClauseKind.OUTLINE):
            return None
        return _marker(p.text)

    paras = [
        p
        for p in draft.paras
        if p.clause is not None and p.clause.kind not in (ClauseKind.PREAMBLE, ClauseKind.ELEMENT)
    ]
    k = 0
    while k < len(paras):
        p = paras[k]
        if item(p) is None:
            k += 1
            continue
        prev = paras[k - 1] if k and paras[k - 1].clause is p.clause else None
        if prev is None and p.clause is not None:
            prev = draft.heading_para(p.clause)
        run: list[tuple[Para, str]] = []
        while (
            k < len(paras)
            and (m := item(paras[k]))
            and (paras[k].clause is p.clause or paras[k].clause.kind is ClauseKind.OUTLINE)
        ):  # type: ignore[union-attr]
            run.append((paras[k], m))
            k += 1
        # A lone "1)" line is a footnote or a numbered sentence, not a list.
        if len(run) >= 2:
            yield prev, run


@rule("form.list-lead-in", "列项的引语", Severity.WARNING, "7.5", guide="5.5.1")
def list_lead_in(draft: Draft) -> Iterator[Hit]:
    for prev, run in lists(draft):
        first = run[0][0]
        if prev is None:
            yield para_hit(
                first,
                "列项没有引语",
                "在各项之前给出引语（以冒号结束的完整句子或与各项共同构成一句话的前半句）",
            )
            continue
        t = prev.text.rstrip()
        title_only = (
            prev.heading
            and prev.clause is not None
            and squash(t) == squash(prev.clause.clause_no + prev.clause.clause_title)
        )
        # "……满足以下要求。" points at the list, so it is a lead-in even with a full stop.
        closed = t.endswith(("。", ".", "！", "？")) and not re.search(
            r"下列|以下|如下|包括", t[-30:]
        )
        if title_only or closed or is_caption(t) or is_note(t) or is_example(t):
            yield para_hit(
                first,
                "列项没有引语（前面是标题或完整的句子）",
                "在各项之前给出以冒号结束的引语，如“……包括下列内容：”",
            )


@rule("form.list-markers", "列项符号一致", Severity.WARNING, "7.5", guide="5.5.2")
def list_markers(draft: Draft) -> Iterator[Hit]:
    for _prev, run in lists(draft):
        firsts = {m for _, m in run if _LEVEL[m] == 1}
        if len(firsts) > 1:
            p = next(p for p, m in run if m != run[0][1] and _LEVEL[m] == 1)
            yield para_hit(
                p, "同一列项中混用了破折号和字母编号", "同一列项的各项使用同一种符号：“——”或“a)”"
            )
            continue
        if (firsts == {"dash"} and any(m == "digit" for _, m in run)) or (
            firsts == {"letter"} and any(m == "dot" for _, m in run)
        ):
            p = next(p for p, m in run if m in ("digit", "dot"))
            yield para_hit(
                p, "列项第二层次的符号与第一层次不配套", "字母编号a)之下用1)；破折号——之下用间隔号·"
            )


@rule("form.list-depth", "列项不超过两层", Severity.WARNING, "7.5", guide="5.5.3")
def list_depth(draft: Draft) -> Iterator[Hit]:
    for _prev, run in lists(draft):
        levels = {_LEVEL[m] for _, m in run}
        if 3 in levels and (1 in levels or 2 in levels):
            p = next(p for p, m in run if _LEVEL[m] == 3)
            yield para_hit(p, "列项超过两个层次", "列项最多分两层；更细的内容改为条或表")


def _containers(draft: Draft, test) -> Iterator[list[tuple[Para, int | None]]]:  # type: ignore[no-untyped-def]
    """Notes (or examples) of one container: a clause's body, split at table and figure
    captions (a table's notes are numbered on their own).  Term entries are skipped: their
    notes follow the terminology conventions."""
    for c in draft.clauses:
        if c.kind in (ClauseKind.TERM, ClauseKind.PREAMBLE):
            continue
        group: list[tuple[Para, int | None]] = []
        for p in draft.body(c):
            if is_caption(p.text):
                if group:
                    yield group
                group = []
                continue
            if test(p.text):
                # A transcription may run several notes into one line ("注1:…注2:…").
                word = "注" if p.half.lstrip().startswith("注") else "示例"
                for m in re.finditer(rf"(?:^|(?<=[。；;.]))\s*{word}\s*(\d*)\s*[:：]", p.half):
                    group.append((p, int(m.group(1)) if m.group(1) else None))
        if group:
            yield group


def _numbering(draft: Draft, test, word: str) -> Iterator[Hit]:  # type: ignore[no-untyped-def]
    for group in _containers(draft, test):
        if len(group) == 1 and group[0][1] is not None:
            p = group[0][0]
            yield para_hit(p, f"只有一个{word}却编了号", f"只有一个{word}时标为“{word}：”")
        elif len(group) > 1:
            for k, (p, n) in enumerate(group, 1):
                if n != k:
                    yield para_hit(
                        p,
                        f"同一章条中有多个{word}，此处应为“{word}{k}：”",
                        f"多个{word}依次标为“{word}1：”“{word}2：”",
                    )
                    break


@rule("form.note-numbering", "注的编号", Severity.WARNING, "9.11", guide="8.2.2")
def note_numbering(draft: Draft) -> Iterator[Hit]:
    yield from _numbering(draft, is_note, "注")


@rule("form.example-numbering", "示例的编号", Severity.WARNING, "9.10", guide="8.3.1")
def example_numbering(draft: Draft) -> Iterator[Hit]:
    yield from _numbering(draft, lambda t: is_example(t), "示例")


def _caption_numbering(draft: Draft, kind: str, word: str) -> Iterator[Hit]:
    expected: dict[str | None, int] = {}
    last: dict[str | None, int] = {}
    for p, k, letter, n, cont, _title in captions(draft):
        if k != kind:
            continue
        scope = letter
        if cont:
            if last.get(scope) != n:
                yield para_hit(
                    p, f"“{kind}{n}（续）”前面没有{kind}{n}", f"续{word}的编号与被接排的{word}相同"
                )  # type: ignore[arg-type]
            continue
        want = expected.get(scope, 1)
        if n != want:
            label = f"{kind}{scope + '.' if scope else ''}"
            msg = (
                f"{word}编号不连续：{label}{n}之前缺少{label}{want}"
                if n > want
                else f"{word}编号{label}{n}重复（续{word}标为“{label}{n}（续）”）"
            )
            yield para_hit(
                p, msg, f"{word}在全文（附录中在该附录内）从1开始连续编号，此处应为“{label}{want}”"
            )  # type: ignore[arg-type]
        expected[scope] = n + 1
        last[scope] = n


@rule("form.table-numbering", "表的编号", Severity.WARNING, "9.8", guide="8.4.1")
def table_numbering(draft: Draft) -> Iterator[Hit]:
    yield from _caption_numbering(draft, "表", "表")


@rule("form.figure-numbering", "图的编号", Severity.WARNING, "9.7", guide="8.5.1")
def figure_numbering(draft: Draft) -> Iterator[Hit]:
    yield from _caption_numbering(draft, "图", "图")


@rule("form.preface-order", "前言的内容顺序", Severity.WARNING, "8.3", guide="6.2.2")
def preface_order(draft: Draft) -> Iterator[Hit]:
    pre = draft.element("前言")
    if pre is None:
        return
    paras = draft.body(pre)
    found: list[tuple[int, int, str, Para]] = []
    for k, (name, pat) in enumerate(PREFACE_STATEMENTS):
        for i, p in enumerate(paras):
            if pat.search(p.text):
                found.append((i, k, name, p))
                break
    found.sort()
    best = -1
    best_name = ""
    for _i, k, name, p in found:
        if k < best:
            yield para_hit(
                p,
                f"前言中“{name}”位于“{best_name}”之后",
                "前言依次给出：起草依据、与其他文件的关系、代替和技术变化、专利说明、提出和归口信息、起草单位、起草人、历次版本",
            )
            return
        best, best_name = k, name


@rule("form.drafting-basis", "起草依据的表述", Severity.WARNING, "8.3", guide="6.2.2")
def drafting_basis(draft: Draft) -> Iterator[Hit]:
    pre = draft.element("前言")
    if pre is None:
        return
    paras = draft.body(pre)
    for p in paras:
        if re.search(r"GB\s*/\s*T\s*1\.1|规则起草|的规定起草", p.text):
            if OLD_DRAFTING_BASIS.search(p.text) and "2020" not in p.text:
                return  # legacy.drafting-basis
            sentence = p.text.strip()
            if (
                squash(sentence) != squash(DRAFTING_BASIS)
                and similarity(sentence, DRAFTING_BASIS) >= 0.4
            ):
                yield para_hit(
                    p,
                    f"起草依据的表述不规范：{diff(DRAFTING_BASIS, sentence)}",
                    f"改为“{DRAFTING_BASIS}”",
                )
            return
    if paras:
        yield para_hit(paras[0], "前言没有给出起草依据", f"前言首句写明“{DRAFTING_BASIS}”")


# Canonical forms of document codes by kind (printed with one space and an em dash).
_FORMS = (
    ("国家标准", re.compile(r"GB(?:/[TZ])? \d+(?:\.\d+)*—\d{4}")),
    ("地方标准", re.compile(r"DB\d{2}(?:\d{2})?(?:/T)? \d+(?:\.\d+)*—\d{4}")),
    ("团体标准", re.compile(r"T/[A-Z][A-Z0-9]{1,15} \d+(?:\.\d+)*—\d{4}")),
    ("企业标准", re.compile(r"Q/[A-Z0-9][A-Z0-9\-]{0,15} \d+(?:\.\d+)*—\d{4}")),
    ("行业标准", re.compile(r"[A-Z]{2}(?:/[TZ])? \d+(?:\.\d+)*—\d{4}")),
)
_LOOSE_CODE = re.compile(
    r"^\s*(?P<code>(?:GB|DB|T|Q|[A-Z]{2})\s*[/／]?\s*[A-Za-z0-9\-]{0,16}?\s*\d+(?:\s*\.\s*\d+)*\s*[-—–－‐‑]+\s*(?:\d{2,4}|X{2,4}))\s*$"
)


@rule(
    "form.standard-code", "文件编号的格式", Severity.WARNING, "8.1", verified=False, guide="6.1.2"
)
def standard_code(draft: Draft) -> Iterator[Hit]:
    """The document's own number on the cover: "GB/T 1234—2020", "JR/T 0060—2021",
    "DB21/T 0079—2023", "T/ABC 001—2025", "Q/XYZ 001—2025"."""
    for p in draft.paras[:40]:
        if p.clause is not None and p.clause.kind is not ClauseKind.PREAMBLE:
            return
        m = _LOOSE_CODE.match(p.half)
        if not m:
            continue
        code = m.group("code")
        if any(f.fullmatch(code) for _, f in _FORMS):
            return
        kind = (
            "团体标准"
            if code.startswith("T/")
            else "企业标准"
            if code.startswith("Q/")
            else "地方标准"
            if code.startswith("DB")
            else "国家标准"
            if code.startswith("GB")
            else "行业标准"
        )
        fixed = re.sub(r"\s*[-—–－‐‑]+\s*", "—", code)
        fixed = re.sub(
            r"^([A-Z]+(?:\d{2,4})?(?:/[A-Z0-9]+)?)\s*(\d)",
            r"\1 \2",
            re.sub(r"\s+", " ", fixed).replace(" /", "/").replace("/ ", "/"),
        )
        yield span_hit(
            p,
            0,
            len(p.text),
            f"{kind}编号“{code}”的格式不规范",
            f"写为“{fixed}”（代号、空格、顺序号、一字线、四位年份）",
        )
        return
