"""Chat models for the LLM answerer, configured by environment variables.

Two routes, both optional (the extractive answerer needs neither):

* any **OpenAI-compatible endpoint** — DeepSeek, Qwen/DashScope, Ollama, vLLM — through
  ``langchain_openai.ChatOpenAI``: set ``STDQA_LLM_BASE_URL`` and ``STDQA_LLM_MODEL`` (and
  ``STDQA_LLM_API_KEY`` when the service wants one);
* a **local GGUF model** (e.g. Qwen2.5-7B-Instruct-Q4_K_M.gguf) through llama-cpp-python:
  set ``STDQA_LLM_GGUF=/path/model.gguf``.  llama-cpp-python is not a default dependency
  (it compiles for ~6 minutes); install it with ``pip install llama-cpp-python``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from core.errors import UserError


class LLMNotConfigured(UserError, RuntimeError):
    """LLM mode was asked for but no endpoint or model file is configured."""


@dataclass(slots=True, frozen=True)
class LLMConfig:
    base_url: str | None = None
    api_key: str | None = None
    model: str | None = None
    gguf_path: str | None = None
    temperature: float = 0.1
    max_tokens: int = 1024
    timeout: float = 120.0
    n_ctx: int = 8192

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> LLMConfig:
        e = dict(os.environ if env is None else env)
        return cls(
            base_url=e.get("STDQA_LLM_BASE_URL") or None,
            api_key=e.get("STDQA_LLM_API_KEY") or e.get("OPENAI_API_KEY") or None,
            model=e.get("STDQA_LLM_MODEL") or None,
            gguf_path=e.get("STDQA_LLM_GGUF") or None,
            temperature=float(e.get("STDQA_LLM_TEMPERATURE", "0.1")),
            max_tokens=int(e.get("STDQA_LLM_MAX_TOKENS", "1024")),
            timeout=float(e.get("STDQA_LLM_TIMEOUT", "120")),
            n_ctx=int(e.get("STDQA_LLM_CTX", "8192")),
        )

    @property
    def configured(self) -> bool:
        return bool(self.gguf_path or self.base_url)

    def describe(self) -> str:
        if self.gguf_path:
            return f"本地 GGUF：{os.path.basename(self.gguf_path)}"
        if self.base_url:
            return f"{self.model or '默认模型'} @ {self.base_url}"
        return "未配置"


def make_chat_model(config: LLMConfig | None = None) -> BaseChatModel:
    """The configured chat model; raises :class:`LLMNotConfigured` with what to set."""
    cfg = config or LLMConfig.from_env()
    if cfg.gguf_path:
        return LlamaCppChat(
            model_path=cfg.gguf_path,
            temperature=cfg.temperature,
            max_tokens=cfg.max_tokens,
            n_ctx=cfg.n_ctx,
        )
    if cfg.base_url:
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            model=cfg.model or "gpt-4o-mini",
            base_url=cfg.base_url,
            api_key=cfg.api_key or "not-needed",  # Ollama / vLLM accept any key
            temperature=cfg.temperature,
            max_tokens=cfg.max_tokens,
            timeout=cfg.timeout,
            max_retries=1,
            streaming=True,
        )
    raise LLMNotConfigured(
        "未配置大模型：请设置 STDQA_LLM_BASE_URL 与 STDQA_LLM_MODEL（OpenAI 兼容接口，如 DeepSeek、"
        "通义千问、Ollama、vLLM），或设置 STDQA_LLM_GGUF 指向本地 GGUF 模型文件"
    )


_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def _to_openai(messages: list[BaseMessage]) -> list[dict[str, str]]:
    return [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]


class LlamaCppChat(BaseChatModel):
    """A LangChain chat model over llama-cpp-python's chat completion (GGUF files).

    The model file is loaded on first use, once per instance; the chat template stored in
    the GGUF (Qwen2.5 ships one) formats the messages.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    temperature: float = 0.1
    max_tokens: int = 1024
    n_ctx: int = 8192
    n_threads: int | None = None
    _llm: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _client(self) -> Any:
        if self._llm is None:
            if not os.path.isfile(self.model_path):
                raise LLMNotConfigured(f"GGUF 模型文件不存在：{self.model_path}")
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise LLMNotConfigured(
                    "使用本地 GGUF 模型需要 llama-cpp-python：pip install llama-cpp-python"
                ) from exc
            self._llm = Llama(
                model_path=self.model_path,
                n_ctx=self.n_ctx,
                n_threads=self.n_threads or os.cpu_count(),
                verbose=False,
            )
        return self._llm

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        out = self._client().create_chat_completion(
            messages=_to_openai(messages),
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            stop=stop,
        )
        text = out["choices"][0]["message"]["content"] or ""
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for part in self._client().create_chat_completion(
            messages=_to_openai(messages),
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            stop=stop,
            stream=True,
        ):
            delta = part["choices"][0].get("delta", {}).get("content")
            if delta:
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                if run_manager:
                    run_manager.on_llm_new_token(delta, chunk=chunk)
                yield chunk
