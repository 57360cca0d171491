"""``python -m eval``: evaluate retrieval and answering on the question sets, write reports.

Usage::

    python -m eval [--set FILE ...] [--kb NAME] [--workspace DIR] [--out reports]
                   [--check] [--llm] [--llm-replay RESULTS] [--judge] [--no-naive] [-v]

Without ``--set`` every ``eval/questions_*.jsonl`` is run whose corpus exists (a set over
``../shared/corpus/web-guides`` is skipped with a message where that folder is absent).
Without ``--kb`` each set gets its own knowledge base ``eval-<set name>`` in the workspace,
ingested from the set's corpus (unchanged files are skipped, so reruns are fast) and
indexed; with ``--kb`` that existing knowledge base is used as it is.

Outputs per set: ``<out>/<set>/report.md``, ``report.html``, ``results.json``, plots.
``results.json`` shape::

    {"set": {"name", "version", "description", "corpus", "path"},
     "config": {"kb", "workspace", "embedder", "answer_mode", "llm", "k", "modes",
                "naive": {"chunk_size", "chunk_overlap", "splitter", "chunks",
                          "clauses_per_chunk"}, "date", "git_commit"},
     "summary": {"questions", "scored_for_retrieval",
                 "gold": {"gold_total", "gold_unresolved", "unresolved": [...]},
                 "retrieval": {"<mode>": {"n", "recall@1", "recall@3", "recall@5", "recall@10",
                               "mrr@10", "ndcg@10", "curve": [R@1..R@10],
                               "latency_p50_ms", "latency_p95_ms"}},
                 "answer": {"n", "citation_validity", "citation_precision", "citation_recall",
                            "first_citation", "key_fact_coverage", "refusal_accuracy", "correct_refusal_rate",
                            "false_refusal_rate", "answerable", "unanswerable",
                            "latency_p50_ms", "latency_p95_ms", "rule_faithfulness",
                            "statements_modality_drift", "statements_modality_corrected",
                            "statements_number_drift",
                            "statements_unsupported", "llm_errors",
                            "llm_fallbacks", "llm_own_refusal_rate",  # LLM mode only
                            "faithfulness", "relevancy", "judged"},  # last 3: --judge only
                 "by_type": {"<type>": {"n", "retrieval": {"<mode>": {"n", "recall@5",
                             "mrr@10"}}, "answer": {...as above...}}},
                 "by_split": {"<split>": {"n", "retrieval": {...}, "answer": {...},
                              "by_type": {...}}},  # sets whose questions carry "split"
                 "margin_recall@5_pts"},
     "questions": [{"id", "type", "question", "gold", "unresolved_gold",
                    "retrieval": {"<mode>": {"first_hit", "mrr@10", "ndcg@10", "ms", "top"}},
                    "answer": {"answer", "refused", "cited", "invalid_citations",
                               "citation_validity", "citation_precision", "citation_recall",
                               "key_fact_coverage", "ms", "rule_faithfulness",
                               "statements": {"<status>": n}, "error",  # error: LLM failed
                               "raw_answer", "shown", "prompt_sha1", "fallback",  # LLM mode
                               "judge": {"faithfulness", "relevancy", "score", "statements",
                                         "error"}}}]}  # "judge": answered, with --judge

``--judge`` has a chat model judge every answered question: faithfulness (share of the
answer's statements supported by the cited clauses) and relevancy (1–5 rating mapped to
0–1); see :mod:`eval.judge`.  The judge is configured by ``STDQA_JUDGE_*`` (same names as
``STDQA_LLM_*``), each unset setting falling back to the answering model; a judge that
falls back to the answering GGUF shares the loaded model.  ``config.llm_settings`` /
``config.judge_settings`` record context size, max tokens, temperature, threads, repeat
penalty, seed and timeout of each.

Every run also reports ``rule_faithfulness`` (no LLM, :mod:`qa.support`): per answered
question the share of statements supported by the clauses shown — for LLM answers measured
on the model's raw answer, before drifted statements are removed — with the totals
``statements_modality_drift``, ``statements_modality_corrected`` (strength-only modal drifts put
back as the clause has it and kept), ``statements_number_drift``, ``statements_unsupported``, and
``llm_errors`` (questions whose model call failed; they count as not answered).

In LLM mode each question also keeps the model's unchecked reply (``raw_answer``), the ids
of the clauses it was shown (``shown``), a fingerprint of the prompt (``prompt_sha1``) and
``fallback`` (``"extractive"`` when no statement survived the check and the clauses were
quoted instead); ``llm_fallbacks`` counts those, ``llm_own_refusal_rate`` is the answerable
share the model alone left unanswered (refused or fallen back).

``--llm-replay RESULTS`` re-scores such a run without a model (:mod:`eval.replay`):
retrieval, evidence and the prompt are rebuilt by the current code, the stored reply is
checked by the current support/attribution code, and the stored latency is kept.  Its set
is the recorded one unless ``--set`` is given; ``config.replay`` lists the questions whose
prompt or evidence no longer matches the recording (their replies answered a different
prompt: re-run the model).  With ``STDQA_LLM_GGUF`` naming the recorded GGUF file its
tokenizer trims the evidence exactly as in the run.

Modes: ``bm25``, ``dense``, ``hybrid``, ``hybrid+exact``, ``hybrid+exact+rerank`` (the
default pipeline reranked, :mod:`qa.rerank`), ``naive``.

``--check`` compares with ``eval/thresholds.json``::

    {"<set name>": {"hybrid+exact": {"recall@5": 0.8, "mrr@10": 0.6},
                    "answer": {"citation_precision": 0.7, "refusal_accuracy": 0.8}}}

(any group = a mode or "answer", any metric of the summary; false_refusal_rate and
latency_* are ceilings, everything else floors) and exits 1 listing every failed metric.
Exit status: 0 ok, 1 thresholds failed, 2 usage / setup errors.  Progress and logs go to
stderr; a short summary table to stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from tqdm import tqdm

from eval.questions import REPO_ROOT, QuestionSet, QuestionSetError, load_question_set

log = logging.getLogger("eval")

EVAL_DIR = Path(__file__).resolve().parent
THRESHOLDS = EVAL_DIR / "thresholds.json"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval", description="评测检索与问答，生成报告。")
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        metavar="FILE",
        help="题集 JSONL（可重复；默认 eval/questions_*.jsonl）",
    )
    p.add_argument("--kb", help="使用已有知识库（默认为每个题集建立 eval-<题集名>）")
    p.add_argument("--workspace", help="工作区目录（默认 $STDQA_WORKSPACE 或 ./workspace）")
    p.add_argument("--out", default="reports", help="报告目录（默认 reports）")
    p.add_argument(
        "--check", action="store_true", help="与 eval/thresholds.json 比较，未达标则退出码 1"
    )
    p.add_argument("--thresholds", default=str(THRESHOLDS), help=argparse.SUPPRESS)
    p.add_argument("--llm", action="store_true", help="用已配置的大模型作答（默认摘录式）")
    p.add_argument(
        "--llm-replay",
        metavar="RESULTS",
        help="重放一次 --llm 评测存储的模型原始回复（results.json），用当前的核对代码重新评分，不调用模型",
    )
    p.add_argument(
        "--judge",
        action="store_true",
        help="用已配置的大模型评判回答的忠实度与切题度（faithfulness / relevancy）",
    )
    p.add_argument("--no-naive", action="store_true", help="不运行朴素分块基线")
    p.add_argument(
        "--no-copy-gold",
        action="store_true",
        help="同一标准的另一份文件（同代号同年份）中的同一条款不计为命中（旧口径，对比用）",
    )
    p.add_argument("--no-plots", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("-v", "--verbose", action="store_true", help="输出调试日志")
    return p


def default_sets() -> list[Path]:
    return sorted(EVAL_DIR.glob("questions_*.jsonl"))


def git_commit() -> str | None:
    """Current commit (with "+dirty" when the tree has changes); None outside git."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10
        )
        if head.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def prepare_kb(qset: QuestionSet, workspace: Path, kb: str, *, quiet: bool) -> None:
    """Ingest the set's corpus into ``kb`` (idempotent; files gone from the corpus pruned)."""
    from core.kb import KnowledgeBase

    def wrap(files: list[Path]) -> Any:
        return tqdm(files, desc=f"导入 {kb}", unit="文件", disable=quiet or None, file=sys.stderr)

    report = KnowledgeBase.at(workspace, kb).ingest(qset.corpus_paths(), prune=True, wrap=wrap)
    d = report.to_dict()
    log.info(
        "ingest %s: %s new, %s unchanged, %s skipped, %s failed",
        kb,
        d["ingested"],
        d["unchanged"],
        d["skipped"],
        d["failed"],
    )
    for f in report.files:
        if str(f.status) in ("skipped", "failed"):
            log.warning("%s: %s", f.path, f.reason)


