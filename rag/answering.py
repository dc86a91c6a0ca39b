"""Answers with exact citations: check → analyse → retrieve → compose → cite.

Answers are extractive or read from parsed fields, never generated: a 牵头单位 comes
from the note that governs the clause, a number from the sentence that states it.
Each citation is a retrieved clause, and each quote carries the offsets at which it
stands, verbatim, in the corpus file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import jieba.posseg
import numpy as np

from . import indexing
from . import model as embedding_model
from .corpus import DEFAULT_CORPUS, read_text
from .glossary import load_glossary
from .parsing import Clause, Document
from .places import english_name, find_places, is_pinyin_name, names
from .retrieval import QUANTITY, Hit, Retriever, detect_intent, detect_language
from .units import parse_note

MAX_QUESTION = 2000
# Control characters, zero-width marks, and lone surrogates (bytes that were not UTF-8).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\ufeff\ud800-\udfff]")
_RAW_GAP = r"(?:\s|\*\*|\[bookmark: _GoBack\])*"

# Places that may appear in a question about these plans without naming another plan.
GENERIC_PLACES = {"中国", "全国", "国家", "我国", "城乡", "乡村", "农村", "社区", "基层", "全市", "全县", "省",
                  "市", "县", "区", "国内", "国际", "世界", "全球"}
# Words a question uses about a plan itself, not about a topic the plan must cover.
META_WORDS = {"全称", "标题", "名称", "名字", "号码", "落款", "文号", "字号", "日期", "时间", "时候", "方案",
              "规定", "要求", "安排", "目标", "单位", "部门", "内容", "情况", "措施", "计划", "文件", "地方",
              "城市", "方面", "比例", "数量", "问题", "意思", "东西", "哪些", "什么"}
OTHER_PLACES_EN = (
    "beijing shanghai tianjin chongqing guangzhou shenzhen changsha wuhan chengdu hangzhou nanjing "
    "xian harbin taiyuan jincheng mudanjiang zhuzhou baotou ordos shenyang dalian qingdao jinan "
    "zhengzhou hefei fuzhou xiamen kunming guiyang nanning lanzhou urumqi lhasa xining yinchuan "
    "shijiazhuang changchun nanchang haikou macau taipei heilongjiang hunan shanxi hulunbuir xilinhot "
    "ulanqab kashgar shaanxi guangdong jiangsu zhejiang sichuan yunnan tokyo london paris"
).split() + ["hong kong", "inner mongolia", "new york"]

# Where an English question may name a place no list holds: a capitalised word past the
# first, or a word after in / for / from / at; pinyin there is taken as a place (Suzhou, Xi'an).
_CAPITALISED = re.compile(r"(?<=\S )([A-Z][a-z]+(?:['’](?!s\b)[a-z]+)?)")
_AFTER_PREPOSITION = re.compile(r"\b(?:in|for|from|at) ([a-z]+(?:['’](?!s\b)[a-z]+)?)")


# Amounts a question may ask for (money; a count of people, and which people), and how a
# plan states one. The plans give no sums of money and few head counts: a question for one
# is answered only where a plan states one, of those people, never with another figure.
_PEOPLE = (r"people|persons|volunteers?|teachers?|counsell?ors?|instructors?|staff|members?|participants?|"
           r"trainees?|experts?|workers?|visitors?")
AMOUNT_QUESTIONS = (
    ("money", re.compile(r"\byuan\b|how much (money|funding)|(amount|sum) of (money|funding)|多少钱|多少[万亿]?元|"
                         r"[万亿]元|(funding|spending|investment|budget) (standard|amount|level|figure)|经费标准", re.I)),
    ("people", re.compile(rf"how many (?P<what>(?:[\w'-]+ ){{0,2}}(?:{_PEOPLE}))\b", re.I)),
    ("people", re.compile(r"多少(?:名|位|人次|个)?(?P<what>[\u4e00-\u9fff]{0,6}?(?:志愿者|辅导员|教师|人员|专家|会员|"
                          r"人才|学员|观众|人))")),
)
# A plan's target is a share ("比例超过15%"): a question for the target is answered by one.
PERCENT = re.compile(r"\d+(?:\.\d+)?\s*[%％]")
AMOUNT_STATED = {"money": re.compile(r"\d+(?:\.\d+)?\s*[万亿]?元"),
                 "people": re.compile(r"\d+(?:\.\d+)?\s*万?(?:名|人次|人|位)")}
AMOUNT_NAMES = {"en": {"money": "sum of money", "people": "number of people"}, "zh": {"money": "金额", "people": "人数"}}

# Why an answer abstains: another place, words no plan uses, an amount no plan states,
# nothing close; then a pointer.
ABSTAIN = {
    "en": ("The corpus has no plan for {others}; it covers {plans} only.",
           "None of the plans ({plans}) mentions {unknown}.",
           "The plans ({plans}) state no {amount} for this.",
           "None of the plans ({plans}) covers this question.",
           " The nearest clauses are shown with the sources; they do not answer it."),
    "zh": ("语料中没有{others}的方案，只有{plans}的方案。",
           "{plans}的方案均未提到{unknown}。",
           "{plans}的方案均未给出这方面的{amount}。",
           "{plans}的方案均未涉及这个问题。",
           "最接近的条款列在来源中，仅供参考，并不回答该问题。"),
}


@dataclass
class Quote:
    clause_id: str
    text: str
    start: int
    end: int

    def to_dict(self) -> dict:
        return {"clause_id": self.clause_id, "text": self.text, "start": self.start, "end": self.end}


@dataclass
class Answer:
    question: str
    text: str
    answerable: bool
    language: str = "zh"
    intent: str = "general"
    places: list[str] = field(default_factory=list)
    citations: list[Clause] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    retrieved: list[str] = field(default_factory=list)
    table: list[dict] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    message: str = ""

    def to_dict(self) -> dict:
        scores = {h.clause.clause_id: h.score for h in self.hits}
        return {
            "question": self.question,
            "answer": self.text,
            "answerable": self.answerable,
            "language": self.language,
            "intent": self.intent,
            "places": self.places,
            "message": self.message,
            "citations": [{**c.to_dict(), "ref": n, "score": round(float(scores.get(c.clause_id, 0.0)), 6)}
                          for n, c in enumerate(self.citations, 1)],
            "quotes": [q.to_dict() for q in self.quotes],
            "table": self.table,
            "units": self.units,
            "hits": [h.to_dict() for h in self.hits],
            "retrieved": self.retrieved,
        }


@dataclass
class SearchResult:
    question: str
    hits: list[Hit]
    message: str = ""

    def to_dict(self) -> dict:
        return {"question": self.question, "message": self.message, "hits": [h.to_dict() for h in self.hits]}


def check_question(question) -> tuple[str, str]:
    """(the question to use, a message for the user or ''). Never raises."""
    text = _CONTROL.sub(" ", "" if question is None else str(question)).strip()
    if not text:
        return "", "Please type a question. 请输入问题。"
    if len(text) > MAX_QUESTION:
        return text[:MAX_QUESTION], (f"The question was {len(text):,} characters long; only the first "
                                     f"{MAX_QUESTION:,} were used. 问题过长，仅使用前{MAX_QUESTION}个字符。")
    return text, ""


def is_unit_note(sentence: str) -> bool:
    """A sentence that only names units, such as （责任单位：市科协、市教育局）."""
    inner = re.fullmatch(r"\s*[（(](.+)[）)]\s*[。；;]?\s*", sentence)
    return bool(inner and parse_note(inner.group(1)))


def locate(source: str, clause: Clause, sentence: str) -> tuple[int, int]:
    """Offsets of a sentence of a clause's clean text inside the raw source span."""
    span = source[clause.start:clause.end]
    at = span.find(sentence)
    if at < 0:
        pattern = _RAW_GAP.join(re.escape(ch) for ch in sentence if not ch.isspace())
        match = re.search(pattern, span)
        if not match:
            return clause.start, clause.end
        return clause.start + match.start(), clause.start + match.end()
    return clause.start + at, clause.start + at + len(sentence)


