"""Facts about a folder's documents that the documents do not state themselves.

A folder may hold ``.stdqa-folder.json``, e.g. ``{"fictitious": true}`` in
``samples/standards/``: the example standards there are written by us and look exactly
like real ones, so the app must mark them "虚构示例" wherever they are cited.  The mark
comes from this metadata at ingest (stored on the document and on each clause), not from
file names known to the UI, so any folder of made-up examples can be declared the same way.

The file is hidden (folder walks skip it, so it is never ingested as a document) and
applies to the documents directly in its folder.  An unreadable file is logged and ignored.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

FOLDER_META = ".stdqa-folder.json"


@dataclass(frozen=True, slots=True)
class FolderMeta:
    fictitious: bool = False


def folder_meta(path: Path) -> FolderMeta:
    """The metadata declared for the folder holding the file ``path``."""
    meta_file = Path(path).resolve().parent / FOLDER_META
    try:
        raw = json.loads(meta_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return FolderMeta()
    except (OSError, ValueError) as exc:
        log.warning("%s ignored: %s", meta_file, exc)
        return FolderMeta()
    if not isinstance(raw, dict):
        log.warning("%s ignored: not a JSON object", meta_file)
        return FolderMeta()
    return FolderMeta(fictitious=raw.get("fictitious") is True)
