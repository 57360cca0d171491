"""Settings kept in the workspace: ``<workspace>/settings.json`` and the LLM API key.

Why in the workspace: the answer and search options and the LLM endpoint belong to the
knowledge bases a team shares, not to one browser tab, and they must outlive a restart.
The JSON file is written atomically (a crash leaves the old or the new file); an unreadable
or hand-broken file is logged and ignored, never fatal.

The API key is a secret: it is kept in its own file, ``llm_api_key``, readable only by
the owner (mode 0600), never in settings.json, never shown back in the UI (the UI only
says whether one is set) and never logged.  ``STDQA_LLM_API_KEY`` in the environment still
works and is used when no key is stored.

Plain Python (no Streamlit), so the file format is unit-tested directly.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from ingest.atomic import write_bytes_atomic, write_json_atomic
from qa.llm_config import LLMConfig

log = logging.getLogger(__name__)

SETTINGS_FILE = "settings.json"
KEY_FILE = "llm_api_key"
SEARCH_MODES = ("hybrid", "dense", "bm25")
ANSWER_MODES = ("extractive", "llm")


@dataclass(slots=True, frozen=True)
class Settings:
    """What the user chose on the 设置 page."""

    answer_mode: str = "extractive"
    top_k: int = 10
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    search_mode: str = "hybrid"
    llm_base_url: str = ""  # "" → the environment's STDQA_LLM_BASE_URL (if any)
    llm_model: str = ""

    @property
    def weights(self) -> tuple[float, float]:
        return (self.dense_weight, self.bm25_weight)

    def validated(self) -> Settings:
        """Out-of-range values (a hand-edited file) replaced by the defaults."""
        d = Settings()
        return replace(
            self,
            answer_mode=self.answer_mode if self.answer_mode in ANSWER_MODES else d.answer_mode,
            search_mode=self.search_mode if self.search_mode in SEARCH_MODES else d.search_mode,
            top_k=self.top_k if 3 <= self.top_k <= 30 else d.top_k,
            dense_weight=self.dense_weight if 0 <= self.dense_weight <= 2 else d.dense_weight,
            bm25_weight=self.bm25_weight if 0 <= self.bm25_weight <= 2 else d.bm25_weight,
        )


def _coerce(name: str, value: Any, default: Any) -> Any:
    if isinstance(default, bool) or value is None:
        return default
    try:
        return type(default)(value)
    except (TypeError, ValueError):
        log.warning("settings.json: %s=%r ignored", name, value)
        return default


def load_settings(ws: Path) -> Settings:
    """The saved settings, or the defaults (missing or unreadable file)."""
    path = Path(ws) / SETTINGS_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as exc:
        log.warning("%s unreadable, using defaults: %s", path, exc)
        return Settings()
    if not isinstance(raw, dict):
        return Settings()
    defaults = Settings()
    values = {
        f.name: _coerce(f.name, raw.get(f.name), getattr(defaults, f.name))
        for f in fields(Settings)
    }
    return Settings(**values).validated()


def save_settings(ws: Path, settings: Settings) -> None:
    """Write settings.json atomically (raises OSError on a read-only or full disk)."""
    write_json_atomic(Path(ws) / SETTINGS_FILE, asdict(settings))


# ---------------------------------------------------------------------- the API key
def stored_key(ws: Path) -> str | None:
    try:
        key = (Path(ws) / KEY_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("API key file unreadable: %s", exc.strerror or exc)
        return None
    return key or None


def save_key(ws: Path, key: str) -> None:
    """Store the key readable by the owner only; an empty key clears it."""
    key = key.strip()
    if not key:
        clear_key(ws)
        return
    path = Path(ws) / KEY_FILE
    write_bytes_atomic(path, key.encode("utf-8"))  # mkstemp creates the file 0600
    os.chmod(path, 0o600)


def clear_key(ws: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (Path(ws) / KEY_FILE).unlink()


def key_source(ws: Path, env: dict[str, str] | None = None) -> str | None:
    """Where the API key comes from: "workspace", "env", or None (no key)."""
    if stored_key(ws):
        return "workspace"
    e = os.environ if env is None else env
    if e.get("STDQA_LLM_API_KEY") or e.get("OPENAI_API_KEY"):
        return "env"
    return None


def valid_endpoint(url: str) -> bool:
    return url.strip().lower().startswith(("http://", "https://")) and len(url.strip()) > 10


def llm_config(ws: Path, settings: Settings, env: dict[str, str] | None = None) -> LLMConfig:
    """The model to answer with: the environment's ``STDQA_LLM_*`` with the endpoint, model
    and key saved in the workspace taking precedence (an endpoint set in the app replaces an
    environment GGUF model).  Unconfigured (``.configured`` False) when neither sets one."""
    try:
        base = LLMConfig.from_env(env)
    except Exception as exc:  # an invalid environment value must not break the page
        log.warning("LLM environment settings ignored: %s", exc)
        base = LLMConfig()
    url = settings.llm_base_url.strip()
    if url:
        base = replace(base, base_url=url, gguf_path=None, model=settings.llm_model or base.model)
    elif settings.llm_model.strip() and base.base_url:
        base = replace(base, model=settings.llm_model.strip())
    key = stored_key(ws)
    if key:
        base = replace(base, api_key=key)
    return base
