"""The index in `index/`: clause store, FAISS vectors, BM25, and a manifest that says
what they were built from.

Each build goes to a folder of its own, and `index/CURRENT` is switched to it with one
atomic rename, so a crash mid-build leaves the previous index serving. The manifest
records the corpus fingerprint, the model identity and every file's sha256: an index
whose corpus or model changed is stale, one whose files changed is corrupted, and
either is rebuilt.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import platform
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

import bm25s
import faiss
import numpy as np

from . import model as embedding_model
from .corpus import DEFAULT_CORPUS, PROJECT_DIR, Corpus, fingerprint, load_corpus
from .glossary import GLOSSARY_FILE, load_glossary
from .parsing import Clause, Document, sentences
from .tokenizing import Tokenizer, tokenizer_for

DEFAULT_INDEX = PROJECT_DIR / "index"
FORMAT = 3
# What load and staleness read from a manifest; one without them is rebuilt, not trusted.
MANIFEST_KEYS = {"format", "corpus", "model", "glossary", "files", "documents", "clauses"}
EXACT_UP_TO = 200_000
LIBRARIES = ("sentence-transformers", "transformers", "torch", "faiss-cpu", "bm25s", "jieba")


class IndexUnusable(RuntimeError):
    """The index is missing, stale or corrupted; the message says which."""


@dataclass
class Index:
    folder: Path
    manifest: dict
    clauses: list[Clause]
    documents: list[Document]
    vectors: faiss.Index
    bm25: bm25s.BM25
    tokenizer: Tokenizer
    sentences: list[tuple[int, str]]
    sentence_vectors: np.ndarray

    @property
    def cities(self) -> list[str]:
        return list(dict.fromkeys(c.city for c in self.clauses))


def index_text(clause: Clause) -> str:
    """What is embedded and searched for a clause: its place and headings give context,
    and the 牵头单位 that governs it is named even when the note stands elsewhere."""
    parts = [clause.city, *clause.path, clause.text]
    if clause.kind == "notice":
        parts.append("发文字号 文号 发文机关 印发 成文日期 通知")
    if clause.lead_units and clause.note_clause_id != clause.clause_id:
        parts.append("牵头单位：" + "、".join(clause.lead_units))
    return "｜".join(parts)


def dense_index(vectors: np.ndarray, exact_up_to: int = EXACT_UP_TO) -> faiss.Index:
    """Exact inner product up to EXACT_UP_TO vectors, HNSW beyond. bench/scale.py measured
    exact search at 100,000 clauses at 25 ms a query (a quarter of embedding the question)
    while HNSW32 lost 6% of recall@10 there, so exactness is kept this far."""
    if len(vectors) <= exact_up_to:
        index = faiss.IndexFlatIP(vectors.shape[1])
    else:
        index = faiss.IndexHNSWFlat(vectors.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction, index.hnsw.efSearch = 80, 128
    index.add(vectors)
    return index


def lexicon(clauses: list[Clause]) -> list[str]:
    """Words jieba must keep whole: units, titles and the glossary's Chinese terms."""
    words = {u for c in clauses for u in c.lead_units + c.responsible_units}
    words |= {c.title for c in clauses if c.kind in ("action", "project") and len(c.title) <= 20}
    words |= set(load_glossary().english)
    return sorted(words)


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): _sha256(p)
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "manifest.json"}