def tuning_searchers(
    paths: Iterable[Path | str], workspace: Path
) -> Iterator[tuple[QuestionSet, Any]]:
    """Each question set with a searcher over its own knowledge base ``eval-<name>``, ingested
    first (idempotent).  The trainers and diagnostics read the sets the same way; a set whose
    corpus is missing is skipped with the line ``python -m eval`` prints, since ../shared
    may be absent."""
    from core.kb import KnowledgeBase

    for path in paths:
        qset = load_question_set(path)
        missing = qset.missing_corpus()
        if missing:
            print(
                f"跳过题集 {qset.meta.name}：语料不存在（{', '.join(map(str, missing))}）",
                file=sys.stderr,
            )
            continue
        kb = f"eval-{qset.meta.name}"
        prepare_kb(qset, workspace, kb, quiet=True)
        searcher = KnowledgeBase.at(workspace, kb).searcher(sync=True)
        quiet_loggers()
        yield qset, searcher


def evaluate_set(qset: QuestionSet, args: argparse.Namespace, workspace: Path) -> dict[str, Any]:
    """Run one set end to end and write its report; returns the summary."""
    from core.assembly import assemble, judge_for
    from core.kb import KnowledgeBase
    from eval.judge import Judge
    from eval.naive import CHUNK_OVERLAP, CHUNK_SIZE, NaiveIndex
    from eval.report import write_report
    from eval.runner import MODES, run_set
    from qa.llm_config import LLMConfig

    quiet = not sys.stderr.isatty() and not args.verbose
    kb = args.kb or f"eval-{qset.meta.name}"
    if not args.kb:
        prepare_kb(qset, workspace, kb, quiet=quiet)
    cfg = LLMConfig.from_env()
    replay = getattr(args, "stored", None)
    parts = assemble(
        KnowledgeBase.at(workspace, kb),
        mode="llm" if args.llm and replay is None else "extractive",
        config=cfg,
        sync=True,
        progress=not quiet,
    )
    searcher, answerer, chat = parts.searcher, parts.answerer, parts.chat
    if replay is not None:
        answerer = replay_answerer(searcher, replay)
    if not args.verbose:
        quiet_loggers()
    judge_cfg = LLMConfig.judge_from_env() if args.judge else None
    # A judge that names the answering model reuses it (a GGUF file is never loaded twice).
    judge = Judge(judge_for(judge_cfg, cfg, chat)) if judge_cfg is not None else None
    naive = None
    if not args.no_naive:

        def wrap(ids: list[str]) -> Any:
            return tqdm(
                ids, desc="朴素基线向量", unit="文档", disable=quiet or None, file=sys.stderr
            )

        naive = NaiveIndex.build(
            searcher.store,
            searcher.embedder,
            parts.kb.root / "eval_cache" / "naive",
            wrap=wrap,
        )
    config = {
        "kb": kb,
        "workspace": str(workspace),
        "embedder": getattr(searcher.embedder, "name", "?"),
        "answer_mode": answerer.mode,
        "llm": cfg.describe() if args.llm and replay is None else None,
        "llm_settings": cfg.settings() if args.llm and replay is None else None,
        **(
            {"judge": judge_cfg.describe(), "judge_settings": judge_cfg.settings()}
            if judge_cfg is not None
            else {}
        ),
        "k": 10,
        "copy_gold": not getattr(args, "no_copy_gold", False),
        "modes": [*MODES, *(["naive"] if naive else [])],
        "naive": {
            "chunk_size": CHUNK_SIZE,
            "chunk_overlap": CHUNK_OVERLAP,
            "splitter": "RecursiveCharacterTextSplitter",
            **naive.stats(),
        }
        if naive
        else None,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
    }
    run = run_set(
        qset,
        searcher,
        answerer=answerer,
        naive=naive,
        progress=not quiet,
        config=config,
        judge=judge,
        copy_gold=config["copy_gold"],
    )
    if replay is not None:
        run.config.update(replay_config(run, replay, answerer))
    return write_report(run, Path(args.out), plots=not args.no_plots)


