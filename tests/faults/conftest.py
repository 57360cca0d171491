"""Fixtures of the fault-and-abuse suite: bad files are generated here, never stored."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable

GOOD_TEXT = """GB/T 99001—2099
测试服务规范
1 范围
本文件规定了测试服务的基本要求。
2 规范性引用文件
本文件没有规范性引用文件。
3 术语和定义
3.1 测试服务 test service
为验证而提供的服务。
4 基本要求
4.1 服务人员应持有健康证明。
4.2 服务场所应保持整洁。
"""


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m …`` from the repository root; the environment is inherited."""
    full = {**os.environ, **(env or {})}
    return subprocess.run(
        [PY, *args], cwd=ROOT, env=full, capture_output=True, text=True, timeout=timeout
    )


def _deflate_repeated(head: bytes, block: bytes, count: int, tail: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of ``head + block * count + tail`` without ever inflating it: after a
    full flush the compressor forgets its history, so the bytes for ``block`` repeat.
    Returns (compressed, crc32, size)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts = [c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)]
    once = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    assert once == again
    parts.append(once * count)
    parts.append(c.compress(tail) + c.flush())
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    return b"".join(parts), crc, len(head) + len(block) * count + len(tail)


def _zip_member(name: bytes, data: bytes, crc: int, size: int, offset: int) -> tuple[bytes, bytes]:
    """Local header + data, and the central-directory record, of one deflated member."""
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(name), 0
    )
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50,
        20,
        20,
        0,
        8,
        0,
        0x21,
        crc,
        len(data),
        size,
        len(name),
        0,
        0,
        0,
        0,
        0,
        offset,
    )
    return local + name + data, central + name


def write_docx_bomb(path: Path, inflated: int) -> Path:
    """A .docx whose word/document.xml declares and really inflates to about ``inflated``
    bytes (XML padding), compressed ~1000:1; built in a fraction of a second."""
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>"
    )
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    ct = (
        b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        b'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        b'vnd.openxmlformats-package.relationships+xml"/><Override PartName="/word/document.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.'
        b'main+xml"/></Types>'
    )
    rels = (
        b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        b'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        b'Target="word/document.xml"/></Relationships>'
    )
    block = b"a" * (1 << 20)
    members = [
        (b"[Content_Types].xml", *_deflate_repeated(ct, b"", 0, b"")),
        (b"_rels/.rels", *_deflate_repeated(rels, b"", 0, b"")),
        (b"word/document.xml", *_deflate_repeated(head, block, inflated // len(block), tail)),
    ]
    body, directory = b"", b""
    for name, data, crc, size in members:
        local, central = _zip_member(name, data, crc, size, len(body))
        body += local
        directory += central
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), len(body), 0
    )
    path.write_bytes(body + directory + end)
    return path


@pytest.fixture()
def good_file(tmp_path: Path) -> Path:
    p = tmp_path / "src" / "测试服务规范.txt"
    p.parent.mkdir(parents=True)
    p.write_text(GOOD_TEXT, encoding="utf-8")
    return p
