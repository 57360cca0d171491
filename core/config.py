"""Typed configuration from the environment, read at the edge (never at import time).

Why: settings used to be read from ``os.environ`` wherever they were needed, some at import
time (``STDQA_IVF_THRESHOLD``), so a bad value surfaced as a traceback from deep inside a
module, and a test could not change it after import.  :meth:`AppConfig.from_env` reads and
validates everything in one place and says which variable is wrong, in one line.
"""

from __future__ import annotations

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


def _path(env: Mapping[str, str], name: str) -> Path | None:
    raw = env.get(name)
    return Path(raw).expanduser() if raw and raw.strip() else None


@dataclass(frozen=True, slots=True)
class AppConfig:
    """The workspace, embedding and index settings, validated.  The language-model
    settings (``STDQA_LLM_*``, ``STDQA_JUDGE_*``) are their own typed
    :class:`qa.llm_config.LLMConfig`, read once by :mod:`core.assembly` — kept apart so a
    bad LLM setting never stops ingest or an index build, which use no model."""

    workspace: Path | None = None
    embedder: str | None = None
    embed_cache: Path | None = None
    ivf_threshold: int = DEFAULT_IVF_THRESHOLD

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AppConfig:
        e = os.environ if env is None else env
        return cls(
            workspace=_path(e, "STDQA_WORKSPACE"),
            embedder=(e.get("STDQA_EMBEDDER") or "").strip() or None,
            embed_cache=_path(e, "STDQA_EMBED_CACHE"),
            ivf_threshold=_int(e, "STDQA_IVF_THRESHOLD", DEFAULT_IVF_THRESHOLD, 1, 10**9),
        )
