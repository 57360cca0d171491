"""Wording rules: 能愿动词 (附录C), no provisions where only statements belong, the fixed
sentences of 范围, 规范性引用文件, 术语和定义 and 符号和缩略语.

Text inside quotation marks is never judged: a draft (or a guide) may quote wrong wording
as an example.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from check.catalogue import rule
from check.draft import Draft, Para, squash
from check.model import Fix, Hit, Severity
from check.rules.common import (
    clause_hit,
    diff,
    is_example,
    is_list_item,
    is_note,
    para_hit,
    similarity,
    span_hit,
)
from grammar.codes import find_codes
from grammar.schema import ClauseKind
from grammar.wording import (
    MUST,
    NO_REFERENCES,
    NO_TERMS,
    OLD_REFERENCES_LEAD_IN,
    PERMISSION_BY_ABILITY,
    PROHIBITION,
    PROVISION,
    REFERENCES_LEAD_IN,
    SCOPE_APPLIES,
    SCOPE_OPENERS,
    SHOULD_TRY,
    SYMBOLS_LEAD_IN,
    TERMS_LEAD_IN,
    TERMS_LEAD_IN_BOTH,
    TERMS_LEAD_IN_OTHER,
    outside_quotes,
    quoted_spans,
)


def _matches(
    paras: Iterable[Para], pattern: re.Pattern[str]
) -> Iterator[tuple[Para, re.Match[str]]]:
    for p in paras:
        spans = quoted_spans(p.text)
        for m in pattern.finditer(p.text):
            if outside_quotes(p.text, m.start(), spans):
                yield p, m


def _text_paras(draft: Draft) -> list[Para]:
    """Every paragraph except the cover and 参考文献 (titles of other documents)."""
    return [
        p
        for p in draft.paras
        if p.clause is not None
        and p.clause.kind is not ClauseKind.PREAMBLE
        and squash(p.clause.clause_no) != "参考文献"
        and not (p.heading and p.clause.kind is ClauseKind.ELEMENT)
    ]


@rule("wording.must", "“必须”改为“应”", Severity.ERROR, "附录C", guide="8.1.3")
def must(draft: Draft) -> Iterator[Hit]:
    for p, m in _matches(_text_paras(draft), MUST):
        yield span_hit(
            p, m.start(), m.end(), "要求型条款使用了“必须”", "要求用“应”表述", fix=Fix("必须", "应")
        )


@rule("wording.prohibition", "禁止用“不应”", Severity.WARNING, "附录C", guide="8.1.3")
def prohibition(draft: Draft) -> Iterator[Hit]:
    for p, m in _matches(_text_paras(draft), PROHIBITION):
        if m.group() == "不可" and re.match(r"[少缺抗逆分替避]", p.text[m.end() : m.end() + 1]):
            continue  # 必不可少, 不可抗力, 不可逆: not a prohibition
        yield span_hit(
            p,
            m.start(),
            m.end(),
            f"禁止使用了“{m.group()}”",
            "禁止用“不应”表述",
            fix=Fix(m.group(), "不应"),
        )


@rule("wording.should-try", "“应尽量”改为“宜”", Severity.WARNING, "附录C", guide="8.1.1")
def should_try(draft: Draft) -> Iterator[Hit]:
    for p, m in _matches(_text_paras(draft), SHOULD_TRY):
        yield span_hit(
            p,
            m.start(),
            m.end(),
            f"“{m.group()}”是推荐而非要求",
            "推荐用“宜”表述，删去“尽量/尽可能”",
        )


@rule("wording.permission", "允许用“可”", Severity.INFO, "附录C", guide="8.1.1")
def permission(draft: Draft) -> Iterator[Hit]:
    for p, m in _matches(draft.body_paras(), PERMISSION_BY_ABILITY):
        yield span_hit(
            p,
            m.start(),
            m.end(),
            "用“能/可能”表达了允许",
            "允许用“可”或“可以”表述；“能/可能”只表示能力和可能性",
        )


def _provisions(paras: Iterable[Para], where: str, suggestion: str) -> Iterator[Hit]:
    for p, m in _matches(paras, PROVISION):
        yield span_hit(p, m.start(), m.end(), f"{where}中出现了条款用语“{m.group()}”", suggestion)


def _element_paras(draft: Draft, name: str) -> list[Para]:
    c = draft.element(name)
    return draft.body(c) if c else []


@rule("wording.preface-provision", "前言不含要求", Severity.ERROR, "8.3", guide="6.2.1")
def preface_provision(draft: Draft) -> Iterator[Hit]:
    yield from _provisions(
        _element_paras(draft, "前言"), "前言", "前言只给出陈述，不包含要求、推荐或允许"
    )


@rule("wording.intro-provision", "引言不含要求", Severity.WARNING, "8.4", guide="6.3")
def intro_provision(draft: Draft) -> Iterator[Hit]:
    yield from _provisions(
        _element_paras(draft, "引言"), "引言", "引言只说明背景和原因，不包含要求"
    )


@rule("wording.scope-provision", "范围不含要求", Severity.ERROR, "8.5", guide="7.1.3")
def scope_provision(draft: Draft) -> Iterator[Hit]:
    ch = draft.chapter("1")
    if ch is not None and "范围" in ch.clause_title:
        # Only what lies before chapter 2 (a lost annex heading can hang "1.1" clauses of
        # an annex under chapter 1).
        ch2 = draft.chapter("2")
        stop = draft.heading_para(ch2).idx if ch2 is not None and draft.heading_para(ch2) else 10**9  # type: ignore[union-attr]
        paras = [p for p in draft.paras_under(ch) if p.idx < stop]
        yield from _provisions(paras, "范围", "范围由陈述构成，要求移至相应的技术章")


@rule("wording.note-provision", "注不含要求", Severity.WARNING, "9.11", guide="8.2.1")
def note_provision(draft: Draft) -> Iterator[Hit]:
    notes = [p for p in draft.body_paras() if is_note(p.text)]
    yield from _provisions(notes, "注", "注只给出附加信息；要求写入正文条款")


@rule("wording.example-provision", "示例不含要求", Severity.WARNING, "9.10", guide="8.3.1")
def example_provision(draft: Draft) -> Iterator[Hit]:
    exs = [
        p
        for p in draft.body_paras()
        if is_example(p.text) and "：" in p.text[:6] and len(p.text) > 6
    ]
    # An example that quotes a requirement ("示例：“服务人员应…”") is quoted, so not judged.
    yield from _provisions(exs, "示例", "示例只给出具体形式，不包含要求")


_FOOTNOTE = re.compile(r"^(?:\[\^\w+\][:：]|[¹²³⁴⁵⁶⁷⁸⁹]|[1-9][)）](?=\s*\S))")


@rule("wording.footnote-provision", "脚注不含要求", Severity.WARNING, "9.12", guide=None)
def footnote_provision(draft: Draft) -> Iterator[Hit]:
    """Text footnotes ("1) …", Markdown "[^1]: …") give information only.  A "1)" line
    counts as a footnote only when it is not part of a list."""
    paras = draft.body_paras()
    notes = []
    for k, p in enumerate(paras):
        if not _FOOTNOTE.match(p.half):
            continue
        prev = paras[k - 1].text.rstrip() if k else ""
        if (
            p.text.startswith("[^")
            or p.text[0] in "¹²³⁴⁵⁶⁷⁸⁹"
            or (
                prev
                and not is_list_item(prev)
                and prev[-1] not in "：:"
                and not is_list_item(paras[k + 1].text if k + 1 < len(paras) else "")
            )
        ):
            notes.append(p)
    yield from _provisions(notes, "脚注", "脚注只给出附加信息，不包含要求")


@rule("wording.scope-form", "范围的表述形式", Severity.WARNING, "8.5", guide="7.1.2")
def scope_form(draft: Draft) -> Iterator[Hit]:
    ch = draft.chapter("1")
    if ch is None or "范围" not in ch.clause_title:
        return
    body = draft.body(ch)
    if not body:
        yield clause_hit(draft, ch, "范围一章没有内容", "写明“本文件规定了……”和“本文件适用于……”")
        return
    first = body[0].text.strip()
    if not (SCOPE_OPENERS.match(first) or re.match(r"本(?:标准|部分)", first)):
        yield para_hit(
            body[0],
            "范围没有以“本文件规定了……”等陈述开头",
            "用“本文件规定了……的要求”“本文件确立了……”“本文件提供了……的指导”开头",
        )
    if not any(SCOPE_APPLIES.search(p.text) for p in body):
        yield para_hit(body[-1], "范围没有写明适用界限", "增加“本文件适用于……。”")


def _lead_in(paras: list[Para]) -> tuple[str, list[Para]]:
    """The lead-in before a list: paragraphs joined until one opens with a code or an
    entry number (PDF lines break the sentence)."""
    out: list[Para] = []
    for p in paras:
        t = p.half.strip()
        codes = find_codes(t[:25])
        if (codes and codes[0].start == 0) or re.match(r"^(?:ISO|IEC|\d+(?:\.\d+)+$|\[\d)", t):
            if out:
                break
            if "界定的" not in p.text:
                break
        out.append(p)
        if len("".join(x.text for x in out)) >= 140 or out[-1].text.rstrip().endswith("本文件。"):
            break
    return "".join(p.text.strip() for p in out), out


def _fixed(p: Para | None, expected: str, actual: str, what: str) -> Hit:
    return para_hit(
        p,
        f"{what}与规定的表述不一致：{diff(expected, actual)}",
        f"改为：“{expected}”",
    )


@rule("wording.references-lead-in", "规范性引用文件的引导语", Severity.ERROR, "8.6", guide="7.2.2")
def references_lead_in(draft: Draft) -> Iterator[Hit]:
    ch = draft.chapter("2")
    if ch is None or "引用" not in ch.clause_title:
        return
    body = draft.body(ch)
    if not body:
        return  # empty chapter: wording.empty-chapter
    text, used = _lead_in(body)
    if OLD_REFERENCES_LEAD_IN.search(text):
        return  # the 2009 lead-in: legacy.references-lead-in
    if squash(text) in (squash(REFERENCES_LEAD_IN), squash(NO_REFERENCES)):
        return
    if not used or similarity(text, REFERENCES_LEAD_IN) < 0.5:
        yield para_hit(
            body[0],
            "规范性引用文件清单之前缺少引导语",
            f"在清单之前写明：“{REFERENCES_LEAD_IN}”",
            clause=ch,
        )
        return
    yield _fixed(used[0], REFERENCES_LEAD_IN, text, "引导语")


@rule("wording.terms-lead-in", "术语和定义的引导语", Severity.ERROR, "8.7", guide="7.3.1")
def terms_lead_in(draft: Draft) -> Iterator[Hit]:
    ch = draft.chapter("3")
    if ch is None or "术语" not in ch.clause_title:
        return
    body = draft.body(ch)
    if not body:
        return
    text, used = _lead_in(body)
    t = squash(text)
    # The lead-in may be followed by "为了便于使用，以下重复列出了…" (allowed).
    if "适用于本文件。" in t:
        t = t[: t.index("适用于本文件。") + len("适用于本文件。")]
    if (
        t in (TERMS_LEAD_IN, NO_TERMS)
        or TERMS_LEAD_IN_BOTH.match(t)
        or TERMS_LEAD_IN_OTHER.match(t)
    ):
        return
    if not used:
        yield para_hit(
            body[0], "术语和定义缺少引导语", f"在第一个术语条目之前写明“{TERMS_LEAD_IN}”", clause=ch
        )
        return
    m = re.match(r"^(.{2,60}?)(?:界定|确立|规定)的", t)
    expected = f"{m.group(1)}界定的以及下列术语和定义适用于本文件。" if m else TERMS_LEAD_IN
    if similarity(t, expected) < 0.5:
        yield para_hit(
            used[0], "术语和定义缺少引导语", f"在第一个术语条目之前写明“{TERMS_LEAD_IN}”", clause=ch
        )
        return
    yield _fixed(used[0], expected, t, "引导语")


@rule("wording.symbols-lead-in", "符号和缩略语的引导语", Severity.WARNING, "8.8", guide=None)
def symbols_lead_in(draft: Draft) -> Iterator[Hit]:
    for ch in draft.chapters():
        if not re.search(r"符号|缩略语", ch.clause_title) or "术语" in ch.clause_title:
            continue
        body = draft.body(ch)
        if not body:
            continue
        t = body[0].text.strip()
        if t in SYMBOLS_LEAD_IN:
            continue
        want = (
            "下列缩略语适用于本文件。"
            if "缩略语" in ch.clause_title and "符号" not in ch.clause_title
            else (
                "下列符号适用于本文件。"
                if "缩略语" not in ch.clause_title
                else "下列符号和缩略语适用于本文件。"
            )
        )
        if similarity(t, want) >= 0.5:
            yield _fixed(body[0], want, t, "引导语")
        else:
            yield para_hit(
                body[0], f"{ch.clause_title}一章缺少引导语", f"在清单之前写明“{want}”", clause=ch
            )


def _printed_empty(draft: Draft, heading: str) -> Para | None:
    """A printed chapter heading ("3 术语和定义") directly followed by another numbered
    heading: an empty chapter, even where the segmenter dropped the heading."""
    for k, p in enumerate(draft.paras):
        nxt = draft.paras[k + 1].half.strip() if k + 1 < len(draft.paras) else ""
        if squash(p.text) == heading and re.match(r"^\d+(?:\.\d+)*\s+\S", nxt):
            return p
    return None


@rule("wording.empty-references", "无规范性引用文件时的表述", Severity.ERROR, "8.6", guide="7.2.5")
def empty_references(draft: Draft) -> Iterator[Hit]:
    ch = draft.chapter("2")
    if ch is not None and "引用" in ch.clause_title and not draft.body(ch):
        yield clause_hit(
            draft, ch, "第2章为空", f"没有规范性引用文件时，在章标题下写明“{NO_REFERENCES}”"
        )
    elif ch is None and (p := _printed_empty(draft, "2规范性引用文件")):
        yield para_hit(p, "第2章为空", f"没有规范性引用文件时，在章标题下写明“{NO_REFERENCES}”")


@rule("wording.empty-terms", "无术语时的表述", Severity.ERROR, "8.7", guide="7.3.2")
def empty_terms(draft: Draft) -> Iterator[Hit]:
    ch = draft.chapter("3")
    if ch is None and (p := _printed_empty(draft, "3术语和定义")):
        yield para_hit(p, "第3章为空", f"没有需要界定的术语时，在章标题下写明“{NO_TERMS}”")
    if ch is None or "术语" not in ch.clause_title:
        return
    if not draft.body(ch) and len(draft.within(ch)) == 1:
        yield clause_hit(
            draft, ch, "第3章为空", f"没有需要界定的术语时，在章标题下写明“{NO_TERMS}”"
        )
