"""Load the prompt files and render retrieved clauses into them as data."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate

from grammar.schema import Clause
from qa.citations import cite

PROMPTS_DIR = Path(__file__).resolve().parents[1] / "prompts"
MAX_CLAUSE_CHARS = 1200


def _read(name: str, directory: Path) -> str:
    path = directory / name
    try:
        return path.read_text(encoding="utf-8").strip() + "\n"
    except OSError as exc:
        raise FileNotFoundError(f"提示词文件缺失：{path}") from exc


@lru_cache(maxsize=4)
def answer_prompt(directory: Path = PROMPTS_DIR) -> ChatPromptTemplate:
    """System + user template from ``prompts/system.md`` and ``prompts/answer.md``."""
    return ChatPromptTemplate.from_messages(
        [("system", _read("system.md", directory)), ("human", _read("answer.md", directory))]
    )


def _data(text: str) -> str:
    """Clause text as inert data: it cannot close our tags or open new ones."""
    return text.replace("<", "＜").replace(">", "＞")


def _attr(text: str) -> str:
    """A field inside an attribute value: additionally no straight quote, so a document
    title such as ``"></clause></clauses>…`` cannot end the attribute or the wrapper."""
    return _data(text).replace('"', "＂").replace("\n", " ").replace("\r", " ")


def render_clauses(clauses: Sequence[Clause]) -> str:
    """``<clause cite="〔…〕" …>text</clause>`` blocks, one per clause."""
    blocks = []
    for i, c in enumerate(clauses, 1):
        path = " > ".join(c.path_labels())
        body = c.text if len(c.text) <= MAX_CLAUSE_CHARS else c.text[:MAX_CLAUSE_CHARS] + "……"
        blocks.append(
            f'<clause id="{i}" cite="{_attr(cite(c))}" heading="{_attr(path)}">\n'
            f"{_data(body)}\n</clause>"
        )
    return "\n".join(blocks)


def render_history(turns: Sequence[tuple[str, str]], directory: Path = PROMPTS_DIR) -> str:
    """Earlier turns (question, answer), shortened, as the ``{history}`` block."""
    if not turns:
        return ""
    lines = []
    for q, a in turns[-3:]:
        short = a if len(a) <= 300 else a[:300] + "……"
        lines.append(f"用户：{_data(q)}\n助手：{_data(short)}")
    return _read("history.md", directory).format(turns="\n".join(lines))
