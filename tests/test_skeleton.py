"""Skeleton of a new standard (qa/skeleton.py): chapter order by document type, sentences
traceable to their pattern's clause, Markdown and DOCX export."""

from __future__ import annotations

import io

import pytest

from qa.skeleton import DOC_TYPES, build_skeleton, fill


def test_fill_puts_the_subject_before_de_only() -> None:
    assert fill("本文件规定了……的要求，适用于……。", "社区助浴服务") == (
        "本文件规定了社区助浴服务的要求，适用于……。"
    )
    assert fill("下列术语和定义适用于本文件。", "x") == "下列术语和定义适用于本文件。"


def test_service_skeleton_from_the_knowledge_base(sample_searcher) -> None:  # type: ignore[no-untyped-def]
    sk = build_skeleton("服务规范", "社区助浴服务", sample_searcher)
    heads = [s.heading for s in sk.sections]
    assert heads[:4] == ["前言", "1  范围", "2  规范性引用文件", "3  术语和定义"]
    assert heads[4:9] == [f"{i}  {c}" for i, c in enumerate(DOC_TYPES["服务规范"], start=4)]
    assert heads[-1] == "参考文献"
    scope = sk.sections[1].sentences[0]
    assert scope.text.startswith("本文件规定了社区助浴服务的")
    assert scope.citation and scope.citation.startswith("〔T/BZQC 002—2025，")
    terms = sk.sections[3].sentences[0]
    assert terms.text == "下列术语和定义适用于本文件。" and terms.citation
    md = sk.to_markdown()
    assert md.startswith("# 社区助浴服务规范") and "[^1]: 句式依据：〔T/BZQC 002—2025" in md


def test_guide_skeleton_and_docx(sample_searcher) -> None:  # type: ignore[no-untyped-def]
    from docx import Document

    sk = build_skeleton("指南", "养老机构标准化", sample_searcher)
    assert sk.sections[1].sentences[0].text.startswith("本文件提供了")
    doc = Document(io.BytesIO(sk.to_docx()))
    styles = [p.style.name for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert styles.count("Heading 1") == len(sk.sections)


def test_built_in_wording_is_marked_when_the_kb_has_no_guide(tmp_path) -> None:  # type: ignore[no-untyped-def]
    class Empty:
        def search(self, query: str, k: int = 10) -> list[object]:
            return []

        def clauses_of(self, doc_id: str) -> list[object]:
            return []

        def documents(self) -> list[object]:
            return []

    sk = build_skeleton("产品规范", "电动自行车头盔", Empty())
    s = sk.sections[2].sentences[0]
    assert s.citation is None and s.basis == "GB/T 1.1—2020，8.6"
    assert "内置句式" in sk.to_markdown()
    with pytest.raises(ValueError):
        build_skeleton("宣传册", "x", Empty())
