"""Load the prompt files and render retrieved clauses into them as data, within the
model's context window.

Untrusted text — clause text and headings from documents, the user's question, earlier
answers — is quoted as data: wrapped in tags whose angle brackets it cannot reproduce
(``<`` and ``>`` inside it become full-width), so a document cannot close ``</clause>``
and smuggle instructions into the prompt.

The prompt must leave room for the answer: :func:`build_answer_messages` fits the
evidence to ``n_ctx − max_tokens`` (a clause that does not fit whole is shortened, later
clauses are dropped, then the history), logs the budget, and returns the clauses that
were actually shown — the only ones an answer may cite.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from langchain_core.messages import BaseMessage
from langchain_core.prompts import ChatPromptTemplate

from grammar.schema import Clause
from qa.citations import cite
from qa.llm import LLMError

log = logging.getLogger(__name__)

PROMPTS_DIR = Path(__file__).resolve().parents[1] / "prompts"
MAX_CLAUSE_CHARS = 1200
# Tokens kept free beyond max_tokens: chat-template markup around each message.
TEMPLATE_OVERHEAD = 48
# A clause shortened below this many characters says too little to be worth showing.
MIN_CLAUSE_CHARS = 80


class PromptTooLong(LLMError):
    """Even without evidence and history the prompt does not fit the context window."""


def _read(name: str, directory: Path) -> str:
    path = directory / name
    try:
        return path.read_text(encoding="utf-8").strip() + "\n"
    except OSError as exc:
        raise FileNotFoundError(f"提示词文件缺失：{path}") from exc


@lru_cache(maxsize=4)
def answer_prompt(directory: Path = PROMPTS_DIR) -> ChatPromptTemplate:
    """System + user template from ``prompts/system.md`` and ``prompts/answer.md``."""
    return ChatPromptTemplate.from_messages(
        [("system", _read("system.md", directory)), ("human", _read("answer.md", directory))]
    )


def prompt_sha1(messages: Sequence[BaseMessage]) -> str:
    """Fingerprint of what a model was asked (role and text of every message): eval stores
    it with the reply, so a replay can tell whether today's prompt is still the one the
    stored reply answered (:mod:`eval.replay`)."""
    h = hashlib.sha1()
    for m in messages:
        h.update(m.type.encode())
        h.update(b"\0")
        h.update(str(m.content).encode("utf-8"))
        h.update(b"\1")
    return h.hexdigest()


def _data(text: str) -> str:
    """Untrusted text as inert data: it cannot close our tags or open new ones."""
    return text.replace("<", "＜").replace(">", "＞")


def _attr(text: str) -> str:
    """A field inside an attribute value: additionally no straight quote, so a document
    title such as ``"></clause></clauses>…`` cannot end the attribute or the wrapper."""
    return _data(text).replace('"', "＂").replace("\n", " ").replace("\r", " ")


def _block(i: int, c: Clause, body: str) -> str:
    path = " > ".join(c.path_labels())
    return (
        f'<clause id="{i}" cite="{_attr(cite(c))}" heading="{_attr(path)}">\n'
        f"{_data(body)}\n</clause>"
    )


def _body(c: Clause, limit: int = MAX_CLAUSE_CHARS) -> str:
    return c.text if len(c.text) <= limit else c.text[:limit] + "……"


def render_clauses(clauses: Sequence[Clause]) -> str:
    """``<clause cite="〔…〕" …>text</clause>`` blocks, one per clause."""
    return "\n".join(_block(i, c, _body(c)) for i, c in enumerate(clauses, 1))


def render_question(question: str) -> str:
    """The user's question as a quoted block (it is data too: it may paste document text)."""
    return f"<question>\n{_data(question.strip())}\n</question>"


def render_history(turns: Sequence[tuple[str, str]], directory: Path = PROMPTS_DIR) -> str:
    """Earlier turns (question, answer), shortened, as the ``{history}`` block."""
    if not turns:
        return ""
    lines = []
    for q, a in turns[-3:]:
        short = a if len(a) <= 300 else a[:300] + "……"
        lines.append(f"用户：{_data(q)}\n助手：{_data(short)}")
    return _read("history.md", directory).format(turns="\n".join(lines))


@dataclass(slots=True)
class PromptPlan:
    """The messages to send, the clauses they show, and how the budget was spent."""

    messages: list[BaseMessage]
    shown: list[Clause]
    budget: dict[str, object] = field(default_factory=dict)


def build_answer_messages(
    question: str,
    history: Sequence[tuple[str, str]],
    clauses: Sequence[Clause],
    *,
    n_ctx: int,
    max_tokens: int,
    count: Callable[[str], int],
    directory: Path = PROMPTS_DIR,
) -> PromptPlan:
    """Messages for one question whose prompt fits ``n_ctx − max_tokens`` tokens.

    Clauses are added best first; the first that does not fit whole is cut to the room
    left (if at least ``MIN_CLAUSE_CHARS`` remain), the rest are dropped.  If the history
    does not fit it is dropped before any clause is.  Raises :class:`PromptTooLong` when
    not even the question fits.
    """
    template = answer_prompt(directory)
    limit = n_ctx - max_tokens - TEMPLATE_OVERHEAD
    q = render_question(question)

    def size(hist: str, blocks: str) -> int:
        msgs = template.format_messages(history=hist, clauses=blocks, question=q)
        return sum(count(str(m.content)) for m in msgs)

    hist = render_history(history, directory)
    if hist and size(hist, "") > limit:
        log.warning("LLM prompt: conversation history dropped to fit the context window")
        hist = ""
    base = size(hist, "")
    if base > limit:
        raise PromptTooLong(
            f"问题过长：提示词约 {base} 个词元，超过上下文窗口可用的 {limit} 个"
            f"（STDQA_LLM_CTX={n_ctx}，STDQA_LLM_MAX_TOKENS={max_tokens}）"
        )
    shown: list[Clause] = []
    blocks: list[str] = []
    trimmed = 0
    for c in clauses:
        i = len(shown) + 1
        block = _block(i, c, _body(c))
        if size(hist, "\n".join([*blocks, block])) <= limit:
            shown.append(c)
            blocks.append(block)
            continue
        # Shorten this clause to the room left (binary search on its length), then stop.
        lo, hi = 0, min(len(c.text), MAX_CLAUSE_CHARS)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if size(hist, "\n".join([*blocks, _block(i, c, c.text[:mid] + "……")])) <= limit:
                lo = mid
            else:
                hi = mid - 1
        if lo >= MIN_CLAUSE_CHARS:
            shown.append(c)
            blocks.append(_block(i, c, c.text[:lo] + "……"))
            trimmed = 1
        break
    rendered = "\n".join(blocks)
    used = size(hist, rendered)
    budget: dict[str, object] = {
        "n_ctx": n_ctx,
        "max_tokens": max_tokens,
        "prompt_tokens": used,
        "limit": limit,
        "clauses_shown": len(shown),
        "clauses_offered": len(clauses),
        "clauses_trimmed": trimmed,
        "history": bool(hist),
    }
    log.info(
        "LLM prompt budget: %d/%d tokens (n_ctx %d − max_tokens %d − %d), clauses %d/%d shown, "
        "%d shortened",
        used,
        limit,
        n_ctx,
        max_tokens,
        TEMPLATE_OVERHEAD,
        len(shown),
        len(clauses),
        trimmed,
    )
    messages = template.format_messages(history=hist, clauses=rendered, question=q)
    return PromptPlan(messages, shown, budget)
