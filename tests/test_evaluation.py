"""The gold set is consistent, and the fused retriever's figures do not regress."""

import pytest

from rag import evaluation

# Set from the measured figures (README) less a small margin.
GATE = {
    ("fused", "all", "recall@5"): 0.975,
    ("fused", "lang=en", "recall@5"): 0.975,
    ("fused", "lang=zh", "recall@5"): 0.97,
    ("fused", "all", "mrr@10"): 0.962,
    ("fused", "lang=en", "mrr@10"): 0.962,
    ("fused", "lang=zh", "mrr@10"): 0.96,
}
# Every lead / responsible question of the gold set answered with exactly its units.
ANSWER_GATE = {"units_exact[en]": 1.0, "units_exact[zh]": 1.0, "abstain_precision": 1.0, "abstain_recall": 0.85,
               "expect_met": 0.9, "compare_rows_precision": 0.97, "compare_rows_recall": 0.97,
               "citation_valid": 1.0, "citations_retrieved": 1.0}


@pytest.fixture(scope="module")
def gold():
    return evaluation.load_gold()


def test_gold_set_is_consistent(gold, corpus):
    problems = evaluation.gold_problems(gold, {c.clause_id: c.text for c in corpus.clauses})
    assert problems == []
    assert len(gold) >= 150
    assert sum(g["lang"] == "en" for g in gold) >= 0.4 * len(gold)
    assert {g["city"] for g in gold} >= {"绥芬河市", "湘潭市", "泽州县", "呼和浩特市"}
    assert 0.08 <= sum(g["kind"] == "unanswerable" for g in gold) / len(gold) <= 0.15


def test_verbatim_check_catches_copied_wording():
    assert evaluation.verbatim_run("问：每年培训科技辅导员200人次吗", "每年培训科技辅导员200人次。") == "每年培训科技辅导员200"
    assert evaluation.verbatim_run("湘潭每年培训多少科技辅导员", "每年培训科技辅导员200人次。") is None


def test_figures_stay_above_the_gate(engine, gold):
    report = evaluation.evaluate_gold(engine, gold, progress=lambda m: None)
    for (name, group, metric), floor in GATE.items():
        assert report.retrieval[name][group][metric] >= floor, (name, group, metric)
    for metric, floor in ANSWER_GATE.items():
        assert report.answers[metric] >= floor, metric
