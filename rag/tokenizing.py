"""Lexical tokens for BM25: jieba with the corpus's own words, and English via the glossary.

jieba alone splits unit names and domain terms (市卫健委, 科技辅导员) into pieces that
match too much; a user dictionary of the corpus's units, titles and glossary terms keeps
them whole. An English question has no Chinese tokens at all, so its words are looked
up in the bilingual glossary and searched as the Chinese terms they name.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import jieba

from .glossary import load_glossary

jieba.setLogLevel(logging.WARNING)

STOPWORDS = frozenset(
    "的 了 和 与 及 等 在 对 将 为 以 是 把 被 并 或 其 中 各 有关 相关 进一步 加强 推动 推进 开展 "
    "实施 提升 提高 建设 工作 我市 我县 全市 全县 什么 哪些 哪个 谁 多少 如何 怎么 吗 呢 哪里 "
    "要求 方面 主要 问题 单位".split()
)
_KEEP = re.compile(r"[\u4e00-\u9fff]{2,}|[a-z0-9.%]+")


class Tokenizer:
    """jieba with a user dictionary; one instance per index so queries split like clauses."""

    def __init__(self, words: list[str]):
        self.words = sorted(set(w for w in words if len(w) >= 2))
        self._jieba = jieba.Tokenizer()
        for word in self.words:
            self._jieba.add_word(word, freq=50_000)

    def __call__(self, text: str) -> list[str]:
        tokens = []
        for token in self._jieba.lcut_for_search(text.lower()):
            token = token.strip()
            if _KEEP.fullmatch(token) and token not in STOPWORDS:
                tokens.append(token)
        return tokens

    def query(self, question: str, english: bool) -> list[str]:
        """Tokens of a question; English questions are searched by their glossary terms and
        by any Chinese they quote."""
        if not english:
            return self(question)
        terms = load_glossary().to_chinese(question)
        return list(dict.fromkeys([t for term in terms for t in self(term)] + self(question)))


@lru_cache(maxsize=4)
def tokenizer_for(words: tuple[str, ...]) -> Tokenizer:
    return Tokenizer(list(words))
