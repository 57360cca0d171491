"""The Streamlit app end to end with ``AppTest`` (no browser), on a fresh workspace.

The first run bootstraps the bundled samples (ingest + embedding, up to a minute or two
on a small CPU); the later tests reuse that workspace and the process-wide searcher cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ingest.pipeline import FileStatus
from ingest.store import ClauseStore
from ingest.workspace import DEFAULT_KB, kb_path
from qa.answer import REFUSAL
from qa.cli import MAX_QUESTION_CHARS
from ui.bootstrap import sample_files
from ui.render import CARD_CLASS, HIT_CLASS
from ui.state import embedding_jobs

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TIMEOUT = 300
UPLOAD_KB = "上传测试"
UPLOAD_TEXT = """T/TEST 001—2025
上传样例服务规范
1 范围
本文件规定了上传样例服务的服务内容和服务要求。
2 服务要求
2.1 上传样例服务机构应建立投诉登记制度。
2.2 上传样例服务人员宜每年参加培训。
""".encode()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, sample_workspace: Path) -> Iterator[Path]:
    # ``sample_workspace`` has embedded the samples into the session's embedding cache, so
    # the app's own first-run bootstrap here is a cache read, not minutes of model time.
    ws = tmp_path_factory.mktemp("ws")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STDQA_WORKSPACE", str(ws))
        for var in ("STDQA_LLM_BASE_URL", "STDQA_LLM_GGUF"):
            mp.delenv(var, raising=False)
        yield ws


def run_app(**state: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    for (
        job
    ) in embedding_jobs():  # the first run embeds in the background: answer from the full index
        job.task.wait()
    return at


def markdown_with(at: AppTest, needle: str) -> list[str]:
    return [m.value for m in at.markdown if f'class="{needle}"' in m.value]


def has_standards() -> bool:
    return any((ROOT / "samples" / "standards").glob("*.txt"))


def test_first_run_bootstraps_samples(workspace: Path) -> None:
    at = run_app()
    store = ClauseStore(kb_path(workspace, DEFAULT_KB))
    samples = sample_files(ROOT / "samples")
    assert store.exists and len(store.sources()) == len(samples) >= 7
    assert not any("readme" in s.lower() for s in store.sources())
    assert at.status and "示例知识库已就绪" in at.status[0].label
    assert not at.chat_input[0].disabled
    # the question box has the same limit as `python -m qa` (issue 14: a 43k-char question)
    assert at.chat_input[0].proto.max_chars == MAX_QUESTION_CHARS
    # A second run finds the KB populated and does not bootstrap again.
    gen = store.generation
    again = run_app()
    assert not again.status
    store.reload()
    assert store.generation == gen


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_chat_answers_with_citation_cards(workspace: Path) -> None:
    at = ask(run_app(), "标准化法把标准分成哪几类？")
    cards = markdown_with(at, CARD_CLASS)
    assert cards, "no citation card"
    assert any("〔" in c for c in cards)
    assert at.download_button[0].label == "导出 Markdown"
    # Compact cards link to the document view; the answer's markers link to the cards.
    assert any(c.startswith("<details") and "在文档中查看" in c for c in cards)
    assert any('class="stdqa-marker" href="#stdqa-c0-' in m.value for m in at.markdown)
    # Follow-up: history is kept and the second answer is shown under the first.
    at = ask(at, "强制性标准由谁制定？")
    assert len(at.session_state["chat_turns"]) == 2
    assert len(at.chat_message) == 4


@pytest.mark.skipif(not has_standards(), reason="samples/standards/*.txt not present")
def test_chat_drafting_question(workspace: Path) -> None:
    at = ask(run_app(), "范围一章怎么写？")
    turn = at.session_state["chat_turns"][-1]
    assert not turn.result.refused, turn.result.answer
    assert markdown_with(at, CARD_CLASS)
    # drafting help beside the answer: a pattern to copy and examples from the standards
    assert any(e.label.startswith("起草参考：范围") for e in at.expander)
    assert any(c.value.startswith("本文件规定了") for c in at.code)


def test_chat_refuses_off_topic(workspace: Path) -> None:
    at = ask(run_app(), "火星探测器的轨道参数如何计算？")
    assert any(REFUSAL in i.value for i in at.info)
    assert not markdown_with(at, CARD_CLASS)


def test_finder_search_filter_and_outline(workspace: Path) -> None:
    at = run_app(page="条款检索")
    at.text_input(key="finder_q").set_value("强制性标准").run()
    assert not at.exception
    hits = markdown_with(at, HIT_CLASS)
    assert hits and "<mark>" in hits[0]
    # Every hit links to its clause in the document view.
    assert all(f"?kb={DEFAULT_KB}&amp;doc=" in h and "在文档中查看" in h for h in hits)
    # Filter to one document: every hit comes from it.
    doc = next(
        d
        for d in ClauseStore(kb_path(workspace, DEFAULT_KB)).documents()
        if d.title.endswith("标准化法")
    )
    at.multiselect(key="finder_docs").set_value([doc.doc_id]).run()
    assert not at.exception
    hits = markdown_with(at, HIT_CLASS)
    assert hits and all(f"《{doc.title}》" in h for h in hits)


def test_upload_handler_sanitises_and_ingests(workspace: Path) -> None:
    from index.search import Searcher
    from ui.kb import handle_uploads

    outcome = handle_uploads(
        workspace,
        UPLOAD_KB,
        [("../../etc/passwd.txt", UPLOAD_TEXT), ("坏文件.pdf", b"%PDF-1.4 not really")],
    )
    folder = workspace / "uploads" / UPLOAD_KB
    saved = outcome.saved["../../etc/passwd.txt"]
    assert saved == folder / "passwd.txt" and saved.read_bytes() == UPLOAD_TEXT
    assert not (workspace / "etc").exists() and not (workspace.parent / "etc").exists()
    by_name = {Path(r.path).name: r for r in outcome.results}
    assert by_name["passwd.txt"].status is FileStatus.INGESTED
    assert by_name["坏文件.pdf"].status in (FileStatus.SKIPPED, FileStatus.FAILED)
    assert by_name["坏文件.pdf"].reason
    searcher = Searcher.open(workspace, UPLOAD_KB, sync=True)
    hits = searcher.search("投诉登记制度", k=3)
    assert hits and hits[0].clause.standard_code == "T/TEST 001—2025"


def test_large_imports_embed_in_the_background(workspace: Path) -> None:
    """The decision counts only clauses the import added or changed: a rejected file or an
    unchanged re-upload adds nothing to embed."""
    from ui.kb import embeds_in_background, handle_uploads, new_clauses

    kb = "后台测试"
    first = handle_uploads(workspace, kb, [("规范.txt", UPLOAD_TEXT), ("坏.pdf", b"%PDF-1.4 x")])
    n = new_clauses(first)
    assert n == sum(r.clauses for r in first.results if r.status is FileStatus.INGESTED) > 0
    assert embeds_in_background(first, limit=n - 1)
    assert not embeds_in_background(first, limit=n)
    again = handle_uploads(workspace, kb, [("规范.txt", UPLOAD_TEXT)])
    assert new_clauses(again) == 0 and not embeds_in_background(again, limit=0)


def test_reuploading_a_changed_file_replaces_its_clauses(workspace: Path) -> None:
    from index.search import Searcher
    from ui.kb import handle_uploads

    kb = "版本测试"
    handle_uploads(workspace, kb, [("规范.txt", UPLOAD_TEXT)])
    newer = UPLOAD_TEXT.replace("每年参加培训".encode(), "每季度参加培训".encode())
    handle_uploads(workspace, kb, [("规范.txt", newer)])
    searcher = Searcher.open(workspace, kb, sync=True)
    assert len(searcher.documents()) == 1
    texts = " ".join(c.text for d in searcher.documents() for c in searcher.clauses_of(d.doc_id))
    assert "每季度参加培训" in texts and "每年参加培训" not in texts


def test_kb_page_shows_outline_as_data(workspace: Path) -> None:
    at = run_app(page="知识库", kb=UPLOAD_KB)
    [table] = [d for d in at.dataframe if "异常" in d.value.columns]
    labels = [x.strip("\u3000") for x in table.value["条款"]]
    assert "2.1" in labels and "2 服务要求" in labels
    assert any("未发现异常" in s.value for s in at.success)


def test_kb_page_lists_and_deletes(workspace: Path) -> None:
    at = run_app(page="知识库", kb=UPLOAD_KB)
    assert [m.label for m in at.metric][:2] == ["文档", "条款"]
    assert at.metric[0].value == "1"
    doc_id = at.selectbox(key="kb_del_doc").value
    at.checkbox(key="kb_del_sure").check().run()
    at.button(key="kb_del_btn").click().run()
    assert not at.exception, [e.value for e in at.exception]
    store = ClauseStore(kb_path(workspace, UPLOAD_KB))
    assert all(d.doc_id != doc_id for d in store.documents())
    assert any("这个知识库还没有文件" in i.value for i in at.info)


def test_create_kb(workspace: Path) -> None:
    at = run_app(page="知识库")
    at.text_input(key="kb_new_name").set_value("../evil").run()
    at.button(key="kb_create").click().run()
    assert at.error and "知识库名称无效" in at.error[0].value
    at.text_input(key="kb_new_name").set_value("新标准库").run()
    at.button(key="kb_create").click().run()
    assert not at.exception
    assert at.session_state["kb"] == "新标准库"
    assert (workspace / "kbs" / "新标准库").is_dir()
    assert "新标准库" in at.sidebar.selectbox[0].options


def test_settings_without_llm(workspace: Path) -> None:
    at = run_app(page="设置")
    assert at.radio(key="set_answer_mode").options == ["摘录条款（无需大模型）"]
    assert any("STDQA_LLM_BASE_URL" in i.value for i in at.info)


def test_drafting_page_rule_pattern_examples_and_skeleton(workspace: Path) -> None:
    at = run_app(page="起草", draft_element="范围")
    at.text_input(key="draft_subject").set_value("社区助浴服务").run()
    assert not at.exception
    cards = markdown_with(at, CARD_CLASS)
    assert any("T/BZQC 002—2025" in c for c in cards)  # the rule
    assert any("T/BZQC 001—2025" in c or "T/BZQC 003—2025" in c for c in cards)  # examples
    codes = [c.value for c in at.code]
    assert any(v.startswith("本文件规定了社区助浴服务的") for v in codes)
    at.text_input(key="draft_subject2").set_value("社区助浴服务").run()
    at.button(key="draft_build").click().run()
    assert not at.exception
    md = [c.value for c in at.code if c.value.startswith("# ")]
    assert md and "1  范围" in md[0] and "句式依据：〔T/BZQC 002—2025" in md[0]
