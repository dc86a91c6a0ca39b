"""The index on the real corpus: built once, reused, rebuilt when stale or corrupted."""

import json
import shutil
import threading

import numpy as np
import pytest

from conftest import ROOT
from rag import indexing
from rag.corpus import load_corpus


@pytest.fixture
def corpus_copy(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", folder)
    return folder


def test_build_writes_a_complete_index_with_its_manifest(engine):
    manifest = engine.index.manifest
    assert manifest["clauses"] == len(engine.index.clauses) > 200
    assert manifest["dim"] == 768 and engine.index.vectors.ntotal == manifest["clauses"]
    assert manifest["model"].startswith("embeddinggemma-300m@cbf5a78393b6a033")
    assert {"sentence-transformers", "faiss-cpu", "bm25s", "torch"} <= set(manifest["versions"])
    assert "dense.faiss" in manifest["files"] and "clauses.jsonl" in manifest["files"]
    assert indexing.staleness(engine.index, ROOT / "corpus") is None


def test_sentences_are_embedded_at_build_time_and_stand_in_their_clauses(engine):
    index = engine.index
    assert len(index.sentences) == len(index.sentence_vectors) > 2 * len(index.clauses)
    assert all(text in index.clauses[row].text for row, text in index.sentences)
    norms = np.linalg.norm(index.sentence_vectors, axis=1)
    assert np.allclose(norms, 1.0, atol=1e-3)


def test_a_changed_corpus_makes_the_index_stale_and_it_is_rebuilt(engine, corpus_copy, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(engine.index.folder, index_dir / engine.index.folder.name)
    (index_dir / "CURRENT").write_text(engine.index.folder.name)
    index = indexing.load(index_dir)
    assert indexing.staleness(index, corpus_copy) is None
    plan = next(corpus_copy.glob("004_*.txt"))
    plan.write_text(plan.read_text(encoding="utf-8").replace("呼和浩特职业学院", "呼和浩特理工学院"), encoding="utf-8")
    assert "corpus changed" in indexing.staleness(index, corpus_copy)
    rebuilt = indexing.ensure(corpus_copy, index_dir, encoder=engine.encoder, report=lambda m: None)
    assert rebuilt.folder != index.folder
    assert any("呼和浩特理工学院" in c.text for c in rebuilt.clauses)
    # Only the clauses whose text changed were encoded again.
    assert rebuilt.manifest["reused_vectors"] >= rebuilt.manifest["clauses"] - 10


def test_a_corrupted_index_file_is_detected_and_rebuilt(engine, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(engine.index.folder, index_dir / engine.index.folder.name)
    (index_dir / "CURRENT").write_text(engine.index.folder.name)
    damaged = index_dir / engine.index.folder.name / "clauses.jsonl"
    damaged.write_text(damaged.read_text(encoding="utf-8").replace("市卫健委", "市教育局"), encoding="utf-8")
    with pytest.raises(indexing.IndexUnusable, match="corrupted: clauses.jsonl"):
        indexing.load(index_dir)
    messages = []
    rebuilt = indexing.ensure(ROOT / "corpus", index_dir, encoder=engine.encoder, report=messages.append)
    assert "corrupted" in messages[0]
    assert [c.lead_units for c in rebuilt.clauses if c.clause_id == "hohhot/二/四"] == [["市卫健委"]]


def test_a_crash_during_build_leaves_the_previous_index_serving(engine, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(engine.index.folder, index_dir / engine.index.folder.name)
    (index_dir / "CURRENT").write_text(engine.index.folder.name)

    class Crashing:
        def encode_document(self, *args, **kwargs):
            raise KeyboardInterrupt

    corpus = load_corpus(ROOT / "corpus")
    corpus.clauses[0].text += "（新增）"
    with pytest.raises(KeyboardInterrupt):
        indexing.build(corpus, index_dir, encoder=Crashing())
    survivor = indexing.load(index_dir)
    assert survivor.folder.name == engine.index.folder.name
    assert sorted(p.name for p in index_dir.iterdir()) == [".lock", "CURRENT", engine.index.folder.name]


def test_two_builds_at_once_both_finish_and_leave_one_index(engine, tmp_path):
    index_dir = _copy_of_index(engine, tmp_path)
    corpus = load_corpus(ROOT / "corpus")
    failures = []

    def build():
        try:
            indexing.build(corpus, index_dir, encoder=engine.encoder, progress=False)
        except Exception as err:  # noqa: BLE001 - the test reports whatever a build raised
            failures.append(err)

    threads = [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    current = indexing.load(index_dir)
    assert [p.name for p in index_dir.iterdir() if p.is_dir()] == [current.folder.name]


def test_a_manifest_missing_what_load_reads_is_rebuilt_not_trusted(engine, tmp_path):
    index_dir = _copy_of_index(engine, tmp_path)
    (index_dir / engine.index.folder.name / "manifest.json").write_text(json.dumps({"format": indexing.FORMAT}))
    with pytest.raises(indexing.IndexUnusable, match="incomplete"):
        indexing.load(index_dir)


def test_a_skipped_plan_is_reported_at_every_start_not_only_at_build(engine, corpus_copy, tmp_path):
    from rag.answering import Engine

    index_dir = _copy_of_index(engine, tmp_path)
    (corpus_copy / "gbk.txt").write_bytes("泽州县全民科学素质行动".encode("gbk"))
    for _ in range(2):
        messages = []
        opened = Engine.open(corpus_copy, index_dir, report=messages.append)
        assert any(m.startswith("warning: gbk.txt: not UTF-8") for m in messages)
    assert len(opened.documents) == 4


def _copy_of_index(engine, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(engine.index.folder, index_dir / engine.index.folder.name)
    (index_dir / "CURRENT").write_text(engine.index.folder.name)
    return index_dir


def test_a_missing_index_is_reported(tmp_path):
    with pytest.raises(indexing.IndexUnusable, match="no index"):
        indexing.load(tmp_path)


def test_manifest_records_what_the_index_was_built_from(engine):
    stored = json.loads((engine.index.folder / "manifest.json").read_text())
    assert stored["documents"] == sorted(p.name for p in (ROOT / "corpus").glob("*.txt"))


NEW_PLAN = """青山县人民政府办公室文件

青政办发〔2024〕7号

青山县人民政府办公室关于印发青山县全民科学素质行动规划纲要实施方案（2021—2025年）的通知

各乡镇人民政府，县直各有关单位：
现将《青山县全民科学素质行动规划纲要实施方案（2021—2025年）》印发给你们，请认真贯彻执行。

青山县人民政府办公室
2024年1月5日

青山县全民科学素质行动规划纲要实施方案（2021—2025年）

一、工作目标
到2025年，全县公民具备科学素质的比例达到11%。

二、提升行动
（一）农民科学素质提升行动
1.建设食用菌科普示范园。依托乡镇农技站，每年举办蘑菇栽培技术培训班6期。（县农业农村局牵头，县科协、县妇联等单位配合）
2.开展农村科普大集。每季度在集市开展一次科普宣传。（县科协牵头，县农业农村局配合）
"""


def test_a_new_plan_dropped_into_the_corpus_can_be_asked_about(engine, corpus_copy, tmp_path):
    from rag.answering import Engine

    index_dir = tmp_path / "index"
    shutil.copytree(engine.index.folder, index_dir / engine.index.folder.name)
    (index_dir / "CURRENT").write_text(engine.index.folder.name)
    (corpus_copy / "005_qingshan.txt").write_text(NEW_PLAN, encoding="utf-8")
    index = indexing.ensure(corpus_copy, index_dir, encoder=engine.encoder, report=lambda m: None)
    assert "青山县" in index.cities
    reused = index.manifest["reused_vectors"]
    assert reused >= len(engine.index.clauses) + len(engine.index.sentences)
    new_rows = {row for row, c in enumerate(index.clauses) if c.city == "青山县"}
    encoded = len(index.clauses) + len(index.sentences) - reused
    assert 0 < encoded <= len(new_rows) + sum(row in new_rows for row, _ in index.sentences)
    qingshan = Engine(index, engine.encoder, corpus_copy)
    answer = qingshan.ask("青山县每年举办几期蘑菇栽培培训班？")
    assert answer.answerable and "6期" in answer.text
    assert answer.citations[0].clause_id == "qingshan/二/一/1"
    lead = qingshan.ask("Who leads the farmers action in Qingshan County?")
    assert lead.units == ["县农业农村局", "县科协"]
