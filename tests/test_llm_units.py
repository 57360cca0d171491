"""Units of the LLM path without a server: the modal-verb and quantity grammar, statement
splitting, configuration (answer and judge), and the local GGUF wrapper over a fake
``llama_cpp`` module (shared load, lock, timeout, sampling settings)."""

from __future__ import annotations

import sys
import threading
import types
from pathlib import Path
from typing import Any, ClassVar

import pytest
from langchain_core.messages import HumanMessage

from grammar.modality import modal_before, modals
from grammar.quantities import quantities, same_quantity
from qa.llm import (
    LlamaCppChat,
    LLMConfig,
    LLMNotConfigured,
    LLMTimeout,
    guarded_stream,
    looping,
    make_chat_model,
)
from qa.support import correct_modality, split_statements


# ------------------------------------------------------------------ grammar
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("范围应写明标准化对象", ["应"]),
        ("宜采用表格形式", ["宜"]),
        ("不得使用简称；必须持证上岗", ["不应", "应"]),
        ("可根据需要增加；无须注日期", ["可", "不必"]),
        ("建议采用示例；提出建议", ["宜"]),
        ("相应的应急预案应用于", []),
        ("服务应可靠，功能应能满足需要", ["应", "应", "能"]),
        ("一般包括以下内容", []),
        ("不宜过长，不能超过一页，可能导致误解", ["不宜", "不能", "可能"]),
    ],
)
def test_modal_verbs(text: str, expected: list[str]) -> None:
    assert [m.canonical for m in modals(text)] == expected


def test_modal_governing_a_predicate() -> None:
    text = "范围应简洁，宜写明适用界限。档案一般包括协议。"
    assert modal_before(text, text.index("写明")) == "宜"
    assert modal_before(text, text.index("简洁")) == "应"
    assert modal_before(text, text.index("包括")) is None


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("保存5年", "保存60个月", True),
        ("保存五年", "保存5年", True),
        ("保存5年", "保存6个月", False),
        ("48 h", "48小时", True),
        ("不少于5年", "不超过5年", False),
        ("不少于5年", "5年以上", True),
        ("125 g", "0.125 kg", True),
        ("2025年7月1日", "2025-07-01", True),
        ("2025年7月1日", "2025年1月1日", False),
        ("3~5个工作日", "3~5个工作日", True),
        ("3~5个工作日", "3~7个工作日", False),
        ("罚款20%", "百分之二十的罚款", True),
        ("罚款25%", "百分之二十的罚款", False),
        ("百分之三十以下", "不超过30%", True),
    ],
)
def test_quantities_compare_by_amount(a: str, b: str, same: bool) -> None:
    (qa,) = quantities(a)
    assert same_quantity(qa, quantities(b)) is same


def test_numbering_and_counting_are_not_quantities() -> None:
    assert quantities("见GB/T 1.1—2020第5.3条，包括以下三个方面，两项要求") == []


# ------------------------------------------------------------------ splitting
def test_statements_keep_their_citations_and_list_markers() -> None:
    text = "写法如下：\n1. 宜写明对象。〔T/X 1—2025，5.3〕不应含要求〔T/X 1—2025，5.4〕；\n- **可**举例"
    parts = split_statements(text)
    assert [(s.prefix, s.text, s.cited) for s, _ in parts] == [
        ("", "写法如下", []),
        ("1. ", "宜写明对象", ["〔T/X 1—2025，5.3〕"]),
        ("", "不应含要求", ["〔T/X 1—2025，5.4〕"]),
        ("- ", "可举例", []),
    ]
    assert parts[0][0].lead_in


def test_loop_detector() -> None:
    assert looping("服务记录应归档保存。" * 20)
    assert not looping("".join(f"第{i}条不同内容。" for i in range(40)))


# ------------------------------------------------------------------ configuration
def test_config_from_env_and_bad_values() -> None:
    env = {
        "STDQA_LLM_GGUF": "/m/q.gguf",
        "STDQA_LLM_THREADS": "1",
        "STDQA_LLM_SEED": "42",
        "STDQA_LLM_REPEAT_PENALTY": "1.2",
        "STDQA_LLM_CTX": "4096",
        "STDQA_LLM_MAX_TOKENS": "512",
        "STDQA_LLM_TIMEOUT": "30",
    }
    cfg = LLMConfig.from_env(env)
    assert (cfg.threads, cfg.seed, cfg.repeat_penalty, cfg.n_ctx, cfg.max_tokens, cfg.timeout) == (
        1,
        42,
        1.2,
        4096,
        512,
        30.0,
    )
    settings = cfg.settings()
    assert settings["gguf_path"] == "q.gguf" and settings["backend"] == "gguf"
    assert "api_key" not in settings
    for key, value in [
        ("STDQA_LLM_CTX", "x"),
        ("STDQA_LLM_MAX_TOKENS", "9000"),
        ("STDQA_LLM_THREADS", "0"),
    ]:
        with pytest.raises(LLMNotConfigured, match=key.split("_")[-1]):
            LLMConfig.from_env({**env, key: value})


