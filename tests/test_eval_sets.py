"""Every evaluation set under eval/questions_*.jsonl is well-formed and its gold resolves.

Structural checks always run.  Gold resolution needs the corpus: ``samples/`` is in the
repository; sets over corpora that may not be redistributed (the scraped web guides, stored
as fingerprints only) are skipped when ``../shared/corpus/...`` is absent.

Resolution mirrors how gold survives re-segmentation: the gold clause is the one whose text
contains the evidence (plaintext or fingerprint).  The evidence must hit exactly one clause
of the named source file / document, and that clause's number must equal the stored
``clause_no`` — so a segmentation change that renumbers or merges gold clauses shows up here
and the set can be updated deliberately.

Sets over real standards (``_meta.gold_clause_no == "standard"``) store the clause number as
printed in the standard, whatever today's segmenter makes of it; their evidence is checked at
document level instead: it must occur exactly once in the cleaned text of the named file (the
text the segmenter sees), so it pins one place of the intended document however the document
is later cut into clauses.  That check reads the real corpus but embeds nothing.

A held-out set (``_meta.held_out``, e.g. the fresh set written before any scoring) has only a
``test`` side: it is checked the same way but never split into a part that may be tuned on.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from eval.fingerprint import contains, fingerprint, normalize
from grammar.codes import code_base
from ingest.pipeline import ProcessedDocument, process_file

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = ROOT / "eval"
SAMPLES = ROOT / "samples"
WEB_GUIDES = ROOT.parent / "shared" / "corpus" / "web-guides"
STANDARDS = ROOT.parent / "shared" / "corpus" / "standards"
SPLITS = {"dev", "test"}

SET_FILES = sorted(EVAL_DIR.glob("questions_*.jsonl"))
TYPES = {"drafting", "lookup", "numeric", "lay", "multi", "unanswerable"}
MIN_PER_TYPE = {
    "drafting": 12,
    "lookup": 12,
    "numeric": 8,
    "lay": 15,
    "multi": 8,
    "unanswerable": 15,
}
# Smaller sets whose own bar is below MIN_PER_TYPE (set name → minimum per type): the web
# guides are nearly exhausted of facts no earlier question asks, so webguides11, webguides12 and
# webguides13 are written smaller on purpose.
MIN_PER_TYPE_BY_SET = {
    "webguides11": {
        "drafting": 8,
        "lookup": 8,
        "numeric": 6,
        "lay": 14,
        "multi": 8,
        "unanswerable": 11,
    },
    "webguides12": {
        "drafting": 8,
        "lookup": 11,
        "numeric": 5,
        "lay": 15,
        "multi": 5,
        "unanswerable": 10,
    },
    "webguides13": {
        "drafting": 7,
        "lookup": 6,
        "numeric": 6,
        "lay": 12,
        "multi": 4,
        "unanswerable": 9,
    },
}
_DASHES = re.compile(r"[-—–－―‐‑‒]+")


def _load(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert lines, f"{path.name}: empty"
    first = json.loads(lines[0])
    assert set(first) == {"_meta"}, f"{path.name}: first line must be the _meta object"
    return first["_meta"], [json.loads(ln) for ln in lines[1:]]


def _is_fp(v: Any) -> bool:
    return (
        isinstance(v, dict)
        and isinstance(v.get("sha1"), str)
        and re.fullmatch(r"[0-9a-f]{16}", v["sha1"]) is not None
        and isinstance(v.get("len"), int)
        and v["len"] > 0
    )


def _set_id(path: Path) -> str:
    return path.stem.removeprefix("questions_")


# --------------------------------------------------------------------------- structure


@pytest.mark.parametrize("path", SET_FILES, ids=_set_id)
def test_meta(path: Path) -> None:
    meta, _ = _load(path)
    assert isinstance(meta.get("name"), str) and meta["name"]
    assert "version" in meta
    assert isinstance(meta.get("corpus"), list) and meta["corpus"]
    assert all(isinstance(c, str) and c for c in meta["corpus"])


@pytest.mark.parametrize("path", SET_FILES, ids=_set_id)
def test_ids_types_and_counts(path: Path) -> None:
    meta, records = _load(path)
    ids = [r.get("id") for r in records]
    assert all(isinstance(i, str) and i for i in ids), "every question needs an id"
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes, f"duplicate ids: {dupes}"
    bad_types = {r["id"]: r.get("type") for r in records if r.get("type") not in TYPES}
    assert not bad_types, f"invalid types: {bad_types}"
    assert all(isinstance(r.get("question"), str) and r["question"].strip() for r in records)
    counts = Counter(r["type"] for r in records)
    bar = MIN_PER_TYPE_BY_SET.get(meta["name"], MIN_PER_TYPE)
    short = {t: (counts[t], n) for t, n in bar.items() if counts[t] < n}
    assert not short, f"too few questions per type (have, need): {short}"


@pytest.mark.parametrize("path", SET_FILES, ids=_set_id)
def test_gold_structure(path: Path) -> None:
    _, records = _load(path)
    problems: list[str] = []
    for r in records:
        rid, gold = r["id"], r.get("gold")
        if not isinstance(gold, list):
            problems.append(f"{rid}: gold must be a list")
            continue
        if r["type"] == "unanswerable":
            if gold:
                problems.append(f"{rid}: unanswerable question has gold")
            if r.get("key_facts") or r.get("key_facts_fp"):
                problems.append(f"{rid}: unanswerable question has key facts")
            continue
        if not any(g.get("grade") == 2 for g in gold):
            problems.append(f"{rid}: no grade-2 gold clause")
        if r["type"] == "multi" and len(gold) < 2:
            problems.append(f"{rid}: multi question needs 2+ gold clauses")
        for g in gold:
            if bool(g.get("source")) == bool(g.get("doc")):
                problems.append(f"{rid}: gold needs exactly one of 'source' / 'doc'")
            if g.get("grade") not in (1, 2):
                problems.append(f"{rid}: grade must be 1 or 2")
            if not isinstance(g.get("clause_no"), str):
                problems.append(f"{rid}: clause_no must be a string")
            has_ev = isinstance(g.get("evidence"), str) and normalize(g["evidence"]) != ""
            has_fp = _is_fp(g.get("evidence_fp"))
            if not (has_ev or has_fp):
                problems.append(f"{rid}: gold needs 'evidence' or a valid 'evidence_fp'")
            if g.get("source") and "evidence" in g:
                # sets addressed by source file are the non-redistributable ones
                problems.append(f"{rid}: plaintext evidence in a fingerprint-only gold entry")
        if not all(_is_fp(fp) for fp in r.get("key_facts_fp", [])):
            problems.append(f"{rid}: malformed key_facts_fp")
        kf = r.get("key_facts", [])
        if not (isinstance(kf, list) and all(isinstance(k, str) and k.strip() for k in kf)):
            problems.append(f"{rid}: key_facts must be a list of non-empty strings")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- resolution


@dataclass(slots=True, frozen=True)
class _Clause:
    clause_no: str
    title: str
    text: str

    @property
    def haystack(self) -> str:
        return f"{self.title}\n{self.text}"


def _logical_clauses(doc: ProcessedDocument) -> list[_Clause]:
    """Clauses of a document with over-long clauses' parts joined back together."""
    out: list[_Clause] = []
    for c in doc.clauses:
        if c.extra.get("part", 1) > 1 and out:
            prev = out[-1]
            out[-1] = _Clause(prev.clause_no, prev.title, f"{prev.text}\n{c.text}")
        else:
            out.append(_Clause(c.clause_no, c.clause_title, c.text))
    return out


