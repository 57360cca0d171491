"""LLM configuration from the environment, without importing langchain.

Kept apart from :mod:`qa.llm` so that ``python -m qa`` in extractive mode (the default)
can read the configuration without paying ~0.3 s for langchain_core.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


class LLMNotConfigured(RuntimeError):
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
