"""Write the report of one evaluated set: report.md, report.html, results.json, plots.

The content is built once as a list of blocks (heading, paragraph, table, figure) and
rendered twice, so the Markdown and the HTML report can never disagree.  The HTML file is
self-contained (plots inlined as base64 PNG) so it can be mailed or attached to CI, and
every piece of text in it is escaped: question texts and answers come from documents.
"""

from __future__ import annotations

import base64
import html
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval import metrics as M
from eval.runner import NAIVE, NAIVE_CLAUSE, RERANK, K, SetRun
from eval.summary import summarize

MODE_LABELS = {
    "bm25": "BM25",
    "dense": "dense",
    "hybrid": "hybrid",
    "hybrid+exact": "hybrid+exact",
    "hybrid+exact+rerank": "hybrid+exact+rerank",
    NAIVE: "naive 500-char chunks",
    NAIVE_CLAUSE: "naive, read per clause",
}


@dataclass(slots=True)
class Block:
    kind: str  # "h1" | "h2" | "p" | "table" | "figure"
    text: str = ""
    rows: list[list[str]] | None = None  # table: header first
    png: bytes = b""
    file: str = ""


def fmt(v: Any, pct: bool = False) -> str:
    """Numbers for tables: ratios as 0.000 (or percent), None as "–"."""
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v * 100:.1f}%" if pct else f"{v:.3f}"
    return str(v)


def _ms(v: float | None) -> str:
    return "–" if v is None else f"{v:.0f}"


# ------------------------------------------------------------------ plots
def _plots(summary: dict[str, Any], modes: list[str]) -> tuple[bytes, bytes]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ks = list(range(1, K + 1))
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=110)
    for m in modes:
        curve = summary["retrieval"][m]["curve"]
        if any(v is not None for v in curve):
            ax.plot(ks, [v or 0.0 for v in curve], marker="o", label=MODE_LABELS.get(m, m))
    ax.set_xlabel("k")
    ax.set_ylabel("Recall@k (hit rate)")
    ax.set_ylim(0, 1.02)
    ax.set_xticks(ks)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Recall@k by retrieval mode")
    curve_png = _png(fig, plt)

    types = [t for t, d in summary["by_type"].items() if any(d["retrieval"][m]["n"] for m in modes)]
    fig, ax = plt.subplots(figsize=(7.2, 4.0), dpi=110)
    width = 0.8 / max(len(modes), 1)
    for i, m in enumerate(modes):
        vals = [summary["by_type"][t]["retrieval"][m]["recall@5"] or 0.0 for t in types]
        ax.bar([x + i * width for x in range(len(types))], vals, width, label=MODE_LABELS.get(m, m))
    ax.set_xticks([x + width * (len(modes) - 1) / 2 for x in range(len(types))])
    ax.set_xticklabels(types)
    ax.set_ylabel("Recall@5")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    ax.set_title("Recall@5 by question type")
    ax.grid(axis="y", alpha=0.3)
    return curve_png, _png(fig, plt)


def _png(fig: Any, plt: Any) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