@cache
def _processed(path: Path) -> tuple[ProcessedDocument, ...]:
    return tuple(process_file(path).documents)


@cache
def _sample_docs() -> tuple[ProcessedDocument, ...]:
    return tuple(d for p in sorted(SAMPLES.rglob("*.txt")) for d in _processed(p))


def _doc_key(text: str) -> str:
    return _DASHES.sub("-", normalize(text)).strip("《》").lower()


def _doc_matches(ref: str, doc: ProcessedDocument) -> bool:
    key = _doc_key(ref)
    names = [doc.info.title]
    if doc.info.standard_code:
        names += [doc.info.standard_code, code_base(doc.info.standard_code)]
    return any(_doc_key(n) == key for n in names)


def _corpus_dirs(meta: dict[str, Any]) -> list[Path]:
    return [(ROOT / c).resolve() for c in meta["corpus"]]


def _candidate_clauses(g: dict[str, Any], dirs: list[Path]) -> list[_Clause] | str:
    """All clauses the gold entry may resolve into, or a problem description."""
    if g.get("source"):
        files = [d / g["source"] for d in dirs if (d / g["source"]).is_file()]
        if not files:
            return f"source file {g['source']!r} not found in {[str(d) for d in dirs]}"
        return [c for d in _processed(files[0]) for c in _logical_clauses(d)]
    docs = [d for d in _sample_docs() if _doc_matches(g["doc"], d)]
    if not docs:
        return f"no document in samples/ matches doc {g['doc']!r}"
    return [c for d in docs for c in _logical_clauses(d)]


