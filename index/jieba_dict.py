"""jieba's prefix dictionary as one compact sorted file, looked up without loading it.

``jieba.Tokenizer.initialize`` unmarshals a ~500k-entry ``str → frequency`` dict (every
word of its dictionary plus every prefix of one, at frequency 0) before it cuts the first
sentence: 0.3–0.9 s and ~70 MB, paid by every ``python -m qa`` / ``index search`` for a
query of a dozen characters that needs perhaps a hundred lookups.

Here the very same mapping (jieba's dictionary plus our domain terms, taken from a fully
initialised tokenizer, so the cut is identical by construction) is written once per
workspace as sorted UTF-8 keys with their frequencies (~9 MB), and :class:`CompactFreq`
answers jieba's three questions (``in``, ``[]``, ``.get``) by binary search over the bytes
of the file, memoising what it found.  Reading the file takes a few milliseconds; a build
that tokenises many clauses soon finds most lookups in the memo.

UTF-8 byte order equals code-point order, so keys sorted as ``str`` are sorted as bytes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import struct
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MAGIC = b"JBF1"
_HEADER = struct.Struct("<4sIQ")  # magic, number of keys, total frequency
_MEMO_LIMIT = 1 << 20  # forget the memo beyond this many entries (bounded memory)


class CompactFreq(Mapping[str, int]):
    """A read-only ``str → int`` mapping over the bytes of a compact dictionary file."""

    def __init__(self, data: bytes) -> None:
        magic, n, total = _HEADER.unpack_from(data, 0)
        if magic != MAGIC:
            raise ValueError("not a compact jieba dictionary")
        o = _HEADER.size
        view = memoryview(data)
        self._off = view[o : o + 4 * (n + 1)].cast("I")
        o += 4 * (n + 1)
        self._freq = view[o : o + 4 * n].cast("I")
        o += 4 * n
        self._blob = data[o:]
        if len(self._off) != n + 1 or self._off[n] != len(self._blob):
            raise ValueError("compact jieba dictionary is truncated")
        self._n = n
        self.total = total
        self._memo: dict[str, int | None] = {}

    def _find(self, key: str) -> int | None:
        memo = self._memo
        if key in memo:
            return memo[key]
        b = key.encode("utf-8")
        off, blob = self._off, self._blob
        lo, hi = 0, self._n
        while lo < hi:
            mid = (lo + hi) >> 1
            if blob[off[mid] : off[mid + 1]] < b:
                lo = mid + 1
            else:
                hi = mid
        found = self._freq[lo] if lo < self._n and blob[off[lo] : off[lo + 1]] == b else None
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[key] = found
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._find(key) is not None

    def __getitem__(self, key: str) -> int:
        found = self._find(key)
        if found is None:
            raise KeyError(key)
        return found

    def get(self, key: str, default: Any = None) -> Any:
        found = self._find(key)
        return default if found is None else found

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[str]:
        for i in range(self._n):
            yield self._blob[self._off[i] : self._off[i + 1]].decode("utf-8")


def encode(freq: Mapping[str, int], total: int) -> bytes:
    """The compact file's bytes for jieba's ``FREQ`` and ``total``."""
    from array import array

    keys = sorted(freq)
    blobs = [k.encode("utf-8") for k in keys]
    offsets = array("I", [0])
    pos = 0
    for b in blobs:
        pos += len(b)
        offsets.append(pos)
    freqs = array("I", (freq[k] for k in keys))
    return (
        _HEADER.pack(MAGIC, len(keys), total)
        + offsets.tobytes()
        + freqs.tobytes()
        + b"".join(blobs)
    )


def cache_name(user_dict: Path | None) -> str:
    """File name that changes with jieba's dictionary and our user dictionary."""
    import jieba

    h = hashlib.sha1(MAGIC)
    main = Path(jieba.__file__).with_name("dict.txt")
    for p in (main, user_dict):
        if p is not None and p.is_file():
            st = p.stat()
            h.update(f"{p}:{st.st_size}:{st.st_mtime_ns}".encode())
            if p is user_dict:
                h.update(p.read_bytes())
    return f"jieba-{h.hexdigest()[:12]}.freq"


def load(path: Path) -> CompactFreq | None:
    """The compact dictionary at ``path``, or None if absent or unreadable."""
    try:
        return CompactFreq(path.read_bytes())
    except (OSError, ValueError, struct.error) as exc:
        if path.exists():
            log.warning("jieba dictionary cache %s unusable (%s); rebuilding", path, exc)
        return None


def save(path: Path, freq: Mapping[str, int], total: int) -> None:
    """Write atomically (another process may be reading); a read-only cache dir is fine."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
        tmp.write_bytes(encode(freq, total))
        os.replace(tmp, path)
    except OSError as exc:
        log.info("cannot cache jieba's dictionary in %s (%s)", path.parent, exc)