# ------------------------------------------------------------------ content
def build_blocks(
    run: SetRun, summary: dict[str, Any], plots: tuple[bytes, bytes] | None
) -> list[Block]:
    """The report content, independent of the output format."""
    meta, cfg = run.qset.meta, run.config
    b: list[Block] = [Block("h1", f"Evaluation report: {meta.name} (version {meta.version})")]
    if meta.description:
        b.append(Block("p", meta.description))
    b.append(
        Block(
            "p",
            f"Knowledge base {cfg.get('kb', '?')}, embedder {cfg.get('embedder', '?')}, "
            f"answer mode {cfg.get('answer_mode', '–')}, {summary['questions']} questions "
            f"({summary['scored_for_retrieval']} scored for retrieval), "
            f"date {cfg.get('date', '?')}, commit {cfg.get('git_commit') or 'unknown'}.",
        )
    )
    gold = summary["gold"]
    b.append(
        Block(
            "p",
            f"Gold clauses resolved: {gold['gold_total'] - gold['gold_unresolved']} of {gold['gold_total']}; "
            f"{gold.get('gold_with_copies', 0)} also found in a copy of their standard"
            f"{'' if cfg.get('copy_gold', True) else ' (not counted: --no-copy-gold)'}.",
        )
    )

    b.append(Block("h2", "Retrieval"))
    rows = [["mode", "n", "R@1", "R@3", "R@5", "R@10", f"MRR@{K}", f"nDCG@{K}", "p50 ms", "p95 ms"]]
    for m in run.modes:
        s = summary["retrieval"][m]
        rows.append(
            [MODE_LABELS.get(m, m), str(s["n"])]
            + [fmt(s[f"recall@{k}"]) for k in (1, 3, 5, 10)]
            + [
                fmt(s[f"mrr@{K}"]),
                fmt(s[f"ndcg@{K}"]),
                _ms(s["latency_p50_ms"]),
                _ms(s["latency_p95_ms"]),
            ]
        )
    b.append(Block("table", rows=rows))
    if "margin_recall@5_pts" in summary:
        b.append(
            Block(
                "p",
                f"hybrid+exact vs naive R@5 = {summary['margin_recall@5_pts']:+.1f} pts (chunk-level)",
            )
        )
    if "margin_recall@5_pts_clause" in summary:
        b.append(
            Block(
                "p",
                f"hybrid+exact vs naive R@5 = {summary['margin_recall@5_pts_clause']:+.1f} pts "
                "(clause-level: the naive chunks' clauses read in order, one rank per clause)",
            )
        )
    b.append(
        Block(
            "p",
            "R@k: share of questions with a grade-2 gold clause (any gold if none is grade 2) in the "
            "top k; nDCG uses gains 2/1. The naive baseline splits each document's text into "
            "500-character chunks (RecursiveCharacterTextSplitter, overlap 50), embeds them with the "
            "same model and searches dense-only; a chunk retrieves every clause it overlaps.",
        )
    )
    naive = cfg.get("naive") or {}
    if naive.get("chunks"):
        b.append(
            Block(
                "p",
                f"Naive index: {naive['chunks']} chunks, each spanning "
                f"{naive['clauses_per_chunk']} clauses on average (so a naive hit is looser than a "
                "clause hit: the reader must still find the answer inside the chunk).",
            )
        )
    if plots:
        b.append(
            Block("figure", "Recall@k by retrieval mode", png=plots[0], file="recall_at_k.png")
        )

    ans = summary.get("answer")
    if ans:
        b.append(Block("h2", f"Answers ({cfg.get('answer_mode', '?')})"))
        rows = [["metric", "value"]]
        for key in (
            "citation_validity",
            "citation_precision",
            "citation_recall",
            "first_citation",
            "key_fact_coverage",
            "refusal_accuracy",
            "correct_refusal_rate",
            "false_refusal_rate",
        ):
            rows.append([key, fmt(ans.get(key))])
        if ans.get("rule_faithfulness") is not None:  # support check, no LLM (qa/support.py)
            rows.append(
                ["rule_faithfulness (support check, no LLM)", fmt(ans["rule_faithfulness"])]
            )
            drifts = " / ".join(
                str(ans.get(f"statements_{k}", 0))
                for k in ("modality_drift", "number_drift", "unsupported")
            )
            rows.append(["statements: modality drift / number drift / unsupported", drifts])
        if ans.get("llm_errors"):
            rows.append(["questions whose LLM call failed", str(ans["llm_errors"])])
        if "judged" in ans:  # --judge ran
            for key in ("faithfulness", "relevancy"):
                rows.append([f"{key} (LLM judge, {ans['judged']} judged)", fmt(ans[key])])
        rows.append(
            ["latency p50 / p95 ms", f"{_ms(ans['latency_p50_ms'])} / {_ms(ans['latency_p95_ms'])}"]
        )
        b.append(Block("table", rows=rows))

    b += _calibration(run)

    b.append(Block("h2", "By question type"))
    head = [
        "type",
        "n",
        *[f"R@5 {MODE_LABELS.get(m, m)}" for m in run.modes],
        "key facts",
        "refusal acc.",
    ]
    rows = [head]
    for t, d in summary["by_type"].items():
        a = d.get("answer") or {}
        rows.append(
            [t, str(d["n"])]
            + [fmt(d["retrieval"][m]["recall@5"]) for m in run.modes]
            + [fmt(a.get("key_fact_coverage")), fmt(a.get("refusal_accuracy"))]
        )
    b.append(Block("table", rows=rows))
    if plots:
        b.append(
            Block("figure", "Recall@5 by question type", png=plots[1], file="recall_by_type.png")
        )

    if summary.get("by_split"):
        b.extend(_split_blocks(summary["by_split"]))

    b.extend(_failures(run))
    return b


