"""Rendering of answers and sources: the right facts, and never markup from the text."""

import re

import pytest

from rag.answering import Answer, Engine, Quote
from rag.indexing import DEFAULT_INDEX
from rag.parsing import Clause
from rag.ui import Asker, build_app, render_answer, render_sources, respond

HOHHOT_EN = "Who leads the elderly action in Hohhot?"
ATTACK = "<script>alert(1)</script> <b>x</b> **bold** [1]"


@pytest.fixture(scope="session")
def engine():
    return Engine.open(index_dir=DEFAULT_INDEX, report=lambda message: None)


def test_answer_and_sources_for_hohhot(engine):
    answer = engine.ask(HOHHOT_EN)
    chat, panel = render_answer(answer), render_sources(answer, engine)
    assert "市卫健委" in chat
    assert re.search(r'<sup class="cite"><a href="#src-1"[^>]*>1</a></sup>', chat)
    assert "[1]" not in chat
    assert "牵头单位" in panel and "责任单位" in panel
    assert "呼政发〔2022〕32号" in panel and " › " in panel
    # the item's text, with the quoted sentence and the query terms marked
    assert "有计划地开展科普" in re.sub(r"<[^>]+>", "", panel)
    assert '<mark class="quote' in panel and 'class="quote term"' in panel
    assert panel.index('id="src-1"') < panel.index('id="src-2"')
    assert f"line {answer.citations[0].line}" in panel and answer.citations[0].file in panel


def test_list_answers_keep_their_lines(engine):
    answer = engine.ask("各地老年人行动的牵头单位分别是什么？")
    chat = render_answer(answer)
    assert chat.count("<br>") == answer.text.count("\n") and chat.count("• ") == len(answer.table)
    assert "\n" not in chat


def test_markup_in_a_question_is_escaped(engine):
    history, panel, cleared = respond(Asker(engine), ATTACK, None, [])
    shown = history[0]["content"] + history[1]["content"] + panel
    assert cleared == "" and "<script" not in shown and "<b>" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;x&lt;/b&gt; **bold** [1]" in history[0]["content"]
    assert "&lt;script&gt;" in panel


def test_markup_in_a_clause_is_escaped(engine):
    clause = Clause("x/1", "x", "呼和浩特市", "item", "1", "<b>t</b>", ["<i>h</i>"],
                    "<script>alert(1)</script>**粗体** 牵头", "<f>.txt", 0, 10, 3, lead_units=["<u>单位</u>"])
    answer = Answer("<img src=x onerror=alert(1)> 牵头", "结论[1][9]<script>", True, citations=[clause],
                    quotes=[Quote("x/1", "<script>alert(1)</script>", 0, 10)])
    chat, panel = render_answer(answer), render_sources(answer, engine)
    for html in (chat, panel):
        assert not re.search(r"<(script|b|i|u|f|img)\b", html)
    assert "[9]&lt;script&gt;" in chat and "**粗体**" in panel
    assert '<mark class="quote">&lt;script&gt;alert(1)&lt;/script&gt;</mark>' in panel
    assert "&lt;u&gt;单位&lt;/u&gt;" in panel and "&lt;img src=x" in panel


def test_unanswerable_question_shows_nearest_clauses(engine):
    answer = engine.ask("What is the weather in Paris tomorrow?")
    assert not answer.answerable
    panel = render_sources(answer, engine)
    assert "do not answer the question" in panel and "并不回答该问题" in panel
    assert 1 <= panel.count('class="src-card"') <= 3


def test_empty_question_and_failures_never_raise(engine):
    history, panel, _ = respond(Asker(engine), "   ", None, None)
    assert "请输入问题" in history[1]["content"] and "Ask a question" in panel

    class Broken:
        def ask(self, *args):
            raise RuntimeError("<boom>")

    history, panel, _ = respond(Asker(Broken()), "hi", None, [])
    assert "something went wrong" in history[1]["content"] and "&lt;boom&gt;" in history[1]["content"]


def test_a_question_with_lone_surrogates_is_answered(engine):
    answer_html, _ = Asker(engine)("\ud800 Who leads the elderly action in Hohhot?\udcff")
    assert "市卫健委" in answer_html and "something went wrong" not in answer_html


def test_app_builds_with_ask_endpoint(engine):
    demo = build_app(engine)
    names = [d.api_name for d in demo.fns.values()]
    assert "ask" in names


def test_plans_skipped_at_build_are_shown_above_the_chat_escaped(engine, monkeypatch):
    monkeypatch.setitem(engine.index.manifest, "problems", ["<b>gbk.txt</b>: not UTF-8"])
    demo = build_app(engine)
    shown = [b.value for b in demo.blocks.values() if getattr(b, "elem_id", None) == "problems"]
    assert shown and "&lt;b&gt;gbk.txt&lt;/b&gt;: not UTF-8" in shown[0] and "<b>" not in shown[0]