def _needs_shared_corpus(records: list[dict[str, Any]]) -> bool:
    return any(g.get("source") for r in records for g in r.get("gold", []))


@pytest.mark.parametrize("path", SET_FILES, ids=_set_id)
def test_gold_resolves_uniquely(path: Path) -> None:
    meta, records = _load(path)
    if meta.get("gold_clause_no") == "standard":
        pytest.skip("clause numbers as printed in the standard: checked per document below")
    dirs = _corpus_dirs(meta)
    if _needs_shared_corpus(records):
        missing = [d for d in dirs if not d.is_dir() or not any(d.iterdir())]
        if missing:
            pytest.skip(f"corpus not present: {', '.join(str(m) for m in missing)}")
    problems: list[str] = []
    for r in records:
        for g in r.get("gold", []):
            where = f"{r['id']} {g.get('source') or g.get('doc')} {g.get('clause_no')!r}"
            clauses = _candidate_clauses(g, dirs)
            if isinstance(clauses, str):
                problems.append(f"{where}: {clauses}")
                continue
            hits = [
                c
                for c in clauses
                if contains(
                    c.haystack, evidence=g.get("evidence"), evidence_fp=g.get("evidence_fp")
                )
            ]
            if len(hits) != 1:
                nos = [h.clause_no for h in hits]
                problems.append(f"{where}: evidence matches {len(hits)} clauses {nos}")
            elif normalize(hits[0].clause_no) != normalize(g["clause_no"]):
                problems.append(f"{where}: evidence is now in clause {hits[0].clause_no!r}")
    assert not problems, "\n".join(problems)


WEB_GUIDE_SETS = [
    "questions_webguides.jsonl",
    "questions_webguides2.jsonl",
    "questions_webguides3.jsonl",
    "questions_webguides4.jsonl",
    "questions_webguides5.jsonl",
    "questions_webguides6.jsonl",
    "questions_webguides7.jsonl",
    "questions_webguides8.jsonl",
    "questions_webguides9.jsonl",
    "questions_webguides10.jsonl",
    "questions_webguides11.jsonl",
    "questions_webguides12.jsonl",
    "questions_webguides13.jsonl",
]


@pytest.mark.parametrize("name", WEB_GUIDE_SETS)
def test_webguides_corpus_location_matches_set(name: str) -> None:
    """Each web-guides set points at the directory the skip condition checks."""
    path = EVAL_DIR / name
    if not path.exists():
        pytest.skip(f"no set {name}")
    meta, _ = _load(path)
    assert WEB_GUIDES.resolve() in _corpus_dirs(meta)


