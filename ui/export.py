"""An answer with its citations as a Markdown file, for pasting into a draft or a review.

The exported file must stand on its own (the reader may not have the app), so each
citation carries its label, document, heading path and the full clause text as a quote,
and a clause of a fictitious sample carries the 虚构示例 mark and its warning.
"""

from __future__ import annotations

from qa.answer import AnswerResult
from ui import marks


def _quote(text: str) -> str:
    lines = (text or "").strip().splitlines() or [""]
    return "\n".join(f"> {line}".rstrip() for line in lines)


def answer_markdown(result: AnswerResult, *, kb: str | None = None) -> str:
    """Question, answer and cited clauses as one Markdown document."""
    out = [f"# {result.question.strip()}", ""]
    if kb:
        out += [f"知识库：{kb}；回答方式：{result.mode}", ""]
    out += ["## 回答", "", result.answer.strip(), ""]
    if result.citations:
        out += ["## 引用条款", ""]
        for i, c in enumerate(result.citations, 1):
            doc = f"{c.standard_code}《{c.doc_title}》" if c.standard_code else f"《{c.doc_title}》"
            heading = f"{c.clause_no} {c.clause_title}".strip()
            fictitious = marks.is_fictitious(c)
            out.append(f"### {i}. {c.label}" + (f"（{marks.MARK}）" if fictitious else ""))
            out.append("")
            if fictitious:  # the file may be pasted into a real draft: the warning goes too
                out.append(f"- 注意：{marks.TIP}")
            out.append(f"- 文件：{doc}")
            if heading:
                out.append(f"- 条款：{heading}")
            if c.heading_path:
                out.append(f"- 位置：{' › '.join(c.heading_path)}")
            if c.page:
                out.append(f"- 页码：{c.page}")
            out += ["", _quote(c.text), ""]
    if result.invalid_citations:
        out += ["## 已删除的无法核实引用", "", *(f"- {x}" for x in result.invalid_citations), ""]
    return "\n".join(out).rstrip() + "\n"


def conversation_markdown(title: str, turns: list[tuple[str, AnswerResult]]) -> str:
    """A whole conversation as one Markdown document: each question with its answer and
    cited clauses (headings one level down under the conversation's title)."""
    out = [f"# {title.strip() or '对话'}", ""]
    for i, (kb, result) in enumerate(turns, 1):
        body = answer_markdown(result, kb=kb)
        lines = body.splitlines()
        first = lines[0][2:] if lines and lines[0].startswith("# ") else result.question
        out += [f"## {i}. {first}", *("#" + ln if ln.startswith("#") else ln for ln in lines[1:])]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
