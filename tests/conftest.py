import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rag.corpus import load_corpus  # noqa: E402


@pytest.fixture(scope="session")
def corpus():
    loaded = load_corpus(ROOT / "corpus")
    assert not loaded.problems, loaded.problems
    return loaded


@pytest.fixture(scope="session")
def by_id(corpus):
    return {c.clause_id: c for c in corpus.clauses}


@pytest.fixture(scope="session")
def engine():
    """The real pipeline on the real corpus and model, with the project's index."""
    from rag.answering import Engine

    return Engine.open(report=lambda message: None)


@pytest.fixture(scope="session")
def encoder(engine):
    return engine.encoder
