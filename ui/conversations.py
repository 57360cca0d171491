"""The conversation list of the 问答 page: saved in the workspace, restored on reload.

The current conversation's id lives in the session *and* in the URL (``?c=<id>``): a
reload, a bookmark or a second tab opens the same conversation.  A conversation is
created only when its first answer arrives, so opening the page does not pile up empty
"新对话" entries.  Storage is :class:`core.conversations.ConversationStore`; this module
is the Streamlit side (sidebar list, rename, delete with confirmation, export).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import streamlit as st

from core.conversations import (
    Conversation,
    ConversationError,
    ConversationStore,
    StoredTurn,
    is_conversation_id,
)
from qa.answer import AnswerResult
from ui import mobile
from ui.export import conversation_markdown
from ui.safety import inert_markdown, sanitize_filename

log = logging.getLogger(__name__)

CONV_KEY = "conversation_id"  # session: the open conversation (None: a new, unsaved one)
PARAM = "c"  # URL query parameter holding the same id
CONFIRM_KEY = "conversation_confirm_delete"
RENAME_KEY = "conversation_rename"
LIST_LIMIT = 50


@st.cache_resource(show_spinner=False, max_entries=4)
def _store(ws: str) -> ConversationStore | None:
    try:
        return ConversationStore.for_workspace(Path(ws))
    except (OSError, sqlite3.Error) as exc:  # read-only or full workspace: chat still works
        log.warning("conversations are not saved: %s", exc)
        return None


def store(ws: Path) -> ConversationStore | None:
    """The workspace's conversation store, or None when it cannot be written."""
    return _store(str(ws))


def current_id(ws: Path) -> str | None:
    """The open conversation: the session's, else the one named in the URL (a reload)."""
    if CONV_KEY not in st.session_state:
        wanted = st.query_params.get(PARAM)
        db = store(ws)
        found = db.get(wanted) if db is not None and is_conversation_id(wanted) else None
        st.session_state[CONV_KEY] = found.id if found else None
    cid = st.session_state[CONV_KEY]
    if cid:
        st.query_params[PARAM] = cid
    elif PARAM in st.query_params:
        del st.query_params[PARAM]
    return cid


def open_conversation(cid: str | None) -> None:
    """Switch to ``cid`` (None: start a new one); the page loads its turns."""
    st.session_state[CONV_KEY] = cid
    st.session_state.pop(CONFIRM_KEY, None)
    if cid:
        st.query_params[PARAM] = cid
    elif PARAM in st.query_params:
        del st.query_params[PARAM]


def choose(cid: str | None) -> None:
    """Sidebar callback: open ``cid`` (None: a new one) and, on a phone, close the overlay
    so the conversation is what the user sees."""
    open_conversation(cid)
    mobile.request_close()


def load(ws: Path, cid: str | None) -> list[tuple[str, AnswerResult]]:
    """The saved answers of ``cid`` as (knowledge base, result), oldest first."""
    db = store(ws)
    if db is None or not cid:
        return []
    out: list[tuple[str, AnswerResult]] = []
    for t in db.turns(cid):
        try:
            out.append((t.kb, AnswerResult.from_json(t.result)))
        except (TypeError, ValueError):
            log.warning("conversation %s: turn %d could not be restored", cid, t.seq)
    return out


def save(ws: Path, kb: str, result: AnswerResult) -> str | None:
    """Append an answer to the open conversation (creating it on the first answer);
    returns its id, or None when the workspace cannot store it."""
    db = store(ws)
    if db is None:
        return None
    cid = st.session_state.get(CONV_KEY)
    try:
        if not cid or db.get(cid) is None:
            cid = db.create().id
        db.add_turn(cid, kb, result.to_json())
    except (OSError, sqlite3.Error, ConversationError) as exc:
        log.warning("answer not saved: %s", exc)
        st.toast("这条回答未能保存到工作区（磁盘已满或只读）。", icon=":material/warning:")
        return None
    open_conversation(cid)
    return cid


