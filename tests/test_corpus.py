import hashlib
import json

from conftest import ROOT
from rag.corpus import fingerprint, load_corpus, read_text
from rag.parsing import clean

PLANS = json.loads((ROOT / "corpus" / "plans.json").read_text(encoding="utf-8"))


def test_corpus_files_are_the_shared_plans_byte_for_byte():
    for plan in PLANS:
        data = (ROOT / "corpus" / plan["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == plan["sha256"], plan["file"]


def test_parser_reads_each_plans_facts_from_its_text(corpus):
    for plan in PLANS:
        doc = next(d for d in corpus.documents if d.file == plan["file"])
        assert (doc.city, doc.issuer, doc.number, doc.date) == (
            plan["city"], plan["issuer"], plan["number"], plan["date"])
        assert doc.title == f"{plan['city']}全民科学素质行动规划纲要实施方案（2021—2025年）"


def test_unreadable_files_are_reported_by_name_and_the_rest_still_served(tmp_path):
    for plan in PLANS[:2]:
        (tmp_path / plan["file"]).write_bytes((ROOT / "corpus" / plan["file"]).read_bytes())
    (tmp_path / "gbk.txt").write_bytes("泽州县全民科学素质".encode("gbk"))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("会议纪要，没有章节。", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert len(corpus.documents) == 2
    problems = "\n".join(corpus.problems)
    assert "gbk.txt: not UTF-8" in problems
    assert "empty.txt: the file is empty" in problems
    assert "notes.txt" in problems


def test_fingerprint_changes_with_the_corpus(tmp_path):
    (tmp_path / "a.txt").write_text("一", encoding="utf-8")
    before = fingerprint(tmp_path)
    (tmp_path / "a.txt").write_text("二", encoding="utf-8")
    assert fingerprint(tmp_path) != before


def test_paragraphs_outside_the_hierarchy_are_kept_and_reported(tmp_path):
    plan = next(p for p in PLANS if p["city"] == "湘潭市")
    text = (ROOT / "corpus" / plan["file"]).read_text(encoding="utf-8")
    text = text.replace("一、总体要求", "本方案另有附言，未编号。\n\n一、总体要求", 1)
    (tmp_path / plan["file"]).write_text(text, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert any("本方案另有附言" in c.text for c in corpus.clauses)
    assert any("not under any heading" in p for p in corpus.problems)


def test_a_word_document_is_read_like_its_text(tmp_path):
    import docx

    plan = next(p for p in PLANS if p["city"] == "呼和浩特市")
    text = (ROOT / "corpus" / plan["file"]).read_text(encoding="utf-8")
    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    document.save(tmp_path / "hohhot.docx")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    corpus = load_corpus(tmp_path)
    assert [d.city for d in corpus.documents] == ["呼和浩特市"]
    assert any("broken.docx: not a readable Word document" in p for p in corpus.problems)
    original = [c for c in load_corpus(ROOT / "corpus").clauses if c.city == "呼和浩特市"]
    assert [(c.clause_id, c.text, c.lead_units) for c in corpus.clauses] == \
        [(c.clause_id, c.text, c.lead_units) for c in original]
    source = read_text(tmp_path / "hohhot.docx")
    assert all(clean(source[c.start:c.end]) == c.text for c in corpus.clauses)
