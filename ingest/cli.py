"""``python -m ingest PATH... [--kb NAME]``: put files into a knowledge base.

``python -m ingest --outline DOC_ID_OR_PATH [--kb NAME] [--json]`` prints one document's
clause tree and its anomalies instead (see :mod:`ingest.outline`).

``python -m ingest --resegment [--kb NAME]`` re-segments everything stored (after an
upgrade of the segmenter) from the text kept in the store.

Prints a summary (files, documents, clauses, and every skipped file with its reason) to
stdout, or the same as JSON with ``--json``; progress and logs go to stderr.  Exit status:
0 when at least one file is in the knowledge base afterwards (ingested, or unchanged), 1
when files were given but none could be ingested, 2 for usage errors and every other
failure (damaged store, full disk…), always as one line on stderr.  File names are printed
with control characters escaped, so a name cannot forge a line of the summary.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from collections.abc import Iterable
from pathlib import Path

from tqdm import tqdm

from core.display import safe_display
from core.errors import UserError, cli_boundary
from ingest.logsetup import configure_cli_logging
from ingest.pipeline import FileStatus, IngestReport, ingest_paths, resegment_store
from ingest.readers import DEFAULT_MAX_BYTES
from ingest.store import ClauseStore, SourceEntry
from ingest.workspace import DEFAULT_KB, kb_path, list_kbs, resolve_workspace

log = logging.getLogger("ingest")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m ingest",
        description="把标准/指南文件（txt、md、pdf、docx、html）切分为条款并存入知识库。",
    )
    p.add_argument("paths", nargs="*", type=Path, help="文件或文件夹（递归）")
    p.add_argument("--kb", default=DEFAULT_KB, help=f"知识库名称（默认 {DEFAULT_KB}）")
    p.add_argument("--workspace", help="工作区目录（默认 $STDQA_WORKSPACE 或 ./workspace）")
    p.add_argument("--force", action="store_true", help="内容未变也重新导入")
    p.add_argument("--prune", action="store_true", help="从知识库删除给定文件夹中已不存在的文件")
    p.add_argument(
        "--max-size",
        type=_max_size,
        default=DEFAULT_MAX_BYTES / 2**20,
        metavar="MB",
        help="单个文件大小上限（MB，默认 %(default)s）",
    )
    p.add_argument("--list", action="store_true", help="列出知识库中的文档")
    p.add_argument(
        "--remove",
        metavar="DOC_ID_OR_PATH",
        action="append",
        default=[],
        help="从知识库删除一个文档（doc_id）或一个源文件（路径），可重复",
    )
    p.add_argument(
        "--outline",
        metavar="DOC_ID_OR_PATH",
        help="显示一篇文档的条款树及异常（编号跳跃、重复、空条款、可疑标题）；"
        "给出不在知识库中的文件时只临时切分、不入库",
    )
    p.add_argument(
        "--resegment",
        action="store_true",
        help="升级后用已存的文本重新切分知识库中的全部文档（无需原文件）",
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度条")
    p.add_argument("-v", "--verbose", action="store_true", help="输出调试日志")
    return p


MAX_SIZE_CAP_MB = 2048.0  # beyond this a single "document" is not a standard


def _max_size(raw: str) -> float:
    """``--max-size`` in MB: a finite number in (0, 2048]; argparse reports anything else
    as a usage error (exit 2, one line)."""
    try:
        value = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为数字（MB），而不是 {raw!r}") from None
    if not math.isfinite(value) or value <= 0 or value > MAX_SIZE_CAP_MB:
        raise argparse.ArgumentTypeError(
            f"应为大于 0、不超过 {MAX_SIZE_CAP_MB:g} 的有限数字（MB），而不是 {raw!r}"
        )
    return value


def _print_summary(report: IngestReport) -> None:
    d = report.to_dict()
    print(f"知识库 {report.kb}：处理 {d['files']} 个文件，用时 {d['seconds']} 秒")
    print(
        f"  新增/更新 {d['ingested']}，未变化 {d['unchanged']}，重复 {d['duplicate']}，"
        f"跳过 {d['skipped']}，失败 {d['failed']}"
    )
    print(
        f"  本次写入 {d['documents']} 篇文档、{d['clauses']} 个条款；"
        f"知识库现有 {d['kb_documents']} 篇文档、{d['kb_clauses']} 个条款"
    )
    for f in report.files:
        for w in f.warnings:
            print(f"  警告：{f.path}：{w}")
    for path in report.removed_sources:
        print(f"  已移除（文件不存在）：{safe_display(path)}")
    bad = [
        f
        for f in report.files
        if f.status in (FileStatus.SKIPPED, FileStatus.FAILED, FileStatus.DUPLICATE)
    ]
    if bad:
        print("未导入的文件：")
        for f in bad:
            print(f"  [{f.status}] {safe_display(f.path)}：{safe_display(f.reason)}")


def _list_documents(store: ClauseStore, as_json: bool) -> None:
    docs = store.documents()
    if as_json:
        print(json.dumps([d.to_dict() for d in docs], ensure_ascii=False, indent=1))
        return
    for d in docs:
        code = f"{d.standard_code} " if d.standard_code else ""
        print(safe_display(f"{d.doc_id}  {code}{d.title}  （{d.clause_count} 条）  {d.source}"))
    print(f"共 {len(docs)} 篇文档")


def _known(workspace: Path) -> str:
    """The knowledge bases a workspace has, for the message naming a missing one (listed
    only then: a normal run never reads the workspace's folder for it)."""
    return "、".join(list_kbs(workspace)) or "（无）"


def _remove(store: ClauseStore, targets: Iterable[str]) -> int:
    status = 0
    for target in targets:
        p = Path(target)
        removed = (
            store.remove_source(str(p.resolve()))
            if p.exists() or "/" in target
            else store.remove_document(target)
        )
        if not removed:
            removed = store.remove_document(target)
        if removed:
            print("已删除：" + safe_display(target))
        else:  # like every failure: a line on stderr (stdout lists what was done)
            print("错误：未找到文档或文件：" + safe_display(target), file=sys.stderr)
            status = 1
    return status


def _outline(target: str, store: ClauseStore, as_json: bool) -> int:
    from ingest.outline_cli import OutlineTargetError, print_outlines, resolve_outlines

    try:
        docs = resolve_outlines(target, store)
    except OutlineTargetError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    print_outlines(docs, as_json)
    return 0


def _resegment(store: ClauseStore, args: argparse.Namespace) -> int:
    def wrap(entries: list[SourceEntry]) -> Iterable[SourceEntry]:
        return tqdm(
            entries, desc="重新切分", unit="文件", disable=args.quiet or None, file=sys.stderr
        )

    report = resegment_store(store, kb=args.kb, wrap=wrap)
    d = report.to_dict()
    if args.json:
        print(json.dumps(d, ensure_ascii=False, indent=1))
    else:
        print(
            f"知识库 {report.kb}：重新切分 {report.sources} 个文件，条款 "
            f"{report.clauses_before} → {report.clauses_after}，其中 {report.changed} 个新增或有变化"
            "（下次索引同步只需为这些条款计算向量）"
        )
        for w in report.warnings:
            print(f"  警告：{w}")
        for f in report.failed:
            print(f"  失败：{f}")
    return 0 if not report.failed else 1


def main(argv: list[str] | None = None) -> int:
    return cli_boundary(_main, argv)


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    configure_cli_logging(args.verbose)
    workspace = resolve_workspace(args.workspace)
    store = ClauseStore(kb_path(workspace, args.kb))
    store.manifest  # noqa: B018 - surface a corrupt manifest before doing any work

    if args.outline:
        if not store.exists and not Path(args.outline).is_file():
            # A doc_id can only be looked up in a knowledge base that exists: say that the
            # --kb is wrong, not that the id is unknown (a typo in --kb looked like one).
            raise UserError(
                f"知识库 {args.kb!r} 不存在（已有：{_known(workspace)}），{args.outline} 也不是文件"
            )
        return _outline(args.outline, store, args.json)
    if (args.list or args.remove or args.resegment) and not store.exists:
        raise UserError(f"知识库 {args.kb!r} 不存在（已有：{_known(workspace)}）")
    if args.list:
        _list_documents(store, args.json)
        return 0
    if args.remove:
        return _remove(store, args.remove)
    if args.resegment:
        return _resegment(store, args)
    if not args.paths:
        raise UserError("请给出要导入的文件或文件夹（或使用 --list / --remove）")

    def wrap(files: list[Path]) -> Iterable[Path]:
        return tqdm(files, desc="导入", unit="文件", disable=args.quiet or None, file=sys.stderr)

    report = ingest_paths(
        args.paths,
        store,
        kb=args.kb,
        force=args.force,
        prune=args.prune,
        max_bytes=int(args.max_size * 2**20),
        wrap=wrap,
    )
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        _print_summary(report)
    return 0 if report.ok else 1