def _rename(ws: Path, cid: str) -> None:
    db = store(ws)
    if db is None:
        return
    try:
        db.rename(cid, st.session_state.get(f"{RENAME_KEY}_{cid}", ""))
    except ConversationError as exc:
        st.session_state["conversation_notice"] = str(exc)


def _delete(ws: Path, cid: str) -> None:
    db = store(ws)
    if db is not None:
        db.delete(cid)
    open_conversation(None)


def render_sidebar(ws: Path, cid: str | None) -> None:
    """New conversation and the list of saved ones (most recent first)."""
    db = store(ws)
    with st.sidebar:
        st.divider()
        st.markdown("**对话记录**")
        st.button(
            "＋ 新对话",
            key="conversation_new",
            on_click=choose,
            args=(None,),
            use_container_width=True,
            help="开始一段新的对话；之前的对话保存在下面的列表中",
        )
        if db is None:
            st.caption("工作区无法写入，对话不会保存。")
            return
        items = db.list(LIST_LIMIT)
        if not items:
            st.caption("还没有保存的对话。提出第一个问题后，对话会自动保存在这里。")
        for conv in items:
            st.button(
                inert_markdown(conv.title),
                key=f"conversation_open_{conv.id}",
                on_click=choose,
                args=(conv.id,),
                type="primary" if conv.id == cid else "secondary",
                use_container_width=True,
                help=f"{conv.turns} 个问答",
            )


def _turn_pairs(turns: list[StoredTurn]) -> list[tuple[str, AnswerResult]]:
    return [(t.kb, AnswerResult.from_json(t.result)) for t in turns]


def render_actions(ws: Path, cid: str | None) -> None:
    """Rename, export (Markdown, JSON) and delete the open conversation."""
    db = store(ws)
    conv: Conversation | None = db.get(cid) if db is not None and cid else None
    if db is None or conv is None:
        return
    notice = st.session_state.pop("conversation_notice", None)
    if notice:
        st.error(notice)
    with st.popover("管理本对话", help="重命名、导出或删除当前对话"):
        st.text_input(
            "对话名称",
            value=conv.title,
            key=f"{RENAME_KEY}_{conv.id}",
            max_chars=60,
            placeholder="输入新名称",
        )
        st.button("保存名称", key="conversation_rename_save", on_click=_rename, args=(ws, conv.id))
        st.divider()
        turns = db.turns(conv.id)
        st.download_button(
            "导出 Markdown",
            data=conversation_markdown(conv.title, _turn_pairs(turns)),
            file_name=sanitize_filename(f"对话-{conv.title[:20]}.md"),
            mime="text/markdown",
            key="conversation_export_md",
            on_click="ignore",
            help="整段对话（问题、回答和所引条款原文），可粘贴到起草说明中",
        )
        st.download_button(
            "导出 JSON",
            data=json.dumps(db.export(conv.id), ensure_ascii=False, indent=1),
            file_name=sanitize_filename(f"对话-{conv.title[:20]}.json"),
            mime="application/json",
            key="conversation_export_json",
            on_click="ignore",
            help="完整数据，便于存档或用其他工具处理",
        )
        st.divider()
        if not st.session_state.get(CONFIRM_KEY):
            st.button(
                "删除对话…",
                key="conversation_delete",
                on_click=lambda: st.session_state.__setitem__(CONFIRM_KEY, True),
            )
        else:
            st.warning(inert_markdown(f"删除后无法恢复。确定删除「{conv.title}」？"))
            yes, no = st.columns(2)
            yes.button(
                "确认删除",
                key="conversation_delete_yes",
                type="primary",
                on_click=_delete,
                args=(ws, conv.id),
            )
            no.button(
                "取消",
                key="conversation_delete_no",
                on_click=lambda: st.session_state.pop(CONFIRM_KEY, None),
            )
