"""The bilingual glossary (glossary.tsv): Chinese terms of the plans and their English.

It serves both directions: English questions are searched by the Chinese terms they
name, and English answers gloss the Chinese unit names and titles they quote.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bm25s.stopwords import STOPWORDS_EN_PLUS

GLOSSARY_FILE = Path(__file__).with_name("glossary.tsv")
_NUMBER = re.compile(r"\d+(?:\.\d+)?%?")
# Words any question about a plan may use that name no topic.
_QUESTION_WORDS = set(STOPWORDS_EN_PLUS) | {"say", "says", "mention", "mentions", "plan", "plans", "tell", "list",
                                            "give", "according", "document", "city", "cities", "county"}


def fold(text: str) -> str:
    """English as it is matched: lower case, letters, digits, % . - and single spaces."""
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9%.\s-]", " ", text.lower())).strip()


@dataclass
class Glossary:
    english: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    _terms: dict[str, list[str]] = field(default_factory=dict)
    _words: dict[str, list[str]] | None = None
    _pattern: re.Pattern | None = None

    def add(self, zh: str, en: list[str], kind: str) -> None:
        """One row; a phrasing several rows share names all of them."""
        self.english[zh] = en
        self.kinds[zh] = kind
        self._words = self._pattern = None
        for phrase in map(fold, en):
            if phrase and zh not in self._terms.setdefault(phrase, []):
                self._terms[phrase].append(zh)

    def gloss(self, zh: str) -> str:
        """The English shown beside a Chinese name, or '' when the glossary has none."""
        names = self.english.get(zh)
        return names[0] if names else ""

    def words(self) -> set[str]:
        """Every English word the glossary uses (women, jinping, …): known words, not places."""
        return {w for phrase in self._terms for w in re.findall(r"[a-z]+", phrase)}

    def uncovered(self, question: str, known: set[str] = frozenset()) -> list[str]:
        """Words of an English question that no phrasing covers, leaving out stopwords, words
        about plans themselves and the given known words: what the glossary cannot translate."""
        text = self._matcher().sub(" ", " " + fold(question) + " ")
        return [w for w in re.findall(r"[a-z]{3,}", text) if w not in _QUESTION_WORDS and w not in known]

    def to_chinese(self, question: str) -> list[str]:
        """Chinese terms an English question names, in the order it names them, plus its numbers."""
        text = " " + fold(question) + " "
        found: list[str] = []
        for match in self._matcher().finditer(text):
            found.extend(self._terms[match.group(1)])
        text = self._matcher().sub(" ", text)
        found.extend(self._near_misses(text))
        found.extend(_NUMBER.findall(text))
        return list(dict.fromkeys(found))

    def _matcher(self) -> re.Pattern:
        """Every phrasing in one pattern, longest first, so the longest phrasing wins where
        several start at the same word; a plural s / es is allowed."""
        if self._pattern is None:
            phrases = sorted(self._terms, key=len, reverse=True)
            self._pattern = re.compile(
                r"(?<![a-z])(" + "|".join(map(re.escape, phrases)) + r")(?:s|es)?(?![a-z])")
        return self._pattern

    def _single_words(self) -> dict[str, list[str]]:
        """One-word phrasings of five letters or more, keyed by first and last letter (and
        each by itself), so a misspelt word is compared only with likely neighbours."""
        if self._words is None:
            self._words = {}
            for phrase in self._terms:
                if " " not in phrase and len(phrase) >= 5:
                    self._words[phrase] = [phrase]
                    self._words.setdefault(phrase[0] + phrase[-1], []).append(phrase)
        return self._words

    def _near_misses(self, text: str) -> list[str]:
        """Terms for misspelt words (eldery → elderly): one close one-word phrasing each."""
        words = self._single_words()
        found = []
        for word in set(re.findall(r"[a-z]{5,}", text)) - words.keys():
            alike = [w for w in words.get(word[0] + word[-1], ()) if abs(len(w) - len(word)) <= 1]
            close = difflib.get_close_matches(word, alike, n=1, cutoff=0.85)
            if close:
                found.extend(self._terms[close[0]])
        return found


@lru_cache(maxsize=1)
def load_glossary(path: Path = GLOSSARY_FILE) -> Glossary:
    glossary = Glossary()
    if not path.exists():
        return glossary
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row.get("zh") and row.get("en"):
                phrasings = [p.strip() for p in row["en"].split("|") if p.strip()]
                glossary.add(row["zh"].strip(), phrasings, (row.get("kind") or "term").strip())
    return glossary
