"""Where knowledge bases live on disk.

One *workspace* directory holds any number of *knowledge bases* (KBs).  Each KB is a folder
``<workspace>/kbs/<name>/`` with the clause store (written by ingest) and the search index
(written by index).  The workspace defaults to ``./workspace`` and can be moved with the
``STDQA_WORKSPACE`` environment variable or a ``--workspace`` flag, in that order of
increasing precedence.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from core.errors import UserError

ENV_WORKSPACE = "STDQA_WORKSPACE"
DEFAULT_WORKSPACE = Path("workspace")
DEFAULT_KB = "default"

# Letters, digits, CJK, "-" and "_": safe as a directory name on every platform, and no
# way to climb out of the workspace ("..", "/", "\\").
_KB_NAME = re.compile(r"^[0-9A-Za-z_\-\u4e00-\u9fff]{1,64}$")


class WorkspaceError(UserError, ValueError):
    """A workspace or knowledge-base name the user gave cannot be used."""


def resolve_workspace(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The workspace directory: flag, else environment variable, else ``./workspace``.

    Raises :class:`WorkspaceError` when the path, or the nearest part of it that exists, is
    not a folder: a workspace given as a file used to end in a raw ``NotADirectoryError``
    from the first writer and in "knowledge base not found (none)" from the readers, which
    sent the user looking for a missing ingest instead of at the path."""
    raw = explicit or os.environ.get(ENV_WORKSPACE) or DEFAULT_WORKSPACE
    path = Path(raw).expanduser().resolve()
    for part in (path, *path.parents):
        if part.exists():
            if not part.is_dir():
                raise WorkspaceError(
                    f"工作区路径不是文件夹：{part}（--workspace 或 ${ENV_WORKSPACE} 应指向一个文件夹）"
                )
            break
    return path


def validate_kb_name(name: str) -> str:
    """Return ``name`` if it is a usable KB name, else raise :class:`WorkspaceError`."""
    if not _KB_NAME.match(name or ""):
        raise WorkspaceError(
            f"知识库名称无效：{name!r}（只能包含字母、数字、汉字、- 和 _，最长 64 个字符）"
        )
    return name


def kb_path(workspace: Path, kb: str) -> Path:
    """Folder of knowledge base ``kb`` inside ``workspace`` (not created)."""
    return workspace / "kbs" / validate_kb_name(kb)


def list_kbs(workspace: Path) -> list[str]:
    """Names of the knowledge bases that have a clause store in ``workspace``."""
    root = workspace / "kbs"
    if not root.is_dir():
        return []
    return sorted(
        p.name
        for p in root.iterdir()
        if (p / "manifest.json").is_file() or (p / "manifest.journal").is_file()
    )
