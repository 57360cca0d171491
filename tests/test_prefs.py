"""Workspace settings (ui/prefs.py): saved atomically, read back, key kept secret."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from ui import prefs
from ui.prefs import Settings

NO_ENV: dict[str, str] = {}


def test_defaults_without_file(tmp_path: Path) -> None:
    assert prefs.load_settings(tmp_path) == Settings()


def test_round_trip(tmp_path: Path) -> None:
    s = Settings(answer_mode="llm", top_k=7, dense_weight=0.4, search_mode="bm25", llm_model="m")
    prefs.save_settings(tmp_path, s)
    assert prefs.load_settings(tmp_path) == s
    assert "api" not in (tmp_path / prefs.SETTINGS_FILE).read_text().lower()


def test_broken_or_hand_edited_file_falls_back(tmp_path: Path) -> None:
    path = tmp_path / prefs.SETTINGS_FILE
    path.write_text("{not json")
    assert prefs.load_settings(tmp_path) == Settings()
    path.write_text(
        json.dumps({"top_k": 999, "search_mode": "magic", "dense_weight": "x", "new": 1})
    )
    got = prefs.load_settings(tmp_path)
    assert got.top_k == 10 and got.search_mode == "hybrid" and got.dense_weight == 1.0
    path.write_text("[1, 2]")
    assert prefs.load_settings(tmp_path) == Settings()


def test_key_is_private_and_clearable(tmp_path: Path) -> None:
    assert prefs.key_source(tmp_path, NO_ENV) is None
    prefs.save_key(tmp_path, "  sk-secret \n")
    path = tmp_path / prefs.KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert prefs.stored_key(tmp_path) == "sk-secret"
    assert prefs.key_source(tmp_path, {"STDQA_LLM_API_KEY": "env"}) == "workspace"
    prefs.clear_key(tmp_path)
    prefs.clear_key(tmp_path)  # twice is fine
    assert prefs.key_source(tmp_path, {"STDQA_LLM_API_KEY": "env"}) == "env"
    assert prefs.key_source(tmp_path, NO_ENV) is None


def test_llm_config_workspace_over_environment(tmp_path: Path) -> None:
    env = {"STDQA_LLM_GGUF": "/models/a.gguf", "STDQA_LLM_API_KEY": "env-key"}
    assert prefs.llm_config(tmp_path, Settings(), env).backend == "gguf"
    s = Settings(llm_base_url="http://localhost:11434/v1", llm_model="qwen2.5:7b")
    cfg = prefs.llm_config(tmp_path, s, env)
    assert (cfg.backend, cfg.model, cfg.api_key) == ("openai", "qwen2.5:7b", "env-key")
    prefs.save_key(tmp_path, "ws-key")
    assert prefs.llm_config(tmp_path, s, env).api_key == "ws-key"
    assert "ws-key" not in repr(prefs.llm_config(tmp_path, s, env).settings())
    assert not prefs.llm_config(tmp_path, Settings(), NO_ENV).configured


def test_endpoint_validation() -> None:
    assert prefs.valid_endpoint("https://api.deepseek.com/v1")
    assert not prefs.valid_endpoint("api.deepseek.com")
    assert not prefs.valid_endpoint("javascript:alert(1)")
