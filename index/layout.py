"""Where index files live, and the atomic generation switch.

``<workspace>/kbs/<kb>/index/``::

    CURRENT              name of the live generation directory (swapped atomically)
    gen-000007/          meta.json, dense.faiss, bm25/  — one complete, immutable index
    tokens/<key>-<rev>.json   BM25 tokens + clause ids of one source revision (cache)

A sync writes a whole new generation directory and only then rewrites ``CURRENT``; readers
follow ``CURRENT``, so a crash mid-sync leaves the previous index intact, and a reader never
sees a FAISS file from one build with BM25 files of another.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.atomic import write_text_atomic

INDEX_FORMAT = 2  # 2: long clauses embedded as several windows


@dataclass(slots=True, frozen=True)
class IndexPaths:
    root: Path  # <kb>/index

    @classmethod
    def for_kb(cls, kb_root: Path) -> IndexPaths:
        return cls(kb_root / "index")

    @property
    def current_file(self) -> Path:
        return self.root / "CURRENT"

    @property
    def tokens_dir(self) -> Path:
        return self.root / "tokens"

    def current(self) -> Path | None:
        """The live generation directory, or None before the first build."""
        try:
            name = self.current_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        gen = self.root / name
        return gen if name and gen.is_dir() else None

    def new_generation(self) -> Path:
        cur = self.current()
        n = int(cur.name.split("-")[1]) + 1 if cur else 1
        gen = self.root / f"gen-{n:06d}"
        if gen.exists():
            shutil.rmtree(gen)
        gen.mkdir(parents=True)
        return gen

    def publish(self, gen: Path) -> None:
        """Make ``gen`` live and delete older generations, except the one it replaces: a
        reader that read ``CURRENT`` just before the switch can still load that one."""
        previous = self.current()
        write_text_atomic(self.current_file, gen.name + "\n")
        for p in self.root.glob("gen-*"):
            if p not in (gen, previous) and p.is_dir():
                shutil.rmtree(p, ignore_errors=True)


def read_meta(gen: Path) -> dict[str, Any]:
    return json.loads((gen / "meta.json").read_text(encoding="utf-8"))