# The split table scores the pipeline the answerer uses (reranked), falling back to the
# unreranked one for runs made without it, so its R@1 agrees with the answers beside it.
SPLIT_MODES = (RERANK, "hybrid+exact")


def _split_blocks(by_split: dict[str, Any]) -> list[Block]:
    """One row per split (e.g. dev: may be tuned on; test: held out), the issue's targets."""
    present = {m for d in by_split.values() for m in d["retrieval"]}
    mode = next((m for m in SPLIT_MODES if m in present), SPLIT_MODES[-1])
    rows = [
        [
            "split",
            "n",
            "R@1",
            "R@5",
            f"MRR@{K}",
            "cit. precision",
            "first cit. holds",
            "answerable refused",
            "unanswerable refused",
        ]
    ]
    for name, d in by_split.items():
        r = d["retrieval"].get(mode, {})
        a = d.get("answer") or {}
        rows.append(
            [name, str(d["n"])]
            + [fmt(r.get(k)) for k in ("recall@1", "recall@5", f"mrr@{K}")]
            + [
                fmt(a.get(k))
                for k in (
                    "citation_precision",
                    "first_citation",
                    "false_refusal_rate",
                    "correct_refusal_rate",
                )
            ]
        )
    return [
        Block("h2", "By split"),
        Block(
            "p",
            f"Retrieval: {MODE_LABELS.get(mode, mode)}. The split follows the set's "
            "_meta.split_rule: tune on dev, report test as held out.",
        ),
        Block("table", rows=rows),
    ]


GATE_GRID = tuple(round(0.86 + 0.0025 * i, 4) for i in range(25))


def gate_items(run: SetRun) -> list[tuple[bool, float | None, bool]]:
    """(answerable, gate score, refused because a named document is absent) per question."""
    return [
        (r.question.answerable, r.answer.relevance, r.answer.absent)
        for r in run.results
        if r.answer is not None
    ]


