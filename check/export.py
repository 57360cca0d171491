"""A check report as Markdown or as a standalone HTML page, and highlighted snippets.

Everything taken from the draft (excerpts, context, messages that quote it) is untrusted:
in HTML it is escaped and only our own ``<mark>`` spans wrap the escaped offending text;
in Markdown, characters that would become markup (links, HTML, emphasis) are backslash-
escaped, so a draft cannot inject a link or a script into an exported review.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict

from check.model import SEVERITY_ORDER, Finding, Report, Severity

SEVERITY_LABEL = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"}
MARK_CLASS = "stdqa-offence"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}()<>#|!~])")


def md_escape(text: str) -> str:
    """Text shown literally in Markdown (no links, HTML, emphasis, tables)."""
    return _MD_SPECIAL.sub(r"\\\1", text or "").replace("\n", " ")


def highlight_html(context: str, excerpt: str) -> str:
    """``context`` escaped, with the first occurrence of ``excerpt`` in a ``<mark>``."""
    if not context:
        return html.escape(excerpt or "")
    i = context.find(excerpt) if excerpt else -1
    if i < 0:
        return html.escape(context)
    j = i + len(excerpt)
    return (
        html.escape(context[:i])
        + f'<mark class="{MARK_CLASS}">'
        + html.escape(context[i:j])
        + "</mark>"
        + html.escape(context[j:])
    )


def group_findings(report: Report) -> dict[Severity, dict[str, list[Finding]]]:
    """Findings by severity, then by clause number ("全文" when the finding has none),
    clauses in document order."""
    out: dict[Severity, dict[str, list[Finding]]] = {}
    for sev in sorted(Severity, key=lambda s: SEVERITY_ORDER[s]):
        groups: dict[str, list[Finding]] = defaultdict(list)
        for f in report.findings:
            if f.severity is sev:
                groups[f.location.clause_no or "全文"].append(f)
        if groups:
            out[sev] = dict(groups)
    return out


def report_markdown(report: Report) -> str:
    s = report.summary()
    out = [
        f"# 草案审查报告：{md_escape(report.document)}",
        "",
        f"错误 {s['error']} 个，警告 {s['warning']} 个，提示 {s['info']} 个；"
        f"依据 GB/T 1.1—2020（草案按 GB/T 1.1—{report.era} 起草）。",
        "",
    ]
    for sev, groups in group_findings(report).items():
        out += [f"## {SEVERITY_LABEL[sev]}", ""]
        for clause, fs in groups.items():
            out += [f"### {md_escape(clause)}", ""]
            for f in fs:
                out.append(f"- **{md_escape(f.message)}**（{md_escape(f.location.label())}）")
                if f.context:
                    out.append(f"  - 原文：{md_escape(f.context)}")
                out.append(f"  - 建议：{md_escape(f.suggestion)}")
                out.append(f"  - 依据：{md_escape(f.basis)}；规则：`{f.rule}` {md_escape(f.title)}")
            out.append("")
    if not report.findings:
        out += ["未发现问题。", ""]
    return "\n".join(out).rstrip() + "\n"


_PAGE_STYLE = f"""body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;line-height:1.6}}
.finding{{border-left:4px solid #c0392b;padding:.3rem .8rem;margin:.6rem 0;background:#fafafa}}
.warning{{border-left-color:#e67e22}} .info{{border-left-color:#2c6fbb}}
.meta{{font-size:.85rem;color:#555}} mark.{MARK_CLASS}{{background:#ffd6d6}}"""


def finding_html(f: Finding) -> str:
    """One finding as an HTML block: message, location, highlighted text, suggestion."""
    e = html.escape
    parts = [
        f'<div class="finding {e(str(f.severity))}">',
        f"<div><b>{e(f.message)}</b></div>",
        f'<div class="meta">{e(f.location.label())} · {e(f.title)} · 依据 {e(f.basis)} · <code>{e(f.rule)}</code></div>',
    ]
    if f.context or f.excerpt:
        parts.append(f'<div class="stdqa-text">{highlight_html(f.context, f.excerpt)}</div>')
    parts.append(f"<div>建议：{e(f.suggestion)}</div></div>")
    return "".join(parts)


def report_html(report: Report) -> str:
    s = report.summary()
    e = html.escape
    body = [
        f"<h1>草案审查报告：{e(report.document)}</h1>",
        f"<p>错误 {s['error']} 个，警告 {s['warning']} 个，提示 {s['info']} 个；依据 GB/T 1.1—2020。</p>",
    ]
    for sev, groups in group_findings(report).items():
        body.append(f"<h2>{SEVERITY_LABEL[sev]}</h2>")
        for clause, fs in groups.items():
            body.append(f"<h3>{e(clause)}</h3>")
            body.extend(finding_html(f) for f in fs)
    if not report.findings:
        body.append("<p>未发现问题。</p>")
    return (
        '<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">'
        f"<title>草案审查报告：{e(report.document)}</title><style>{_PAGE_STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )
