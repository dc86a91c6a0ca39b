"""Parse one plan into its facts and a tree of clauses with exact source spans.

A plan is a notice (issuer, number, date) followed by the plan body. The body follows
its own hierarchy: `一、` sections, `（一）` actions / projects / subsections, `1.` items,
and plain paragraphs. PDF conversion left page breaks inside paragraphs (`流\\n\\n动科技馆`);
a paragraph that does not end a sentence continues after the break.

Every clause keeps the character span it was read from, and `clean(source[start:end])`
gives its text: only layout noise is removed, never words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import units as unit_lists
from .places import place_slug

CN_DIGITS = "一二三四五六七八九十"

NOISE = re.compile(r"\[bookmark: _GoBack\]|\*\*")
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’《》、"
SPACE_NEAR_CJK = re.compile(rf"[ \t\u3000]+(?=[{_CJK}])|(?<=[{_CJK}])[ \t\u3000]+")
_LINE_BREAK = re.compile(r"[ \t\u3000]*\n\s*")

SECTION = re.compile(r"^([一二三四五六七八九十]+)、\s*")
SUBSECTION = re.compile(r"^[（(]\s*([一二三四五六七八九十]+)\s*[）)]\s*")
ITEM = re.compile(r"^(\d{1,2})\s*[.．、](?!\d)\s*")
SENTENCE_END = "。；;！!？?）)”」：:"
_PUNCTUATION = re.compile(r"[。，；：、,.;:！？!?（）()“”]")

DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,8}〔\d{4}〕\d+号")
DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
ISSUER = re.compile(r"^\s*(\S+?(?:人民政府办公室|人民政府办公厅|人民政府))\s*$")
TITLE_LINE = re.compile(r"实施方案\s*[（(]")
PLACE = re.compile(r"^(.+?[省市县区旗])全民科学素质")


_SENTENCE = re.compile(r"[^。；;！？!?]+[。；;！？!?）)]*")


def sentences(text: str) -> list[str]:
    """A clause's sentences, as answers quote them (fragments under four characters dropped)."""
    return [part.strip() for part in _SENTENCE.findall(text) if len(part.strip()) >= 4]