# Size each web-guides set must keep (set name → minimum questions, answerable, unanswerable,
# guide files cited, and answerable questions citing each cited file).  Every web-guides set
# is listed, so a new set states its bar and a set that silently loses questions fails here.
WEB_GUIDE_SET_MINIMA = {
    "webguides": {
        "questions": 90,
        "answerable": 75,
        "unanswerable": 15,
        "files": 4,
        "per_file": 8,
    },
    "webguides2": {
        "questions": 70,
        "answerable": 55,
        "unanswerable": 15,
        "files": 5,
        "per_file": 2,
    },
    "webguides3": {
        "questions": 85,
        "answerable": 68,
        "unanswerable": 16,
        "files": 5,
        "per_file": 8,
    },
    "webguides4": {
        "questions": 96,
        "answerable": 76,
        "unanswerable": 20,
        "files": 5,
        "per_file": 9,
    },
    "webguides5": {
        "questions": 127,
        "answerable": 104,
        "unanswerable": 23,
        "files": 5,
        "per_file": 3,
    },
    "webguides6": {
        "questions": 81,
        "answerable": 66,
        "unanswerable": 15,
        "files": 5,
        "per_file": 2,
    },
    "webguides7": {
        "questions": 80,
        "answerable": 65,
        "unanswerable": 15,
        "files": 5,
        "per_file": 3,
    },
    "webguides8": {
        "questions": 81,
        "answerable": 66,
        "unanswerable": 15,
        "files": 5,
        "per_file": 2,
    },
    "webguides9": {
        "questions": 81,
        "answerable": 66,
        "unanswerable": 15,
        "files": 5,
        "per_file": 2,
    },
    "webguides10": {
        "questions": 80,
        "answerable": 65,
        "unanswerable": 15,
        "files": 5,
        "per_file": 6,
    },
    "webguides11": {
        "questions": 55,
        "answerable": 44,
        "unanswerable": 11,
        "files": 5,
        "per_file": 6,
    },
    "webguides12": {
        "questions": 54,
        "answerable": 44,
        "unanswerable": 10,
        "files": 5,
        "per_file": 5,
    },
    "webguides13": {
        "questions": 44,
        "answerable": 35,
        "unanswerable": 9,
        "files": 5,
        "per_file": 4,
    },
}


@pytest.mark.parametrize("name", WEB_GUIDE_SETS)
def test_webguides_set_size_and_no_plaintext_when_held_out(name: str) -> None:
    """A web-guides set keeps its size bar; a held-out one stores key facts only as
    fingerprints (the guides may not be redistributed and nobody may read its answers)."""
    path = EVAL_DIR / name
    if not path.exists():
        pytest.skip(f"no set {name}")
    meta, records = _load(path)
    assert meta["name"] in WEB_GUIDE_SET_MINIMA, f"no size bar for set {meta['name']!r}"
    answerable = [r for r in records if r["type"] != "unanswerable"]
    per_file = Counter(src for r in answerable for src in {g["source"] for g in r["gold"]})
    have = {
        "questions": len(records),
        "answerable": len(answerable),
        "unanswerable": len(records) - len(answerable),
        "files": len(per_file),
        "per_file": min(per_file.values(), default=0),
    }
    bar = WEB_GUIDE_SET_MINIMA[meta["name"]]
    short = {k: (have[k], n) for k, n in bar.items() if have[k] < n}
    assert not short, f"set too small (have, need): {short}"
    if meta.get("held_out"):
        assert not [r["id"] for r in records if r.get("key_facts")], "plaintext key facts"


# Held-out sets whose gold is addressed by today's clause numbers (the web guides); held-out
# sets over the real standards are checked by test_standard_set_splits_by_document below.
HELD_OUT_CLAUSE_SETS = [
    p
    for p in SET_FILES
    if _load(p)[0].get("held_out") and _load(p)[0].get("gold_clause_no") != "standard"
]


@pytest.mark.parametrize("path", HELD_OUT_CLAUSE_SETS, ids=_set_id)
def test_held_out_set_has_only_a_test_side(path: Path) -> None:
    """A held-out set says so in its split rule and puts every question on the test side,
    so calibration and reranker training (which skip ``split == "test"``) never see it."""
    meta, records = _load(path)
    assert meta.get("split_rule"), "the split rule must be recorded in _meta"
    off = [r["id"] for r in records if r.get("split") != "test"]
    assert not off, f"held-out questions not on the test side: {off}"


# --------------------------------------------------------------------------- real standards

