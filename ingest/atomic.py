"""Crash-safe file writes and a per-directory lock.

Every file the product stores is written to a temporary sibling, flushed to disk and then
renamed over the target, so a reader (or a crash) sees the old file or the new one, never
half of one.  The lock keeps two writers (say, the app and a CLI run) from interleaving.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that the file is either fully old or fully new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """UTF-8 text variant of :func:`write_bytes_atomic`."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: Path, obj: Any) -> None:
    """Pretty, UTF-8 (not ASCII-escaped) JSON, written atomically."""
    write_text_atomic(path, json.dumps(obj, ensure_ascii=False, indent=1) + "\n")


def write_jsonl_atomic(path: Path, rows: list[dict[str, Any]]) -> None:
    """One JSON object per line, written atomically."""
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    write_text_atomic(path, body)


@contextlib.contextmanager
def dir_lock(directory: Path, name: str = ".lock") -> Iterator[None]:
    """Exclusive advisory lock on ``directory`` for the duration of the block."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / name, "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