def replay_answerer(searcher: Any, stored: Any) -> Any:
    """An LLM-mode answerer whose model hands back the stored replies of ``stored``
    (:mod:`eval.replay`), with the recorded context size and, when ``STDQA_LLM_GGUF``
    names the recorded model, its tokenizer (so evidence is trimmed as it was)."""
    import os

    from core.assembly import answerer_for
    from eval.replay import ReplayAnswerer, ReplayChat, gguf_token_counter

    s = stored.settings
    chat = ReplayChat(
        n_ctx=int(s.get("n_ctx") or 8192), max_tokens=int(s.get("max_tokens") or 1024)
    )
    gguf = os.environ.get("STDQA_LLM_GGUF")
    if gguf and s.get("gguf_path") and os.path.basename(gguf) == s["gguf_path"]:
        chat.use_tokenizer(gguf_token_counter(gguf))
    elif s.get("gguf_path"):
        log.warning(
            "重放：未找到录制时的模型 %s（设置 STDQA_LLM_GGUF 可按其分词器裁剪证据），按估算计数",
            s["gguf_path"],
        )
    return ReplayAnswerer(answerer_for(searcher, mode="llm", chat=chat), chat, stored)


def replay_config(run: Any, stored: Any, answerer: Any) -> dict[str, Any]:
    """The stored latency goes back on each question (a replay takes milliseconds), and
    config records what was replayed and where the replay may not match the recording."""
    by_id = stored.replies
    changed_evidence = []
    for r in run.results:
        a, rec = r.answer, by_id.get(r.question.id)
        if a is not None and r.question.id in stored.ms:
            a.ms = stored.ms[r.question.id]
        if a is None or rec is None:
            continue
        if a.shown and rec.shown and a.shown != rec.shown:
            changed_evidence.append(r.question.id)
    chat = answerer.chat
    for what, ids in (
        ("prompt changed", chat.changed),
        ("evidence changed", changed_evidence),
        ("no stored reply", chat.missing),
    ):
        if ids:
            log.warning("重放：%d 题%s，存储的回复不对应当前提示：%s", len(ids), what, ids)
    return {
        "answer_mode": "llm",
        "llm": "replay",
        "llm_settings": stored.settings,
        "replay": {
            "from": str(stored.path),
            "replies": len(by_id),
            "prompt_changed": sorted(set(chat.changed)),
            "evidence_changed": changed_evidence,
            "no_stored_reply": sorted(set(chat.missing)),
        },
    }