STANDARD_SETS = [p for p in SET_FILES if _load(p)[0].get("gold_clause_no") == "standard"]


def _window_counts(text: str, lengths: set[int]) -> dict[tuple[int, str], int]:
    """(length, fingerprint sha1) → occurrences of every window of those lengths in ``text``
    (already normalised).  One pass per length, shared by all gold entries of a document."""
    counts: Counter[tuple[int, str]] = Counter()
    for n in lengths:
        for i in range(len(text) - n + 1):
            counts[(n, fingerprint(text[i : i + n])["sha1"])] += 1
    return counts


def _manifest_codes(corpus: Path) -> dict[str, str]:
    """File name → standard code as listed in the corpus's MANIFEST.tsv (empty if none)."""
    manifest = corpus / "MANIFEST.tsv"
    if not manifest.is_file():
        return {}
    rows = [ln.split("\t") for ln in manifest.read_text(encoding="utf-8").splitlines()[1:]]
    return {r[0]: r[1].split(" (")[0] for r in rows if len(r) > 1}


@pytest.mark.slow
@pytest.mark.parametrize("path", STANDARD_SETS, ids=_set_id)
def test_standard_evidence_pins_one_place_of_the_intended_document(path: Path) -> None:
    """Every gold fingerprint occurs exactly once in the cleaned text of its named file, its
    ``code`` is that file's code, and every key fact occurs in some gold document."""
    meta, records = _load(path)
    [corpus] = _corpus_dirs(meta)
    if not corpus.is_dir() or not any(corpus.iterdir()):
        pytest.skip(f"corpus not present: {corpus}")
    codes = _manifest_codes(corpus)
    golds = [(r["id"], g) for r in records for g in r["gold"]]
    problems: list[str] = []
    lengths: dict[str, set[int]] = {}
    for rid, g in golds:
        if not (corpus / g["source"]).is_file():
            problems.append(f"{rid}: no file {g['source']!r} in {corpus}")
            continue
        if codes and _doc_key(g.get("code", "")) != _doc_key(codes.get(g["source"], "")):
            problems.append(f"{rid}: code {g.get('code')!r} is not the code of {g['source']}")
        lengths.setdefault(g["source"], set()).add(g["evidence_fp"]["len"])
    for r in records:
        for fp in r.get("key_facts_fp", []):
            lengths.setdefault(r["gold"][0]["source"], set()).add(fp["len"])
    texts = {src: normalize("\n".join(d.text for d in _processed(corpus / src))) for src in lengths}
    counts = {src: _window_counts(texts[src], lens) for src, lens in lengths.items()}
    for rid, g in golds:
        if g["source"] not in counts:
            continue
        fp = g["evidence_fp"]
        n = counts[g["source"]][(fp["len"], fp["sha1"])]
        if n != 1:
            problems.append(f"{rid}: evidence for {g['clause_no']} occurs {n}x in {g['source']}")
    for r in records:
        for fp in r.get("key_facts_fp", []):
            if not any(
                contains(texts[g["source"]], evidence_fp=fp)
                for g in r["gold"]
                if g["source"] in texts
            ):
                problems.append(f"{r['id']}: a key fact occurs in none of its gold documents")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", STANDARD_SETS, ids=_set_id)
def test_standard_set_splits_by_document(path: Path) -> None:
    """dev/test split by document: every question has a split, a dev question cites only dev
    documents, a question citing any test document is on the test side, and the document
    lists in ``_meta.splits`` agree with the questions.
    A held-out set (``_meta.held_out``) has no dev side at all: everything is ``test``."""
    meta, records = _load(path)
    assert meta.get("split_rule"), "the split rule must be recorded in _meta"
    declared = {src: name for name, srcs in meta["splits"].items() for src in srcs}
    assert set(meta["splits"]) == ({"test"} if meta.get("held_out") else SPLITS)
    problems = [
        f"{r['id']}: split {r.get('split')!r}" for r in records if r.get("split") not in SPLITS
    ]
    for r in records:
        sides = {declared.get(g["source"]) for g in r["gold"]}
        # A question spanning a dev and a test document is a test question: no test document
        # is ever seen on the dev side, which is what keeps the test side held out.
        want = "test" if "test" in sides else "dev" if sides else r.get("split")
        if None in sides or want != r.get("split"):
            problems.append(f"{r['id']}: documents on {sorted(map(str, sides))}, split {want!r}")
    assert not problems, "\n".join(problems)
    dev = sum(1 for r in records if r["split"] == "dev") / len(records)
    if meta.get("held_out"):
        assert dev == 0, "a held-out set has no dev questions"
    else:
        assert 0.3 <= dev <= 0.5, f"dev share {dev:.2f} (about 40 % wanted)"


