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


OTHER_TEXT = """T/TEST 002—2099
洗衣服务规范
1 范围
本文件规定了洗衣服务的要求。
2 服务要求
2.1 收衣时应检查衣物破损情况。
2.2 洗涤后应在24小时内通知顾客取衣。
"""


@pytest.fixture()
def hashed(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Every embedder in this process is the instant hash embedder (CLIs run in-process
    in these tests: loading the real model in a subprocess costs ~20 s on a busy CI)."""
    from index import embedders, search
    from tests.conftest import HashEmbedder

    emb = HashEmbedder()
    monkeypatch.setattr(embedders, "make_embedder", lambda spec=None: emb)
    monkeypatch.setattr(search, "make_embedder", lambda spec=None: emb)
    return emb


@pytest.fixture()
def kb(tmp_path: Path, hashed):  # type: ignore[no-untyped-def]
    """A workspace with two small documents, ingested and indexed (hash embedder)."""
    from index.build import sync_index
    from ingest.pipeline import ingest_paths
    from ingest.store import ClauseStore
    from ingest.workspace import kb_path

    src = tmp_path / "src"
    src.mkdir()
    (src / "测试服务规范.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (src / "洗衣服务规范.txt").write_text(OTHER_TEXT, encoding="utf-8")
    ws = tmp_path / "ws"
    store = ClauseStore(kb_path(ws, "default"))
    assert ingest_paths([src], store, kb="default").ok
    sync_index(store, hashed)
    return ws, store, src
