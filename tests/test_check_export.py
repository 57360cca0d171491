"""Report export and mechanical fixes: untrusted draft text never becomes markup."""

from __future__ import annotations

from check.draft import Draft
from check.export import highlight_html, md_escape, report_html, report_markdown
from check.fixes import apply_fixes
from check.runner import check_draft
from check.synthetic import clean_draft

HOSTILE = "<script>alert(1)</script>"


def hostile_draft() -> str:
    return (
        clean_draft()
        .replace(
            "服务机构应具有固定的服务场所",
            f"服务机构必须具有固定的服务场所{HOSTILE}[链接](http://evil.example)",
            1,
        )
        .replace("本文件适用于示例城市", "本标准适用于示例城市")
    )


def test_highlight_escapes_and_marks() -> None:
    out = highlight_html(f"前{HOSTILE}必须后", "必须")
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert '<mark class="stdqa-offence">必须</mark>' in out


def test_html_report_has_no_live_markup_from_draft() -> None:
    report = check_draft(Draft.from_text(hostile_draft()))
    page = report_html(report)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "wording.must" in page and "GB/T 1.1—2020，附录C" in page


def test_markdown_report_escapes_links_and_html() -> None:
    report = check_draft(Draft.from_text(hostile_draft()))
    md = report_markdown(report)
    assert "<script>" not in md and "](http" not in md
    assert md.startswith("# 草案审查报告") and "## 错误" in md
    assert md_escape("[a](b)") == "\\[a\\]\\(b\\)"


def test_fixes_change_only_flagged_text() -> None:
    draft = Draft.from_text(hostile_draft())
    report = check_draft(draft)
    fixed, changes = apply_fixes(draft, report)
    assert "本文件适用于示例城市" in fixed and "本标准" not in fixed
    assert "服务机构应具有固定的服务场所" in fixed and "必须" not in fixed
    assert {r for c in changes for r in c.rules} == {"legacy.this-standard", "wording.must"}
    # Idempotent: the fixed text has nothing left to fix mechanically.
    again = Draft.from_text(fixed)
    assert apply_fixes(again, check_draft(again))[1] == []