def _calibration(run: SetRun) -> list[Block]:
    """The refusal gate's calibration curve: share refused vs threshold."""
    from eval.calibrate import PROB_GRID
    from qa.relevance import RelevancePolicy

    policy = RelevancePolicy.for_model(run.config.get("embedder"))
    items = gate_items(run)
    if not any(rel is not None for _, rel, _ in items):
        return []
    gate = policy.fitted_gate()
    held: dict[float, tuple[float | None, float | None]] = {}
    if gate is not None:
        from eval.calibrate import stored_curve, stored_fold

        chosen = gate.threshold
        grid, step = tuple(sorted({*PROB_GRID, chosen})), 1e-6
        held = stored_curve(run.config.get("embedder"), run.qset.meta.name)
        fold = stored_fold(run.config.get("embedder"), run.qset.meta.name)
        text = (
            "Share of questions the refusal gate would refuse at each threshold of its score, "
            "P(answerable) from a class-balanced logistic regression over what the top clauses "
            "contain (qa/gate.py GATE_FEATURES: topic words without document names and by rarity, "
            "the asked attribute and kind of value, the best question-to-sentence cosine, the "
            "asked element in the first hit's headings, a named code absent, the words the base "
            "uses that no top clause holds, the asked value or named kind in one top sentence, the "
            "question's Latin terms in the top documents). "
            f"◀ marks the threshold used ({chosen:.2f}): python -m eval.calibrate fits the model on "
            "the dev questions of every tuning set and chooses L2 and threshold on held-out "
            "probabilities — each corpus (the sets asked over the same documents) scored by a gate "
            "fitted on the other corpora — the threshold by the issue's targets (answerable "
            "refused / 3 % + unanswerable answered / 5 %, lowest mean over the corpora); a test "
            "split is never fitted on.  The held-out columns, when present, are this set's dev "
            "questions scored by a gate fitted without its corpus (stored at calibration)."
        )
        if fold:
            auc = fold.get("auc")
            text += (
                f"  Held out {'with the sets of its corpus' if fold.get('by') == 'corpus' else 'alone'}"
                f" ({fold['fold']}): AUC {auc:.3f}, balanced log-loss {fold.get('log_loss') or 0:.3f}."
                if auc is not None
                else ""
            )
    else:
        grid, chosen, step = GATE_GRID[::2], policy.min_gate, 0.0026
        text = (
            "Share of questions the refusal gate would refuse at each threshold of its relevance "
            "score (cosine + wording and governing bonus, best of the top three usable hits). "
            f"◀ marks the calibrated threshold ({policy.min_gate}), chosen by leave-one-set-out "
            "cross-validation (python -m eval.calibrate), never on the set it is scored on alone."
            if policy.min_gate is not None
            else "Share of questions the refusal gate would refuse at each threshold of its score."
        )
    rows = [["threshold", "answerable refused", "unanswerable refused"]]
    if held:
        rows[0] += ["held out: answerable refused", "held out: unanswerable refused"]
    for row in M.refusal_curve(items, grid):
        t = float(row["threshold"] or 0.0)
        near = chosen is not None and abs(t - chosen) < step / 2
        cells = [
            f"{row['threshold']:.4f}{' ◀' if near else ''}",
            fmt(row["answerable_refused"], pct=True),
            fmt(row["unanswerable_refused"], pct=True),
        ]
        if held:
            h = held.get(round(t, 2))
            cells += [fmt(h[0], pct=True), fmt(h[1], pct=True)] if h else ["–", "–"]
        rows.append(cells)
    return [Block("h2", "Refusal calibration"), Block("p", text), Block("table", rows=rows)]


def _failures(run: SetRun) -> list[Block]:
    """Questions that went wrong, so a regression can be traced to examples."""
    best = "hybrid+exact" if "hybrid+exact" in run.modes else run.modes[0]
    out: list[Block] = [Block("h2", "Failures")]
    missed = [
        r
        for r in run.results
        if r.scored and best in r.retrieval and (r.retrieval[best].first_hit or 99) > 5
    ]
    out.append(
        Block("p", f"{len(missed)} question(s) without a gold clause in the top 5 ({best}).")
    )
    if missed:
        rows = [["id", "type", "question", "gold", "top 3"]]
        for r in missed:
            rows.append(
                [
                    r.question.id,
                    r.question.type,
                    r.question.question,
                    "；".join(r.gold_labels),
                    "；".join(r.retrieval[best].top[:3]),
                ]
            )
        out.append(Block("table", rows=rows))
    wrong = [r for r in run.results if r.answer and r.answer.refused == r.question.answerable]
    if wrong:
        out.append(Block("p", f"{len(wrong)} wrong refusal decision(s)."))
        rows = [["id", "type", "question", "refused", "answer (start)"]]
        for r in wrong:
            assert r.answer is not None
            rows.append(
                [
                    r.question.id,
                    r.question.type,
                    r.question.question,
                    "yes" if r.answer.refused else "no",
                    r.answer.text[:80],
                ]
            )
        out.append(Block("table", rows=rows))
    invalid = [r for r in run.results if r.answer and r.answer.invalid]
    if invalid:
        rows = [["id", "invalid citations"]]
        rows += [[r.question.id, "；".join(r.answer.invalid)] for r in invalid if r.answer]
        out.append(Block("p", "Answers with citations removed as unverifiable:"))
        out.append(Block("table", rows=rows))
    unresolved = [r for r in run.results if r.unresolved]
    if unresolved:
        rows = [["id", "unresolved gold"]] + [
            [r.question.id, "；".join(r.unresolved)] for r in unresolved
        ]
        out.append(Block("p", "Gold entries that could not be resolved in this knowledge base:"))
        out.append(Block("table", rows=rows))
    return out


