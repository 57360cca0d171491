"""``python -m qa "QUESTION" [--kb NAME] [--json]``: answer one drafting question.

JSON (stdout) contract: ``{"question", "answer", "citations": [{"doc_title",
"standard_code", "clause_no", "clause_title", "heading_path", "text", "score", "label",
"clause_id", "doc_id", "source", "page"}], "refused", "mode", "invalid_citations",
"element", "query", "timings_ms", "warnings", "stale", "error"}`` (``timings_ms.startup``: process start to
answering, ``process``: to the answer), plus ``"drafting": {"element", "rules":
[citation…], "patterns": [{"text", "citation", "clause_id"}], "examples": [citation…]}`` when
the question asks how to write an element of a standard (see :mod:`qa.drafting`).  In LLM
mode also ``"statements"`` (the verdict on each statement of the model's answer: ``text``,
``status`` — supported / attributed / reattributed / modality_corrected / modality_drift / number_drift /
unsupported / off_question / connective / refusal / duplicate —, ``citation``,
``cited_by_model``, ``overlap``, ``reasons``), ``"dropped_statements"``, ``"prompt_budget"``,
``"raw_answer"`` (the model's unchecked reply) and ``"fallback"`` (``"extractive"`` when no
statement survived the check and the clauses are quoted instead).  ``refused`` is
true exactly when ``answer`` is the refusal "知识库中未找到相关条款。".  ``warnings`` lists
answer content the cited clauses do not contain (links, credential requests, instructions;
see :mod:`qa.risk`).  Progress and logs go to stderr.

Text mode prints the *checked* answer on stdout (what ``--json`` returns as ``answer``),
followed by notes on removed citations and statements.  In LLM mode the model's draft is
shown live on stderr while it is generated when stderr is a terminal, then marked as the
unchecked draft; stdout only ever carries the checked answer.

Exit status 0 when answered or refused, 2 for every failure (empty or too long question,
unknown knowledge base, LLM not configured, LLM timeout / HTTP error / malformed reply, a
full disk…): one line on stderr; with ``--json`` also ``{"question", "error", "mode"}`` on
stdout.

A reader never writes: the index is used as it is; when it is older than the clause store
a warning says so (``python -m index build`` brings it up to date).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from typing import TextIO

from core.errors import EXIT_USAGE, UserError, cli_boundary, report, user_message
from core.query_text import has_words
from ingest.logsetup import configure_cli_logging
from ingest.workspace import DEFAULT_KB
from qa.answer import Answerer, AnswerResult
from qa.drafting import drafting_help, drafting_text
from qa.llm_config import LLMConfig

log = logging.getLogger("qa")

MAX_QUESTION_CHARS = 1000  # a drafting question is a sentence or two; 43k chars took 60 s


class QuestionError(UserError):
    """The question itself cannot be asked (empty, only punctuation, too long)."""


def check_question(question: str) -> str:
    """The stripped question, or :class:`QuestionError` with the reason."""
    q = (question or "").strip()
    if not q:
        raise QuestionError("问题不能为空")
    if not has_words(q):
        raise QuestionError("问题只有标点或符号，没有可查找的文字")
    if len(q) > MAX_QUESTION_CHARS:
        raise QuestionError(f"问题过长（{len(q)} 字，上限 {MAX_QUESTION_CHARS} 字），请精简后再问")
    return q


def process_age_ms() -> float | None:
    """Milliseconds since this process started (Linux ``/proc``; None elsewhere)."""
    try:
        with open("/proc/self/stat") as fh:
            start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as fh:
            uptime = float(fh.read().split()[0])
        return max(0.0, (uptime - start_ticks / os.sysconf("SC_CLK_TCK")) * 1000)
    except (OSError, ValueError, IndexError):
        return None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m qa", description="回答标准起草问题并引用条款编号。")
    p.add_argument("question", help="问题，例如：范围一章怎么写？")
    p.add_argument("--kb", default=DEFAULT_KB, help=f"知识库名称（默认 {DEFAULT_KB}）")
    p.add_argument("--workspace", help="工作区目录（默认 $STDQA_WORKSPACE 或 ./workspace）")
    p.add_argument(
        "--mode",
        choices=("extractive", "llm", "auto"),
        default="auto",
        help="extractive：不用大模型摘录条款；llm：大模型作答；auto（默认）：已配置大模型则用之",
    )
    p.add_argument("-k", type=int, default=10, help="检索条款数（默认 10）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.add_argument("--retrieved", action="store_true", help="JSON 中附带全部检索结果")
    p.add_argument("-v", "--verbose", action="store_true", help="输出调试日志")
    return p


def _answer(args: argparse.Namespace, mode_box: list[str]) -> int:
    from core.assembly import assemble, resolve_mode
    from core.kb import KnowledgeBase, warn_if_stale
    from qa.risk import result_risks

    question = check_question(args.question)
    if args.k <= 0:
        raise UserError("-k 必须为正整数")
    cfg = LLMConfig.from_env()
    mode_box.append(resolve_mode(args.mode, cfg))
    parts = assemble(
        KnowledgeBase.at(args.workspace, args.kb), mode=args.mode, k=args.k, config=cfg
    )
    searcher, answerer, mode = parts.searcher, parts.answerer, parts.mode
    stale = warn_if_stale(searcher, log)
    startup = process_age_ms()
    live = mode == "llm" and not args.json
    result = answer_live(answerer, question) if live else answerer.answer(question)
    help_ = drafting_help(question, searcher)
    risks = result_risks(result)
    if args.json:
        out = result.to_json(include_retrieved=args.retrieved)
        if startup is not None:
            # The honest first-answer time: interpreter start-up, imports and opening the
            # index come before the answerer's own timings.
            out["timings_ms"]["startup"] = round(startup, 1)
            out["timings_ms"]["process"] = round(process_age_ms() or 0.0, 1)
        if help_:
            out["drafting"] = help_.to_json()
        out["warnings"] = [f.to_json() for f in risks]
        out["stale"] = stale
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    print(result.answer)
    for note in notes(result):
        print(note)
    if help_:
        print(drafting_text(help_))
    for flag in risks:
        print(f"⚠ {flag.message()}")
    return 0


def answer_live(answerer: Answerer, question: str, out: TextIO | None = None) -> AnswerResult:
    """Answer while showing the model's draft as it is generated (on ``out``, default
    stderr, when it is a terminal — a small local model takes seconds to minutes, and a
    silent terminal looks hung).  The draft is unchecked; the caller prints the checked
    answer afterwards, under a rule that says so."""
    out = out or sys.stderr
    tty = out.isatty()
    print(
        "正在生成回答…" if tty else "正在生成回答（完成后输出核对后的回答）…", file=out, flush=True
    )
    result: AnswerResult | None = None
    streamed = False
    for item in answerer.stream(question):
        if isinstance(item, AnswerResult):
            result = item
        elif tty and item:
            streamed = True
            print(item, end="", file=out, flush=True)
    if streamed:
        print("\n—— 以上为模型草稿；以下为核对后的回答 ——", file=out, flush=True)
    assert result is not None
    return result


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    configure_cli_logging(args.verbose)
    mode: list[str] = []
    try:
        return _answer(args, mode)
    except Exception as exc:
        if not args.json or isinstance(exc, BrokenPipeError):
            raise  # the boundary prints the one line
        report(exc)
        out = {"question": args.question, "error": user_message(exc)}
        if mode:
            out["mode"] = mode[0]
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    return cli_boundary(_main, argv)


def notes(result: AnswerResult) -> list[str]:
    """What the check removed from a model's answer, one line each (for text output)."""
    out = []
    if result.invalid_citations:
        out.append(
            f"（已删除 {len(result.invalid_citations)} 个无法核实的引用："
            f"{'、'.join(result.invalid_citations)}）"
        )
    if result.support is not None:
        for s in result.support.dropped:
            if s.status == "duplicate":
                continue
            why = "；".join(s.reasons) or s.status
            out.append(f"（已删除与条款不符的陈述：“{s.text}”——{why}）")
    return out


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
