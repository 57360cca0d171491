"""The 审查 page end to end with ``AppTest``: paste a draft, see findings, export, fix.

Runs on the session's sample workspace (its default KB holds the sample guide, so findings
link to the guide's clauses); the page only reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from check.synthetic import clean_draft
from ui.review import REVIEW_CLASS, review_bytes

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
    assert any("依据条款在知识库中" in c.value for c in at.caption)


def test_review_rejects_unsupported_upload() -> None:
    with pytest.raises(Exception, match="不支持的格式"):
        review_bytes("draft.exe", b"MZ")


def test_review_upload_of_markdown() -> None:
    _draft, report = review_bytes("../../草案.md", DRAFT.encode())
    assert report.document == "草案.md"
    assert {"wording.must", "legacy.this-standard"} <= {f.rule for f in report.findings}
