"""``python -m qa "QUESTION" [--kb NAME] [--json]``: answer one drafting question.

JSON (stdout) contract: ``{"question", "answer", "citations": [{"doc_title",
"standard_code", "clause_no", "clause_title", "heading_path", "text", "score", "label",
"clause_id", "doc_id", "source", "page"}], "refused", "mode", "invalid_citations",
"element", "query", "timings_ms"}`` (``timings_ms.startup``: process start to answering, ``process``: to the answer), plus ``"drafting": {"element", "rules": [citation…],
"patterns": [{"text", "citation", "clause_id"}], "examples": [citation…]}`` when the question
asks how to write an element of a standard (see :mod:`qa.drafting`).  Progress and logs go to stderr.  Exit status 0 when
answered or refused, 2 for usage errors (empty question, unknown knowledge base, LLM mode
without a configured model).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from ingest.logsetup import configure_cli_logging
from ingest.workspace import DEFAULT_KB, resolve_workspace
from qa.answer import Answerer
from qa.drafting import drafting_help, drafting_text
from qa.llm_config import LLMConfig, LLMNotConfigured


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
    p.add_argument("-v", "--verbose", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_cli_logging(args.verbose)
    if not args.question.strip():
        print("错误：问题不能为空", file=sys.stderr)
        return 2
    if args.k <= 0:
        print("错误：-k 必须为正整数", file=sys.stderr)
        return 2
    from index.errors import SearchIndexError
    from index.search import Searcher
    from ingest.store import StoreError

    cfg = LLMConfig.from_env()
    mode = args.mode if args.mode != "auto" else ("llm" if cfg.configured else "extractive")
    try:
        searcher = Searcher.open(resolve_workspace(args.workspace), args.kb)
        chat = None
        if mode == "llm":
            from qa.llm import make_chat_model

            chat = make_chat_model(cfg)
    except (SearchIndexError, StoreError, LLMNotConfigured, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    answerer = Answerer(searcher, mode=mode, chat_model=chat, k=args.k)
    if args.json:
        startup = process_age_ms()
        result = answerer.answer(args.question)
        out = result.to_json(include_retrieved=args.retrieved)
        if startup is not None:
            # The honest first-answer time: interpreter start-up, imports and opening the
            # index come before the answerer's own timings.
            out["timings_ms"]["startup"] = round(startup, 1)
            out["timings_ms"]["process"] = round(process_age_ms() or 0.0, 1)
        help_ = drafting_help(args.question, searcher)
        if help_:
            out["drafting"] = help_.to_json()
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    result = None
    for item in answerer.stream(args.question):
        if isinstance(item, str):
            if mode == "llm":
                print(item, end="", flush=True)
        else:
            result = item
    assert result is not None
    if mode == "llm":
        print()
        if result.invalid_citations:
            print(
                f"\n（已删除 {len(result.invalid_citations)} 个无法核实的引用："
                f"{'、'.join(result.invalid_citations)}）"
            )
    else:
        print(result.answer)
    help_ = drafting_help(args.question, searcher)
    if help_:
        print(drafting_text(help_))
    return 0
