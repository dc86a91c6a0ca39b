"""The parser against the hand-checked structure of all four plans."""

import re
from collections import Counter

import pytest

from rag.parsing import NOISE, clean

# Per plan: top sections, actions, projects, items under actions, items under projects.
STRUCTURE = {
    "suifenhe": (4, 5, 5, 18, 14),
    "xiangtan": (4, 5, 4, 19, 11),
    "zezhou": (4, 5, 4, 19, 12),
    "hohhot": (3, 5, 5, 16, 17),
}

# 牵头单位 of every action and project, read by hand from the plans.
LEADS = {
    "suifenhe/二/一": ["市教育局", "市科协"],
    "suifenhe/二/二": ["市农业农村局"],
    "suifenhe/二/三": ["市总工会", "市人社局"],
    "suifenhe/二/四": ["市卫健局"],
    "suifenhe/二/五": ["市委组织部"],
    "suifenhe/三/一": ["市工信局"],
    "suifenhe/三/二": ["市委宣传部"],
    "suifenhe/三/三": ["市工信局", "市科协"],
    "suifenhe/三/四": ["市科协", "绥芬河镇", "阜宁镇"],
    "suifenhe/三/五": ["市科协"],
    "xiangtan/二/一": ["市教育局", "团市委", "市科协"],
    "xiangtan/二/二": ["市农业农村局", "市乡村振兴局"],
    "xiangtan/二/三": ["市总工会", "市人力资源社会保障局"],
    "xiangtan/二/四": ["市卫生健康委", "市民政局"],
    "xiangtan/二/五": ["市委组织部"],
    "xiangtan/三/一": ["市科技局", "市教育局"],
    "xiangtan/三/二": ["市委宣传部", "市科技局", "市文旅广体局"],
    "xiangtan/三/三": ["市科技局", "市科协"],
    "xiangtan/三/四": ["市科技局", "市应急局", "市卫生健康委"],
    # 泽州 names leads per item; an action's leads are those of its items, in order.
    "zezhou/二/一": ["县教育局", "县科协"],
    "zezhou/二/二": ["县农业农村局", "县科协", "县教育局"],
    "zezhou/二/三": ["县总工会", "县人力资源和社会保障局", "县科协"],
    "zezhou/二/四": ["县卫生健康和体育局", "县民政局"],
    "zezhou/二/五": ["县委组织部", "县科协"],
    "zezhou/三/一": ["县教育局", "县科协"],
    "zezhou/三/二": ["县委宣传部", "县科协"],
    "zezhou/三/三": ["县住房和城乡建设管理局", "县科协", "县教育局"],
    "zezhou/三/四": ["县科协"],
    "hohhot/二/一": ["市教育局"],
    "hohhot/二/二": ["市农牧局"],
    "hohhot/二/三": ["市总工会"],
    "hohhot/二/四": ["市卫健委"],
    "hohhot/二/五": ["市委组织部"],
    "hohhot/二/六": ["市科协"],
    "hohhot/二/七": ["市科技局"],
    "hohhot/二/八": ["市科协"],
    "hohhot/二/九": ["市科协"],
    "hohhot/二/十": ["市科协"],
}


def _of(corpus, slug):
    return [c for c in corpus.clauses if c.clause_id.split("/")[0] == slug]


@pytest.mark.parametrize("slug", STRUCTURE)
def test_structure_matches_the_plan(corpus, slug):
    clauses = _of(corpus, slug)
    kinds = Counter(c.kind for c in clauses)
    by_id = {c.clause_id: c for c in clauses}
    parent_kind = Counter(by_id[c.parent_id].kind for c in clauses if c.kind == "item")
    sections, actions, projects, action_items, project_items = STRUCTURE[slug]
    assert kinds["section"] == sections
    assert kinds["action"] == actions
    assert kinds["project"] == projects
    assert parent_kind["action"] == action_items
    assert parent_kind["project"] == project_items


def test_every_action_and_project_has_its_hand_checked_leads(corpus, by_id):
    heads = {c.clause_id for c in corpus.clauses if c.kind in ("action", "project")}
    assert heads == set(LEADS)
    for clause_id, lead in LEADS.items():
        assert by_id[clause_id].lead_units == lead, clause_id