def test_judge_falls_back_to_the_answering_model() -> None:
    env = {
        "STDQA_LLM_BASE_URL": "http://a/v1",
        "STDQA_LLM_MODEL": "small",
        "STDQA_LLM_API_KEY": "k",
    }
    judge = LLMConfig.judge_from_env(env)
    assert (judge.base_url, judge.model, judge.api_key, judge.temperature) == (
        "http://a/v1",
        "small",
        "k",
        0.0,
    )
    judge = LLMConfig.judge_from_env(
        {**env, "STDQA_JUDGE_MODEL": "big", "STDQA_JUDGE_MAX_TOKENS": "2048"}
    )
    assert (judge.base_url, judge.model, judge.max_tokens) == ("http://a/v1", "big", 2048)
    # A judge on another endpoint does not inherit the answering endpoint's key.
    judge = LLMConfig.judge_from_env({**env, "STDQA_JUDGE_BASE_URL": "http://b/v1"})
    assert (judge.base_url, judge.model, judge.api_key) == ("http://b/v1", None, None)
    judge = LLMConfig.judge_from_env({**env, "STDQA_JUDGE_GGUF": "/m/big.gguf"})
    assert (judge.gguf_path, judge.base_url) == ("/m/big.gguf", None)
    assert not LLMConfig.judge_from_env({}).configured


# ------------------------------------------------------------------ local GGUF
class FakeLlama:
    """Stands in for ``llama_cpp.Llama``: records construction and calls."""

    instances: ClassVar[list[FakeLlama]] = []

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.calls: list[dict[str, Any]] = []
        self.endless = False
        self.lock_held: list[bool] = []
        FakeLlama.instances.append(self)

    def tokenize(self, data: bytes, add_bos: bool = False, special: bool = True) -> list[int]:
        return list(range(len(data.decode("utf-8"))))

    def create_chat_completion(self, **kwargs: Any) -> Any:
        self.calls.append(kwargs)

        def gen() -> Any:
            yield {"choices": [{"delta": {"role": "assistant"}}]}
            n = 0
            while True:
                n += 1
                yield {"choices": [{"delta": {"content": f"第{n}句。"}}]}
                if not self.endless and n >= 3:
                    return

        return gen()


@pytest.fixture
def fake_llama(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    module = types.ModuleType("llama_cpp")
    module.Llama = FakeLlama  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "llama_cpp", module)
    monkeypatch.setattr("qa.llm._MODELS", {})
    FakeLlama.instances = []
    path = tmp_path / "m.gguf"
    path.write_bytes(b"GGUF")
    return path


def test_gguf_settings_reach_llama_cpp(fake_llama: Path) -> None:
    cfg = LLMConfig(
        gguf_path=str(fake_llama), threads=1, seed=3, repeat_penalty=1.3, n_ctx=2048, max_tokens=64
    )
    chat = make_chat_model(cfg)
    assert "".join(guarded_stream(chat, [HumanMessage("hi")])) == "第1句。第2句。第3句。"
    (llm,) = FakeLlama.instances
    assert llm.kwargs["n_threads"] == 1 and llm.kwargs["n_ctx"] == 2048 and llm.kwargs["seed"] == 3
    call = llm.calls[0]
    assert call["repeat_penalty"] == 1.3 and call["max_tokens"] == 64 and call["seed"] == 3
    assert chat.count_tokens("范围") == 2  # type: ignore[attr-defined]


def test_answer_and_judge_share_one_loaded_gguf(fake_llama: Path) -> None:
    answer_cfg = LLMConfig.from_env({"STDQA_LLM_GGUF": str(fake_llama)})
    judge_cfg = LLMConfig.judge_from_env({"STDQA_LLM_GGUF": str(fake_llama)})
    a, j = make_chat_model(answer_cfg), make_chat_model(judge_cfg)
    assert a.invoke("x").content and j.invoke("y").content
    assert len(FakeLlama.instances) == 1
    assert [c["temperature"] for c in FakeLlama.instances[0].calls] == [0.1, 0.0]


