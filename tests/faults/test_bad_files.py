"""Bad and unusual input files the readers must handle (issue 14, Medium-low): AES-encrypted
PDFs open when they need no password (``cryptography`` is a dependency), and those that do
need one are refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.cli import main as ingest_main
from tests.fixtures.make_pdf_fixtures import encrypt_pdf, make_standard_pdf


@pytest.mark.parametrize("algorithm", ["AES-128", "AES-256"])
def test_aes_encrypted_pdf_without_open_password_is_ingested(
    tmp_path: Path, algorithm: str, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    plain = make_standard_pdf(tmp_path / "plain.pdf", pages=3)
    encrypt_pdf(plain, src / "受限.pdf", "", algorithm)
    assert ingest_main([str(src), "--workspace", str(tmp_path / "ws"), "--json", "-q"]) == 0
    row = json.loads(capsys.readouterr().out)["results"][0]
    assert row["status"] == "ingested" and row["clauses"] > 3, row


def test_aes_pdf_with_an_open_password_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    encrypt_pdf(
        make_standard_pdf(tmp_path / "plain.pdf", pages=2), src / "加密.pdf", "pw", "AES-256"
    )
    assert ingest_main([str(src), "--workspace", str(tmp_path / "ws"), "--json", "-q"]) == 1
    out, err = capsys.readouterr()
    row = json.loads(out)["results"][0]
    assert row["status"] == "skipped" and "加密" in row["reason"] and "Traceback" not in err
