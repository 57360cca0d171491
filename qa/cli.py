"""``python -m qa "QUESTION" [--kb NAME] [--json]``: answer one drafting question.

JSON (stdout) contract: ``{"question", "answer", "citations": [{"doc_title",
"standard_code", "clause_no", "clause_title", "heading_path", "text", "score", "label",
"clause_id", "doc_id", "source", "page"}], "refused", "mode", "invalid_citations",
"element", "query", "timings_ms", "warnings", "stale"}``, plus ``"drafting": {"element",
"rules": [citation…], "patterns": [{"text", "citation", "clause_id"}], "examples":
[citation…]}`` when the question asks how to write an element of a standard (see
:mod:`qa.drafting`); on failure ``{"question", "error"}``.  ``warnings`` lists answer content
the cited clauses do not contain (links, credential requests, instructions; see
:mod:`qa.risk`).  Progress and logs go to stderr.  Exit status 0 when answered or refused, 2
for every failure (empty or too long question, unknown knowledge base, LLM not configured,
LLM timeout / HTTP error / malformed reply), always with one line on stderr.

A reader never writes: the index is used as it is; when it is older than the clause store
a warning says so (``python -m index build`` brings it up to date).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from core.errors import EXIT_USAGE, UserError, cli_boundary, report, user_message
from ingest.logsetup import configure_cli_logging
from ingest.workspace import DEFAULT_KB, resolve_workspace

log = logging.getLogger("qa")

MAX_QUESTION_CHARS = 1000  # a drafting question is a sentence or two; 43k chars took 60 s


class QuestionError(UserError):
    """The question itself cannot be asked (empty, too long)."""


def check_question(question: str) -> str:
    """The stripped question, or :class:`QuestionError` with the reason."""
    q = (question or "").strip()
    if not q:
        raise QuestionError("问题不能为空")
    if len(q) > MAX_QUESTION_CHARS:
        raise QuestionError(f"问题过长（{len(q)} 字，上限 {MAX_QUESTION_CHARS} 字），请精简后再问")
    return q


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
    p.add_argument("-v", "--verbose", action="store_true")
    return p


def _answer(args: argparse.Namespace) -> int:
    from index.search import Searcher
    from qa.answer import Answerer
    from qa.drafting import drafting_help, drafting_text
    from qa.guarded import GuardedChat
    from qa.llm import LLMConfig, make_chat_model
    from qa.risk import result_risks

    question = check_question(args.question)
    if args.k <= 0:
        raise UserError("-k 必须为正整数")
    cfg = LLMConfig.from_env()
    mode = args.mode if args.mode != "auto" else ("llm" if cfg.configured else "extractive")
    searcher = Searcher.open(resolve_workspace(args.workspace), args.kb, sync=False)
    stale = searcher.stale
    if stale:
        log.warning(
            "索引落后于知识库（有未建索引的改动），结果可能不含最新文件；"
            "请运行：python -m index build --kb %s",
            args.kb,
        )
    chat = GuardedChat(make_chat_model(cfg)) if mode == "llm" else None
    answerer = Answerer(searcher, mode=mode, chat_model=chat, k=args.k)
    if args.json:
        result = answerer.answer(question)
        out = result.to_json(include_retrieved=args.retrieved)
        help_ = drafting_help(question, searcher)
        if help_:
            out["drafting"] = help_.to_json()
        out["warnings"] = [f.to_json() for f in result_risks(result)]
        out["stale"] = stale
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    result = None
    for item in answerer.stream(question):
        if isinstance(item, str):
            if mode == "llm":
                print(item, end="", flush=True)
        else:
            result = item
    if result is None:
        raise UserError("没有得到回答（回答流意外结束）")
    if mode == "llm":
        print()
        if result.invalid_citations:
            print(
                f"\n（已删除 {len(result.invalid_citations)} 个无法核实的引用："
                f"{'、'.join(result.invalid_citations)}）"
            )
    else:
        print(result.answer)
    help_ = drafting_help(question, searcher)
    if help_:
        print(drafting_text(help_))
    for flag in result_risks(result):
        print(f"⚠ {flag.message()}")
    return 0


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    configure_cli_logging(args.verbose)
    try:
        return _answer(args)
    except Exception as exc:
        if not args.json or isinstance(exc, BrokenPipeError):
            raise  # the boundary prints the one line
        report(exc)
        print(
            json.dumps({"question": args.question, "error": user_message(exc)}, ensure_ascii=False)
        )
        return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    return cli_boundary(_main, argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