def summary_table(name: str, summary: dict[str, Any]) -> str:
    """A few lines for stdout: R@5 / MRR@10 per mode, then the answer metrics."""
    lines = [
        f"== {name}: {summary['questions']} questions, gold unresolved {summary['gold']['gold_unresolved']}, "
        f"with a copy {summary['gold'].get('gold_with_copies', 0)}"
    ]
    lines.append(f"{'mode':<14}{'R@1':>7}{'R@5':>7}{'R@10':>7}{'MRR@10':>8}{'nDCG@10':>9}")
    for mode, s in summary["retrieval"].items():
        vals = [s["recall@1"], s["recall@5"], s["recall@10"], s["mrr@10"], s["ndcg@10"]]
        cells = ["–" if v is None else f"{v:.3f}" for v in vals]
        lines.append(f"{mode:<14}{cells[0]:>7}{cells[1]:>7}{cells[2]:>7}{cells[3]:>8}{cells[4]:>9}")
    if "margin_recall@5_pts" in summary:
        lines.append(f"hybrid+exact vs naive R@5 = {summary['margin_recall@5_pts']:+.1f} pts")
    a = summary.get("answer")
    if a:
        keys = (
            "citation_validity",
            "citation_precision",
            "citation_recall",
            "first_citation",
            "key_fact_coverage",
            "refusal_accuracy",
            "false_refusal_rate",
            "correct_refusal_rate",
        )
        lines.append(
            "  ".join(f"{k}={'–' if a.get(k) is None else format(a[k], '.3f')}" for k in keys)
        )
        if a.get("rule_faithfulness") is not None:
            lines.append(
                f"rule_faithfulness={a['rule_faithfulness']:.3f}  drift: modality="
                f"{a.get('statements_modality_drift', 0)}"
                f" (corrected {a.get('statements_modality_corrected', 0)})"
                f" number={a.get('statements_number_drift', 0)}"
                f"  unsupported={a.get('statements_unsupported', 0)}  llm_errors={a.get('llm_errors', 0)}"
            )
        if "llm_fallbacks" in a:
            own = a["llm_own_refusal_rate"]
            lines.append(
                f"llm_fallbacks={a['llm_fallbacks']}  llm_own_refusal_rate="
                + ("–" if own is None else f"{own:.3f}")
            )
        if "judged" in a:
            lines.append(
                "  ".join(
                    f"{k}={'–' if a[k] is None else format(a[k], '.3f')}"
                    for k in ("faithfulness", "relevancy")
                )
                + f"  (LLM judge, {a['judged']} judged)"
            )
        lines.append(
            f"answer latency p50={a['latency_p50_ms']:.0f} ms p95={a['latency_p95_ms']:.0f} ms"
        )
    for split, d in (summary.get("by_split") or {}).items():
        r = d["retrieval"].get("hybrid+exact", {})
        sa = d.get("answer") or {}
        cells = [
            ("R@1", r.get("recall@1")),
            ("R@5", r.get("recall@5")),
            ("MRR@10", r.get("mrr@10")),
            ("cit.prec", sa.get("citation_precision")),
            ("first-cit", sa.get("first_citation")),
            ("ans.refused", sa.get("false_refusal_rate")),
            ("unans.refused", sa.get("correct_refusal_rate")),
        ]
        lines.append(
            f"[{split}: {d['n']} q] "
            + "  ".join(f"{k}={'–' if v is None else format(v, '.3f')}" for k, v in cells)
        )
    return "\n".join(lines)


