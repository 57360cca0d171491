"""Shared test fixtures: paths to bundled samples and to the optional shared corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
WEB_GUIDES = SHARED_CORPUS / "web-guides"


@pytest.fixture(scope="session")
def web_guides() -> Path:
    """The scraped web guides, used when present (never copied into the repository)."""
    if not WEB_GUIDES.is_dir() or not any(WEB_GUIDES.glob("*.txt")):
        pytest.skip("../shared/corpus/web-guides not present")
    return WEB_GUIDES
