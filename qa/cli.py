"""``python -m qa "QUESTION" [--kb NAME] [--json]``: answer one drafting question.

JSON (stdout) contract: ``{"question", "answer", "citations": [{"doc_title",
"standard_code", "clause_no", "clause_title", "heading_path", "text", "score", "label",
"clause_id", "doc_id", "source", "page"}], "refused", "mode", "invalid_citations",
"element", "query", "timings_ms", "error"}`` (``timings_ms.startup``: process start to
answering, ``process``: to the answer), plus ``"drafting": {"element", "rules":
[citation…], "patterns": [{"text", "citation", "clause_id"}], "examples": [citation…]}`` when
the question asks how to write an element of a standard (see :mod:`qa.drafting`).  In LLM
mode also ``"statements"`` (the verdict on each statement of the model's answer: ``text``,
``status`` — supported / attributed / reattributed / modality_drift / number_drift /
unsupported / connective / refusal / duplicate —, ``citation``, ``cited_by_model``,
``overlap``, ``reasons``), ``"dropped_statements"`` and ``"prompt_budget"``.  ``refused`` is
true exactly when ``answer`` is the refusal "知识库中未找到相关条款。".  Progress and logs go
to stderr.

Text mode prints the *checked* answer (what ``--json`` returns as ``answer``), never the
raw model stream, followed by notes on removed citations and statements.

Exit status 0 when answered or refused, 2 for usage errors (empty question, unknown
knowledge base, LLM mode without a configured model) and for a failed model call (one
line on stderr; with ``--json`` also ``{"question", "error", "mode"}`` on stdout).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from ingest.logsetup import configure_cli_logging
from ingest.workspace import DEFAULT_KB, resolve_workspace
from qa.answer import Answerer, AnswerResult
from qa.drafting import drafting_help, drafting_text
from qa.llm_config import LLMConfig, LLMError


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

    try:
        cfg = LLMConfig.from_env()
    except LLMError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    mode = args.mode if args.mode != "auto" else ("llm" if cfg.configured else "extractive")
    try:
        searcher = Searcher.open(resolve_workspace(args.workspace), args.kb)
        chat = None
        if mode == "llm":
            from qa.llm import make_chat_model

            chat = make_chat_model(cfg)
    except (SearchIndexError, StoreError, LLMError, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    answerer = Answerer(searcher, mode=mode, chat_model=chat, k=args.k)
    startup = process_age_ms()
    try:
        if mode == "llm" and not args.json:
            print("正在生成回答…", file=sys.stderr, flush=True)
        result = answerer.answer(args.question)
    except LLMError as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"错误：{message}", file=sys.stderr)
        if args.json:
            out = {"question": args.question, "error": message, "mode": mode}
            print(json.dumps(out, ensure_ascii=False, indent=1))
        return 2
    help_ = drafting_help(args.question, searcher)
    if args.json:
        out = result.to_json(include_retrieved=args.retrieved)
        if startup is not None:
            # The honest first-answer time: interpreter start-up, imports and opening the
            # index come before the answerer's own timings.
            out["timings_ms"]["startup"] = round(startup, 1)
            out["timings_ms"]["process"] = round(process_age_ms() or 0.0, 1)
        if help_:
            out["drafting"] = help_.to_json()
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    print(result.answer)
    for note in notes(result):
        print(note)
    if help_:
        print(drafting_text(help_))
    return 0


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
