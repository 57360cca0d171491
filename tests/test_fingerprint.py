"""eval.fingerprint: normalisation, fingerprints and matching without plaintext."""

from __future__ import annotations

import pytest

from eval.fingerprint import contains, contains_fp, fingerprint, normalize

CLAUSE = "4.2 服务人员\n服务人员应持证上岗，\u3000每年培训不少于 24 h。\n注：培训记录保存 3 年。"


def test_normalize_nfkc_and_whitespace() -> None:
    assert normalize("ＧＢ／Ｔ　１．１—２０２０") == "GB/T1.1—2020"
    assert normalize(" a\tb\nc\r\n d\u3000e\u00a0f\u2028g ") == "abcdefg"
    assert normalize("服务，质量：") == "服务,质量:"
    assert normalize("") == ""


def test_fingerprint_shape_and_determinism() -> None:
    fp = fingerprint("每年培训不少于 24 h")
    assert set(fp) == {"sha1", "len"}
    assert len(fp["sha1"]) == 16
    assert all(c in "0123456789abcdef" for c in fp["sha1"])
    assert fp["len"] == len("每年培训不少于24h")
    assert fingerprint("每年培训不少于 24 h") == fp


def test_fingerprint_rejects_empty() -> None:
    with pytest.raises(ValueError):
        fingerprint(" \n\u3000")


def test_round_trip_substring() -> None:
    for piece in ["服务人员应持证上岗", "每年培训不少于 24 h", "保存 3 年", "4.2 服务人员"]:
        assert contains_fp(CLAUSE, fingerprint(piece)), piece


def test_round_trip_whole_text_and_edges() -> None:
    assert contains_fp(CLAUSE, fingerprint(CLAUSE))
    norm = normalize(CLAUSE)
    assert contains_fp(CLAUSE, fingerprint(norm[:5]))  # first window
    assert contains_fp(CLAUSE, fingerprint(norm[-5:]))  # last window


def test_whitespace_and_fullwidth_insensitive() -> None:
    fp = fingerprint("每年培训不少于24h")
    assert contains_fp("每年培训\n不少于　２４ ｈ。", fp)
    # and the other way round: evidence with full-width/spaces, haystack plain
    assert contains_fp("……每年培训不少于24h。", fingerprint("每年 培训 不少于 ２４ ｈ"))


def test_negative_cases() -> None:
    assert not contains_fp(CLAUSE, fingerprint("每年培训不少于 48 h"))
    assert not contains_fp(CLAUSE, fingerprint("上岗持证"))  # same characters, wrong order
    assert not contains_fp(CLAUSE, fingerprint("服务人员应持证上岗。"))  # punctuation matters
    assert not contains_fp("", fingerprint("服务"))
    assert not contains_fp("服务", fingerprint("服务人员"))  # longer than haystack
    assert not contains_fp(CLAUSE, {"sha1": fingerprint("服务")["sha1"], "len": 3})
    assert not contains_fp(CLAUSE, {"sha1": "0" * 16, "len": 0})


def test_contains_dispatch() -> None:
    assert contains(CLAUSE, evidence="持证 上岗")
    assert not contains(CLAUSE, evidence="持证下岗")
    assert contains(CLAUSE, evidence_fp=fingerprint("持证上岗"))
    assert not contains(CLAUSE, evidence_fp=fingerprint("持证下岗"))
    # plaintext wins when both are given
    assert contains(CLAUSE, evidence="持证上岗", evidence_fp=fingerprint("不在文中"))
    with pytest.raises(ValueError):
        contains(CLAUSE)


def test_fingerprint_does_not_leak_text() -> None:
    fp = fingerprint("服务人员应持证上岗")
    assert "服务" not in repr(fp)