def test_gguf_generation_holds_the_model_lock(fake_llama: Path) -> None:
    chat = make_chat_model(LLMConfig(gguf_path=str(fake_llama)))
    stream = chat.stream("x")
    next(stream)
    _, lock = chat._client()  # type: ignore[attr-defined]
    assert lock.locked()  # a second session would wait here, not share the context
    got = threading.Event()

    def other() -> None:
        with lock:
            got.set()

    t = threading.Thread(target=other)
    t.start()
    assert not got.is_set()
    list(stream)
    t.join()
    assert got.is_set() and not lock.locked()


def test_gguf_timeout_is_honoured(fake_llama: Path) -> None:
    chat = make_chat_model(LLMConfig(gguf_path=str(fake_llama), timeout=0.001))
    chat._client()[0].endless = True  # type: ignore[attr-defined]
    with pytest.raises(LLMTimeout):
        list(guarded_stream(chat, [HumanMessage("x")]))
    assert not chat._client()[1].locked()  # type: ignore[attr-defined]


def test_missing_gguf_is_not_configured(tmp_path: Path) -> None:
    chat = LlamaCppChat(model_path=str(tmp_path / "none.gguf"))
    with pytest.raises(LLMNotConfigured, match="不存在"):
        chat.invoke("x")


@pytest.mark.parametrize(
    ("claim", "clause", "expected"),
    [
        # strength only: put back as the clause has it
        ("范围应写明适用界限", "范围宜写明适用界限。", "范围宜写明适用界限"),
        (
            "要素应表述为“本文件规定了……”",
            "要素表述为“本文件规定了……”。",
            "要素表述为“本文件规定了……”",
        ),
        # polarity flips claim the opposite: never corrected
        ("范围中可以包含要求", "范围中不应包含要求。", None),
        ("范围中不必写明界限", "范围应写明界限。", None),
        # the predicate governed differently in two places: ambiguous
        ("档案应保存", "纸质档案宜保存；电子档案应备份，重要档案可保存。", None),
        # nothing drifted
        ("档案应保存", "档案应保存5年。", None),
    ],
)
def test_correct_modality(claim: str, clause: str, expected: str | None) -> None:
    assert correct_modality(claim, clause) == expected


def test_a_statement_that_only_echoes_the_question_is_not_supported() -> None:
    from clauses import make_clause

    from qa.support import check_answer

    review = make_clause(
        "第二十条",
        "标准实施后应适时进行复审。标准复审周期一般不超过五年。",
        doc_title="中华人民共和国标准化法实施条例",
    )
    question = "标准化法和实施条例对标准复审周期的规定一致吗？"
    echo = "是的，标准化法和实施条例对标准复审周期的规定一致。"
    # Without the question the shared wording passes for support; with it, the claim
    # adds only "是的", which no clause says.
    assert not check_answer(echo, [review]).refused
    report = check_answer(echo, [review], question)
    assert report.refused and report.statements[0].status == "unsupported"
    assert "复述了问题" in report.statements[0].reasons[0]
    # What the clause adds beyond the question is support; amounts count by value.
    kept = check_answer("标准复审周期一般不超过5年。", [review], "标准复审周期是多久？")
    assert [s.status for s in kept.statements] == ["attributed"]


def test_statements_from_clauses_the_question_did_not_name_are_removed() -> None:
    from clauses import make_clause

    from qa.support import check_answer

    law = "中华人民共和国标准化法"
    asked = make_clause("第十八条", "国家鼓励社会团体制定团体标准。", doc_title=law)
    other = make_clause("第二十七条", "国家实行团体标准自我声明公开和监督制度。", doc_title=law)
    reply = "国家鼓励社会团体制定团体标准。\n国家实行团体标准自我声明公开和监督制度。"
    question = "标准化法第十八条对团体标准怎么规定？"
    # Without a named clause both true statements stay, each with its clause.
    plain = check_answer(reply, [asked, other], question)
    assert [s.status for s in plain.statements] == ["attributed", "attributed"]
    named = check_answer(reply, [asked, other], question, named=[asked])
    assert [s.status for s in named.statements] == ["attributed", "off_question"]
    assert named.citations == [asked] and "监督制度" not in named.text
    assert named.faithfulness == 1.0  # true to its clause, just not asked about


