import hashlib
import html
import json
from pathlib import Path

import pytest

from conftest import ROOT
from rag.corpus import _RADICALS, fingerprint, load_corpus, read_text, unwrap
from rag.parsing import clean

CHROMIUM = "/usr/bin/chromium"
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


def test_a_second_plan_for_the_same_place_gets_its_own_clause_ids(tmp_path):
    plan = next(p for p in PLANS if p["city"] == "湘潭市")
    text = (ROOT / "corpus" / plan["file"]).read_text(encoding="utf-8")
    (tmp_path / plan["file"]).write_text(text, encoding="utf-8")
    (tmp_path / "zz_revised.txt").write_text(text.replace("200人次", "300人次"), encoding="utf-8")
    corpus = load_corpus(tmp_path)
    ids = [c.clause_id for c in corpus.clauses]
    assert len(ids) == len(set(ids))
    assert any("300人次" in c.text and c.clause_id.startswith("xiangtan2/") for c in corpus.clauses)
    assert any("200人次" in c.text and c.clause_id.startswith("xiangtan/") for c in corpus.clauses)
    assert any("zz_revised.txt: a second plan for 湘潭市" in p for p in corpus.problems)


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


def test_a_pdf_line_runs_on_only_where_it_fills_the_line():
    text = "\n".join(["一、总体要求", "甲" * 19 + "，", "乙" * 9 + "。", "丙" * 19 + "。", "丁" * 19 + "，",
                      "1.戊" + "戊" * 17, "己" * 5 + "。"])
    assert unwrap(text).split("\n") == [
        "一、总体要求", "甲" * 19 + "，" + "乙" * 9 + "。", "丙" * 19 + "。" + "丁" * 19 + "，",
        "1.戊" + "戊" * 17 + "己" * 5 + "。"]


def test_pdfs_that_cannot_be_read_are_reported_by_name_and_the_rest_served(tmp_path):
    from pypdf import PdfWriter

    plan = PLANS[0]
    (tmp_path / plan["file"]).write_bytes((ROOT / "corpus" / plan["file"]).read_bytes())
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7 not really a pdf")
    blank = PdfWriter()
    blank.add_blank_page(width=595, height=842)
    blank.write(tmp_path / "scan.pdf")
    locked = PdfWriter()
    locked.add_blank_page(width=595, height=842)
    locked.encrypt("secret", algorithm="RC4-128")
    locked.write(tmp_path / "locked.pdf")
    corpus = load_corpus(tmp_path)
    assert [d.city for d in corpus.documents] == [plan["city"]]
    assert any("broken.pdf: not a readable PDF" in p for p in corpus.problems)
    assert any("scan.pdf: the PDF has no text layer" in p for p in corpus.problems)
    assert any("locked.pdf: not a readable PDF" in p for p in corpus.problems)


def test_radicals_from_pdf_fonts_become_their_characters():
    assert "为⼈⺠⻓⻛".translate(_RADICALS) == "为人民长风"


def test_a_pdf_plan_is_read_like_its_text(tmp_path):
    """A plan printed to PDF by a browser (wrapped lines, fonts that map 人 to the radical ⼈)
    is read back with its structure, facts and units; only a wrap that falls exactly after
    a full stop at the line's end can join two paragraphs."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    plan = next(p for p in PLANS if p["city"] == "呼和浩特市")
    text = (ROOT / "corpus" / plan["file"]).read_text(encoding="utf-8")
    body = "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.set_content(f"<html><body style='font-size:14pt'>{body}</body></html>")
        page.pdf(path=str(tmp_path / "hohhot.pdf"), format="A4")
        browser.close()
    corpus = load_corpus(tmp_path)
    assert corpus.problems == []
    [doc] = corpus.documents
    assert (doc.city, doc.number, doc.date) == (plan["city"], plan["number"], plan["date"])
    original = {c.clause_id: c for c in load_corpus(ROOT / "corpus").clauses if c.city == "呼和浩特市"}
    read = {c.clause_id: c for c in corpus.clauses}
    blocks = [cid for cid, c in original.items() if c.kind in ("section", "action", "project")]
    assert all(read[cid].title == original[cid].title and read[cid].lead_units == original[cid].lead_units
               and read[cid].responsible_units == original[cid].responsible_units for cid in blocks)
    same = [cid for cid in original if cid in read and read[cid].text == original[cid].text]
    assert len(same) >= 0.95 * len(original) and len(read) >= 0.95 * len(original)
    source = read_text(tmp_path / "hohhot.pdf")
    assert "⼈" not in source and "⺠" not in source and "人民" in source
    assert all(clean(source[c.start:c.end]) == c.text for c in corpus.clauses)
