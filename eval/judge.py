"""LLM-judged answer metrics for ``python -m eval --judge``: faithfulness and relevancy.

* **faithfulness** — the judge model splits an answer into statements and says, for each,
  whether the text of the clauses the answer cites supports it; the question scores
  supported statements / statements.
* **relevancy** — the judge rates how well the answer addresses the question on 1–5; the
  question scores ``(score - 1) / 4``.

Only answered (not refused) questions are judged.  The prompts are ``prompts/
judge_faithfulness.md`` and ``prompts/judge_relevancy.md`` (system text, a line
``<!-- user -->``, then the user message template).  Question, answer and clause text are
inserted as quoted data, exactly as :mod:`qa.prompting` does for the answerer, so a clause
saying "忽略以上指令" is material to check, not an instruction.

The judge must reply with a single JSON object; a reply that is not one (or has the wrong
shape), or a model call that fails, leaves the question *unjudged* — it is logged and
counted, never raised.  A question is judged only when both replies are usable, so both
means are over the same ``judged`` questions.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.prompts import ChatPromptTemplate

from qa.citations import Citation
from qa.prompting import MAX_CLAUSE_CHARS, PROMPTS_DIR, _data

log = logging.getLogger(__name__)

FAITHFULNESS_PROMPT = "judge_faithfulness.md"
RELEVANCY_PROMPT = "judge_relevancy.md"
USER_MARKER = "<!-- user -->"
MAX_ANSWER_CHARS = 6000


@lru_cache(maxsize=8)
def judge_prompt(name: str, directory: Path = PROMPTS_DIR) -> ChatPromptTemplate:
    """System + user template from one judge prompt file (split at ``<!-- user -->``)."""
    path = directory / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FileNotFoundError(f"提示词文件缺失：{path}") from exc
    system, sep, user = text.partition(USER_MARKER)
    if not sep:
        raise ValueError(f"提示词文件缺少 {USER_MARKER} 分隔行：{path}")
    return ChatPromptTemplate.from_messages(
        [("system", system.strip() + "\n"), ("human", user.strip() + "\n")]
    )


def render_cited(citations: Sequence[Citation]) -> str:
    """``<clause cite="〔…〕" heading="…">text</clause>`` per distinct cited clause."""
    blocks = []
    seen: set[str] = set()
    for c in citations:
        if c.clause_id in seen:
            continue
        seen.add(c.clause_id)
        body = c.text if len(c.text) <= MAX_CLAUSE_CHARS else c.text[:MAX_CLAUSE_CHARS] + "……"
        heading = " > ".join(c.heading_path)
        blocks.append(
            f'<clause id="{len(seen)}" cite="{_data(c.label)}" heading="{_data(heading)}">\n'
            f"{_data(body)}\n</clause>"
        )
    return "\n".join(blocks)


def _answer_data(answer: str) -> str:
    text = answer if len(answer) <= MAX_ANSWER_CHARS else answer[:MAX_ANSWER_CHARS] + "……"
    return _data(text.strip())


_THINK = re.compile(r"^\s*<think>.*?</think>", re.S)
_FENCE = re.compile(r"```(?:json)?\s*(.*?)\s*```", re.S)


def _json_object(reply: str) -> dict[str, Any] | None:
    """The reply as one JSON object, or None.  Tolerated around it: a leading
    ``<think>…</think>`` block (reasoning models) and a single code fence."""
    s = _THINK.sub("", reply).strip()
    m = _FENCE.fullmatch(s)
    if m:
        s = m.group(1)
    try:
        obj = json.loads(s)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


def parse_faithfulness(reply: str) -> list[tuple[str, bool]] | None:
    """``[(statement, supported), …]`` from ``{"statements": [{"text", "supported"}]}``;
    None when the reply is not that shape or lists no statements."""
    obj = _json_object(reply)
    items = obj.get("statements") if obj else None
    if not isinstance(items, list) or not items:
        return None
    out: list[tuple[str, bool]] = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("supported"), bool):
            return None
        text = item.get("text")
        out.append((text if isinstance(text, str) else "", item["supported"]))
    return out


def parse_relevancy(reply: str) -> int | None:
    """The 1–5 score of ``{"score": n}``; None otherwise (also for 0, 6, "4", true)."""
    obj = _json_object(reply)
    score = obj.get("score") if obj else None
    if isinstance(score, bool) or not isinstance(score, int | float):
        return None
    if isinstance(score, float):
        if not score.is_integer():
            return None
        score = int(score)
    return score if 1 <= score <= 5 else None


def faithfulness_score(statements: Sequence[tuple[str, bool]]) -> float | None:
    return sum(1 for _, ok in statements if ok) / len(statements) if statements else None


def relevancy_score(score: int | None) -> float | None:
    return None if score is None else (score - 1) / 4


@dataclass(slots=True)
class JudgeOutcome:
    """The judge's verdicts on one answer (both metrics None when unjudged)."""

    faithfulness: float | None = None
    relevancy: float | None = None
    statements: list[tuple[str, bool]] = field(default_factory=list)
    score: int | None = None
    error: str | None = None

    @property
    def judged(self) -> bool:
        return self.faithfulness is not None and self.relevancy is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "faithfulness": None if self.faithfulness is None else round(self.faithfulness, 4),
            "relevancy": None if self.relevancy is None else round(self.relevancy, 4),
            "score": self.score,
            "statements": [{"text": t, "supported": ok} for t, ok in self.statements],
            "error": self.error,
        }


