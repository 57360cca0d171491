"""``python -m check DRAFT [--kb NAME] [--json] [--rules …]``: review a draft.

Prints the findings (or the report as JSON with ``--json``).  Exit status 0 whatever the
draft contains; 2 when the draft cannot be read or the arguments are wrong (one line on
stderr).  ``--kb`` links each finding to the rule's clause when that knowledge base holds
GB/T 1.1—2020 or the sample guide T/BZQC 002—2025.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import NoReturn

from check.catalogue import all_rules, select
from check.draft import Draft
from check.model import Report
from check.runner import BasisIndex, check_draft
from core.errors import UserError, cli_boundary
from core.kb import KnowledgeBase
from ingest.logsetup import configure_cli_logging
from ingest.readers.base import UnreadableFile
from ingest.store import StoreError
from ingest.workspace import WorkspaceError


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m check", description="按GB/T 1.1—2020审查标准草案（docx、md、txt、pdf）。"
    )
    p.add_argument("draft", nargs="?", type=Path, help="草案文件")
    p.add_argument("--kb", help="知识库名称：其中有GB/T 1.1—2020或起草指南时，结果链接到对应条款")
    p.add_argument("--workspace", help="工作区目录（默认 $STDQA_WORKSPACE 或 ./workspace）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.add_argument(
        "--rules",
        nargs="+",
        metavar="RULE",
        help="只运行这些规则或规则组（如 wording structure.toc）",
    )
    p.add_argument("--list-rules", action="store_true", help="列出全部规则及其依据")
    p.add_argument("-v", "--verbose", action="store_true", help="输出调试日志")
    return p


def _fail(msg: str) -> NoReturn:
    """A failure the user can act on: the common boundary prints it (and, with --json,
    the JSON error object) and exits 2."""
    raise UserError(msg)


def print_text(report: Report) -> None:
    s = report.summary()
    print(
        f"{report.document}：{s['error']} 个错误，{s['warning']} 个警告，{s['info']} 个提示（起草规则版本：GB/T 1.1—{report.era}）"
    )
    for f in report.findings:
        print(f"[{f.severity}] {f.location.label()}  {f.message}")
        print(f"    建议：{f.suggestion}    依据：{f.basis}    规则：{f.rule}")


def main(argv: list[str] | None = None) -> int:
    """The CLI behind the common boundary: an unforeseen failure is one line and exit 2,
    Ctrl-C is "已中断" and 130, like the other commands."""
    return cli_boundary(_main, argv)


def _draft_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a draft file, in the user's words, or None.  "文件不存在：."
    for an empty argument and "文件不存在" for a folder sent the user looking for a typo."""
    if not str(path).strip() or str(path) == ".":
        return "草案文件路径为空"
    if path.is_dir():
        return f"这是文件夹，不是文件：{path}（一次审查一份草案）"
    if not path.exists():
        return f"文件不存在：{path}"
    if not path.is_file():
        return f"不是普通文件：{path}"
    return None


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    configure_cli_logging(args.verbose)
    if args.list_rules:
        rows = [r.to_dict() for r in all_rules().values()]
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            for r in rows:
                mark = "" if r["basis_verified"] else "（条号未核实）"
                print(f"{r['id']:32} {r['severity']:8} {r['basis']}{mark}  {r['title']}")
        return 0
    if args.draft is None:
        return _fail("请给出草案文件")
    try:
        rules = select(args.rules)
    except ValueError as exc:
        return _fail(str(exc))
    basis = None
    if args.kb:
        try:
            kb = KnowledgeBase.at(args.workspace, args.kb)
            if not kb.exists:
                return _fail(f"知识库不存在：{args.kb}")
            basis = BasisIndex.from_store(kb.store)
        except (WorkspaceError, StoreError) as exc:
            return _fail(str(exc))
    problem = _draft_problem(args.draft)
    if problem:
        return _fail(problem)
    try:
        draft = Draft.load(args.draft)
    except UnreadableFile as exc:
        return _fail(f"{args.draft.name}：{exc}")
    report = check_draft(draft, rules, basis)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_text(report)
    return 0
