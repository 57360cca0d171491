"""Safe file names for uploads.

An uploaded file's name comes from the browser and is attacker-controlled: it may carry
directories ("../../etc/passwd"), Windows paths ("C:\\x\\a.txt"), control or bidi characters
that disguise an extension, or device names (CON, NUL) that Windows refuses.  Every upload
is written under ``<workspace>/uploads/<kb>/`` with a name made safe here, so the name can
neither escape that folder nor overwrite a different file.  Chinese names stay readable
("社区居家养老服务规范.pdf" is kept as is).
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path

from ingest.atomic import write_bytes_atomic, write_json_atomic

FALLBACK_NAME = "upload"
MAX_NAME_BYTES = 200  # below every common file system's 255-byte limit, room for "-12"

# Characters Windows forbids in names (and "/" everywhere); replaced, not dropped, so
# "a:b.txt" does not silently become "ab.txt".
_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(10)} | {f"LPT{i}" for i in range(10)}
)


class UnsafeUpload(ValueError):
    """An upload cannot be stored safely (should not happen after sanitising)."""


def _visible(ch: str) -> bool:
    # Cc: control characters (NUL, newline, ESC); Cf: format characters such as the
    # right-to-left override U+202E that makes "txt.exe" display as "exe.txt".
    return unicodedata.category(ch) not in ("Cc", "Cf")


def sanitize_filename(name: str) -> str:
    """A file name safe to create inside a folder: no directories, no traversal, no
    control characters, no reserved device names; CJK kept; never empty."""
    s = unicodedata.normalize("NFC", name or "")
    s = "".join(ch for ch in s if _visible(ch))
    # Keep only the last path component, whichever separator the client used.
    s = re.split(r"[/\\]", s)[-1]
    s = _FORBIDDEN.sub("_", s)
    s = s.strip().strip(".").strip()  # "..", ".hidden", "name. " (Windows drops these)
    s = re.sub(r"\s+", " ", s)
    if not s:
        return FALLBACK_NAME
    stem, dot, suffix = s.rpartition(".")
    if not dot:
        stem, suffix = s, ""
    stem = stem.rstrip(". ")  # "CON .txt" is still the device on Windows
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED or not stem:
        stem = f"_{stem}"
    suffix = suffix[:16]
    ext = f".{suffix}" if suffix else ""
    while len((stem + ext).encode("utf-8")) > MAX_NAME_BYTES and stem:
        stem = stem[:-1]
    return (stem or FALLBACK_NAME) + ext


NAMES_FILE = ".names.json"  # safe file name -> the upload name it was saved for


def upload_identity(name: str) -> str:
    """What makes two uploads "the same document": the base name the user chose (after
    dropping directories and invisible characters), *before* characters are replaced, so
    "a:b.txt" and "a_b.txt" stay two documents although both are stored as "a_b.txt"."""
    s = unicodedata.normalize("NFC", name or "")
    s = "".join(ch for ch in s if _visible(ch))
    return re.split(r"[/\\]", s)[-1].strip()


def _load_names(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / NAMES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def unique_target(folder: Path, name: str, taken: set[Path] | None = None) -> Path:
    """Where to write an upload named ``name`` in ``folder``.

    An upload of the same name as an earlier one is a *new version of the same document*:
    it replaces it, so re-ingesting replaces the old clauses instead of keeping two editions
    side by side.  A *different* name that merely sanitises to the same file name, or a
    second file of the same name within one batch (``taken``), gets "-1", "-2"… so
    neither document is lost.
    """
    safe = sanitize_filename(name)
    stem, ext = Path(safe).stem, Path(safe).suffix
    names = _load_names(folder)
    me = upload_identity(name)
    candidate = folder / safe
    n = 0
    while (taken is not None and candidate in taken) or (
        candidate.exists() and names.get(candidate.name, candidate.name) != me
    ):
        n += 1
        candidate = folder / f"{stem}-{n}{ext}"
    return candidate


def record_upload(folder: Path, target: Path, name: str) -> None:
    """Remember which upload name ``target`` holds (see :func:`unique_target`)."""
    names = _load_names(folder)
    if names.get(target.name) != upload_identity(name):
        names[target.name] = upload_identity(name)
        write_json_atomic(folder / NAMES_FILE, names)


def forget_upload(folder: Path, target: Path) -> None:
    names = _load_names(folder)
    if names.pop(target.name, None) is not None:
        write_json_atomic(folder / NAMES_FILE, names)


def backup_path(target: Path) -> Path:
    """Where the previous version of ``target`` waits while the new one is ingested."""
    return target.with_name(f".{target.name}.prev")


def save_upload(folder: Path, name: str, data: bytes, taken: set[Path] | None = None) -> Path:
    """Write one uploaded file into ``folder`` under a safe name; return its path.

    The final containment check is belt and braces: whatever the sanitiser missed, nothing
    is written outside ``folder``.  The write is atomic (temporary file, then rename).  A
    previous version with different content is kept aside (:func:`backup_path`) until the
    caller knows whether the new one could be ingested (:func:`settle_upload`).
    """
    folder.mkdir(parents=True, exist_ok=True)
    target = unique_target(folder, name, taken)
    root = folder.resolve()
    if target.resolve().parent != root:
        raise UnsafeUpload(f"拒绝保存到上传目录之外：{name!r}")
    if not (target.is_file() and target.read_bytes() == data):
        if target.is_file():
            os.replace(target, backup_path(target))
        write_bytes_atomic(target, data)
    record_upload(folder, target, name)
    if taken is not None:
        taken.add(target)
    return target


def settle_upload(target: Path, *, accepted: bool) -> None:
    """After ingest: keep an accepted upload (drop the previous version); for a rejected
    one, put the previous version back, or remove the file if there was none, so a corrupt
    re-upload never replaces the good original and rejected files do not pile up."""
    prev = backup_path(target)
    if accepted:
        prev.unlink(missing_ok=True)
    elif prev.exists():
        os.replace(prev, target)
    else:
        target.unlink(missing_ok=True)
        forget_upload(target.parent, target)


# ------------------------------------------------------------------ inert Markdown
# Untrusted text (document titles, clause text, model answers) is shown through
# Streamlit's Markdown.  What could make it *live*: links and images ("[x](url)",
# "![x](url)", reference definitions), autolinks ("<http://…>"), GFM bare-URL and e-mail
# linkification, Streamlit's ":red[…]"/":material/…:" directives (all need "[" or a URL)
# and KaTeX ("$…$", which has \href).  Formatting (bold, lists) is harmless and kept.
_URL = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.\-]{1,15}://|www\.)[^\s<>()\[\]{}`\\\"'（）【】《》，。；：！？、“”]+"
    r"|[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"
    r"|(?:javascript|data|vbscript):[^\s`\\]+",
    re.IGNORECASE,
)
_ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")  # an existing Markdown escape pair: keep
_ACTIVE = re.compile(r"[\[\]<$]")
_TOKEN = re.compile(f"({_ESCAPED.pattern})|({_URL.pattern})|({_ACTIVE.pattern})", re.IGNORECASE)


def inert_markdown(text: str | None) -> str:
    """``text`` for ``st.markdown`` (or any widget label) with no live link, image,
    autolink, HTML tag or math: ``[ ] < $`` are backslash-escaped and every URL or e-mail
    address is shown as inline code (never linkified).  Existing escapes are kept, so
    already-escaped extractive answers are not double-escaped."""

    def sub(m: re.Match[str]) -> str:
        if m.group(1):
            return m.group(1)
        if m.group(2):
            return "`" + m.group(2).replace("`", "") + "`"
        return "\\" + m.group(3)

    return _TOKEN.sub(sub, text or "")