# ------------------------------------------------------------------ rendering
def _md_cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def render_markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    for blk in blocks:
        if blk.kind == "h1":
            out.append(f"# {blk.text}\n")
        elif blk.kind == "h2":
            out.append(f"## {blk.text}\n")
        elif blk.kind == "p":
            out.append(f"{blk.text}\n")
        elif blk.kind == "table" and blk.rows:
            head, *body = blk.rows
            out.append("| " + " | ".join(_md_cell(c) for c in head) + " |")
            out.append("|" + "---|" * len(head))
            out.extend("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in body)
            out.append("")
        elif blk.kind == "figure":
            out.append(f"![{blk.text}]({blk.file})\n")
    return "\n".join(out)


_CSS = (
    "body{font-family:system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;max-width:1100px;"
    "margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0;font-size:14px}"
    "th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}img{max-width:100%}"
)


def render_html(blocks: list[Block], title: str) -> str:
    e = html.escape
    out = [
        f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{e(title)}</title><style>{_CSS}</style></head><body>'
    ]
    for blk in blocks:
        if blk.kind in ("h1", "h2"):
            out.append(f"<{blk.kind}>{e(blk.text)}</{blk.kind}>")
        elif blk.kind == "p":
            out.append(f"<p>{e(blk.text)}</p>")
        elif blk.kind == "table" and blk.rows:
            head, *body = blk.rows
            out.append(
                "<table><thead><tr>"
                + "".join(f"<th>{e(c)}</th>" for c in head)
                + "</tr></thead><tbody>"
            )
            out.extend("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in body)
            out.append("</tbody></table>")
        elif blk.kind == "figure":
            data = base64.b64encode(blk.png).decode("ascii")
            out.append(
                f'<figure><img alt="{e(blk.text)}" src="data:image/png;base64,{data}"><figcaption>{e(blk.text)}</figcaption></figure>'
            )
    out.append("</body></html>")
    return "\n".join(out)


def results_json(run: SetRun, summary: dict[str, Any]) -> dict[str, Any]:
    """Machine-readable results (see the module docstring of eval.cli for the shape)."""
    meta = run.qset.meta
    return {
        "set": {
            "name": meta.name,
            "version": meta.version,
            "description": meta.description,
            "corpus": meta.corpus,
            "path": str(run.qset.path) if run.qset.path else None,
        },
        "config": run.config,
        "summary": summary,
        "questions": [r.to_json() for r in run.results],
    }


def write_report(run: SetRun, out_dir: Path, *, plots: bool = True) -> dict[str, Any]:
    """Write ``out_dir/<set>/{report.md,report.html,results.json,*.png}``; returns the summary."""
    summary = summarize(run)
    folder = out_dir / run.qset.meta.name
    folder.mkdir(parents=True, exist_ok=True)
    pngs = _plots(summary, run.modes) if plots else None
    blocks = build_blocks(run, summary, pngs)
    for blk in blocks:
        if blk.kind == "figure":
            (folder / blk.file).write_bytes(blk.png)
    title = f"Evaluation report: {run.qset.meta.name}"
    (folder / "report.md").write_text(render_markdown(blocks), encoding="utf-8")
    (folder / "report.html").write_text(render_html(blocks, title), encoding="utf-8")
    (folder / "results.json").write_text(
        json.dumps(results_json(run, summary), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return summary
