"""The bilingual glossary (glossary.tsv): Chinese terms of the plans and their English.

It serves both directions: English questions are searched by the Chinese terms they
name, and English answers gloss the Chinese unit names and titles they quote.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

GLOSSARY_FILE = Path(__file__).with_name("glossary.tsv")
_NUMBER = re.compile(r"\d+(?:\.\d+)?%?")


@dataclass
class Glossary:
    english: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    _phrases: list[tuple[str, str]] = field(default_factory=list)

    def add(self, zh: str, en: list[str], kind: str) -> None:
        self.english[zh] = en
        self.kinds[zh] = kind
        self._phrases.extend((phrase.lower(), zh) for phrase in en)
        self._phrases.sort(key=lambda pair: len(pair[0]), reverse=True)

    def gloss(self, zh: str) -> str:
        """The English shown beside a Chinese name, or '' when the glossary has none."""
        names = self.english.get(zh)
        return names[0] if names else ""

    def to_chinese(self, question: str) -> list[str]:
        """Chinese terms an English question names, longest phrasing first, plus its numbers."""
        text = " " + re.sub(r"[^a-z0-9%.\s-]", " ", question.lower()) + " "
        found: list[str] = []
        for phrase, zh in self._phrases:
            pattern = rf"(?<![a-z]){re.escape(phrase)}(?:s|es)?(?![a-z])"
            if re.search(pattern, text):
                found.append(zh)
                text = re.sub(pattern, " ", text)
        found.extend(_NUMBER.findall(text))
        return list(dict.fromkeys(found))


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
