"""Place names: slugs for clause ids and the names people use for a plan's place.

A place is found by its Chinese name, its short form (呼市, 湘潭), its pinyin
(Huhehaote) or its English exonym (Hohhot). Pinyin comes from pypinyin, so a plan
added later is found by name without editing this file.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pypinyin import lazy_pinyin

LEVEL_SUFFIX = re.compile(r"(市|县|区|旗|自治县|自治区|省)$")

# Names pinyin cannot give, keyed by place stem; an English exonym comes first.
EXTRA_NAMES: dict[str, tuple[str, ...]] = {
    "呼和浩特": ("Hohhot", "Huhhot", "Huhehot", "呼市", "青城"),
    "绥芬河": ("Suifen River",),
    "湘潭": ("Hsiangtan",),
}
EXONYMS = {"呼和浩特": "Hohhot"}

LEVEL_ENGLISH = {"市": "", "县": " County", "区": " District", "旗": " Banner"}


def stem(city: str) -> str:
    """呼和浩特市 → 呼和浩特."""
    return LEVEL_SUFFIX.sub("", city) or city


def pinyin(city: str) -> str:
    return "".join(lazy_pinyin(stem(city))).lower()


def english_name(city: str) -> str:
    """The name an English answer uses: Hohhot, Xiangtan, Zezhou County."""
    name = EXONYMS.get(stem(city)) or pinyin(city).capitalize()
    level = LEVEL_SUFFIX.search(city)
    return name + (LEVEL_ENGLISH.get(level.group(1), "") if level else "")


def place_slug(city: str) -> str:
    """Slug for clause ids: hohhot, xiangtan, zezhou, suifenhe."""
    return re.sub(r"[^a-z0-9]+", "", english_name(city).split(" ")[0].lower()) or "plan"


def names(city: str) -> list[str]:
    """Every name a question may use for this place, longest first."""
    base = stem(city)
    found = {city, base, pinyin(city), english_name(city).split(" ")[0], *EXTRA_NAMES.get(base, ())}
    return sorted(found, key=len, reverse=True)


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    """Every pinyin syllable (a, ai, … zuo), read by pypinyin off the CJK block."""
    return frozenset(lazy_pinyin("".join(map(chr, range(0x4E00, 0x9FA6))), errors="ignore"))


def is_pinyin_name(word: str) -> bool:
    """Suzhou, Guilin, Xi'an: a word of two to five pinyin syllables, the way Chinese place
    names are written in English, so a place no list names is still seen as a place."""
    syllables = _syllables()
    count = 0
    for part in re.split(r"['’]", word.lower()):
        if not part.isascii() or not part.isalpha():
            return False
        best = [0] + [99] * len(part)  # fewest syllables spelling part[:i]
        for end in range(1, len(part) + 1):
            best[end] = min((best[start] + 1 for start in range(max(0, end - 6), end)
                             if part[start:end] in syllables), default=99)
        count += best[-1]
    return 2 <= count <= 5


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\-'’]+", "", text)


def find_places(question: str, cities: list[str]) -> list[str]:
    """The cities a question names, in the order of the given list."""
    folded = _fold(question)
    squeezed = re.sub(r"\s+", "", folded)
    hits = []
    for city in cities:
        for name in names(city):
            key = _fold(name)
            if name.isascii():
                spaced = r"\s*".join(map(re.escape, key.replace(" ", "")))
                if re.search(rf"(?<![a-z]){spaced}", folded):
                    hits.append(city)
                    break
            elif key in squeezed:
                hits.append(city)
                break
    return hits