def test_an_items_own_note_wins_over_the_block(by_id):
    assert by_id["zezhou/二/四/2"].title == "开展老年人健康科普服务"
    assert by_id["zezhou/二/四/2"].lead_units == ["县民政局", "县卫生健康和体育局"]
    assert by_id["zezhou/二/四/1"].lead_units == ["县卫生健康和体育局"]
    # 绥芬河: the action names the lead, each item its own 责任单位.
    assert by_id["suifenhe/二/一/1"].lead_units == ["市教育局", "市科协"]
    assert by_id["suifenhe/二/一/1"].responsible_units == ["市委宣传部", "市教育局", "团市委", "市科协"]


def test_a_note_at_the_end_of_a_block_governs_every_item(by_id):
    elderly = ["hohhot/二/四/1", "hohhot/二/四/2", "hohhot/二/四/3"]
    for clause_id in elderly:
        assert by_id[clause_id].lead_units == ["市卫健委"]
        assert by_id[clause_id].note_clause_id == "hohhot/二/四/3"
    assert by_id["hohhot/二/四/1"].responsible_units[:3] == ["市委网信办", "市委老干部局", "市科技局"]
    assert by_id["xiangtan/二/四/2"].note_clause_id == "xiangtan/二/四/note"


def test_hohhot_paragraphs_are_items_titled_by_their_first_sentence(by_id):
    item = by_id["hohhot/二/四/1"]
    assert item.kind == "item" and item.title == "实施银龄跨越数字鸿沟行动"
    assert item.path == ["二、重点任务", "(四)实施老年人科学素质提升行动"]


def test_unnumbered_xiangtan_actions_are_headings(by_id):
    assert by_id["xiangtan/二/二"].kind == "action"
    assert by_id["xiangtan/二/二"].text == "农民科学素质提升行动"
    assert by_id["xiangtan/二/二/1"].title == "树立相信科学、和谐理性的思想观念"


def test_page_breaks_do_not_split_paragraphs(by_id, corpus):
    texts = [c.text for c in corpus.clauses]
    for joined in ("流动科技馆", "县工业和信息化局", "引导中小学", "数字化科普平台"):
        assert any(joined in t for t in texts), joined
    assert "流动科技馆、科普大讲堂" in by_id["zezhou/二/一/4"].text
    # A heading is never glued to the body that follows it.
    assert by_id["suifenhe/一"].text == "一、工作目标"
    assert by_id["zezhou/二/一"].text == "（一）青少年科学素质提升行动"


def test_the_notice_holds_the_documents_facts(corpus, by_id):
    for doc in corpus.documents:
        notice = by_id[f"{doc.slug}/notice"]
        assert doc.number in notice.text and doc.issuer in notice.text
        assert notice.end <= doc.body_start


def test_noise_never_reaches_clause_text(corpus):
    for clause in corpus.clauses:
        assert "**" not in clause.text and "bookmark" not in clause.text
        assert "抄送" not in clause.text, clause.clause_id
        assert "\n" not in clause.text


def test_every_span_read_back_and_cleaned_equals_the_text(corpus):
    for clause in corpus.clauses:
        source = corpus.sources[clause.file]
        assert clean(source[clause.start:clause.end]) == clause.text, clause.clause_id
        assert source.count("\n", 0, clause.start) + 1 == clause.line


def test_no_body_text_is_lost(corpus):
    for doc in corpus.documents:
        source = corpus.sources[doc.file]
        covered = bytearray(len(source))
        for clause in (c for c in corpus.clauses if c.doc_id == doc.doc_id):
            covered[clause.start:clause.end] = b"\1" * (clause.end - clause.start)
        body = source[:doc.body_end]
        noise = {m.start() + i for m in NOISE.finditer(body) for i in range(len(m.group()))}
        lost = [i for i in range(doc.body_end)
                if not source[i].isspace() and not covered[i] and i not in noise]
        assert not lost, (doc.file, source[lost[0]:lost[0] + 40])


def test_clauses_are_clause_sized_and_ids_unique(corpus):
    ids = [c.clause_id for c in corpus.clauses]
    assert len(ids) == len(set(ids))
    assert all(0 < len(c.text) < 600 for c in corpus.clauses)
    assert all(re.fullmatch(r"[a-z]+(/[^/\s]+)*", i) for i in ids)
