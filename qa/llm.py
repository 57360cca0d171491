"""Chat models for the LLM answerer (and the eval judge), configured by environment variables.

Two routes, both optional (the extractive answerer needs neither):

* any **OpenAI-compatible endpoint** — DeepSeek, Qwen/DashScope, Ollama, vLLM — through
  ``langchain_openai.ChatOpenAI``: set ``STDQA_LLM_BASE_URL`` and ``STDQA_LLM_MODEL`` (and
  ``STDQA_LLM_API_KEY`` when the service wants one);
* a **local GGUF model** (e.g. Qwen2.5-7B-Instruct-Q4_K_M.gguf) through llama-cpp-python:
  set ``STDQA_LLM_GGUF=/path/model.gguf``.  llama-cpp-python is not a default dependency
  (it compiles for ~6 minutes); install it with ``pip install llama-cpp-python``.

Settings (``STDQA_LLM_*``; the judge of ``python -m eval --judge`` reads ``STDQA_JUDGE_*``
first and falls back to these, see :meth:`LLMConfig.judge_from_env`):

========================  =======  ==================================================
``TEMPERATURE``           0.1      (judge: 0)
``MAX_TOKENS``            1024     answer length cap
``CTX``                   8192     context window; evidence is trimmed to fit it
``TIMEOUT``               120      seconds per answer (endpoints and GGUF alike)
``THREADS``               cpu      llama.cpp threads (1 can beat 2 on a busy machine)
``REPEAT_PENALTY``        1.1      against loops (GGUF: repeat_penalty; endpoints:
                                   frequency_penalty = penalty − 1)
``SEED``                  none     fixed seed for repeatable runs
``RETRIES``               1        endpoint retries (HTTP 429/5xx, connection errors)
========================  =======  ==================================================

Every failure of the model call — HTTP 500/429, timeout, connection refused, a malformed
reply, a prompt llama.cpp rejects — is raised as :class:`LLMError` with a one-line message,
so the CLIs can exit 2 and eval can record it against one question and go on.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

log = logging.getLogger(__name__)


from qa.llm_config import (  # noqa: E402 - re-exported here, kept langchain-free there
    LLMConfig,
    LLMError,
    LLMNotConfigured,
    LLMTimeout,
)

__all__ = [
    "LLMConfig",
    "LLMError",
    "LLMNotConfigured",
    "LLMTimeout",
    "LlamaCppChat",
    "StreamedChat",
    "guarded_stream",
    "make_chat_model",
]


def make_chat_model(config: LLMConfig | None = None) -> BaseChatModel:
    """The configured chat model; raises :class:`LLMNotConfigured` with what to set."""
    cfg = config or LLMConfig.from_env()
    if cfg.gguf_path:
        return LlamaCppChat(
            model_path=cfg.gguf_path,
            temperature=cfg.temperature,
            max_tokens=cfg.max_tokens,
            n_ctx=cfg.n_ctx,
            n_threads=cfg.threads,
            repeat_penalty=cfg.repeat_penalty,
            seed=cfg.seed,
            timeout=cfg.timeout,
        )
    if cfg.base_url:
        return EndpointChat(
            model=cfg.model or "gpt-4o-mini",
            base_url=cfg.base_url,
            api_key=cfg.api_key or "not-needed",  # Ollama / vLLM accept any key
            temperature=cfg.temperature,
            max_tokens=cfg.max_tokens,
            timeout=cfg.timeout,
            max_retries=cfg.retries,
            seed=cfg.seed,
            frequency_penalty=max(0.0, min(2.0, cfg.repeat_penalty - 1.0)) or None,
            streaming=True,
            n_ctx=cfg.n_ctx,
            # langchain-openai sends the limit as ``max_completion_tokens``, which older
            # OpenAI-compatible servers (llama.cpp server, Ollama, vLLM) may not read.
            extra_body=None if "api.openai.com" in cfg.base_url else {"max_tokens": cfg.max_tokens},
        )
    raise LLMNotConfigured(
        "未配置大模型：请设置 STDQA_LLM_BASE_URL 与 STDQA_LLM_MODEL（OpenAI 兼容接口，如 DeepSeek、"
        "通义千问、Ollama、vLLM），或设置 STDQA_LLM_GGUF 指向本地 GGUF 模型文件"
    )


@lru_cache(maxsize=1)
def _endpoint_class() -> type[BaseChatModel]:
    from langchain_openai import ChatOpenAI

    class _EndpointChat(ChatOpenAI):
        """ChatOpenAI that also knows the context window it is allowed to fill."""

        n_ctx: int = 8192

    return _EndpointChat


def EndpointChat(**kwargs: Any) -> BaseChatModel:
    """An OpenAI-compatible chat model (imported lazily: langchain_openai is heavy)."""
    return _endpoint_class()(**kwargs)


def context_window(chat_model: BaseChatModel) -> tuple[int, int]:
    """``(n_ctx, max_tokens)`` the prompt must leave room for (defaults for test fakes)."""
    n_ctx = getattr(chat_model, "n_ctx", None) or 8192
    max_tokens = getattr(chat_model, "max_tokens", None) or 1024
    return int(n_ctx), int(max_tokens)


def token_counter(chat_model: BaseChatModel) -> Any:
    """The model's own tokenizer when it has one (GGUF), else :func:`estimate_tokens`."""
    count = getattr(chat_model, "count_tokens", None)
    return count if callable(count) else estimate_tokens