@contextmanager
def _one_build_at_a_time(index_dir: Path):
    """Hold the index folder's lock: a second build waits, instead of removing the first
    one's staging folder as an abandoned build's."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def build(corpus: Corpus, index_dir: Path = DEFAULT_INDEX, encoder=None, progress: bool = True) -> Path:
    """Encode every clause and write a complete new index, then switch CURRENT to it."""
    if not corpus.clauses:
        raise IndexUnusable("no clauses to index: " + ("; ".join(corpus.problems) or "the corpus is empty"))
    target, model_id = embedding_model.resolve()
    encoder = encoder or embedding_model.load()
    with _one_build_at_a_time(index_dir):
        return _build(corpus, index_dir, encoder, target, model_id, progress)


def _build(corpus: Corpus, index_dir: Path, encoder, target: str, model_id: str, progress: bool) -> Path:
    started = time.perf_counter()
    build_id = time.strftime("build-%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
    staging = index_dir / f".{build_id}.tmp"
    staging.mkdir()
    try:
        texts = [index_text(c) for c in corpus.clauses]
        parts = [(row, s) for row, c in enumerate(corpus.clauses) for s in sentences(c.text)]
        keys = [_key(t) for t in texts + [s for _, s in parts]]
        encoded, reused = _encode(texts + [s for _, s in parts], keys, _reusable(index_dir, model_id),
                                  encoder, progress)
        vectors, sentence_vectors = encoded[: len(texts)], encoded[len(texts):]
        faiss.write_index(dense_index(vectors), str(staging / "dense.faiss"))
        np.save(staging / "sentences.npy", sentence_vectors)
        (staging / "sentences.json").write_text(json.dumps(parts, ensure_ascii=False), encoding="utf-8")

        words = lexicon(corpus.clauses)
        tokenizer = tokenizer_for(tuple(words))
        bm25 = bm25s.BM25()
        bm25.index([tokenizer(t) or ["∅"] for t in texts], show_progress=False)
        bm25.save(str(staging / "bm25"), show_progress=False)
        (staging / "embedded.json").write_text(json.dumps(keys))
        (staging / "lexicon.txt").write_text("\n".join(words), encoding="utf-8")
        (staging / "documents.json").write_text(
            json.dumps([asdict(d) for d in corpus.documents], ensure_ascii=False, indent=1), encoding="utf-8")
        with open(staging / "clauses.jsonl", "w", encoding="utf-8") as handle:
            for clause in corpus.clauses:
                handle.write(json.dumps(clause.to_dict(), ensure_ascii=False) + "\n")
        manifest = {
            "format": FORMAT,
            "corpus": fingerprint(corpus.folder),
            "model": model_id,
            "model_path": target,
            "glossary": _glossary_hash(),
            "dim": int(vectors.shape[1]),
            "clauses": len(corpus.clauses),
            "documents": [d.file for d in corpus.documents],
            "problems": corpus.problems,
            "versions": library_versions(),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "build_seconds": round(time.perf_counter() - started, 1),
            "reused_vectors": reused,
            "files": _files(staging),
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
        final = index_dir / build_id
        staging.rename(final)
        pointer = index_dir / ".CURRENT.tmp"
        pointer.write_text(build_id)
        os.replace(pointer, index_dir / "CURRENT")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for old in index_dir.iterdir():
        if old.is_dir() and old.name != build_id:
            shutil.rmtree(old, ignore_errors=True)
    return final


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _reusable(index_dir: Path, model_id: str) -> dict[str, np.ndarray]:
    """Vectors of the current index (clauses and sentences), by text hash, if it is intact
    and from the same model."""
    try:
        current = load(index_dir)
        keys = json.loads((current.folder / "embedded.json").read_text())
    except (IndexUnusable, OSError, ValueError):
        return {}
    if current.manifest["model"] != model_id:
        return {}
    stored = np.concatenate([current.vectors.reconstruct_n(0, current.vectors.ntotal), current.sentence_vectors])
    return dict(zip(keys, stored))


def _encode(texts: list[str], keys: list[str], known: dict[str, np.ndarray], encoder,
            progress: bool) -> tuple[np.ndarray, int]:
    """Embed the texts, re-using known vectors: a refresh encodes only what changed.
    Returns the vectors and how many were re-used."""
    missing = [i for i, key in enumerate(keys) if key not in known]
    fresh = {}
    if missing:
        encoded = encoder.encode_document([texts[i] for i in missing], batch_size=16, show_progress_bar=progress,
                                          convert_to_numpy=True, normalize_embeddings=True)
        fresh = {keys[i]: vector for i, vector in zip(missing, encoded)}
    vectors = np.stack([fresh[k] if k in fresh else known[k] for k in keys])
    return np.ascontiguousarray(vectors, dtype="float32"), len(texts) - len(missing)


def load(index_dir: Path = DEFAULT_INDEX) -> Index:
    """Read the current index, checking every file against the manifest."""
    pointer = index_dir / "CURRENT"
    if not pointer.exists():
        raise IndexUnusable(f"no index in {index_dir}")
    folder = index_dir / pointer.read_text().strip()
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError) as err:
        raise IndexUnusable(f"the index manifest is unreadable ({err})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise IndexUnusable("the index was written by another version of this project")
    if not MANIFEST_KEYS <= set(manifest) or not isinstance(manifest["files"], dict):
        raise IndexUnusable("the index manifest is incomplete")
    actual = _files(folder)
    changed = sorted(set(manifest["files"]) ^ set(actual)
                     | {f for f in actual if manifest["files"].get(f) != actual[f]})
    if changed:
        raise IndexUnusable(f"the index is corrupted: {', '.join(changed)} changed since it was built")
    with open(folder / "clauses.jsonl", encoding="utf-8") as handle:
        clauses = [Clause.from_dict(json.loads(line)) for line in handle]
    words = (folder / "lexicon.txt").read_text(encoding="utf-8").split("\n")
    return Index(
        folder=folder,
        manifest=manifest,
        clauses=clauses,
        documents=[Document(**d) for d in json.loads((folder / "documents.json").read_text(encoding="utf-8"))],
        vectors=faiss.read_index(str(folder / "dense.faiss")),
        bm25=bm25s.BM25.load(str(folder / "bm25"), show_progress=False),
        tokenizer=tokenizer_for(tuple(words)),
        sentences=[tuple(p) for p in json.loads((folder / "sentences.json").read_text(encoding="utf-8"))],
        sentence_vectors=np.load(folder / "sentences.npy"),
    )


def _glossary_hash() -> str:
    return _sha256(GLOSSARY_FILE) if GLOSSARY_FILE.exists() else ""


def staleness(index: Index, corpus_dir: Path) -> str | None:
    """Why the index no longer matches the corpus, glossary or model, or None if it does."""
    if index.manifest["corpus"] != fingerprint(corpus_dir):
        return "the corpus changed since the index was built"
    if index.manifest.get("glossary") != _glossary_hash():
        return "the glossary changed since the index was built"
    _, model_id = embedding_model.resolve()
    if index.manifest["model"] != model_id:
        return f"the model changed ({index.manifest['model']} → {model_id})"
    return None


def ensure(corpus_dir: Path = DEFAULT_CORPUS, index_dir: Path = DEFAULT_INDEX,
           encoder=None, report=print) -> Index:
    """The current index, rebuilt first if it is missing, stale or corrupted."""
    try:
        index = load(index_dir)
        reason = staleness(index, Path(corpus_dir))
    except IndexUnusable as err:
        reason = str(err)
    if reason is None:
        return index
    report(f"building the index ({reason}) …")
    build(load_corpus(corpus_dir), index_dir, encoder=encoder)
    return load(index_dir)
