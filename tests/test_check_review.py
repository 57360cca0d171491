"""The 审查 page end to end with ``AppTest``: paste a draft, see findings, export, fix.

Runs on the session's sample workspace (its default KB holds the sample guide, so findings
link to the guide's clauses); the page only reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from check.runner import BasisClause
from check.synthetic import clean_draft
from ui.review import REVIEW_CLASS, basis_html, review_bytes

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "<script>alert(1)</script>"  # survives cleaning (HTML tags like <img> are stripped)
DRAFT = (
    clean_draft()
    .replace("服务机构应具有固定的服务场所", f"服务机构必须具有固定的服务场所{HOSTILE}", 1)
    .replace("本文件适用于示例城市", "本标准适用于示例城市")
)


@pytest.fixture(scope="module")
def app_env(sample_workspace: Path) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STDQA_WORKSPACE", str(sample_workspace))
        for var in ("STDQA_LLM_BASE_URL", "STDQA_LLM_GGUF"):
            mp.delenv(var, raising=False)
        yield sample_workspace


def test_review_page_shows_escaped_findings_exports_and_fixes(app_env: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.session_state["page"] = "审查"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.text_area(key="review_text").set_value(DRAFT).run()
    next(b for b in at.button if b.label == "审查").click().run()
    assert not at.exception, [e.value for e in at.exception]
    cards = [m.value for m in at.markdown if f'class="{REVIEW_CLASS}"' in m.value]
    assert any(
        "wording.must" in c and '<mark class="stdqa-offence">必须</mark>' in c for c in cards
    )
    assert all("<script>" not in c for c in cards) and any("&lt;script&gt;" in c for c in cards)
    assert [m.value for m in at.metric][:1] == ["2"]  # 必须 and 本标准 are the two errors
    labels = [b.label for b in at.get("download_button")]
    assert {"导出 Markdown", "导出 HTML", "下载修正后的文本"} <= set(labels)
    assert any(e.label.startswith("机械修正预览") for e in at.expander)
    # The basis is named like a citation, linked into the document view and marked as a
    # made-up example (the sample guide is fictitious), never a raw clause id.
    basis = [m.value for m in at.markdown if m.value.startswith('<div class="stdqa-meta">依据：')]
    assert basis and all("T/BZQC 002—2025，" in b and "?kb=default&amp;doc=" in b for b in basis)
    assert all("虚构示例" in b for b in basis)


def test_review_rejects_unsupported_upload() -> None:
    with pytest.raises(Exception, match="不支持的格式"):
        review_bytes("draft.exe", b"MZ")


def test_review_upload_of_markdown() -> None:
    _draft, report = review_bytes("../../草案.md", DRAFT.encode())
    assert report.document == "草案.md"
    assert {"wording.must", "legacy.this-standard"} <= {f.rule for f in report.findings}


def test_basis_html_escapes_and_falls_back_to_the_id() -> None:
    hostile = BasisClause("d<1>", "T/X <b>1</b>—2025", "7.1", False)
    out = basis_html(hostile, "d<1>:abc", "default")
    assert "<b>" not in out and "&lt;b&gt;" in out and "虚构示例" not in out
    assert basis_html(None, "d:<i>", "default") == "依据条款：d:&lt;i&gt;"
