"""``python -m qa --mode llm`` in text mode: the draft streams live to a terminal, and
only the checked answer is the result (stdout never carries the raw stream)."""

from __future__ import annotations

import io

from qa.answer import AnswerResult
from qa.cli import answer_live


class _Tty(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


class _Answerer:
    def stream(self, question: str):  # type: ignore[no-untyped-def]
        yield "服务记录应归档〔X，9.9〕"
        yield "保存。"
        yield AnswerResult(
            question=question,
            answer="服务记录应归档保存〔X，7.3〕",
            citations=[],
            refused=False,
            mode="llm",
        )


def test_draft_is_streamed_to_a_terminal_then_marked_unchecked() -> None:
    out = _Tty(True)
    result = answer_live(_Answerer(), "档案？", out)  # type: ignore[arg-type]
    shown = out.getvalue()
    assert "服务记录应归档〔X，9.9〕保存。" in shown
    assert shown.index("保存。") < shown.index("以下为核对后的回答")
    assert result.answer == "服务记录应归档保存〔X，7.3〕"


def test_no_draft_when_not_a_terminal() -> None:
    out = _Tty(False)
    result = answer_live(_Answerer(), "档案？", out)  # type: ignore[arg-type]
    assert "9.9" not in out.getvalue() and "核对后" in out.getvalue()
    assert result.answer.endswith("〔X，7.3〕")