def estimate_tokens(text: str) -> int:
    """A safe over-estimate for Chinese-heavy text: one token per CJK character (Qwen and
    DeepSeek tokenizers average 0.6–0.8), one per 3 other characters."""
    cjk = sum(1 for ch in text if "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
    return cjk + (len(text) - cjk + 2) // 3


def describe_error(exc: BaseException, timeout: float | None = None) -> str:
    """One line for a failed model call, naming the cause a user can act on."""
    try:
        import openai
    except ImportError:  # pragma: no cover - langchain_openai depends on it
        openai = None  # type: ignore[assignment]
    if isinstance(exc, LLMError):
        return str(exc).splitlines()[0]
    if openai is not None:
        if isinstance(exc, openai.APITimeoutError):
            return f"大模型接口超时（超过 {timeout or '?'} 秒未完成）"
        if isinstance(exc, openai.RateLimitError):
            return "大模型接口限流（HTTP 429），请稍后再试或降低并发"
        if isinstance(exc, openai.APIStatusError):
            return f"大模型接口返回错误（HTTP {exc.status_code}）"
        if isinstance(exc, openai.APIConnectionError):
            return "无法连接大模型接口（连接被拒绝或网络不可达），请检查 STDQA_LLM_BASE_URL"
        if isinstance(exc, openai.APIResponseValidationError | openai.APIError):
            return "大模型接口返回了无法解析的响应"
    if isinstance(exc, json.JSONDecodeError) or "No generation chunks" in str(exc):
        return "大模型接口返回了无法解析的响应"
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    return f"大模型调用失败：{type(exc).__name__}: {first}"


# Generation stops when its tail repeats: the last LOOP_TAIL characters already occur
# LOOP_REPEATS times in the text (a small model stuck in a loop never recovers).
LOOP_TAIL = 24
LOOP_REPEATS = 4


def looping(text: str) -> bool:
    if len(text) < LOOP_TAIL * LOOP_REPEATS:
        return False
    tail = text[-LOOP_TAIL:]
    return text.count(tail) >= LOOP_REPEATS


def guarded_stream(
    chat_model: BaseChatModel,
    messages: list[BaseMessage],
    timeout: float | None = None,
    max_chars: int | None = None,
) -> Iterator[str]:
    """Stream the model's text.  A failure becomes :class:`LLMError`; a repetition loop
    or a reply longer than ``max_chars`` (an endpoint that ignores max_tokens) ends the
    generation, logged; ``timeout`` bounds the whole answer, not just the first byte."""
    text = ""
    if timeout is None:
        timeout = getattr(chat_model, "request_timeout", None) or getattr(
            chat_model, "timeout", None
        )
    deadline = None if timeout is None else time.monotonic() + timeout
    stream = chat_model.stream(messages)
    try:
        while True:
            try:
                chunk = next(stream)
            except StopIteration:
                return
            except LLMError:
                raise
            except Exception as exc:
                raise LLMError(describe_error(exc, timeout)) from exc
            content = chunk.content
            if not isinstance(content, str) or not content:
                continue
            text += content
            yield content
            if looping(text):
                log.warning("LLM output repeats itself; generation stopped at %d chars", len(text))
                return
            if max_chars is not None and len(text) >= max_chars:
                log.warning("LLM output reached %d chars; generation stopped", len(text))
                return
            if deadline is not None and time.monotonic() > deadline:
                raise LLMTimeout(f"大模型生成超时（超过 {timeout:g} 秒）")
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()


def call_text(chat_model: BaseChatModel, messages: list[BaseMessage]) -> str:
    """One complete reply as text (the judge); failures become :class:`LLMError`."""
    try:
        reply = chat_model.invoke(messages)
    except Exception as exc:
        raise LLMError(describe_error(exc, getattr(chat_model, "request_timeout", None))) from exc
    content = getattr(reply, "content", reply)
    if isinstance(content, list):
        return "".join(
            p if isinstance(p, str) else str(p.get("text", "")) if isinstance(p, dict) else ""
            for p in content
        )
    return str(content)


_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def _to_openai(messages: list[BaseMessage]) -> list[dict[str, str]]:
    return [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]


# One loaded llama.cpp model per (file, context, threads, seed), shared by every
# LlamaCppChat that asks for it (the answerer and the judge, every app session), with one
# lock each: a llama.cpp context is not safe to use from two threads at once.
_MODELS: dict[tuple[Any, ...], tuple[Any, threading.Lock]] = {}
_MODELS_LOCK = threading.Lock()


def _load_llama(
    path: str, n_ctx: int, threads: int | None, seed: int | None
) -> tuple[Any, threading.Lock]:
    key = (os.path.realpath(path), n_ctx, threads, seed)
    with _MODELS_LOCK:
        if key in _MODELS:
            return _MODELS[key]
        if not os.path.isfile(path):
            raise LLMNotConfigured(f"GGUF 模型文件不存在：{path}")
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise LLMNotConfigured(
                "使用本地 GGUF 模型需要 llama-cpp-python：pip install llama-cpp-python"
            ) from exc
        kwargs: dict[str, Any] = {
            "model_path": path,
            "n_ctx": n_ctx,
            "n_threads": threads or os.cpu_count(),
            "verbose": False,
        }
        if seed is not None:
            kwargs["seed"] = seed
        log.info("loading GGUF %s (n_ctx=%d, threads=%s)", path, n_ctx, kwargs["n_threads"])
        _MODELS[key] = (Llama(**kwargs), threading.Lock())
        return _MODELS[key]


class StreamedChat(BaseChatModel):
    """A chat model written as a stream only: ``invoke`` joins what ``_stream`` yields.

    langchain_core's ``generate_from_stream`` would do the same but raises on a reply with
    no chunk at all, and an empty model reply must stay an empty answer rather than become
    an exception, so the join is ours.
    """

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(str(c.message.content) for c in self._stream(messages, stop, run_manager))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


class LlamaCppChat(StreamedChat):
    """A LangChain chat model over llama-cpp-python's chat completion (GGUF files).

    The model file is loaded on first use and shared (see ``_MODELS``); the chat template
    stored in the GGUF (Qwen2.5 ships one) formats the messages.  Generation holds the
    model's lock, stops at ``timeout`` seconds and uses ``repeat_penalty`` and ``seed``.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    temperature: float = 0.1
    max_tokens: int = 1024
    n_ctx: int = 8192
    n_threads: int | None = None
    repeat_penalty: float = 1.1
    seed: int | None = None
    timeout: float = 120.0
    _loaded: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _client(self) -> tuple[Any, threading.Lock]:
        if self._loaded is None:
            self._loaded = _load_llama(self.model_path, self.n_ctx, self.n_threads, self.seed)
        return self._loaded

    def count_tokens(self, text: str) -> int:
        llm, _ = self._client()
        return len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def _params(self, stop: list[str] | None) -> dict[str, Any]:
        params: dict[str, Any] = {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "repeat_penalty": self.repeat_penalty,
            "stop": stop,
        }
        if self.seed is not None:
            params["seed"] = self.seed
        return params

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llm, lock = self._client()
        deadline = time.monotonic() + self.timeout
        with lock:
            parts = llm.create_chat_completion(
                messages=_to_openai(messages), stream=True, **self._params(stop)
            )
            try:
                for part in parts:
                    delta = part["choices"][0].get("delta", {}).get("content")
                    if delta:
                        chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                        if run_manager:
                            run_manager.on_llm_new_token(delta, chunk=chunk)
                        yield chunk
                    if time.monotonic() > deadline:
                        raise LLMTimeout(f"本地模型生成超时（超过 {self.timeout:g} 秒）")
            finally:
                close = getattr(parts, "close", None)
                if close is not None:
                    close()
