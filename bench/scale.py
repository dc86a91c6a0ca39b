"""Scale benchmark: how build time, index size, memory and query latency grow with the
corpus, and what approximate FAISS indexes lose in recall against exact search.

    python bench/scale.py [--sizes 10000 100000]

Synthetic clauses are made from the real ones: each joins 2-4 sentences drawn from real
clauses, so BM25 sees the corpus's own vocabulary. Encoding 100,000 clauses with
EmbeddingGemma on 2 CPU cores would take hours, so only a sample of 256 synthetic clauses
is encoded for real, to measure the encoding rate and project the encode time at each
size; the vectors indexed are the normalised sum of the real vectors of the clauses their
sentences came from, plus noise (no smaller model stands in). Queries are the gold
questions, embedded for real. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bm25s  # noqa: E402
import faiss  # noqa: E402
import numpy as np  # noqa: E402

from rag import indexing, model  # noqa: E402
from rag.evaluation import load_gold  # noqa: E402


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic(index: indexing.Index, n: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    base = index.vectors.reconstruct_n(0, index.vectors.ntotal)
    sentences = [(i, s) for i, c in enumerate(index.clauses) for s in re.findall(r"[^。；]+[。；]?", c.text) if len(s) > 8]
    texts, vectors = [], np.empty((n, base.shape[1]), dtype="float32")
    for row in range(n):
        picked = rng.sample(sentences, rng.randint(2, 4))
        texts.append("".join(s for _, s in picked))
        vector = base[[i for i, _ in picked]].sum(axis=0) + noise.normal(0, 0.05, base.shape[1])
        vectors[row] = vector / np.linalg.norm(vector)
    return texts, vectors


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def size_mib(index: faiss.Index) -> float:
    return faiss.serialize_index(index).nbytes / 2**20


def latency(fn, queries) -> str:
    times = []
    for q in queries:
        started = time.perf_counter()
        fn(q)
        times.append(1000 * (time.perf_counter() - started))
    return f"p50 {statistics.median(times):6.2f} ms  p95 {np.percentile(times, 95):6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    faiss.omp_set_num_threads(2)
    real = indexing.load()
    encoder = model.load()
    questions = [g["q"] for g in load_gold()]
    queries = encoder.encode_query(questions, convert_to_numpy=True, normalize_embeddings=True).astype("float32")
    print(f"real corpus: {len(real.clauses)} clauses; {len(questions)} real queries")
    sample, _ = synthetic(real, 256, seed=1)
    _, seconds = timed(lambda: encoder.encode_document(sample, batch_size=16, convert_to_numpy=True))
    rate = len(sample) / seconds
    print(f"EmbeddingGemma encodes {rate:.1f} synthetic clauses/s on this machine (256 encoded)\n")
    for n in args.sizes:
        print(f"== {n:,} synthetic clauses")
        before = rss_mib()
        (texts, vectors), seconds = timed(lambda: synthetic(real, n))
        print(f"  generate                      {seconds:7.1f} s")
        print(f"  encode (projected)            {n / rate:7.0f} s  = {n / rate / 3600:.1f} h at the measured rate")
        tokens, seconds = timed(lambda: [real.tokenizer(t) for t in texts])
        print(f"  jieba tokenise                {seconds:7.1f} s")
        bm25 = bm25s.BM25()
        _, seconds = timed(lambda: bm25.index(tokens, show_progress=False))
        with tempfile.TemporaryDirectory() as folder:
            bm25.save(folder, show_progress=False)
            bm25_size = sum(p.stat().st_size for p in Path(folder).iterdir()) / 2**20
        query_tokens = [real.tokenizer(q) or ["科普"] for q in questions]
        print(f"  bm25 index                    {seconds:7.1f} s  {bm25_size:7.1f} MiB  "
              f"query {latency(lambda q: bm25.get_scores([t for t in q if t in bm25.vocab_dict] or ['科普']), query_tokens)}")

        flat, seconds = timed(lambda: indexing.dense_index(vectors, exact_up_to=n))
        truth = flat.search(queries, 10)[1]
        print(f"  faiss Flat (exact)            {seconds:7.1f} s  {size_mib(flat):7.1f} MiB  "
              f"query {latency(lambda q: flat.search(q[None], 10), queries)}  recall@10 1.000")
        hnsw, seconds = timed(lambda: indexing.dense_index(vectors, exact_up_to=0))
        found = hnsw.search(queries, 10)[1]
        recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth)])
        print(f"  faiss HNSW32 (ef 128)         {seconds:7.1f} s  {size_mib(hnsw):7.1f} MiB  "
              f"query {latency(lambda q: hnsw.search(q[None], 10), queries)}  recall@10 {recall:.3f}")
        nlist = int(4 * np.sqrt(n))
        quantizer = faiss.IndexFlatIP(vectors.shape[1])
        ivf = faiss.IndexIVFFlat(quantizer, vectors.shape[1], nlist, faiss.METRIC_INNER_PRODUCT)
        _, seconds = timed(lambda: (ivf.train(vectors), ivf.add(vectors)))
        ivf.nprobe = 16
        found = ivf.search(queries, 10)[1]
        recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth)])
        print(f"  faiss IVF{nlist} (nprobe 16)     {seconds:7.1f} s  {size_mib(ivf):7.1f} MiB  "
              f"query {latency(lambda q: ivf.search(q[None], 10), queries)}  recall@10 {recall:.3f}")
        print(f"  peak memory {rss_mib():.0f} MiB (+{rss_mib() - before:.0f} MiB for this size)\n")
        del texts, vectors, tokens, bm25, flat, hnsw, ivf


if __name__ == "__main__":
    main()
