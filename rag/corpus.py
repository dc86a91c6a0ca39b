"""The corpus folder: read every plan, parse it, and report what could not be read.

Plans are UTF-8 `.txt` files, Word `.docx` files (read as their paragraphs' text joined by
newlines) or PDFs with a text layer (read by pypdf, line wraps undone); a .docx's or PDF's
clauses have their offsets in that text. A file that is empty, not UTF-8, unreadable or
not a plan is reported by name and left out; the other plans are still served.
"""

from __future__ import annotations

import hashlib
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from .parsing import (ITEM, SECTION, SENTENCE_END, SPACE_NEAR_CJK, SUBSECTION, Clause, Document,
                      PlanFormatError, parse, read_document)

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT_DIR / "corpus"
PLAN_SUFFIXES = (".txt", ".docx", ".pdf")
# Radicals some PDF fonts map their glyphs to (⼈ for 人, ⺠ for 民): the Kangxi ones by
# their Unicode compatibility mapping, the supplement's by their equivalent ideograph.
_RADICALS = str.maketrans({chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0x2F00, 0x2FD6)}
                          | dict(zip("⺁⺠⺟⺝⻄⻅⻆⻈⻉⻋⻓⻔⻗⻘⻚⻛⻜⻝⻠⻢⻣⻤⻥⻦⻨⻩⻬⻮⻰⻳",
                                     "厂民母月西见角讠贝车长门雨青页风飞食饣马骨鬼鱼鸟麦黄齐齿龙龟")))


@dataclass
class Corpus:
    folder: Path
    documents: list[Document] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def document(self, doc_id: str) -> Document:
        return next(d for d in self.documents if d.doc_id == doc_id)

    @property
    def cities(self) -> list[str]:
        return [d.city for d in self.documents]


def plan_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in PLAN_SUFFIXES and p.is_file())


def read_text(path: Path) -> str:
    """A plan's text; raises ValueError with the file's name when it cannot be used."""
    if path.suffix.lower() == ".docx":
        return _docx_text(path)
    if path.suffix.lower() == ".pdf":
        return _pdf_text(path)
    data = path.read_bytes()
    if not data.strip():
        raise ValueError(f"{path.name}: the file is empty")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(
            f"{path.name}: not UTF-8 text (byte {err.start}); save it as UTF-8, e.g. "
            f"`iconv -f GBK -t UTF-8 {path.name}`"
        ) from None


def _docx_text(path: Path) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as err:
        raise ValueError(f"{path.name}: not a readable Word document ({err})") from None
    if not text.strip():
        raise ValueError(f"{path.name}: the document has no text")
    return text


def _pdf_text(path: Path) -> str:
    """The text layer of a PDF, as the parser wants it: characters, not radicals; no spaces
    between font runs (呼政发〔 2022 〕); line wraps undone."""
    from pypdf import PdfReader

    # pypdf raises many kinds of error on damaged or encrypted files (DependencyError,
    # NotImplementedError, LimitReachedError …): one bad file must not stop the others.
    try:
        pages = [page.extract_text() or "" for page in PdfReader(path).pages]
    except Exception as err:
        raise ValueError(f"{path.name}: not a readable PDF ({type(err).__name__}: {err})") from None
    text = SPACE_NEAR_CJK.sub("", "\n".join(pages).translate(_RADICALS))
    if not text.strip():
        raise ValueError(f"{path.name}: the PDF has no text layer (a scan?); run OCR on it first")
    return unwrap(text)


def _width(line: str) -> float:
    """A line's printed width in CJK characters (Latin letters and digits count half)."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.5 for ch in line.rstrip())


def unwrap(text: str, nearly: float = 0.8) -> str:
    """A PDF's text with its layout's line wraps undone. A line runs on into the next when
    it fills the page's usual line width, or nearly fills it without ending a sentence;
    never into a line that starts a heading or item."""
    lines = text.split("\n")
    widths = [_width(line) for line in lines]
    if max(widths) < 10:
        return text
    full = Counter(w for w in widths if w >= 10).most_common(1)[0][0]
    out = [lines[0]]
    for before, width, line in zip(lines, widths, lines[1:]):
        starts_block = SECTION.match(line) or SUBSECTION.match(line) or ITEM.match(line)
        ends_sentence = before.rstrip().endswith(tuple(SENTENCE_END))
        runs_on = width >= full or (width >= nearly * full and not ends_sentence)
        if runs_on and line.strip() and not starts_block:
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


def load_corpus(folder: Path | str = DEFAULT_CORPUS) -> Corpus:
    folder = Path(folder)
    corpus = Corpus(folder)
    if not folder.is_dir():
        corpus.problems.append(f"{folder}: the corpus folder does not exist")
        return corpus
    for path in plan_files(folder):
        try:
            source = read_text(path)
            doc = _unique_slug(read_document(source, path.stem, path.name), corpus)
            clauses = parse(source, doc)
        except (ValueError, PlanFormatError) as err:
            corpus.problems.append(str(err))
            continue
        corpus.documents.append(doc)
        corpus.clauses.extend(clauses)
        corpus.problems.extend(unplaced(clauses))
        corpus.sources[path.name] = source
    return corpus


def _unique_slug(doc: Document, corpus: Corpus) -> Document:
    """A second plan for a place already read gets its own clause ids (xiangtan2/…), so
    neither hides the other's clauses; the corpus reports it."""
    taken = {d.slug for d in corpus.documents}
    if doc.slug not in taken:
        return doc
    slug = next(f"{doc.slug}{n}" for n in range(2, len(taken) + 3) if f"{doc.slug}{n}" not in taken)
    first = next(d for d in corpus.documents if d.slug == doc.slug)
    corpus.problems.append(f"{doc.file}: a second plan for {doc.city} (the first is {first.file}, "
                           f"{first.city}); its clauses are served as {slug}/…")
    return replace(doc, slug=slug)


def unplaced(clauses: list[Clause]) -> list[str]:
    """Paragraphs the parser could not put under a heading, past the plan's opening one:
    kept as top-level clauses, and reported so a new plan's layout can be checked."""
    loose = [c for c in clauses if c.parent_id is None and c.kind == "paragraph"][1:]
    return [f"{c.file}: line {c.line}: not under any heading; kept as clause {c.clause_id}" for c in loose]


def fingerprint(folder: Path | str = DEFAULT_CORPUS) -> str:
    """sha256 over every plan file's name and bytes: changes whenever the corpus does."""
    digest = hashlib.sha256()
    folder = Path(folder)
    for path in plan_files(folder) if folder.is_dir() else []:
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
