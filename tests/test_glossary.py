from rag.glossary import load_glossary


def test_english_questions_name_chinese_terms():
    terms = load_glossary().to_chinese("Who leads the elderly action? health commission")
    assert "牵头" in terms and "市卫健委" in terms
    assert any("老年人" in t for t in terms)


def test_a_shared_phrasing_names_every_row_that_has_it():
    terms = load_glossary().to_chinese("the Women's Federation")
    assert {"市妇联", "县妇联"} <= set(terms)
    assert {"对俄", "俄蒙欧"} <= set(load_glossary().to_chinese("cooperation with Russia"))


def test_a_misspelt_word_still_finds_its_term():
    assert any("老年人" in t for t in load_glossary().to_chinese("eldery people"))


def test_every_unit_of_the_corpus_has_a_gloss(corpus):
    glossary = load_glossary()
    units = {u for c in corpus.clauses for u in c.lead_units + c.responsible_units}
    assert [u for u in units if not glossary.gloss(u)] == []
