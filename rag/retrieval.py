"""Hybrid retrieval: dense (FAISS) and BM25 candidates, fused by reciprocal rank (ranx).

Query analysis first finds the language and the places a question names; a named place
restricts both retrievers to that plan. English questions reach BM25 through the
glossary's Chinese terms; when they name none, BM25 sits out rather than add noise.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import numpy as np
from ranx import Run, fuse

from .indexing import Index
from .parsing import Clause
from .places import find_places, names

MODES = ("fused", "dense", "bm25")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_QUOTED = re.compile(r"[“「『\"‘'（(]([^”」』\"’'）)]{2,30})[”」』\"’'）)]")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
# A stated amount: 15%, 300名, 两级, 五大 (not 二十大, 一大批 or 一项重要任务).
QUANTITY = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|万|亿|个|家|所|名|人|项|次|场|处|级|倍|元|年以上)|"
                      r"(?<![一二三四五六七八九十])(?:[两二三四五六七八九十][一二三四五六七八九十]*[级项成]|[三四五六七八九十]大)")


# A question for a plan's target itself ("What is Hohhot's goal?", 绥芬河的目标是什么) asks
# for the share of citizens with science literacy, which every plan states in these words.
TARGET = re.compile(r"目标|指标|target|goal|objective", re.I)
TARGET_PHRASE = "具备科学素质的比例"
FIGURE = re.compile(r"[\d.%％]+")
TARGET_WORDS = "目标 工作目标 主要目标 总体目标 指标 方案 2025年 到2025年 达到 超过"


def row_key(row: int) -> str:
    """A clause's row as ranx wants it: ASCII, one fixed width."""
    return f"{row:08d}"


INTENT_PATTERNS = (
    ("compare", r"各地|各个?(市|县|地方|方案)|哪些(城市|地方|市|县|方案)|哪几个(城市|地方|市|县|方案)|四个|四地|"
                r"多少个(城市|地方|方案)|how many (of the )?(plans|cities|places)|"
                r"对比|比较|which (cities|plans|places|of the)|(all|the|all the) (four|plans)|each (plan|city)|"
                r"compare|across|every plan|both plans|differ"),
    ("doc", r"文号|发文|字号|印发|成文|发布(时间|日期)|哪(一)?天|什么时候(发布|印发|出台)|哪个(部门|机关)(发布|印发)|"
            r"(方案|文件)的?(全称|标题|名称)|全称|完整标题|标题是|落款|document number|doc(ument)? no|issued|issuing|issuer|"
            r"publish|date of|when was|title of|full (title|name)|reference number|wenhao"),
    ("lead", r"牵头|牵.单位|谁(来)?负责|哪个(部门|单位)负责|主管|主抓|\bleads?\b|\blead (unit|department|agency|body)|"
             r"in charge|\bheads?\b|spearhead|who runs|leading (unit|department|agency|body|role)"),
    ("responsible", r"责任单位|配合|参与|协助|哪些(部门|单位)|responsib|cooperating|(units?|departments?|agencies|bodies)"
                    r" (\w+ )?(cooperate|take part|assist|support)|take part|involved in|participat|"
                    r"who (assists|helps|supports|cooperates|works with)|(which|what) (departments|units|agencies|bodies)"),
    ("number", r"多少|比例|几(个|家|项|所|次|成|级|年)|百分|%|数量|目标|how many|how much|percent|"
               r"proportion|\brate\b|share of|\d{4}\b[\w\s]{0,30}\btargets?\b|\btargets? (set|of)\b|'s (\w+ )?targets?\b|"
               r"number of|\bgoals?\b"),
)


def detect_intent(question: str) -> tuple[str, str]:
    """(intent, subject): compare questions carry what is compared (lead, number …), read
    from the rest of the question (哪几个方案 asks which plans, not how many)."""
    lowered = question.lower()
    compare, *others = INTENT_PATTERNS
    across = re.search(compare[1], lowered)
    rest = re.sub(compare[1], " ", lowered)
    found = [name for name, pattern in others if re.search(pattern, rest)]
    subject = next(iter(found), "general")
    return ("compare" if across else subject), subject


@dataclass
class Query:
    text: str
    language: str
    places: list[str]
    tokens: list[str] = field(default_factory=list)
    intent: str = "general"
    subject: str = "general"
    phrases: list[str] = field(default_factory=list)
    target: bool = False


@dataclass
class Hit:
    clause: Clause
    score: float
    rank: int
    ranks: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {**self.clause.to_dict(), "score": round(float(self.score), 6), "rank": self.rank,
                "ranks": self.ranks}


