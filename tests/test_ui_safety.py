"""Upload file names: nothing a browser sends may escape or clobber the upload folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from ui.safety import FALLBACK_NAME, MAX_NAME_BYTES, sanitize_filename, save_upload


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\system.ini", "system.ini"),
        ("C:\\Users\\x\\标准.pdf", "标准.pdf"),
        ("/abs/path/GB_T 1.1-2020.pdf", "GB_T 1.1-2020.pdf"),
        ("社区居家养老服务规范.docx", "社区居家养老服务规范.docx"),
        ("..", FALLBACK_NAME),
        ("", FALLBACK_NAME),
        ("...hidden.md", "hidden.md"),
        ("a\x00b\nc\x1b.txt", "abc.txt"),
        ("evil\u202etxt.exe", "eviltxt.exe"),  # right-to-left override removed
        ('a<b>:c"|?*.txt', "a_b__c____.txt"),
        ("CON.txt", "_CON.txt"),
        ("nul", "_nul"),
        ("lpt1.tar.gz", "_lpt1.tar.gz"),
        ("  名称 .txt ", "名称.txt"),
    ],
)
def test_sanitize_filename(raw: str, expected: str) -> None:
    assert sanitize_filename(raw) == expected


def test_sanitize_keeps_suffix_when_truncating() -> None:
    name = sanitize_filename("标" * 300 + ".pdf")
    assert name.endswith(".pdf")
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES


def test_save_upload_stays_inside_and_a_new_version_replaces_the_old(tmp_path: Path) -> None:
    folder = tmp_path / "uploads" / "default"
    a = save_upload(folder, "../../etc/passwd.txt", b"one")
    assert a == folder / "passwd.txt" and not (tmp_path / "etc").exists()
    again = save_upload(folder, "sub/passwd.txt", b"two")  # same name: new version
    assert again == a and a.read_bytes() == b"two"
    # two files with the same name in one batch: neither is lost
    taken: set[Path] = set()
    x = save_upload(folder, "规范.txt", b"x", taken)
    y = save_upload(folder, "其他/规范.txt", b"y", taken)
    assert (x.name, y.name) == ("规范.txt", "规范-1.txt")
    visible = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    assert visible == ["passwd.txt", "规范-1.txt", "规范.txt"]