# Size each set over the real standards must keep (set name → minimum questions, answerable,
# unanswerable, documents cited).  Every such set must be listed, so a new set states its bar.
STANDARD_SET_MINIMA = {
    "standards": {"questions": 130, "answerable": 100, "unanswerable": 25, "documents": 23},
    "fresh": {"questions": 90, "answerable": 70, "unanswerable": 20, "documents": 18},
    "fresh2": {"questions": 110, "answerable": 88, "unanswerable": 22, "documents": 18},
    "fresh3": {"questions": 140, "answerable": 115, "unanswerable": 25, "documents": 23},
    "fresh4": {"questions": 190, "answerable": 155, "unanswerable": 35, "documents": 23},
    "fresh5": {"questions": 190, "answerable": 154, "unanswerable": 32, "documents": 23},
    "fresh6": {"questions": 150, "answerable": 123, "unanswerable": 27, "documents": 23},
    "fresh7": {"questions": 152, "answerable": 125, "unanswerable": 27, "documents": 23},
    "fresh8": {"questions": 153, "answerable": 126, "unanswerable": 27, "documents": 23},
    "fresh9": {"questions": 156, "answerable": 129, "unanswerable": 27, "documents": 23},
    "fresh10": {"questions": 157, "answerable": 130, "unanswerable": 27, "documents": 23},
    "fresh11": {"questions": 156, "answerable": 129, "unanswerable": 27, "documents": 23},
    "fresh12": {"questions": 163, "answerable": 135, "unanswerable": 28, "documents": 23},
    "fresh13": {"questions": 153, "answerable": 127, "unanswerable": 26, "documents": 23},
    "fresh14": {"questions": 157, "answerable": 130, "unanswerable": 27, "documents": 23},
    "fresh15": {"questions": 168, "answerable": 141, "unanswerable": 27, "documents": 23},
    "fresh16": {"questions": 166, "answerable": 137, "unanswerable": 29, "documents": 23},
    "fresh17": {"questions": 159, "answerable": 129, "unanswerable": 30, "documents": 23},
}


@pytest.mark.parametrize("path", STANDARD_SETS, ids=_set_id)
def test_standard_set_covers_every_document_and_stores_no_plaintext(path: Path) -> None:
    meta, records = _load(path)
    cited = {g["source"] for r in records for g in r["gold"]}
    listed = {src for srcs in meta["splits"].values() for src in srcs}
    assert cited == listed, f"documents without questions: {sorted(listed - cited)}"
    for r in records:
        assert not r.get("key_facts"), f"{r['id']}: plaintext key facts"
        assert all("evidence" not in g for g in r["gold"]), f"{r['id']}: plaintext evidence"
    counts = Counter(r["type"] for r in records)
    assert meta["name"] in STANDARD_SET_MINIMA, f"no size bar for set {meta['name']!r}"
    have = {
        "questions": len(records),
        "answerable": len(records) - counts["unanswerable"],
        "unanswerable": counts["unanswerable"],
        "documents": len(cited),
    }
    short = {k: (have[k], n) for k, n in STANDARD_SET_MINIMA[meta["name"]].items() if have[k] < n}
    assert not short, f"set too small (have, need): {short}"
    assert counts["drafting"] / len(records) >= 0.12


def test_standards_corpus_location_matches_set() -> None:
    for path in STANDARD_SETS:
        meta, _ = _load(path)
        assert STANDARDS.resolve() in _corpus_dirs(meta)