def test_ranked_attribution_prefers_the_higher_ranked_supporter() -> None:
    from clauses import make_clause

    from qa.support import check_answer

    code = "T/ABC 001—2024"
    lead = make_clause("6.2", "服务人员应持有健康证明，每年体检一次。", code=code)
    side = make_clause("9.1", "服务人员应持有健康证明。", code=code)
    reply = f"服务人员应持有健康证明〔{code}，9.1〕"
    question = "服务人员要持有什么证明？"
    # Unranked: the model's own (valid, supporting) citation stands.
    plain = check_answer(reply, [lead, side], question)
    assert plain.citations == [side] and plain.statements[0].status == "supported"
    # Ranked: both support it equally, so the higher-ranked clause is cited.
    ranked = check_answer(reply, [lead, side], question, focus=[lead])
    assert ranked.citations == [lead] and ranked.statements[0].status == "reattributed"
    # A clearly better supporter further down still wins.
    weak = make_clause("5.1", "服务人员应持有证明材料并接受培训考核。", code=code)
    best = check_answer("服务人员应每年体检一次", [weak, lead], "服务人员多久体检？", focus=[])
    assert best.citations == [lead]


def test_side_clauses_are_cited_only_for_what_the_lead_does_not_cover() -> None:
    from clauses import make_clause

    from qa.support import check_answer

    code = "T/ABC 001—2024"
    lead = make_clause("8.4", "表需要转页接排时，在接排的表上方标示“表×（续）”。", code=code)
    where = make_clause("8.5", "表题置于表的上方居中。", code=code)
    aside = make_clause("8.6", "表中各栏使用相同的计量单位时，单位标在表的右上方。", code=code)
    reply = (
        f"表需要转页接排时，在接排的表上方标示“表×（续）”〔{code}，8.4〕\n"
        f"表题置于表的上方居中〔{code}，8.5〕\n"
        f"表中各栏使用相同的计量单位时，单位标在表的右上方〔{code}，8.6〕"
    )
    shown = [lead, where, aside]
    # One question part: the lead answers it; both side statements answer nothing asked.
    one = check_answer(reply, shown, "表格跨页接排怎么标示？", focus=[lead])
    assert [s.status for s in one.statements] == ["supported", "off_question", "off_question"]
    assert one.citations == [lead] and "表题" not in one.text
    assert "8.4" in one.statements[1].reasons[0]
    assert one.faithfulness == 1.0  # true to its clause, just not asked about
    # Two parts: the side clause that covers "表题" earns its citation, the other does not.
    two = check_answer(reply, shown, "表格跨页接排怎么标示？表题放在哪里？", focus=[lead])
    assert two.citations == [lead, where]
    assert two.statements[2].status == "off_question"
    # Without ranking information every supported statement stays.
    assert len(check_answer(reply, shown, "表格跨页接排怎么标示？").citations) == 3


def test_without_a_lead_statement_the_best_ranked_supporter_leads() -> None:
    from clauses import make_clause

    from qa.support import check_answer

    code = "T/ABC 001—2024"
    lead = make_clause("3.1", "服务机构应公示收费标准。", code=code)
    found = make_clause("6.2", "助浴时水温宜保持在38 ℃～42 ℃。", code=code)
    aside = make_clause("6.3", "助浴后宜协助服务对象更衣。", code=code)
    reply = f"助浴时水温宜保持在38 ℃～42 ℃〔{code}，6.2〕\n助浴后宜协助服务对象更衣〔{code}，6.3〕"
    report = check_answer(reply, [lead, found, aside], "助浴水温多少合适？", focus=[lead])
    assert report.citations == [found]
    assert [s.status for s in report.statements] == ["supported", "off_question"]


def test_a_side_statement_must_itself_say_the_uncovered_part() -> None:
    from clauses import make_clause

    from qa.support import check_answer

    code = "T/ABC 001—2024"
    lead = make_clause("8.4", "表需要转页接排时，在接排的表上方标示“表×（续）”。", code=code)
    # The side clause mentions 表题, but the statement copied from it is another sentence.
    side = make_clause("8.5", "表题置于表的上方居中。表的编号使用阿拉伯数字。", code=code)
    reply = f"表需要转页接排时，在接排的表上方标示“表×（续）”〔{code}，8.4〕\n表的编号使用阿拉伯数字〔{code}，8.5〕"
    question = "表格跨页接排怎么标示？表题放在哪里？"
    report = check_answer(reply, [lead, side], question, focus=[lead])
    assert [s.status for s in report.statements] == ["supported", "off_question"]
    said = "表题置于表的上方居中"
    kept = check_answer(
        reply.replace("表的编号使用阿拉伯数字", said), [lead, side], question, focus=[lead]
    )
    assert kept.citations == [lead, side]
