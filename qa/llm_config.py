"""LLM configuration from the environment, without importing langchain.

Kept apart from :mod:`qa.llm` so that ``python -m qa`` in extractive mode (the default)
can read the configuration without paying ~0.3 s for langchain_core.  The settings are
documented in :mod:`qa.llm`.
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass, replace
from typing import Any

from core.errors import UserError

log = logging.getLogger("qa.llm")


class LLMError(UserError, RuntimeError):
    """The language model could not produce an answer (one-line, user-facing message)."""


class LLMNotConfigured(LLMError):
    """LLM mode was asked for but no endpoint or model file is configured."""


class LLMTimeout(LLMError):
    """The model did not finish within ``STDQA_LLM_TIMEOUT`` seconds."""


def _float(e: dict[str, str], key: str, default: float | None) -> float | None:
    raw = e.get(key, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise LLMNotConfigured(f"{key} 必须是数字：{raw!r}") from exc


def _int(e: dict[str, str], key: str, default: int | None) -> int | None:
    value = _float(e, key, None if default is None else float(default))
    if value is None:
        return None
    if not value.is_integer():
        raise LLMNotConfigured(f"{key} 必须是整数：{e.get(key)!r}")
    return int(value)


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
    threads: int | None = None
    repeat_penalty: float = 1.1
    seed: int | None = None
    retries: int = 1

    @classmethod
    def from_env(
        cls,
        env: dict[str, str] | None = None,
        prefix: str = "STDQA_LLM_",
        fallback: LLMConfig | None = None,
    ) -> LLMConfig:
        """Read ``{prefix}*``; unset settings take ``fallback``'s value (or the default)."""
        e = dict(os.environ if env is None else env)
        base = fallback or cls()

        def s(key: str) -> str | None:
            return e.get(prefix + key) or None

        if fallback is None:
            backend = {
                "base_url": s("BASE_URL"),
                "api_key": s("API_KEY") or e.get("OPENAI_API_KEY") or None,
                "model": s("MODEL"),
                "gguf_path": s("GGUF"),
            }
        elif s("BASE_URL") or s("GGUF"):
            # A judge with its own model: nothing of the answering backend is inherited
            # except the API key when it talks to the same endpoint.
            same = s("BASE_URL") is not None and s("BASE_URL") == fallback.base_url
            backend = {
                "base_url": s("BASE_URL"),
                "api_key": s("API_KEY") or (fallback.api_key if same else None),
                "model": s("MODEL"),
                "gguf_path": s("GGUF"),
            }
        else:
            backend = {
                "base_url": fallback.base_url,
                "api_key": s("API_KEY") or fallback.api_key,
                "model": s("MODEL") or fallback.model,
                "gguf_path": fallback.gguf_path,
            }
        cfg = cls(
            **backend,
            temperature=_float(e, prefix + "TEMPERATURE", base.temperature),  # type: ignore[arg-type]
            max_tokens=_int(e, prefix + "MAX_TOKENS", base.max_tokens),  # type: ignore[arg-type]
            timeout=_float(e, prefix + "TIMEOUT", base.timeout),  # type: ignore[arg-type]
            n_ctx=_int(e, prefix + "CTX", base.n_ctx),  # type: ignore[arg-type]
            threads=_int(e, prefix + "THREADS", base.threads),
            repeat_penalty=_float(e, prefix + "REPEAT_PENALTY", base.repeat_penalty),  # type: ignore[arg-type]
            seed=_int(e, prefix + "SEED", base.seed),
            retries=_int(e, prefix + "RETRIES", base.retries),  # type: ignore[arg-type]
        )
        cfg.validate(prefix)
        return cfg

    @classmethod
    def from_env_or_unconfigured(cls) -> LLMConfig:
        """For the app: an invalid setting is logged and LLM mode stays off, instead of
        the page failing."""
        try:
            return cls.from_env()
        except LLMNotConfigured as exc:
            log.warning("LLM disabled: %s", exc)
            return cls()

    @classmethod
    def judge_from_env(cls, env: dict[str, str] | None = None) -> LLMConfig:
        """The judge's model: ``STDQA_JUDGE_*``, each unset setting falling back to the
        answering model's ``STDQA_LLM_*`` (temperature falls back to 0, not the answer's)."""
        e = dict(os.environ if env is None else env)
        answer = cls.from_env(e)
        return cls.from_env(e, "STDQA_JUDGE_", fallback=replace(answer, temperature=0.0))

    def validate(self, prefix: str = "STDQA_LLM_") -> None:
        if self.max_tokens <= 0 or self.n_ctx <= 0:
            raise LLMNotConfigured(f"{prefix}MAX_TOKENS 与 {prefix}CTX 必须为正整数")
        if self.max_tokens >= self.n_ctx:
            raise LLMNotConfigured(
                f"{prefix}MAX_TOKENS（{self.max_tokens}）必须小于 {prefix}CTX（{self.n_ctx}）"
            )
        if self.timeout <= 0:
            raise LLMNotConfigured(f"{prefix}TIMEOUT 必须大于 0")
        if self.threads is not None and self.threads <= 0:
            raise LLMNotConfigured(f"{prefix}THREADS 必须为正整数")
        if self.retries < 0:
            raise LLMNotConfigured(f"{prefix}RETRIES 不能为负数")

    @property
    def configured(self) -> bool:
        return bool(self.gguf_path or self.base_url)

    @property
    def backend(self) -> str:
        return "gguf" if self.gguf_path else "openai" if self.base_url else "none"

    def describe(self) -> str:
        if self.gguf_path:
            return f"本地 GGUF：{os.path.basename(self.gguf_path)}"
        if self.base_url:
            return f"{self.model or '默认模型'} @ {self.base_url}"
        return "未配置"

    def settings(self) -> dict[str, Any]:
        """Everything that shapes the answers, for results.json (never the API key)."""
        out = asdict(self)
        out.pop("api_key")
        out["gguf_path"] = os.path.basename(self.gguf_path) if self.gguf_path else None
        out["backend"] = self.backend
        out["threads"] = self.threads or (os.cpu_count() if self.gguf_path else None)
        return out

    def same_model(self, other: LLMConfig) -> bool:
        """Would both configurations run the same model instance (no second load)?"""
        return self == other
