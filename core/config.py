"""Typed configuration from the environment, read at the edge (never at import time).

Why: settings used to be read from ``os.environ`` wherever they were needed, some at import
time (``STDQA_IVF_THRESHOLD``), so a bad value surfaced as a traceback from deep inside a
module, and a test could not change it after import.  :meth:`AppConfig.from_env` reads and
validates everything in one place and says which variable is wrong, in one line.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.errors import UserError

DEFAULT_IVF_THRESHOLD = 20_000


class ConfigError(UserError):
    """An environment variable holds an unusable value."""


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"环境变量 {name} 应为整数，而不是 {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"环境变量 {name} 应在 {low}–{high} 之间，而不是 {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"环境变量 {name} 应为数字，而不是 {raw!r}") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise ConfigError(f"环境变量 {name} 应为 {low:g}–{high:g} 之间的有限数字，而不是 {raw!r}")
    return value


def _path(env: Mapping[str, str], name: str) -> Path | None:
    raw = env.get(name)
    return Path(raw).expanduser() if raw and raw.strip() else None


@dataclass(frozen=True, slots=True)
class AppConfig:
    """Every ``STDQA_*`` setting, validated."""

    workspace: Path | None = None
    embedder: str | None = None
    embed_cache: Path | None = None
    ivf_threshold: int = DEFAULT_IVF_THRESHOLD
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_gguf: Path | None = None
    llm_timeout: float = 120.0
    llm_temperature: float = 0.1
    llm_max_tokens: int = 1024

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AppConfig:
        e = os.environ if env is None else env
        return cls(
            workspace=_path(e, "STDQA_WORKSPACE"),
            embedder=(e.get("STDQA_EMBEDDER") or "").strip() or None,
            embed_cache=_path(e, "STDQA_EMBED_CACHE"),
            ivf_threshold=_int(e, "STDQA_IVF_THRESHOLD", DEFAULT_IVF_THRESHOLD, 1, 10**9),
            llm_base_url=(e.get("STDQA_LLM_BASE_URL") or "").strip() or None,
            llm_model=(e.get("STDQA_LLM_MODEL") or "").strip() or None,
            llm_gguf=_path(e, "STDQA_LLM_GGUF"),
            llm_timeout=_float(e, "STDQA_LLM_TIMEOUT", 120.0, 0.1, 3600.0),
            llm_temperature=_float(e, "STDQA_LLM_TEMPERATURE", 0.1, 0.0, 2.0),
            llm_max_tokens=_int(e, "STDQA_LLM_MAX_TOKENS", 1024, 1, 1_000_000),
        )