def clean(raw: str) -> str:
    """Text of a source span without layout noise: markers, line breaks, stray spaces."""
    text = NOISE.sub("", raw)
    text = _LINE_BREAK.sub("", text)
    text = SPACE_NEAR_CJK.sub("", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


@dataclass
class Document:
    """One plan: where it came from and the facts its notice states."""

    doc_id: str
    file: str
    city: str
    slug: str
    title: str
    issuer: str
    number: str
    date: str
    body_start: int
    body_end: int


@dataclass
class Clause:
    """One clause of a plan, with the span it was read from."""

    clause_id: str
    doc_id: str
    city: str
    kind: str
    number: str
    title: str
    path: list[str]
    text: str
    file: str
    start: int
    end: int
    line: int
    parent_id: str | None = None
    lead_units: list[str] = field(default_factory=list)
    responsible_units: list[str] = field(default_factory=list)
    lead_raw: str = ""
    responsible_raw: str = ""
    note_clause_id: str | None = None

    @property
    def source(self) -> dict:
        return {"file": self.file, "start": self.start, "end": self.end, "line": self.line}

    def to_dict(self) -> dict:
        return {
            "clause_id": self.clause_id,
            "city": self.city,
            "doc_id": self.doc_id,
            "kind": self.kind,
            "number": self.number,
            "title": self.title,
            "path": list(self.path),
            "text": self.text,
            "lead_units": list(self.lead_units),
            "responsible_units": list(self.responsible_units),
            "lead_raw": self.lead_raw,
            "responsible_raw": self.responsible_raw,
            "note_clause_id": self.note_clause_id,
            "parent_id": self.parent_id,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Clause":
        fields = {**data, **data.get("source", {})}
        return cls(**{k: v for k, v in fields.items() if k in cls.__dataclass_fields__})


@dataclass
class _Paragraph:
    start: int
    end: int
    line: int
    text: str

    @property
    def heading(self) -> str | None:
        if SECTION.match(self.text):
            return "section"
        if SUBSECTION.match(self.text):
            return "subsection"
        if ITEM.match(self.text):
            return "item"
        return None


class PlanFormatError(ValueError):
    """The text is not a plan this parser can read."""


def read_document(source: str, doc_id: str, file: str) -> Document:
    """Read the plan's facts (place, issuer, number, date, title) from its own text."""
    lines = source.split("\n")
    offsets = _line_offsets(lines)
    first_section = next((i for i, l in enumerate(lines) if SECTION.match(l.strip())), None)
    if first_section is None:
        raise PlanFormatError(f"{file}: no numbered section (一、…) found")
    title_at = next(
        (i for i in range(first_section - 1, -1, -1)
         if TITLE_LINE.search(lines[i]) and not re.search(r"通知|印发|关于", lines[i])),
        None,
    )
    if title_at is None:
        raise PlanFormatError(f"{file}: no plan title (…实施方案（…）) before the first section")
    title_lines = [lines[title_at]]
    if "纲要" not in lines[title_at]:
        previous = next(i for i in range(title_at - 1, -1, -1) if lines[i].strip())
        title_lines.insert(0, lines[previous])
    title = re.sub(r"\s+", "", "".join(title_lines))
    front = "\n".join(lines[:title_at])
    place = PLACE.match(title)
    issuers = [m.group(1) for l in lines[:title_at] if (m := ISSUER.match(l))]
    date = DATE.search(front)
    number = DOC_NUMBER.search(front)
    city = place.group(1) if place else title.split("全民")[0]
    footer = next((i for i, l in enumerate(lines) if l.strip().startswith("抄送")), len(lines))
    return Document(
        doc_id=doc_id,
        file=file,
        city=city,
        slug=place_slug(city),
        title=title,
        issuer=issuers[-1] if issuers else "",
        number=number.group(0) if number else "",
        date=f"{date.group(1)}-{int(date.group(2)):02d}-{int(date.group(3)):02d}" if date else "",
        body_start=offsets[title_at + 1],
        body_end=offsets[footer] if footer < len(lines) else len(source),
    )


def _line_offsets(lines: list[str]) -> list[int]:
    offsets, at = [], 0
    for line in lines:
        offsets.append(at)
        at += len(line) + 1
    return offsets


def paragraphs(source: str, start: int, end: int) -> list[_Paragraph]:
    """Body paragraphs, with paragraphs cut by page breaks joined back together."""
    out: list[_Paragraph] = []
    line_no = source.count("\n", 0, start) + 1
    at = start
    for line in source[start:end].split("\n"):
        text = clean(line)
        if text:
            lead = len(line) - len(line.lstrip())
            span = (at + lead, at + len(line.rstrip()))
            piece = _Paragraph(span[0], span[1], line_no, text)
            previous = out[-1] if out else None
            if previous and _continues(previous, piece):
                previous.end = piece.end
                previous.text = clean(source[previous.start:previous.end])
            else:
                out.append(piece)
        at += len(line) + 1
        line_no += 1
    return out


def _continues(previous: _Paragraph, piece: _Paragraph) -> bool:
    """A piece continues the previous paragraph when a page break cut a sentence."""
    if piece.heading or _is_bare_heading(previous.text) or previous.text.endswith(tuple(SENTENCE_END)):
        return False
    if previous.heading in ("section", "subsection") and not _PUNCTUATION.search(_heading_rest(previous.text)):
        return False
    return True


def _is_bare_heading(text: str) -> bool:
    """A short line with no punctuation: an unnumbered heading (湘潭: 农民科学素质提升行动)."""
    return len(text) <= 30 and not _PUNCTUATION.search(text) and not text[:1].isdigit()


def _heading_rest(text: str) -> str:
    for pattern in (SECTION, SUBSECTION):
        match = pattern.match(text)
        if match:
            return text[match.end():]
    return text


def trailing_note(text: str) -> tuple[str, str] | None:
    """The parenthesised note at the end of a text, if it names units: (inner, whole)."""
    text = text.rstrip()
    if not text.endswith((")", "）")):
        return None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] in ")）":
            depth += 1
        elif text[i] in "(（":
            depth -= 1
            if depth == 0:
                inner = text[i + 1:-1]
                if re.search(r"牵头|责任单位|配合单位|配合", inner):
                    return inner, text[i:]
                return None
    return None


def _title(text: str) -> str:
    sentence = re.split(r"[。；]", text, maxsplit=1)[0]
    return sentence if len(sentence) <= 40 else sentence[:40] + "…"


def _cn_number(n: int) -> str:
    if n <= 10:
        return CN_DIGITS[n - 1]
    return ("" if n < 20 else CN_DIGITS[n // 10 - 1]) + "十" + (CN_DIGITS[n % 10 - 1] if n % 10 else "")


def notice(source: str, doc: Document) -> Clause | None:
    """The notice before the plan body (number, issuer, date, title) as one clause."""
    head = source[:doc.body_start]
    start = len(head) - len(head.lstrip())
    end = len(head.rstrip())
    if end <= start:
        return None
    return Clause(f"{doc.slug}/notice", doc.doc_id, doc.city, "notice", "", doc.title, [],
                  clean(source[start:end]), doc.file, start, end, source.count("\n", 0, start) + 1)


def parse(source: str, doc: Document) -> list[Clause]:
    """Split a plan into clauses and attach the unit notes that govern them."""
    paras = paragraphs(source, doc.body_start, doc.body_end)
    clauses: list[Clause] = [c for c in [notice(source, doc)] if c]
    section: Clause | None = None
    block: Clause | None = None
    block_children: list[tuple[Clause, _Paragraph]] = []
    blocks: list[tuple[Clause | None, list[tuple[Clause, _Paragraph]]]] = []
    counters: dict[str, int] = {}
    sub_ordinal = 0

    def make(kind, number, title, para, parent, key):
        path = [c.text if c.kind == "section" else _heading_label(c) for c in _ancestors(parent, by_id)]
        clause_id = _unique(f"{doc.slug}/{key}" if key else doc.slug, seen)
        return Clause(clause_id, doc.doc_id, doc.city, kind, number, title, path, para.text,
                      doc.file, para.start, para.end, para.line,
                      parent.clause_id if parent else None)

    seen: set[str] = set()
    by_id: dict[str, Clause] = {}

    def close_block():
        if block_children or block is not None:
            blocks.append((block, list(block_children)))
        block_children.clear()

    for i, para in enumerate(paras):
        heading = para.heading
        nxt = paras[i + 1] if i + 1 < len(paras) else None
        bare = (heading is None and _is_bare_heading(para.text) and section is not None
                and nxt is not None and nxt.heading == "item")
        if heading == "section":
            close_block()
            number = SECTION.match(para.text).group(1)
            section = make("section", number, _title(_heading_rest(para.text)), para, None, number)
            block, sub_ordinal = None, 0
            clauses.append(section)
            by_id[section.clause_id] = section
            continue
        if heading == "subsection" or bare:
            close_block()
            sub_ordinal += 1
            number = SUBSECTION.match(para.text).group(1) if heading else _cn_number(sub_ordinal)
            rest = _heading_rest(para.text)
            title = _title(rest)
            kind = "action" if "行动" in title else "project" if "工程" in title else "subsection"
            key = f"{section.number}/{number}" if section else number
            block = make(kind, number, title, para, section, key)
            clauses.append(block)
            by_id[block.clause_id] = block
            if "。" in rest:
                block_children.append((block, para))
            continue
        parent = block or section
        prefix = parent.clause_id[len(doc.slug) + 1:] + "/" if parent else ""
        note = trailing_note(para.text)
        if note and note[1] == para.text:
            kind, number = "note", ""
            key = prefix + "note"
        elif heading == "item":
            kind, number = "item", ITEM.match(para.text).group(1)
            key = prefix + number
        else:
            kind, number = "paragraph", ""
            counters[prefix] = counters.get(prefix, 0) + 1
            key = prefix + f"p{counters[prefix]}"
        clause = make(kind, number, _title(ITEM.sub("", para.text)) if kind != "note" else "", para, parent, key)
        clauses.append(clause)
        by_id[clause.clause_id] = clause
        block_children.append((clause, para))
    close_block()

    for owner, children in blocks:
        _unnumbered_items(owner, children, doc, seen)
        _attach_notes(owner, [c for c, _ in children])
    _canonicalise(clauses)
    return clauses


def _heading_label(clause: Clause) -> str:
    return clause.text if len(clause.text) <= 40 else clause.text.split("。")[0]


def _ancestors(clause: Clause | None, by_id: dict[str, Clause]) -> list[Clause]:
    chain = []
    while clause is not None:
        chain.append(clause)
        clause = by_id.get(clause.parent_id) if clause.parent_id else None
    return chain[::-1]


def _unique(clause_id: str, seen: set[str]) -> str:
    candidate, n = clause_id, 1
    while candidate in seen:
        n += 1
        candidate = f"{clause_id}-{n}"
    seen.add(candidate)
    return candidate


def _unnumbered_items(owner: Clause | None, children, doc: Document, seen: set[str]) -> None:
    """Under an action with no numbered items, each paragraph is one item (呼和浩特)."""
    if owner is None or owner.kind == "section" or any(c.kind == "item" for c, _ in children):
        return
    ordinal = 0
    for clause, _ in children:
        if clause.kind != "paragraph":
            continue
        ordinal += 1
        seen.discard(clause.clause_id)
        clause.kind, clause.number = "item", str(ordinal)
        clause.clause_id = _unique(f"{owner.clause_id}/{ordinal}", seen)


def _attach_notes(owner: Clause | None, children: list[Clause]) -> None:
    """Give every clause of a block the units of the note that governs it.

    A note on a line of its own, on the block's opening paragraph, or once at the end
    of the block (when other items carry none) governs the whole block; an item's own
    note wins for the fields it names.
    """
    notes = {c.clause_id: unit_lists.parse_note(n[0]) for c in children if (n := trailing_note(c.text))}
    notes = {k: v for k, v in notes.items() if v is not None}
    block_note, block_note_id = None, None
    standalone = [c for c in children if c.kind == "note" and c.clause_id in notes]
    items = [c for c in children if c.kind == "item"]
    intro = [c for c in children if c.kind in ("paragraph", "action", "project", "subsection")
             and items and children.index(c) < children.index(items[0])]
    if standalone:
        block_note_id = standalone[-1].clause_id
    elif intro and intro[-1].clause_id in notes:
        block_note_id = intro[-1].clause_id
    elif children and children[-1].clause_id in notes and any(c.clause_id not in notes for c in items):
        block_note_id = children[-1].clause_id
    if block_note_id:
        block_note = notes[block_note_id]
    for clause in children:
        own = notes.get(clause.clause_id)
        lead_from = own if own and own.lead else block_note
        resp_from = own if own and own.responsible else block_note
        if lead_from:
            clause.lead_units, clause.lead_raw = list(lead_from.lead), lead_from.lead_raw
        if resp_from:
            clause.responsible_units = list(resp_from.responsible)
            clause.responsible_raw = resp_from.responsible_raw
        if own or block_note:
            clause.note_clause_id = clause.clause_id if own else block_note_id
    if owner is None or owner.kind == "section":
        return
    if block_note:
        owner.lead_units, owner.lead_raw = list(block_note.lead), block_note.lead_raw
        owner.responsible_units = list(block_note.responsible)
        owner.responsible_raw = block_note.responsible_raw
        owner.note_clause_id = block_note_id
    elif notes:
        owner.lead_units = _union(c.lead_units for c in children)
        owner.responsible_units = _union(c.responsible_units for c in children)


def _union(lists) -> list[str]:
    return list(dict.fromkeys(u for units in lists for u in units))


def _canonicalise(clauses: list[Clause]) -> None:
    every = [u for c in clauses for u in c.lead_units + c.responsible_units]
    forms = unit_lists.canonical_forms(every)
    for clause in clauses:
        clause.lead_units = _union([[forms[u] for u in clause.lead_units]])
        clause.responsible_units = _union([[forms[u] for u in clause.responsible_units]])
