"""Saved conversations and workspace settings in the app (AppTest, no browser)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.conversations import ConversationStore
from ui import prefs
from ui.render import CARD_CLASS
from ui.state import embedding_jobs

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TIMEOUT = 300
QUESTION = "标准化法把标准分成哪几类？"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, sample_workspace: Path) -> Iterator[Path]:
    ws = tmp_path_factory.mktemp("ws-conv")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STDQA_WORKSPACE", str(ws))
        for var in ("STDQA_LLM_BASE_URL", "STDQA_LLM_GGUF", "STDQA_LLM_API_KEY", "OPENAI_API_KEY"):
            mp.delenv(var, raising=False)
        yield ws


def run_app(query: dict[str, str] | None = None, wait: bool = True, **state: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query or {})
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    for job in embedding_jobs() if wait else ():  # first run: answer from the full index
        job.task.wait()
    return at


def cards(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if f'class="{CARD_CLASS}"' in m.value]


def test_answer_is_saved_and_restored_with_its_cards(workspace: Path) -> None:
    at = run_app()
    at.chat_input[0].set_value(QUESTION).run()
    assert not at.exception
    shown = cards(at)
    assert shown
    cid = at.session_state["conversation_id"]
    assert at.query_params.get("c") == cid
    db = ConversationStore.for_workspace(workspace)
    saved = db.get(cid)
    assert saved is not None and saved.title == QUESTION and saved.turns == 1
    # A reload: a new session with only the URL.
    again = run_app({"c": cid})
    assert [t.result.question for t in again.session_state["chat_turns"]] == [QUESTION]
    assert cards(again) == shown
    assert any(b.label == QUESTION for b in again.sidebar.button)


def test_rename_export_and_delete_with_confirmation(workspace: Path) -> None:
    db = ConversationStore.for_workspace(workspace)
    cid = db.list()[0].id
    at = run_app({"c": cid})
    at.text_input(key=f"conversation_rename_{cid}").set_value("养老服务的问题").run()
    at.button(key="conversation_rename_save").click().run()
    assert db.get(cid).title == "养老服务的问题"  # type: ignore[union-attr]
    labels = [b.label for b in at.get("download_button")]
    assert "导出 Markdown" in labels and "导出 JSON" in labels
    at.button(key="conversation_delete").click().run()
    assert db.get(cid) is not None  # not before the confirmation
    at.button(key="conversation_delete_yes").click().run()
    assert not at.exception
    assert db.get(cid) is None
    assert at.session_state["conversation_id"] is None and "c" not in at.query_params
    assert at.session_state["chat_turns"] == []


def test_unknown_conversation_in_url_opens_a_new_one(workspace: Path) -> None:
    at = run_app({"c": "../../etc/passwd"})
    assert at.session_state["conversation_id"] is None
    assert at.session_state["chat_turns"] == []


def test_settings_persist_and_hide_weights_outside_hybrid(workspace: Path) -> None:
    at = run_app(page="设置")
    assert at.slider(key="set_dense_w") is not None
    at.selectbox(key="set_search_mode").set_value("bm25").run()
    assert not [s for s in at.slider if s.key in ("set_dense_w", "set_bm25_w")]
    at.slider(key="set_top_k").set_value(7).run()
    assert prefs.load_settings(workspace).search_mode == "bm25"
    assert prefs.load_settings(workspace).top_k == 7
    fresh = run_app(page="设置")  # a new session reads the workspace
    assert fresh.selectbox(key="set_search_mode").value == "bm25"
    assert fresh.slider(key="set_top_k").value == 7
    assert not any("top-k" in (s.label or "") for s in fresh.slider)


def test_llm_endpoint_and_key_set_in_the_ui(workspace: Path) -> None:
    at = run_app(page="设置")
    at.text_input(key="set_llm_url").set_value("not a url").run()
    at.button(key="set_llm_save").click().run()
    assert at.error and "http" in at.error[0].value
    at.text_input(key="set_llm_url").set_value("http://127.0.0.1:9/v1")
    at.text_input(key="set_llm_model").set_value("demo-model")
    at.text_input(key="set_llm_key").set_value("sk-very-secret").run()
    at.button(key="set_llm_save").click().run()
    assert not at.exception
    assert prefs.stored_key(workspace) == "sk-very-secret"
    assert prefs.load_settings(workspace).llm_model == "demo-model"
    fresh = run_app(page="设置")
    assert "大模型生成（引用条款）" in fresh.radio(key="set_answer_mode").options
    shown = [*fresh.text_input, *fresh.markdown, *fresh.caption, *fresh.info, *fresh.success]
    everything = " ".join(str(e.value) for e in shown)  # the key is never shown back
    assert "sk-very-secret" not in everything
    assert fresh.text_input(key="set_llm_key_shown").value.startswith("已设置")
    fresh.button(key="set_llm_key_clear").click().run()
    assert prefs.stored_key(workspace) is None


def test_first_run_is_usable_while_embedding(
    tmp_path: Path, sample_workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The samples are imported, then embedded in the background: meanwhile the page shows
    the live count and says what works, the chat answers from keywords and the finder
    searches; when the build ends the full index is used."""
    import threading

    import index.build
    from ui import state

    release = threading.Event()
    real_sync = index.build.sync_index

    def held_sync(store, embedder, **kw):  # type: ignore[no-untyped-def]
        progress = kw.get("progress")
        if callable(progress):
            progress(0, 747)
            progress(120, 747)
        assert release.wait(600)
        return real_sync(store, embedder, **kw)

    monkeypatch.setattr(index.build, "sync_index", held_sync)
    monkeypatch.setenv("STDQA_WORKSPACE", str(tmp_path))
    try:
        at = run_app(wait=False)
        assert at.status and "示例知识库已就绪" in at.status[0].label
        job = state.embedding_job(tmp_path, "default")
        assert job is not None and job.running()
        assert any("可以使用" in c.value for c in at.caption)
        assert any("120/747" in str(p.proto) for p in at.get("progress"))
        at.chat_input[0].set_value("物业服务企业对投诉的数量和处理结果如何进行统计分析？").run()
        assert not at.exception
        turn = at.session_state["chat_turns"][-1]
        assert "9.1.1" in turn.result.answer, turn.result.answer
        assert not turn.result.refused and cards(at)
        finder = run_app(wait=False, page="条款检索")
        finder.text_input(key="finder_q").set_value("投诉处理").run()
        assert not finder.exception
        assert [m for m in finder.markdown if "stdqa-hit" in m.value]
    finally:
        release.set()
    job.task.wait()
    assert job.error() is None
    searcher = state.searcher_for(tmp_path, "default")
    assert searcher is not None and not searcher.keyword_only


def test_fictitious_samples_are_marked_in_answers(workspace: Path) -> None:
    at = run_app()
    at.chat_input[0].set_value("投诉处理的时限是多少？").run()
    assert not at.exception
    shown = cards(at)
    assert shown and any("虚构示例" in c for c in shown)
    assert any("虚构示例" in c.value for c in at.caption)
