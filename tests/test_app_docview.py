"""The document view, the finder's knowledge base and upload clean-up, with ``AppTest``
(no browser) on a fresh workspace bootstrapped from the samples."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ingest.store import ClauseStore
from ingest.workspace import DEFAULT_KB, kb_path
from ui.docnav import ref_links

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TIMEOUT = 300
KB = "文档视图测试"
UPLOAD = """T/DVT 001—2025
文档视图样例规范
1 范围
本文件规定了文档视图样例服务的要求。
2 要求
2.1 文档视图样例机构应建立台账，台账格式按附录A。
2.2 记录
记录应符合2.1的规定，保存期见附录A。
附录A
（资料性）
台账格式
台账包括日期、事项和经办人。
""".encode()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, sample_workspace: Path) -> Iterator[Path]:
    ws = tmp_path_factory.mktemp("ws-docview")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STDQA_WORKSPACE", str(ws))
        for var in ("STDQA_LLM_BASE_URL", "STDQA_LLM_GGUF"):
            mp.delenv(var, raising=False)
        from ui.kb import handle_uploads

        handle_uploads(ws, KB, [("视图样例.txt", UPLOAD)])
        yield ws


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    return run(at)


def html(at: AppTest, needle: str) -> str:
    return "".join(m.value for m in at.markdown if needle in m.value)


def store(ws: Path, kb: str) -> ClauseStore:
    return ClauseStore(kb_path(ws, kb))


def test_document_view_from_url(workspace: Path) -> None:
    run(AppTest.from_file(APP, default_timeout=TIMEOUT))  # first run: samples bootstrap
    s = store(workspace, KB)
    [doc] = s.documents()
    clauses = list(s.iter_clauses([doc.doc_id]))
    cur = next(c for c in clauses if c.clause_no == "2.1")
    at = app(kb=KB, doc=doc.doc_id, clause=cur.clause_id)
    assert at.session_state["kb"] == KB  # the sidebar follows the link
    outline = html(at, 'class="stdqa-outline"')
    assert outline.count("▶") == 1 and outline.count('target="_self"') == len(clauses)
    context = html(at, 'class="stdqa-context"')
    assert "2 要求" in context and "2.2 记录" in context  # parent (= previous), next
    # "按附录A" is a link to the annex of this document.
    annex = next(c for c in clauses if c.clause_no == "附录A")
    assert f"clause={annex.clause_id.replace(':', '%3A')}" in context
    assert 'class="stdqa-xref"' in context
    assert [b.label for b in at.get("download_button")] == ["下载原文件"]
    # Back: the route is gone, the chat page is drawn again.
    at.button(key="docview_back").click()
    run(at)
    assert not at.query_params.get("doc") and not html(at, 'class="stdqa-outline"')


def test_document_view_of_a_missing_document(workspace: Path) -> None:
    at = app(kb=KB, doc="no-such-doc")
    assert any("不在知识库中" in w.value for w in at.warning)


def test_changing_page_in_the_sidebar_closes_the_view(workspace: Path) -> None:
    [doc] = store(workspace, KB).documents()
    at = app(kb=KB, doc=doc.doc_id)
    assert html(at, 'class="stdqa-outline"')
    at.session_state["page"] = "条款检索"  # the navigation's page (app.py)
    run(at)
    assert not html(at, 'class="stdqa-outline"')
    assert not at.query_params.get("doc")


def test_sample_cross_references_resolve(workspace: Path) -> None:
    # Over the bundled samples, some clause refers to another one, and each link's
    # target exists in the same knowledge base.
    s = store(workspace, DEFAULT_KB)
    docs = s.documents()
    by_doc = {d.doc_id: list(s.iter_clauses([d.doc_id])) for d in docs}
    ids = {c.clause_id for cs in by_doc.values() for c in cs}
    links = [link for cs in by_doc.values() for c in cs for link in ref_links(c, docs, by_doc.get)]
    assert links and all(link.clause_id in ids for link in links if link.clause_id)


def test_finder_uses_the_sidebar_knowledge_base(workspace: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["page"] = "条款检索"
    at.session_state["kb"] = KB
    run(at)
    assert not [s for s in at.selectbox if s.key == "finder_kb"]
    at.text_input(key="finder_q").set_value("台账")
    run(at)
    hits = html(at, 'class="stdqa-hit"')
    assert "T/DVT 001—2025" in hits and "T/BZQC" not in hits
    at.sidebar.selectbox[0].set_value(DEFAULT_KB)
    run(at)
    assert "T/DVT 001—2025" not in html(at, 'class="stdqa-hit"')


def test_rejected_and_deleted_uploads_leave_no_files(workspace: Path) -> None:
    from index.search import Searcher
    from ui.kb import delete_document, handle_uploads
    from ui.state import uploads_dir

    kb = "清理测试"
    folder = uploads_dir(workspace, kb)
    out = handle_uploads(workspace, kb, [("好.txt", UPLOAD), ("坏.pdf", b"%PDF-1.4 broken")])
    assert (folder / "好.txt").is_file() and not (folder / "坏.pdf").exists()
    assert any(r.reason for r in out.results if Path(r.path).name == "坏.pdf")
    searcher = Searcher.open(workspace, kb, sync=True)
    [doc] = searcher.documents()
    assert delete_document(searcher, doc.doc_id, folder)
    assert not (folder / "好.txt").exists()
    assert not store(workspace, kb).documents()
    # A document from outside the upload folder (the samples) keeps its file.
    samples = Searcher.open(workspace, DEFAULT_KB, sync=False)
    src = Path(samples.documents()[0].source)
    assert not delete_document(samples, "no-such-doc", uploads_dir(workspace, DEFAULT_KB))
    assert src.is_file()
