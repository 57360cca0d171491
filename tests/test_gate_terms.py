"""The question's Latin terms looked up in the top hits' documents (session 10):
qa.gate.question_terms, qa.gate.term_in_documents and the per-document text cache it
reads (qa.doc_frequency.DocumentText) — on hand-built clauses."""

from __future__ import annotations

from clauses import FakeHit, make_clause

from qa.doc_frequency import DocumentFrequency, DocumentText, document_text
from qa.gate import GATE_FEATURES, GATE_SIGNS, gate_features, question_terms, term_in_documents
from qa.relevance import content_grams

# A terminal protocol: connections over TCP, a security annex that says "T L S" only in
# a table laid out with spaces; the first clauses never mention it.
PROTOCOL = [
    make_clause("5.1", "终端与平台的数据连接可采用 TCP 或 UDP 方式。", code="JT/T 8", doc_id="p"),
    make_clause("5.2", "连接建立后终端应立即发送鉴权消息。", code="JT/T 8", doc_id="p"),
    make_clause("A.1", "传输层安全采用 T L S 1.2 协议。", code="JT/T 8", doc_id="p"),
]
# A flooring standard whose text says PVC once, in its scope.
FLOOR = [
    make_clause("1", "本部分适用于带基材的 PVC 卷材地板。", code="GB/T 1", doc_id="f"),
    make_clause("5.3", "残余凹陷：通用型不大于0.40 mm。", code="GB/T 1", doc_id="f"),
]
TEXT = {"p": document_text(PROTOCOL), "f": document_text(FLOOR)}


def hits(clauses: list) -> list[FakeHit]:  # type: ignore[type-arg]
    return [FakeHit(c, 1.0, 0.9, bm25_score=1.0) for c in clauses]


def test_terms_are_latin_words_outside_the_codes_a_question_names() -> None:
    q = "JT/T 808—2019 要求终端与平台之间的 TCP 连接用哪个版本的 TLS 加密？"
    assert question_terms(q) == {"tcp", "tls"}  # not jt/t, 808, 2019
    assert question_terms("摄像机外壳防护等级要达到IP66吗？") == {"ip66"}
    assert question_terms("山区遥测站走4G网络吗？") == {"4g"}
    assert question_terms("按 GB/T 28181—2022 视频怎么编码？") == set()
    assert question_terms("信用等级分几级？") == set()
    assert question_terms("用H.264还是H.265？") == {"h.264", "h.265"}


def test_a_term_the_documents_never_use_marks_the_near_miss() -> None:
    lookup = TEXT.get
    top = hits(PROTOCOL[:2])
    kids: list[list] = [[], []]  # type: ignore[type-arg]
    # the document says T L S (layout spaces) in an annex no top clause is: still found
    assert term_in_documents("TCP 连接用哪个版本的 TLS？", top, kids, lookup) == 1.0
    # a term the document never uses
    assert term_in_documents("外壳防护等级要达到IP66吗？", top, kids, lookup) == 0.0
    # every term must be there: one missing is enough
    assert term_in_documents("TCP 和 QUIC 哪个更快？", top, kids, lookup) == 0.0
    # a question naming no term has nothing missing
    assert term_in_documents("鉴权消息什么时候发？", top, kids, lookup) == 1.0


def test_without_document_texts_the_top_clauses_stand_in() -> None:
    top = hits(PROTOCOL[:2])
    kids: list[list] = [[], []]  # type: ignore[type-arg]
    assert term_in_documents("TCP 连接用哪个版本的 TLS？", top, kids) == 0.0
    assert term_in_documents("TCP 连接怎么建立？", top, kids) == 1.0


def test_a_lay_alias_the_document_uses_somewhere_counts_as_held() -> None:
    """ "PVC" is not in the clause asked about, but the document says it in its scope."""
    top = hits(FLOOR[1:])
    q = "PVC卷材地板的残余凹陷不能超过多少？"
    assert term_in_documents(q, top, [[]], TEXT.get) == 1.0
    f = gate_features(q, content_grams(q), top, [[]], [False], document_text=TEXT.get)
    assert f is not None and set(f) == set(GATE_FEATURES) and f["term_in_doc"] == 1.0
    f = gate_features(
        "卷材地板的 TVOC 释放量不能超过多少？",
        content_grams("卷材地板的释放量"),
        top,
        [[]],
        [False],
        document_text=TEXT.get,
    )
    assert f is not None and f["term_in_doc"] == 0.0
    assert GATE_SIGNS["term_in_doc"] == 1  # a term found can only make an answer likelier


class Store:
    """A searcher double listing its documents' clauses, with a generation."""

    def __init__(self, docs: dict[str, list]) -> None:  # type: ignore[type-arg]
        self.docs = docs
        self.generation = 1
        self.calls = 0

    def clauses_of(self, doc_id: str) -> list:  # type: ignore[type-arg]
        self.calls += 1
        return self.docs[doc_id]


def test_document_text_is_read_once_per_document_and_generation() -> None:
    store = Store({"p": PROTOCOL})
    cache = DocumentText()
    lookup = cache.for_searcher(store)
    assert lookup is not None
    text = lookup("p")
    assert "tls" in text and "tcp" in text and " " not in text  # lower-case, no spaces
    lookup("p")
    assert store.calls == 1
    store.generation = 2  # the knowledge base changed: read again
    again = cache.for_searcher(store)
    assert again is not None
    again("p")
    assert store.calls == 2
    calls = store.calls
    assert lookup("gone") == ""  # a document removed meanwhile: nothing known …
    assert lookup("gone") == "" and store.calls == calls + 2  # … and asked again, not kept
    assert DocumentText().for_searcher(object()) is None
    # the bigram counts share the cache
    df, n = DocumentFrequency().for_searcher(Store({"p": PROTOCOL}))("p")  # type: ignore[misc]
    assert n == 3 and df["tc"] == 1
