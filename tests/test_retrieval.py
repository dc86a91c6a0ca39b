"""Retrieval on the real index and model."""

import pytest

from rag.retrieval import QUANTITY, Retriever, detect_language, find_phrases


@pytest.mark.parametrize("question", [
    "Who leads the elderly action in Hohhot?",
    "呼和浩特市老年人科学素质提升行动由谁牵头？",
])
def test_hohhot_elderly_question_finds_the_hohhot_elderly_action_first(engine, question):
    top = engine.retriever.search(question, k=10)[0].clause
    assert top.clause_id == "hohhot/二/四" or top.parent_id == "hohhot/二/四"


def test_a_named_place_restricts_results_to_that_plan(engine):
    hits = engine.retriever.search("How does Xiangtan train science teachers?", k=10)
    assert engine.retriever.last_query.places == ["湘潭市"]
    assert {h.clause.city for h in hits} == {"湘潭市"}


def test_english_questions_reach_bm25_through_the_glossary(engine):
    query = engine.retriever.analyse("Who leads the elderly action in Hohhot?")
    assert query.language == "en"
    assert "老年人" in query.tokens


def test_language_detection():
    assert detect_language("湘潭每年培训多少科技辅导员？") == "zh"
    assert detect_language("What does Hohhot plan for 科技馆?") == "en"


def test_every_mode_returns_ranked_hits(engine):
    for mode in ("dense", "bm25", "fused"):
        retriever = Retriever(engine.index, engine.encoder, mode=mode)
        hits = retriever.search("科普大篷车", k=5)
        assert 0 < len(hits) <= 5
        assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
        assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))


def test_verbatim_terms_come_from_quotes_and_from_chinese_in_english_questions():
    assert find_phrases("哪些方案提到了要用好“科普中国”？", "zh") == ["科普中国"]
    assert find_phrases("Which plans mention the caravan (科普大篷车)?", "en") == ["科普大篷车"]
    assert find_phrases("湘潭每年培训多少科技辅导员？", "zh") == []


def test_a_question_across_plans_lists_the_plans_that_have_the_quoted_term_first(engine):
    hits = engine.retriever.search("Which plans mention the science popularization caravan (科普大篷车)?", k=10)
    having = ["科普大篷车" in h.clause.text for h in hits]
    assert having[:sum(having)] == [True] * sum(having) and sum(having) >= 3
    assert {h.clause.city for h in hits[:sum(having)]} == {"绥芬河市", "湘潭市"}


def test_a_lead_question_about_an_item_brings_the_note_that_names_the_lead(engine):
    hits = engine.retriever.search("湘潭每年培训科技辅导员这项工作是哪个部门牵头的？", k=5)
    top = hits[0].clause
    ids = [h.clause.clause_id for h in hits]
    assert top.kind == "item" and top.note_clause_id in ids[:3] and top.parent_id in ids[:3]


def test_a_lead_question_across_plans_puts_each_plans_action_first(engine):
    hits = engine.retriever.search("各地老年人科学素质提升分别由谁牵头？", k=10)
    first = hits[:4]
    assert {h.clause.city for h in first} == {"绥芬河市", "湘潭市", "泽州县", "呼和浩特市"}
    assert all(h.clause.kind == "action" and "老年人" in h.clause.title for h in first)


def test_a_number_question_across_plans_ranks_each_plans_stated_amount_first(engine):
    hits = engine.retriever.search("四个地方里哪个的2025年科学素质目标定得最低？", k=4)
    assert {h.clause.city for h in hits} == {"绥芬河市", "湘潭市", "泽州县", "呼和浩特市"}
    assert all(QUANTITY.search(h.clause.text) and "2025" in h.clause.text for h in hits)


def test_a_stated_amount_is_a_figure_not_a_phrase_with_a_numeral():
    assert all(QUANTITY.search(t) for t in ("比例达到15%", "每年培训200人次", "两级联动", "实施五大提升行动"))
    assert not any(QUANTITY.search(t) for t in ("党的二十大精神", "一大批科普作品", "一项重要任务"))