class Engine:
    """The question-answering pipeline; each step is a small method."""

    def __init__(self, index: indexing.Index, encoder, corpus_dir: Path = DEFAULT_CORPUS,
                 min_similarity: float = 0.36, min_similarity_unknown_words: float = 0.42, k: int = 10,
                 row_ratio: float = 0.75):
        self.index, self.encoder, self.corpus_dir = index, encoder, Path(corpus_dir)
        self.retriever = Retriever(index, encoder)
        self.min_similarity, self.min_similarity_unknown_words = min_similarity, min_similarity_unknown_words
        self.k, self.row_ratio = k, row_ratio
        self.by_id = {c.clause_id: c for c in index.clauses}
        self._items: dict[str, list[Clause]] = {}
        for clause in index.clauses:
            if clause.kind == "item":
                self._items.setdefault(clause.parent_id, []).append(clause)
        self._sentences: dict[str, list[int]] = {}
        for i, (row, _) in enumerate(index.sentences):
            self._sentences.setdefault(index.clauses[row].clause_id, []).append(i)
        self.by_doc = {d.doc_id: d for d in index.documents}
        self.documents: dict[str, Document] = {}  # each place's first plan: its facts answer 文号 questions
        for doc in index.documents:
            self.documents.setdefault(doc.city, doc)
        self.glossary = load_glossary()
        self._sources: dict[str, str] = {}
        self._corpus_text = "".join(c.text for c in index.clauses)
        self._place_names = {n for city in self.documents for n in names(city)}
        self._english_words = self.glossary.words() | {"china"}
        self._english_place_words = {w for n in self._place_names if n.isascii() for w in re.findall(r"[a-z]+", n.lower())}

    @classmethod
    def open(cls, corpus_dir: Path = DEFAULT_CORPUS, index_dir: Path = indexing.DEFAULT_INDEX, report=print):
        encoder = embedding_model.load()
        index = indexing.ensure(corpus_dir, index_dir, encoder=encoder, report=report)
        for problem in index.manifest.get("problems", []):  # on every start, not just the build's
            report(f"warning: {problem}")
        return cls(index, encoder, corpus_dir)

    # -- steps -------------------------------------------------------------------------
    def source(self, file: str) -> str:
        if file not in self._sources:
            self._sources[file] = read_text(self.corpus_dir / file)
        return self._sources[file]

    def other_places(self, question: str) -> list[str]:
        """Places a question names that are none of the plans' places."""
        ours = {n.lower() for n in self._place_names}
        found = [w for w, flag in jieba.posseg.lcut(question)
                 if flag == "ns" and len(w) >= 2 and w not in GENERIC_PLACES
                 and not any(w in n or n in w for n in ours if not n.isascii())]
        lowered = question.lower()
        found += [p for p in OTHER_PLACES_EN if re.search(rf"\b{p}\b", lowered) and p not in ours]
        spelt = {w.lower() for w in _CAPITALISED.findall(question) + _AFTER_PREPOSITION.findall(question)}
        found += sorted(w for w in spelt if is_pinyin_name(w) and re.sub(r"['’]", "", w) not in ours
                        and w not in self._english_words and w not in found)
        return found

    def unknown_terms(self, question: str) -> list[str]:
        """Content words of a question that no plan uses, nor any two-character part of them
        (房价, 足球场, 2030年): the question is about something the plans do not cover."""
        unknown = [y for y in re.findall(r"(?<!\d)(?:19|20)\d{2}(?!\d)", question) if y not in self._corpus_text]
        for word, flag in jieba.posseg.lcut(question):
            if (len(word) < 2 or not re.fullmatch(r"[\u4e00-\u9fff]+", word) or not flag.startswith(("n", "vn"))
                    or word in META_WORDS or word in self._place_names or flag == "ns"):
                continue
            parts = {word[i:i + 2] for i in range(len(word) - 1)}
            if word not in self._corpus_text and not any(p in self._corpus_text for p in parts):
                unknown.append(word)
        return unknown

    def unstated_amount(self, question: str, clauses: list[Clause]) -> str | None:
        """The kind of amount a question asks for (money, people) when none of the clauses
        it may be answered from states one; for people, one that also names who is counted
        (the head noun: 志愿者 in "how many science volunteers")."""
        for kind, asks in AMOUNT_QUESTIONS:
            match = asks.search(question)
            if not match:
                continue
            what = match.groupdict().get("what") or ""
            terms = [t for t in self.glossary.to_chinese(what) if not t[0].isdigit()] if what.isascii() else [what]
            head = terms[-1] if terms else ""
            if not any(AMOUNT_STATED[kind].search(c.text) and head in c.text for c in clauses):
                return kind
        return None

    def city_of(self, place: str | None) -> str | None:
        """The plan's city a place filter names by any of its names (呼和浩特市, hohhot, 呼市)."""
        return next(iter(find_places(place or "", list(self.documents))), None)

    def place_filter(self, question: str, place: str | None) -> tuple[str | None, str]:
        """(the city to restrict to, a message): a question that names other plans than the
        filter is answered for the plans it names, and says so; an unknown place is refused."""
        if not place:
            return None, ""
        city = self.city_of(place)
        if city is None:
            plans = "、".join(self.documents)
            raise ValueError(f"No plan for the place {place!r}; the plans are {plans}. 没有该地的方案。")
        named = find_places(question, list(self.documents))
        if named and city not in named:
            return None, (f"The question names {', '.join(map(english_name, named))}, so the place filter "
                          f"({english_name(city)}) was set aside. 问题指明了{'、'.join(named)}，未按所选地方筛选。")
        return city, ""

    def search(self, question: str, k: int | None = None, place: str | None = None) -> SearchResult:
        text, message = check_question(question)
        if not text:
            return SearchResult("", [], message)
        try:
            city, note = self.place_filter(text, place)
        except ValueError as err:
            return SearchResult(text, [], str(err))
        message = " ".join(filter(None, [message, note]))
        return SearchResult(text, self.retriever.search(text, k=k or self.k, place=city), message)

    def ask(self, question: str, place: str | None = None) -> Answer:
        text, message = check_question(question)
        if not text:
            return Answer("", message, False, message=message)
        try:
            city, note = self.place_filter(text, place)
        except ValueError as err:
            return Answer(text, str(err), False, detect_language(text), message=str(err))
        message = " ".join(filter(None, [message, note]))
        language = detect_language(text)
        candidates = self.retriever.search(text, k=self.retriever.depth, place=city)
        query = self.retriever.last_query
        intent, subject = query.intent, query.subject
        answer = Answer(text, "", True, language, intent, list(query.places),
                        hits=candidates[: self.k], retrieved=[h.clause.clause_id for h in candidates],
                        message=message)
        others = self.other_places(text) if not query.places else []
        unknown = self.unknown_terms(text) if intent != "doc" else []
        off_topic = intent not in ("compare", "doc") and self._similarity(query.places) < self._floor(text, query)
        amount = self.unstated_amount(text, [h.clause for h in candidates])
        if others or unknown or amount or off_topic or not candidates:
            return self.abstain(answer, others, unknown, amount)
        if intent == "compare" or (intent == "doc" and not query.places):
            return self.compare(answer, subject if intent == "compare" else "doc")
        compose = {"lead": self.units, "responsible": self.units, "doc": self.doc}.get(intent, self.extract)
        return compose(answer, candidates, intent)

    def _floor(self, question: str, query) -> float:
        """How close to some clause a question must come to be answered. Similarity across
        languages runs low, so English leans on the glossary: a question every topic word of
        which it translates is covered ("What are Xiangtan's targets?" scores 0.29 against its
        own clause); one with topic words but no term it knows rests on similarity alone and
        must come closer (football questions score 0.36–0.40; the one such gold question that
        the plans answer, on Suifenhe's provincial document, 0.46)."""
        if query.language != "en":
            return self.min_similarity
        uncovered = self.glossary.uncovered(question, self._english_place_words)
        if query.tokens and not uncovered:
            return 0.0
        return self.min_similarity_unknown_words if uncovered and not query.tokens else self.min_similarity

    def _similarity(self, places: list[str]) -> float:
        """Best dense similarity of the question just searched to any clause it may be
        answered by (re-using the retriever's query vector)."""
        vector = self.retriever.last_vector
        scores, rows = self.index.vectors.search(np.asarray(vector, dtype="float32")[None], 20)
        allowed = [s for s, r in zip(scores[0], rows[0]) if r >= 0 and (not places or self.index.clauses[r].city in places)]
        return float(max(allowed, default=0.0))

    # -- composition -------------------------------------------------------------------
    def cite(self, answer: Answer, clause: Clause, sentence: str | None = None) -> int:
        """Number of a clause among the answer's citations, adding it (and a quote) if new."""
        if clause.clause_id not in answer.retrieved:
            answer.retrieved.append(clause.clause_id)
        if clause not in answer.citations:
            answer.citations.append(clause)
        quoted = sentence or clause.text
        if not any(q.clause_id == clause.clause_id and q.text == quoted for q in answer.quotes):
            start, end = locate(self.source(clause.file), clause, quoted)
            answer.quotes.append(Quote(clause.clause_id, quoted, start, end))
        return answer.citations.index(clause) + 1

    def gloss(self, name: str, language: str) -> str:
        if language != "en":
            return name
        english = self.glossary.gloss(name)
        return f"{name} ({english})" if english else name

    def _units_of(self, clause: Clause, intent: str) -> list[str]:
        return clause.lead_units if intent == "lead" else clause.responsible_units

    def governing(self, hits: list[Hit], intent: str, question: str) -> Clause | None:
        """The clause whose units answer the question: the best hit that carries them, lifted
        from a note or an item to its action unless the question names the item itself."""
        for hit in hits:
            clause = hit.clause
            if clause.kind == "notice":
                continue
            if self._units_of(clause, intent) or self._children_with(clause, intent):
                if clause.kind in ("note", "paragraph") and clause.parent_id in self.by_id:
                    return self.by_id[clause.parent_id]
                if clause.kind == "item":
                    named = [h.clause for h in hits[:5] if h.clause.kind == "item"
                             and h.clause.parent_id == clause.parent_id and self._names_item(question, h.clause)]
                    clause = named[0] if named else clause
                if clause.kind == "item" and clause.parent_id in self.by_id and not self._names_item(question, clause):
                    parent = self.by_id[clause.parent_id]
                    if parent.kind in ("action", "project") and (self._units_of(parent, intent) or self._children_with(parent, intent)):
                        return parent
                return clause
        return None

    def _names_item(self, question: str, clause: Clause) -> bool:
        """Does the question name this item rather than its action? (by shared title words)"""
        title = set(self.index.tokenizer(clause.title))
        parent = self.by_id.get(clause.parent_id)
        asked = set(self.retriever.analyse(question).tokens)
        parent_words = set(self.index.tokenizer(parent.title)) if parent else set()
        return bool(title) and len((title - parent_words) & asked) >= max(1, len(title - parent_words) // 2)

    def _children_with(self, clause: Clause, intent: str) -> list[Clause]:
        return [c for c in self._items.get(clause.clause_id, []) if self._units_of(c, intent)]

    def _unit_sentence(self, answer: Answer, clause: Clause, intent: str) -> str:
        """One line naming the units that govern a clause, with its citations."""
        units = self._units_of(clause, intent)
        answer.units = list(dict.fromkeys(answer.units + units))
        en = answer.language == "en"
        role = ("leads" if intent == "lead" else "is responsible for") if en else ("牵头" if intent == "lead" else "负责")
        head = self.cite(answer, clause, clause.text if clause.kind != "item" else None)
        refs = f"[{head}]"
        note = self.by_id.get(clause.note_clause_id or "")
        if note and note.clause_id != clause.clause_id:
            refs += f"[{self.cite(answer, note)}]"
        title = clause.title or clause.text
        names = "、".join(self.gloss(u, answer.language) for u in units) if not en else \
            "; ".join(self.gloss(u, "en") for u in units)
        if en:
            verb = role if len(units) == 1 else ("lead" if intent == "lead" else "are responsible for")
            return f"{english_name(clause.city)}: {names} {verb} {self.gloss(title, 'en')} {refs}."
        field_name = "牵头单位" if intent == "lead" else "责任单位"
        return f"{clause.city}「{title}」的{field_name}是{names}{refs}。"

    def units(self, answer: Answer, hits: list[Hit], intent: str) -> Answer:
        clause = self.governing(hits, intent, answer.question)
        if clause is None:
            return self.extract(answer, hits, intent)
        units = self._units_of(clause, intent)
        children = self._children_with(clause, intent)
        per_item = children and (not units or clause.note_clause_id is None
                                 or len({tuple(self._units_of(c, intent)) for c in children}) > 1)
        if not per_item:
            answer.text = self._unit_sentence(answer, clause, intent)
            return answer
        intro = (f"{english_name(clause.city)} sets the units item by item under {self.gloss(clause.title, 'en')}:"
                 if answer.language == "en" else f"{clause.city}「{clause.title}」按条目分别规定：")
        self.cite(answer, clause)
        lines = [intro] + ["- " + self._unit_sentence(answer, child, intent) for child in children]
        answer.text = "\n".join(lines)
        return answer

    def sentences(self, answer: Answer, hits: list[Hit], intent: str,
                  limit: int = 2) -> list[tuple[Clause, str, float]]:
        """The sentences of the best clauses closest to the question, each with its fit: its
        embedding's similarity (computed at build time) plus the share of the question's words
        it uses. An item's bare title sentence is left out when the item says more, and the
        note naming its units (who governs is the units answer's job, not a fact); a number
        question is answered by a sentence that states a quantity, where one does."""
        query, vector = self.retriever.last_query, self.retriever.last_vector
        asked = set(query.tokens) if query else set()
        candidates = []
        usable = [h for h in hits if h.clause.kind not in ("notice", "note")
                  and (h.clause.kind in ("item", "paragraph", "section") or "。" in h.clause.text)]
        for rank, hit in enumerate(usable[:4]):
            rows = [row for row in self._sentences.get(hit.clause.clause_id, [])
                    if not is_unit_note(self.index.sentences[row][1])]
            if hit.clause.kind == "item" and len(rows) > 1:
                rows = rows[1:]
            candidates += [(rank, hit.clause, row) for row in rows]
        if not candidates:
            return []
        closeness = (self.index.sentence_vectors[[c[2] for c in candidates]] @ vector if vector is not None
                     else np.zeros(len(candidates)))
        scored = []
        for (rank, clause, row), near in zip(candidates, closeness):
            sentence = self.index.sentences[row][1]
            words = set(self.index.tokenizer(sentence))
            overlap = len(words & asked) / (len(asked) or 1)
            fit = float(near) + 0.3 * overlap
            scored.append((fit - 0.06 * rank, clause, sentence, fit))
        if intent == "number" and any(QUANTITY.search(item[2]) for item in scored):
            scored = [item for item in scored if QUANTITY.search(item[2])]
        if intent == "number" and query and query.target and any(PERCENT.search(item[2]) for item in scored):
            scored = [item for item in scored if PERCENT.search(item[2])]
        scored.sort(key=lambda item: -item[0])
        return [(clause, sentence, fit) for _, clause, sentence, fit in scored[:limit]]

    def extract(self, answer: Answer, hits: list[Hit], intent: str) -> Answer:
        picked = self.sentences(answer, hits, intent, limit=1 if intent == "number" else 2)
        lines = []
        for clause, sentence, _ in picked:
            number = self.cite(answer, clause, sentence)
            if answer.language == "en":
                lines.append(f"{english_name(clause.city)} plan, {self._path_label(clause)}: “{sentence}” [{number}]")
            else:
                lines.append(f"{clause.city}（{self._path_label(clause)}）：“{sentence}”[{number}]")
        intro = "The plans say:" if answer.language == "en" else "方案原文："
        answer.text = intro + "\n" + "\n".join(lines)
        return answer

    def _path_label(self, clause: Clause) -> str:
        """Where a quote stands: its headings, and its own title unless that is only its first
        sentence cut short (an item with no heading of its own), which the quote repeats."""
        own = [clause.title] if clause.kind in ("item", "action", "project", "subsection") \
            and not clause.title.endswith("…") else []
        return " › ".join(clause.path + own) or clause.city

    def doc(self, answer: Answer, hits: list[Hit], intent: str) -> Answer:
        lines = [self._doc_line(answer, self.documents[city]) for city in answer.places if city in self.documents]
        answer.text = "\n".join(lines)
        return answer

    def _doc_line(self, answer: Answer, doc: Document) -> str:
        number = self.cite(answer, self.by_id[f"{doc.slug}/notice"])
        if answer.language == "en":
            return (f"{english_name(doc.city)}'s plan, {doc.title}, is document {doc.number}, issued by "
                    f"{self.gloss(doc.issuer, 'en')} on {doc.date} [{number}].")
        y, m, d = doc.date.split("-")
        return f"《{doc.title}》文号为{doc.number}，由{doc.issuer}于{int(y)}年{int(m)}月{int(d)}日印发[{number}]。"

    def compare(self, answer: Answer, subject: str) -> Answer:
        """The same question put to every plan, one cited row per plan that answers it; the
        plans that do not are named at the end."""
        stripped = answer.question
        for city in self.documents:
            for name in names(city):
                stripped = re.sub(re.escape(name), "", stripped, flags=re.I)
        phrases = self.retriever.last_query.phrases
        picks: dict[str, tuple] = {}
        plans = answer.places or list(self.documents)
        for city, doc in ((c, self.documents[c]) for c in plans):
            if subject == "doc":
                picks[city] = ("doc", doc)
                continue
            hits = self.retriever.search(stripped or answer.question, k=self.retriever.depth, place=city)
            answer.retrieved += [h.clause.clause_id for h in hits if h.clause.clause_id not in answer.retrieved]
            clause = self.governing(hits, subject, answer.question) if subject in ("lead", "responsible") else None
            if clause and self._units_of(clause, subject):
                picks[city] = ("units", clause)
            elif picked := self.sentences(answer, hits, subject, limit=1):
                picks[city] = ("sentence", *picked[0])
        best = max((p[3] for p in picks.values() if p[0] == "sentence"), default=0.0)
        answering = {city: pick for city, pick in picks.items() if pick[0] != "sentence"
                     or (any(p in pick[1].text + "".join(pick[1].path) for p in phrases) if phrases
                         else pick[3] >= self.row_ratio * best)}
        rows = [{"city": city, "answer": self._compare_row(answer, pick, subject)} for city, pick in answering.items()]
        answer.table = rows
        en = answer.language == "en"
        lines = ["Plan by plan:" if en else "各方案分别为："] + [f"- {row['answer']}" for row in rows]
        missing = [city for city in plans if city not in answering]
        if missing:
            lines.append(f"Not found in the plans of {', '.join(map(english_name, missing))}." if en
                         else f"{'、'.join(missing)}的方案中未找到相应内容。")
        answer.text = "\n".join(lines)
        return answer

    def _compare_row(self, answer: Answer, pick: tuple, subject: str) -> str:
        kind, *rest = pick
        if kind == "doc":
            return self._doc_line(answer, rest[0])
        if kind == "units":
            return self._unit_sentence(answer, rest[0], subject)
        clause, sentence, _ = rest
        number = self.cite(answer, clause, sentence)
        if answer.language == "en":
            return f"{english_name(clause.city)}: “{sentence}” [{number}]"
        return f"{clause.city}：“{sentence}”[{number}]"

    def abstain(self, answer: Answer, others: list[str] = (), unknown: list[str] = (),
                amount: str | None = None) -> Answer:
        answer.answerable = False
        en = answer.language == "en"
        sep = ", " if en else "、"
        no_plan, not_mentioned, no_amount, not_covered, nearest = ABSTAIN[answer.language]
        template = no_plan if others else not_mentioned if unknown else no_amount if amount else not_covered
        answer.text = template.format(
            others=sep.join(o.title() if en else o for o in others), unknown=sep.join(unknown),
            amount=AMOUNT_NAMES[answer.language].get(amount, ""),
            plans=sep.join(english_name(c) if en else c for c in self.documents)) + nearest
        return answer
