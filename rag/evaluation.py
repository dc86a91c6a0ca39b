"""Evaluation on the gold set: retrieval metrics by ranx, answer accuracy, abstention,
citation validity; retrievers compared side by side with ranx's significance test.

`python -m rag eval` prints the tables and writes eval/report.md and eval/retrievers.png.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from ranx import Qrels, Run, compare, evaluate

from .corpus import PROJECT_DIR
from .parsing import clean
from .retrieval import Retriever, row_key

EVAL_DIR = PROJECT_DIR / "eval"
GOLD = EVAL_DIR / "gold.jsonl"
METRICS = ["recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10"]
VARIANTS = {
    "bm25": dict(mode="bm25"),
    "dense": dict(mode="dense"),
    "fused": dict(mode="fused"),
    "bm25-noplace": dict(mode="bm25", place_filter=False),
    "dense-noplace": dict(mode="dense", place_filter=False),
    "fused-noplace": dict(mode="fused", place_filter=False),
}
VERBATIM = 12


def load_gold(path: Path = GOLD) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def verbatim_run(question: str, text: str, n: int = VERBATIM) -> str | None:
    """The first run of n characters of the question that stands verbatim in the text."""
    for i in range(len(question) - n + 1):
        if question[i:i + n] in text:
            return question[i:i + n]
    return None


def gold_problems(gold: list[dict], clause_text: dict[str, str]) -> list[str]:
    """What is inconsistent in the gold set: unknown ids, repeats, copied wording."""
    problems, seen_ids, seen_q = [], set(), set()
    for row in gold:
        if row["id"] in seen_ids or row["q"] in seen_q:
            problems.append(f"{row['id']}: repeated")
        seen_ids.add(row["id"])
        seen_q.add(row["q"])
        for clause_id in row["relevant"]:
            if clause_id not in clause_text:
                problems.append(f"{row['id']}: unknown clause {clause_id}")
            elif run := verbatim_run(row["q"], clause_text[clause_id]):
                problems.append(f"{row['id']}: copies {run!r} from {clause_id}")
        if (row["kind"] == "unanswerable") != (not row["relevant"]):
            problems.append(f"{row['id']}: relevant clauses and kind disagree")
    return problems


class CachedEncoder:
    """Query embeddings computed once and shared by every retriever variant."""

    def __init__(self, encoder):
        self.encoder, self.cache = encoder, {}

    def encode_query(self, texts, **kwargs):
        missing = [t for t in texts if t not in self.cache]
        if missing:
            for text, vector in zip(missing, self.encoder.encode_query(missing, **kwargs)):
                self.cache[text] = vector
        return np.stack([self.cache[t] for t in texts])


def _expect_met(expected: str, text: str) -> bool:
    date = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", expected)
    forms = [expected]
    if date:
        y, m, d = date.groups()
        forms.append(f"{y}年{int(m)}月{int(d)}日")
    return any(form in text for form in forms)


@dataclass
class Evaluation:
    retrieval: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    answers: dict[str, float] = field(default_factory=dict)
    comparison: str = ""
    worst: list[dict] = field(default_factory=list)
    latency: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def _ranx_run(results: dict[str, list[str]], row_of: dict[str, int], name: str) -> Run:
    """ranx run keyed by row number (ASCII ids keep numba from recompiling per query)."""
    return Run({qid: ({row_key(row_of[c]): float(len(ids) - i) for i, c in enumerate(ids)} or {row_key(0): 0.0})
                for qid, ids in results.items()}, name=name)


def evaluate_gold(engine, gold: list[dict], progress=print) -> Evaluation:
    row_of = {c.clause_id: i for i, c in enumerate(engine.index.clauses)}
    answerable = [g for g in gold if g["relevant"]]
    qrels = Qrels({g["id"]: {row_key(row_of[c]): 1 for c in g["relevant"]} for g in answerable})
    groups = {"all": answerable}
    for key in ("lang", "kind"):
        for value in sorted({g[key] for g in answerable}):
            groups[f"{key}={value}"] = [g for g in answerable if g[key] == value]

    encoder = CachedEncoder(engine.encoder)
    runs: dict[str, Run] = {}
    report = Evaluation()
    for name, config in VARIANTS.items():
        retriever = Retriever(engine.index, encoder, **config)
        results = {g["id"]: [h.clause.clause_id for h in retriever.search(g["q"], k=10)] for g in answerable}
        runs[name] = _ranx_run(results, row_of, name)
        report.retrieval[name] = {
            group: evaluate(Qrels({g["id"]: qrels.qrels[g["id"]] for g in rows}),
                            Run({g["id"]: runs[name].run[g["id"]] for g in rows}), METRICS,
                            make_comparable=True)
            for group, rows in groups.items()
        }
        progress(f"{name}: MRR@10 {report.retrieval[name]['all']['mrr@10']:.3f}")
    report.comparison = str(compare(qrels, runs=list(runs.values()), metrics=["recall@5", "mrr@10"],
                                    max_p=0.05, stat_test="student"))

    times, answers = [], {}
    for g in gold:
        started = time.perf_counter()
        answers[g["id"]] = engine.ask(g["q"])
        times.append(time.perf_counter() - started)
    report.latency = {"ask_p50_ms": 1000 * statistics.median(times),
                      "ask_p95_ms": 1000 * float(np.percentile(times, 95))}
    report.answers, report.counts = _answer_metrics(engine, gold, answers)
    fused = runs["fused"].run
    scored = []
    for g in answerable:
        ranked = sorted(fused[g["id"]], key=lambda r: -fused[g["id"]][r])
        relevant = {row_key(row_of[c]) for c in g["relevant"]}
        rank = next((i + 1 for i, r in enumerate(ranked) if r in relevant), None)
        scored.append((1 / rank if rank else 0.0, g, ranked[:3]))
    scored.sort(key=lambda item: item[0])
    report.worst = [{"id": g["id"], "q": g["q"], "rr": round(rr, 3), "relevant": g["relevant"],
                     "top3": [engine.index.clauses[int(r)].clause_id for r in top]}
                    for rr, g, top in scored[:12]]
    return report


def _answer_metrics(engine, gold: list[dict], answers: dict) -> tuple[dict[str, float], dict[str, int]]:
    metrics, counts = {}, {}
    for lang in ("all", "en", "zh"):
        rows = [g for g in gold if g["kind"] in ("lead", "responsible") and g.get("units")
                and lang in ("all", g["lang"])]
        exact = [set(answers[g["id"]].units) == set(g["units"]) and answers[g["id"]].answerable for g in rows]
        metrics[f"units_exact[{lang}]"] = sum(exact) / len(exact) if exact else float("nan")
        counts[f"unit_questions[{lang}]"] = len(rows)
    rows = [g for g in gold if g.get("expect") and g["relevant"]]
    met = [all(_expect_met(e, answers[g["id"]].text) for e in g["expect"]) for g in rows]
    metrics["expect_met"] = sum(met) / len(met) if met else float("nan")
    counts["expect_questions"] = len(rows)
    rows = [g for g in gold if g["kind"] == "compare" and g["relevant"]]
    shown = [{row["city"] for row in answers[g["id"]].table} for g in rows]
    having = [{engine.by_id[c].city for c in g["relevant"]} for g in rows]
    hits = sum(len(s & h) for s, h in zip(shown, having))
    metrics["compare_rows_precision"] = hits / (sum(map(len, shown)) or 1)
    metrics["compare_rows_recall"] = hits / (sum(map(len, having)) or 1)
    counts["compare_questions"] = len(rows)
    predicted = {g["id"] for g in gold if not answers[g["id"]].answerable}
    actual = {g["id"] for g in gold if not g["relevant"]}
    metrics["abstain_precision"] = len(predicted & actual) / len(predicted) if predicted else float("nan")
    metrics["abstain_recall"] = len(predicted & actual) / len(actual) if actual else float("nan")
    valid = total = inside = 0
    for answer in answers.values():
        for clause in answer.citations:
            total += 1
            valid += clean(engine.source(clause.file)[clause.start:clause.end]) == clause.text
            inside += clause.clause_id in answer.retrieved
        for quote in answer.quotes:
            clause = engine.by_id[quote.clause_id]
            total += 1
            valid += clean(engine.source(clause.file)[quote.start:quote.end]) == quote.text
            inside += 1
    metrics["citation_valid"] = valid / total if total else float("nan")
    metrics["citations_retrieved"] = inside / total if total else float("nan")
    counts["citations"] = total
    return metrics, counts


def format_tables(report: Evaluation) -> str:
    lines = ["## Retrieval (gold, answerable questions)", "",
             "| retriever | group | " + " | ".join(METRICS) + " |",
             "|---|---|" + "---|" * len(METRICS)]
    for name, groups in report.retrieval.items():
        for group in ("all", "lang=en", "lang=zh"):
            values = groups[group]
            lines.append(f"| {name} | {group} | " + " | ".join(f"{values[m]:.3f}" for m in METRICS) + " |")
    lines += ["", "## Fused retriever by kind", "", "| kind | " + " | ".join(METRICS) + " |",
              "|---|" + "---|" * len(METRICS)]
    for group, values in report.retrieval["fused"].items():
        if group.startswith("kind="):
            lines.append(f"| {group[5:]} | " + " | ".join(f"{values[m]:.3f}" for m in METRICS) + " |")
    lines += ["", "## Answers", "", "| metric | value |", "|---|---|"]
    lines += [f"| {k} | {v:.3f} |" for k, v in report.answers.items()]
    lines += [f"| {k} | {v:.0f} |" for k, v in report.latency.items()]
    lines += [f"| n {k} | {v} |" for k, v in report.counts.items()]
    return "\n".join(lines)


def write_report(report: Evaluation, out_dir: Path = EVAL_DIR) -> Path:
    plot = plot_comparison(report, out_dir / "retrievers.png")
    worst = "\n".join(f"| {w['id']} | {w['q']} | {w['rr']} | {', '.join(w['relevant'][:3])} | {', '.join(w['top3'])} |"
                      for w in report.worst)
    text = (f"# Evaluation report\n\nGenerated by `python -m rag eval` on {time.strftime('%Y-%m-%d %H:%M')}.\n\n"
            f"{format_tables(report)}\n\n## Significance (ranx, Student's t-test, p < 0.05)\n\n"
            f"```\n{report.comparison}\n```\n\n![retrievers]({plot.name})\n\n"
            f"## Worst questions (fused)\n\n| id | question | RR | relevant | top 3 |\n|---|---|---|---|---|\n{worst}\n")
    path = out_dir / "report.md"
    path.write_text(text, encoding="utf-8")
    return path


def plot_comparison(report: Evaluation, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(report.retrieval)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, metric in zip(axes, ("mrr@10", "recall@5")):
        width = 0.27
        for i, group in enumerate(("all", "lang=en", "lang=zh")):
            values = [report.retrieval[n][group][metric] for n in names]
            ax.bar(np.arange(len(names)) + (i - 1) * width, values, width, label=group)
        ax.set_xticks(np.arange(len(names)), names, rotation=30, ha="right")
        ax.set_title(metric)
        ax.set_ylim(0, 1)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(loc="lower left")
    fig.suptitle("Retrievers on the gold set")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
