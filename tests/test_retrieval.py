"""Retrieval on the real index and model."""

import pytest

from rag.retrieval import Retriever, detect_language


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