def find_phrases(question: str, language: str) -> list[str]:
    """Terms a question asks for verbatim: Chinese in quotes or brackets, and any Chinese
    an English question carries (the plans' own words)."""
    quoted = [run for inner in _QUOTED.findall(question) for run in _CJK_RUN.findall(inner)]
    own = _CJK_RUN.findall(question) if language == "en" else []
    return list(dict.fromkeys(quoted + own))


def detect_language(text: str) -> str:
    """'zh' when the question is mostly Chinese, else 'en'."""
    cjk, latin = len(_CJK.findall(text)), len(_LATIN.findall(text))
    return "zh" if cjk and cjk * 3 >= latin else "en"


class Retriever:
    """Question → the best-matching clauses. Constructor arguments are the whole config."""

    def __init__(self, index: Index, encoder, mode: str = "fused", place_filter: bool = True,
                 depth: int = 50, rrf_k: int = 60):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.index, self.encoder = index, encoder
        self.mode, self.place_filter, self.depth, self.rrf_k = mode, place_filter, depth, rrf_k
        self.by_id = {c.clause_id: c for c in index.clauses}
        self._row = {c.clause_id: i for i, c in enumerate(index.clauses)}
        self._items: dict[str, list[Clause]] = {}
        for clause in index.clauses:
            if clause.kind == "item":
                self._items.setdefault(clause.parent_id, []).append(clause)
        self._vocab = set(index.bm25.vocab_dict)
        self._titles = {c.title for c in index.clauses if c.kind in ("action", "project")}
        self._target_words = {t for text in [TARGET_WORDS] + [n for c in index.cities for n in names(c)]
                              for t in index.tokenizer(text)}
        self.timings: dict[str, float] = {}
        self.last_query: Query | None = None
        self.last_vector: np.ndarray | None = None
        self._vectors: dict[str, np.ndarray] = {}
        self._warm()

    def _warm(self) -> None:
        """ranx compiles its fusion on first use (seconds); pay that at start, not per query."""
        self.fuse({"a": {self.index.clauses[0].clause_id: 1.0}, "b": {self.index.clauses[0].clause_id: 1.0}})

    def analyse(self, question: str, place: str | None = None) -> Query:
        language = detect_language(question)
        places = [place] if place else find_places(question, self.index.cities)
        tokens = [t for t in self.index.tokenizer.query(question, english=language == "en")
                  if t in self._vocab]
        intent, subject = detect_intent(question)
        if intent == "compare" and len(places) == 1:
            intent = subject
        elif len(places) > 1:
            intent = "compare"  # two plans named: each is asked in turn
        target = (subject == "number" and bool(TARGET.search(question))
                  and {t for t in tokens if not FIGURE.fullmatch(t)} <= self._target_words)
        phrases = find_phrases(question, language) + ([TARGET_PHRASE] if target else [])
        if intent == "compare":  # a plan has an action or project named so, or it has no row
            phrases += [t for t in tokens if t in self._titles and t not in phrases]
        return Query(question, language, places, tokens, intent, subject, phrases, target)

    def _allowed(self, query: Query) -> np.ndarray | None:
        if not (self.place_filter and query.places):
            return None
        return np.array([c.city in query.places for c in self.index.clauses])

    def embed(self, query: Query, remember: int = 256):
        """The question's vector; recent ones are kept, since a question across plans is
        searched once per plan, and people ask the same things."""
        if query.text not in self._vectors:
            if len(self._vectors) >= remember:
                self._vectors.pop(next(iter(self._vectors)))
            self._vectors[query.text] = self.encoder.encode_query(
                [query.text], convert_to_numpy=True, normalize_embeddings=True)
        return self._vectors[query.text]

    def dense(self, vector, allowed) -> dict[str, float]:
        scores, rows = self.index.vectors.search(np.asarray(vector, dtype="float32"), self.index.vectors.ntotal)
        hits = [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0 and (allowed is None or allowed[r])]
        return {self.index.clauses[r].clause_id: s for r, s in hits[: self.depth]}

    def lexical(self, query: Query, allowed) -> dict[str, float]:
        if not query.tokens:
            return {}
        scores = self.index.bm25.get_scores(query.tokens)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        top = np.argsort(-scores)[: self.depth]
        return {self.index.clauses[r].clause_id: float(scores[r]) for r in top if scores[r] > 0}

    def fuse(self, runs: dict[str, dict[str, float]]) -> dict[str, float]:
        """Reciprocal-rank fusion by ranx. Runs are keyed by fixed-width row numbers: numba,
        under ranx, recompiles whenever the ids' length or script changes (seconds a query)."""
        present = {name: run for name, run in runs.items() if run}
        if len(present) < 2:
            return next(iter(present.values()), {})
        by_row = [Run({"q": {row_key(self._row[cid]): s for cid, s in run.items()}}, name=name)
                  for name, run in present.items()]
        fused = fuse(by_row, method="rrf", params={"k": self.rrf_k})
        return {self.index.clauses[int(row)].clause_id: s for row, s in fused["q"].items()}

    def tiers(self, clause_ids, query: Query) -> dict[str, int]:
        """What a question asks for by its form, counted per clause: each verbatim term the
        clause contains; for a question about the document itself, being its notice; for
        numbers compared across plans, stating an amount (a plan's goal, not its preamble)."""
        doc = query.subject == "doc"
        amounts = query.subject == "number" and query.intent == "compare"
        return {cid: sum(p in self.by_id[cid].text for p in query.phrases)
                + (doc and self.by_id[cid].kind == "notice")
                + (amounts and bool(QUANTITY.search(self.by_id[cid].text))) for cid in clause_ids}

    def governors(self, clause: Clause) -> list[Clause]:
        """The clauses that name who governs a clause: its action or project, and the note
        that states their units (or, where a plan sets units item by item, those items)."""
        block = clause if clause.kind in ("action", "project") else self.by_id.get(clause.parent_id or "")
        if block is None or block.kind not in ("action", "project"):
            return []
        note = self.by_id.get(block.note_clause_id or "")
        return [block, note] if note else [block] + self._items.get(block.clause_id, [])

    def expand(self, ranked: list[tuple[str, float]], governors_first: bool = False) -> list[tuple[str, float]]:
        """Who-leads / who-is-responsible questions are answered by the action and its note,
        wherever a hit stands in it: each hit brings its governors along, just below it (or,
        for a question across plans, which asks about whole actions, just above it)."""
        out: dict[str, float] = {}
        for cid, score in ranked:
            clause, governors = self.by_id[cid], self.governors(self.by_id[cid])
            for member in (governors + [clause] if governors_first else [clause] + governors):
                out.setdefault(member.clause_id, score)
        return list(out.items())

    def spread(self, ranked: list[tuple[str, float]], tier: dict[str, int]) -> list[tuple[str, float]]:
        """A question across plans wants every plan's best clauses near the top: take the
        plans' ranked lists in turn, best plan first; clauses with more of the verbatim
        terms (a higher tier) go before all others."""
        turns = []
        for level in sorted(set(tier.values()), reverse=True):
            by_city: dict[str, list[tuple[str, float]]] = {}
            for item in ranked:
                if tier[item[0]] == level:
                    by_city.setdefault(self.by_id[item[0]].city, []).append(item)
            turns += [lst[i] for i in range(max(map(len, by_city.values()), default=0))
                      for lst in by_city.values() if i < len(lst)]
        return [(cid, 1.0 / (i + 1)) for i, (cid, _) in enumerate(turns)]

    def search(self, question: str, k: int = 10, place: str | None = None) -> list[Hit]:
        timings = {}
        started = time.perf_counter()
        query = self.analyse(question, place)
        allowed = self._allowed(query)
        timings["analysis"] = time.perf_counter() - started
        runs: dict[str, dict[str, float]] = {}
        if self.mode in ("fused", "dense"):
            mark = time.perf_counter()
            vector = self.embed(query)
            self.last_vector = vector[0]
            timings["embed"] = time.perf_counter() - mark
            mark = time.perf_counter()
            runs["dense"] = self.dense(vector, allowed)
            timings["dense"] = time.perf_counter() - mark
        if self.mode in ("fused", "bm25"):
            mark = time.perf_counter()
            runs["bm25"] = self.lexical(query, allowed)
            timings["bm25"] = time.perf_counter() - mark
        mark = time.perf_counter()
        scores = self.fuse(runs)
        timings["fusion"] = time.perf_counter() - mark
        self.timings, self.last_query = timings, query
        tier = self.tiers(scores, query)
        ranked = sorted(((cid, s + tier[cid]) for cid, s in scores.items()), key=lambda item: -item[1])
        across = query.intent == "compare" and len(query.places) != 1
        if query.subject in ("lead", "responsible"):
            ranked = self.expand(ranked, governors_first=across)
        if across:
            ranked = self.spread(ranked, {cid: tier.get(cid, 0) for cid, _ in ranked})
        ranked = ranked[:k]
        positions = {name: {cid: i + 1 for i, cid in enumerate(sorted(run, key=lambda c: -run[c]))}
                     for name, run in runs.items()}
        return [Hit(self.by_id[cid], score, i + 1,
                    {name: pos[cid] for name, pos in positions.items() if cid in pos})
                for i, (cid, score) in enumerate(ranked)]
