"""Fault-run items on citation checking (issue 14, "Citation checking").

* The pool is the clauses *shown* to the model, not all k retrieved: a model citing a
  retrieved-but-unshown clause gets the citation removed.
* Prose references ("依据 GB/T 99999—2099 第3.2条", "《…》9.9条") are citations too and
  are verified; a reference the answer quotes from a shown clause's own text is not.
* When a citation is removed, the claim it carried is removed — or re-cited to the shown
  clause that supports it — never left standing as if verified.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from clauses import make_clause
from fake_llm_server import FakeLLMServer, Reply

from grammar.schema import Clause
from qa.answer import REFUSAL, Answerer, AnswerResult
from qa.citations import parse_prose_references
from qa.llm import LLMConfig, make_chat_model
from qa.support import check_answer

CODE = "T/XX 001—2025"
TITLE = "社区居家养老服务规范"


def clause(no: str, text: str, title: str = "条款") -> Clause:
    return make_clause(no, text, code=CODE, title=title, doc_title=TITLE, doc_id="care")


ARCHIVE = clause("7.3", "服务记录应归档保存，保存期限不少于5年。", "档案管理")
TRAINING = clause("7.1.1", "服务人员上岗前应接受不少于40学时的岗前培训。", "岗前培训")
SCOPE = clause("5.3", "范围应按GB/T 1.1—2020的7.3编写，写明标准化对象。", "范围")
# Retrieved (ranks 5 and 6) but never shown: the answerer shows at most four clauses.
FILLER = [clause(f"8.{i}", f"第{i}项无关的服务设施要求。") for i in range(1, 3)]
FIRE = clause("9.9", "养老机构应配备消防设施并定期检查。", "消防")
RETRIEVED = [ARCHIVE, TRAINING, SCOPE, *FILLER, FIRE]


@dataclass
class Hit:
    clause: Clause
    score: float
    dense_score: float | None = 0.95
    route: str = "exact"


class Searcher:
    stale = False

    def search(self, query: str, k: int = 10, **_: object) -> list[Hit]:
        return [Hit(c, 1.0 / (i + 1)) for i, c in enumerate(RETRIEVED[:k])]


def ask(reply: str) -> AnswerResult:
    with FakeLLMServer([Reply(reply)]) as srv:
        chat = make_chat_model(LLMConfig(base_url=srv.base_url, model="fake", retries=0))
        answerer = Answerer(
            Searcher(), mode="llm", chat_model=chat, k=10, max_evidence=4, llm_fallback=False
        )
        return answerer.answer("档案、培训和消防有什么要求？")


def test_a_retrieved_but_unshown_clause_cannot_be_cited() -> None:
    result = ask(
        f"养老机构应配备消防设施并定期检查〔{CODE}，9.9〕\n服务记录应归档保存〔{CODE}，7.3〕"
    )
    shown = {c.clause_no for c in result.support.citations}  # type: ignore[union-attr]
    assert "9.9" not in shown
    assert result.invalid_citations == [f"〔{CODE}，9.9〕"]
    assert "消防" not in result.answer  # the claim went with its citation
    assert result.answer == f"服务记录应归档保存〔{CODE}，7.3〕"
    assert [c.clause_no for c in result.citations] == ["7.3"]


@pytest.mark.parametrize(
    ("text", "doc", "no"),
    [
        ("依据 GB/T 99999—2099 第3.2条，服务记录应归档保存。", "GB/T 99999—2099", "3.2"),
        (f"根据《{TITLE}》9.9条的规定，养老机构应配备消防设施。", TITLE, "9.9"),
        (
            "《中华人民共和国标准化法》第十条规定，应当制定强制性国家标准。",
            "中华人民共和国标准化法",
            "第十条",
        ),
        (f"见{CODE} 7.3。", CODE, "7.3"),
    ],
)
def test_prose_references_are_found(text: str, doc: str, no: str) -> None:
    refs = parse_prose_references(text)
    assert [(r.doc_ref, r.clause_no) for r in refs] == [(doc, no)]


@pytest.mark.parametrize(
    "text",
    ["按照《规范》要求执行。", "水温为 GB 5749 中 3.5 ℃。", "GB/T 1.1—2020 规定了 3 类要素。"],
)
def test_documents_named_without_a_clause_are_not_citations(text: str) -> None:
    assert parse_prose_references(text) == []


def test_fabricated_prose_reference_is_removed_and_its_claim_re_cited() -> None:
    report = check_answer(
        "依据 GB/T 99999—2099 第3.2条，服务记录应归档保存，保存期限不少于5年。", [ARCHIVE, TRAINING]
    )
    assert report.invalid == ["依据 GB/T 99999—2099 第3.2条，"]
    assert "99999" not in report.text
    assert report.text == f"服务记录应归档保存，保存期限不少于5年〔{CODE}，7.3〕。"
    assert [s.status for s in report.statements] == ["reattributed"]


def test_prose_reference_to_an_unshown_clause_takes_its_claim_with_it() -> None:
    result = ask(
        f"根据《{TITLE}》9.9条的规定，养老机构应配备消防设施。\n服务人员上岗前应接受岗前培训。"
    )
    assert any("9.9" in raw for raw in result.invalid_citations)
    assert "消防" not in result.answer and "9.9" not in result.answer
    assert result.answer == f"服务人员上岗前应接受岗前培训〔{CODE}，7.1.1〕。"


def test_valid_prose_reference_counts_as_the_models_citation() -> None:
    report = check_answer(f"依据{CODE}第7.3条，服务记录应归档保存。", [ARCHIVE, TRAINING])
    assert report.invalid == []
    assert [s.status for s in report.statements] == ["supported"]
    assert report.text == f"服务记录应归档保存〔{CODE}，7.3〕。"


def test_a_reference_quoted_from_the_shown_clause_is_content_not_a_citation() -> None:
    report = check_answer(f"范围应按GB/T 1.1—2020的7.3编写〔{CODE}，5.3〕", [SCOPE])
    assert report.invalid == []
    assert "GB/T 1.1—2020的7.3" in report.text
    assert [s.status for s in report.statements] == ["supported"]


def test_only_unverifiable_claims_means_refusal() -> None:
    result = ask("依据 GB/T 99999—2099 第3.2条，养老机构应每日消毒两次。")
    assert result.refused and result.answer == REFUSAL and result.citations == []
