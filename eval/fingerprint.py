"""Fingerprints of gold evidence, so evaluation sets can point at text without containing it.

Two problems are solved here:

* **Re-segmentation.**  Gold answers are tied to a clause number (``"5.2"``), but numbering
  changes whenever ``ingest/`` gets smarter (a heading is recognised, a document is split
  differently).  Each gold entry therefore also carries a short *evidence* string taken from
  the clause; after re-segmentation the gold clause is simply the one whose text contains the
  evidence, whatever its number has become.
* **Redistribution.**  Some corpora (scraped web pages) may not be copied into the
  repository.  For those the evidence is stored as a fingerprint — a truncated SHA-1 of the
  normalised text plus its length — which identifies the passage without reproducing it.
  Matching slides a window of that length over the normalised clause text and compares
  hashes, so it needs the (locally available) corpus but never the plaintext in the repo.

Normalisation (NFKC, then all whitespace removed) makes matching insensitive to full-width
vs half-width characters and to the line breaks / spaces that segmenters and scrapers move
around.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import TypedDict

__all__ = ["Fingerprint", "contains", "contains_fp", "fingerprint", "normalize"]

# ``\s`` in a str pattern covers all Unicode whitespace (incl. U+3000 ideographic space,
# U+00A0 no-break space, line/paragraph separators).
_WS = re.compile(r"\s+")

HASH_CHARS = 16


class Fingerprint(TypedDict):
    """``sha1``: first 16 hex digits of SHA-1 of the normalised text; ``len``: its length."""

    sha1: str
    len: int


def normalize(text: str) -> str:
    """NFKC-normalise ``text``, then drop all (Unicode) whitespace.

    Full-width ASCII ("ＧＢ／Ｔ　１．１") becomes half-width ("GB/T1.1"); "，" becomes ","; line
    breaks and spaces disappear, so the same passage matches however it was wrapped.
    """
    return _WS.sub("", unicodedata.normalize("NFKC", text))


def _sha1(normalized: str) -> str:
    return hashlib.sha1(normalized.encode("utf-8")).hexdigest()[:HASH_CHARS]


def fingerprint(text: str) -> Fingerprint:
    """Fingerprint of ``text``: safe to publish, enough to find the passage again.

    Raises ValueError for text that is empty after normalisation (it would match anything).
    """
    norm = normalize(text)
    if not norm:
        raise ValueError("cannot fingerprint empty text")
    return {"sha1": _sha1(norm), "len": len(norm)}


def contains_fp(haystack: str, fp: Fingerprint | dict) -> bool:
    """True if some substring of ``normalize(haystack)`` has fingerprint ``fp``.

    A window of ``fp["len"]`` characters slides over the normalised haystack; each window is
    hashed and compared.  That is O(n·len) hashing work, a few milliseconds for a clause of a
    few thousand characters, which is all evaluation needs.
    """
    n = int(fp["len"])
    want = str(fp["sha1"])
    if n <= 0:
        return False
    norm = normalize(haystack)
    if n > len(norm):
        return False
    return any(_sha1(norm[i : i + n]) == want for i in range(len(norm) - n + 1))


def contains(haystack: str, evidence: str | None = None, evidence_fp: dict | None = None) -> bool:
    """Whether ``haystack`` contains the gold evidence, given as plaintext or as fingerprint.

    Plaintext evidence (redistributable corpora such as ``samples/``) is a normalised
    substring test; otherwise ``evidence_fp`` is matched with :func:`contains_fp`.  With
    neither given, raises ValueError: a gold entry without evidence cannot be resolved.
    """
    if evidence:
        return normalize(evidence) in normalize(haystack)
    if evidence_fp:
        return contains_fp(haystack, evidence_fp)
    raise ValueError("gold entry has neither evidence nor evidence_fp")