def quiet_loggers() -> None:
    """Libraries that log chatty DEBUG/INFO lines (jieba sets its own level on import, so
    this is called again once the index is loaded)."""
    for noisy in ("jieba", "bm25s", "faiss", "httpx", "ingest", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def load_thresholds(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValueError(f"没有阈值文件：{path}") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"阈值文件不是合法 JSON：{path}（{exc}）") from exc
    if not isinstance(data, dict):
        raise ValueError(f"阈值文件格式错误：{path}")
    return data


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not args.verbose:
        quiet_loggers()
    from index.errors import SearchIndexError
    from ingest.store import StoreError
    from ingest.workspace import WorkspaceError, resolve_workspace
    from qa.llm import LLMConfig, LLMNotConfigured

    try:
        llm_ready = LLMConfig.from_env().configured
        judge_ready = LLMConfig.judge_from_env().configured
    except LLMNotConfigured as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    args.stored = None
    if args.llm_replay:
        from eval.replay import ReplayError, load_run

        try:
            args.stored = load_run(Path(args.llm_replay))
        except ReplayError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 2
        args.llm = True
        if not args.sets and args.stored.set_path:
            args.sets = [args.stored.set_path]
    elif args.llm and not llm_ready:
        print(
            "错误：--llm 需要已配置的大模型（STDQA_LLM_BASE_URL/STDQA_LLM_MODEL 或 STDQA_LLM_GGUF）",
            file=sys.stderr,
        )
        return 2
    if args.judge and not judge_ready:
        print(
            "错误：--judge 需要已配置的大模型作评判（STDQA_JUDGE_BASE_URL/STDQA_JUDGE_MODEL 或 "
            "STDQA_JUDGE_GGUF；未设置时用 STDQA_LLM_* 的大模型）",
            file=sys.stderr,
        )
        return 2
    thresholds: dict[str, Any] = {}
    if args.check:
        try:
            thresholds = load_thresholds(Path(args.thresholds))
        except ValueError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 2
    paths = [Path(s) for s in args.sets] if args.sets else default_sets()
    if not paths:
        print("错误：没有题集（eval/questions_*.jsonl）", file=sys.stderr)
        return 2
    workspace = resolve_workspace(args.workspace)
    failures: list[str] = []
    ran = 0
    for path in paths:
        try:
            qset = load_question_set(path)
        except QuestionSetError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 2
        missing = qset.missing_corpus()
        if missing and not args.kb:
            print(
                f"跳过题集 {qset.meta.name}：语料不存在（{', '.join(map(str, missing))}）",
                file=sys.stderr,
            )
            continue
        try:
            summary = evaluate_set(qset, args, workspace)
        except (SearchIndexError, StoreError, WorkspaceError, LLMNotConfigured) as exc:
            print(f"错误：{qset.meta.name}：{exc}", file=sys.stderr)
            return 2
        ran += 1
        print(summary_table(qset.meta.name, summary))
        print(f"报告：{Path(args.out) / qset.meta.name / 'report.html'}", file=sys.stderr)
        if args.check:
            from eval.summary import check_thresholds

            limits = thresholds.get(qset.meta.name)
            if not limits:
                print(f"注意：阈值文件中没有题集 {qset.meta.name} 的阈值，未检查", file=sys.stderr)
                continue
            failures += [f"{qset.meta.name}: {f}" for f in check_thresholds(summary, limits)]
    if not ran:
        print("错误：没有可运行的题集", file=sys.stderr)
        return 2
    if failures:
        print("未达标：", file=sys.stderr)
        for f in failures:
            print(f"  {f}", file=sys.stderr)
        print(f"CHECK FAILED ({len(failures)} metric(s))")
        return 1
    if args.check:
        print("CHECK OK")
    return 0
