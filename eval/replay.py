"""Re-score a stored LLM run with the current checking code (``python -m eval --llm-replay``).

Why: a small local model takes 30–60 s per question here, while the code that turns its
reply into the checked answer (statement splitting, attribution, the support check in
:mod:`qa.support`, citation checks in :mod:`qa.citations`) changes in seconds.  An
``--llm`` run stores each question's unchecked reply (``answer.raw_answer``), the ids of
the clauses the model was shown (``answer.shown``) and a fingerprint of the prompt
(``answer.prompt_sha1``); a replay runs retrieval, evidence selection and prompt building
as usual but, instead of calling a model, hands back the stored reply for that question.

A replay is only as good as the match between the stored prompt and today's: when the
prompt the current code builds differs (a prompt file, the evidence or the trimming
changed), the stored reply answered a different prompt.  Such questions are counted
(``replay.prompt_changed``) and listed in the log; a prompt change needs a real model run.
Latency is the stored one (the replay itself takes milliseconds).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from pydantic import ConfigDict, Field, PrivateAttr

from qa.llm import StreamedChat, estimate_tokens
from qa.llm_config import LLMError
from qa.prompting import prompt_sha1

log = logging.getLogger(__name__)


@dataclass(slots=True)
class StoredReply:
    """One question's stored model call."""

    raw: str
    shown: list[str]
    prompt_sha1: str | None
    ms: float


@dataclass(slots=True)
class StoredRun:
    """What a replay needs from a ``results.json`` of an ``--llm`` run."""

    path: Path
    set_path: str | None
    settings: dict[str, Any]
    replies: dict[str, StoredReply]  # question id -> reply
    questions: dict[str, str] = field(default_factory=dict)  # question text -> id
    ms: dict[str, float] = field(default_factory=dict)  # question id -> recorded latency


class ReplayError(ValueError):
    """The file is not a results.json of an LLM run with stored replies."""


def load_run(path: Path) -> StoredRun:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReplayError(f"无法读取 {path}：{exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise ReplayError(f"{path} 不是合法 JSON（{exc}）") from exc
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise ReplayError(f"{path} 不是 python -m eval 的 results.json")
    config = data.get("config") or {}
    if config.get("answer_mode") != "llm":
        raise ReplayError(f"{path} 不是 --llm 运行的结果，没有可重放的模型回复")
    replies: dict[str, StoredReply] = {}
    questions: dict[str, str] = {}
    ms: dict[str, float] = {}
    for q in data["questions"]:
        a = q.get("answer") or {}
        questions[str(q.get("question", ""))] = str(q.get("id"))
        if isinstance(a.get("ms"), (int, float)):
            ms[str(q.get("id"))] = float(a["ms"])
        if isinstance(a.get("raw_answer"), str):
            replies[str(q["id"])] = StoredReply(
                raw=a["raw_answer"],
                shown=[str(x) for x in a.get("shown") or []],
                prompt_sha1=a.get("prompt_sha1"),
                ms=float(a.get("ms") or 0.0),
            )
    if not replies:
        raise ReplayError(
            f"{path} 没有存储模型原始回复（raw_answer）：请用当前版本重新运行 --llm 评测"
        )
    set_info = data.get("set") or {}
    return StoredRun(
        path, set_info.get("path"), dict(config.get("llm_settings") or {}), replies, questions, ms
    )


class ReplayChat(StreamedChat):
    """A chat model that answers with a stored reply: :meth:`expect` names the question
    before each answer.  A question without a stored reply (the run refused it before the
    model was called, or the call failed) raises :class:`LLMError` — the eval counts it
    as an LLM error, so a replay never invents an answer."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    n_ctx: int = 8192
    max_tokens: int = 1024
    timeout: float = 60.0
    _reply: StoredReply | None = PrivateAttr(default=None)
    _qid: str | None = PrivateAttr(default=None)
    _counter: Any = PrivateAttr(default=None)
    changed: list[str] = Field(default_factory=list)  # ids whose prompt differs from the stored one
    missing: list[str] = Field(default_factory=list)  # sent to the model now, never stored

    @property
    def _llm_type(self) -> str:
        return "replay"

    def expect(self, qid: str, reply: StoredReply | None) -> None:
        self._qid, self._reply = qid, reply

    def use_tokenizer(self, counter: Any) -> None:
        """Count prompt tokens as the recorded model did (its trimming is replayed too)."""
        self._counter = counter

    def count_tokens(self, text: str) -> int:
        if self._counter is None:
            return estimate_tokens(text)
        return int(self._counter(text))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        reply = self._reply
        if reply is None:
            self.missing.append(self._qid or "?")
            raise LLMError("重放：该题没有存储的模型回复（原运行未调用模型或调用失败）")
        if reply.prompt_sha1 and reply.prompt_sha1 != prompt_sha1(messages):
            self.changed.append(self._qid or "?")
        yield ChatGenerationChunk(message=AIMessageChunk(content=reply.raw))


class ReplayAnswerer:
    """Wraps an LLM-mode answerer over a :class:`ReplayChat`: before each question it
    hands the chat model that question's stored reply (matched by question text, which is
    what the runner passes)."""

    def __init__(self, answerer: Any, chat: ReplayChat, run: StoredRun) -> None:
        self.inner = answerer
        self.chat = chat
        self.run = run
        self.mode = answerer.mode

    def answer(
        self, question: str, history: Sequence[tuple[str, str]] = (), filters: Any = None
    ) -> Any:
        qid = self.run.questions.get(question)
        self.chat.expect(qid or "?", self.run.replies.get(qid) if qid else None)
        return self.inner.answer(question, history, filters)


def gguf_token_counter(path: str | None) -> Any:
    """The recorded model's tokenizer (vocabulary only, loads in about a second), so the
    prompt is trimmed exactly as in the recorded run; None when the file is not at hand."""
    if not path or not Path(path).is_file():
        return None
    try:
        from llama_cpp import Llama
    except ImportError:
        return None
    llm = Llama(model_path=path, vocab_only=True, verbose=False)
    return lambda text: len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))