def _text(message: Any) -> str:
    content = getattr(message, "content", message)
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            p if isinstance(p, str) else str(p.get("text", "")) if isinstance(p, dict) else ""
            for p in content
        )
    return str(content)


class Judge:
    """Ask a LangChain chat model for faithfulness and relevancy verdicts."""

    def __init__(self, chat_model: BaseChatModel, prompts_dir: Path = PROMPTS_DIR) -> None:
        self.chat_model = chat_model
        self.faithfulness_prompt = judge_prompt(FAITHFULNESS_PROMPT, prompts_dir)
        self.relevancy_prompt = judge_prompt(RELEVANCY_PROMPT, prompts_dir)

    def faithfulness_messages(
        self, answer: str, citations: Sequence[Citation]
    ) -> list[BaseMessage]:
        return self.faithfulness_prompt.format_messages(
            clauses=render_cited(citations), answer=_answer_data(answer)
        )

    def relevancy_messages(self, question: str, answer: str) -> list[BaseMessage]:
        return self.relevancy_prompt.format_messages(
            question=_data(question.strip()), answer=_answer_data(answer)
        )

    def _ask(self, messages: list[BaseMessage]) -> str | None:
        try:
            return _text(self.chat_model.invoke(messages))
        except Exception as exc:  # a failed call leaves the question unjudged
            log.warning("judge model call failed: %s", exc)
            return None

    def judge(self, question: str, answer: str, citations: Sequence[Citation]) -> JudgeOutcome:
        """Both verdicts on one (non-refused) answer; never raises for model trouble."""
        out = JudgeOutcome()
        errors = []
        reply = self._ask(self.faithfulness_messages(answer, citations))
        statements = parse_faithfulness(reply) if reply is not None else None
        if statements is None:
            errors.append("faithfulness: " + ("call failed" if reply is None else "unparsable"))
        else:
            out.statements = statements
        reply = self._ask(self.relevancy_messages(question, answer))
        score = parse_relevancy(reply) if reply is not None else None
        if score is None:
            errors.append("relevancy: " + ("call failed" if reply is None else "unparsable"))
        out.score = score
        if errors:
            out.error = "; ".join(errors)
            log.warning("judge: question unjudged (%s): %s", out.error, question[:60])
            return out
        out.faithfulness = faithfulness_score(out.statements)
        out.relevancy = relevancy_score(score)
        return out


def judge_summary(outcomes: Sequence[JudgeOutcome | None]) -> dict[str, Any]:
    """``{"faithfulness", "relevancy", "judged"}``: means over the judged answers."""
    done = [o for o in outcomes if o is not None and o.judged]
    if not done:
        return {"faithfulness": None, "relevancy": None, "judged": 0}
    return {
        "faithfulness": sum(o.faithfulness or 0.0 for o in done) / len(done),
        "relevancy": sum(o.relevancy or 0.0 for o in done) / len(done),
        "judged": len(done),
    }
