"""Benchmark: model load, index build, index load, and warm query latency per stage.

    python bench/latency.py [--questions eval/gold.jsonl] [--repeat 1]

Prints figures; asserts nothing. The build runs into a temporary folder from scratch
(no re-used vectors), so it measures a first build.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from rag import indexing, model  # noqa: E402
from rag.answering import Engine  # noqa: E402
from rag.corpus import load_corpus  # noqa: E402
from rag.evaluation import load_gold  # noqa: E402


def percentiles(values: list[float]) -> str:
    ms = [1000 * v for v in values]
    return f"p50 {statistics.median(ms):7.1f} ms   p95 {np.percentile(ms, 95):7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", default=str(Path(__file__).resolve().parent.parent / "eval" / "gold.jsonl"))
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    started = time.perf_counter()
    encoder = model.load()
    print(f"model load            {time.perf_counter() - started:7.1f} s")

    corpus = load_corpus()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        indexing.build(corpus, Path(folder), encoder=encoder, progress=False)
        print(f"index build (fresh)   {time.perf_counter() - started:7.1f} s   ({len(corpus.clauses)} clauses)")
        started = time.perf_counter()
        index = indexing.load(Path(folder))
        print(f"index load (2nd start){time.perf_counter() - started:7.1f} s   (no re-encoding)")

    engine = Engine(index, encoder)
    questions = [row["q"] for row in load_gold(Path(args.questions))] * args.repeat
    engine.retriever.search(questions[0])
    stages: dict[str, list[float]] = {}
    totals, asks = [], []
    for question in questions:
        started = time.perf_counter()
        engine.retriever.search(question)
        totals.append(time.perf_counter() - started)
        for stage, seconds in engine.retriever.timings.items():
            stages.setdefault(stage, []).append(seconds)
    engine = Engine(index, encoder)
    for question in questions:
        started = time.perf_counter()
        engine.ask(question)
        asks.append(time.perf_counter() - started)
    repeats = []
    for question in questions:
        started = time.perf_counter()
        engine.ask(question)
        repeats.append(time.perf_counter() - started)
    print(f"\nwarm queries: {len(questions)} (gold set)")
    for stage, values in stages.items():
        print(f"  {stage:<18} {percentiles(values)}")
    print(f"  {'search total':<18} {percentiles(totals)}")
    print(f"  {'ask (answer)':<18} {percentiles(asks)}")
    print(f"  {'ask, asked before':<18} {percentiles(repeats)}   (query vector remembered)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory (RSS)     {peak:7.0f} MiB")


if __name__ == "__main__":
    main()
