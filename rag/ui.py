"""Gradio web UI: a chat on the left, the cited clauses on the right.

Every piece of text that comes from the corpus or the user is escaped here, before any
markup is added, and the chatbot renders our HTML as is (Markdown off), so `<script>`,
`<b>` or `**bold**` in a question or a clause always shows as literal text.
"""

from __future__ import annotations

import html
import re
import sys
import threading
import traceback
from itertools import groupby

import gradio as gr

from .places import english_name

ALL_PLANS = "All plans / 全部"
EXAMPLES = [
    "Who leads the elderly action in Hohhot?",
    "呼和浩特市老年人科学素质提升行动的牵头单位是谁？",
    "湘潭每年培训多少科技辅导员？",
    "What is Suifenhe's 2025 target for scientific literacy?",
    "泽州县老年人科学素质提升行动由哪些单位牵头？",
    "各地老年人行动的牵头单位分别是什么？",
]
_CITATION = re.compile(r"\[(\d+)\]")

CSS = """
.cite { font-size: 0.72em; vertical-align: super; line-height: 0; }
.cite a { text-decoration: none; padding: 0 0.3em; margin: 0 0.05em; border-radius: 0.6em;
          background: #dbeafe; color: #1d4ed8; font-weight: 600; }
.notice { background: #fef3c7; color: #92400e; border-radius: 6px; padding: 0.3em 0.6em; margin-bottom: 0.4em; }
.abstain { color: #6b7280; }
.src-title { font-weight: 700; font-size: 1.1em; margin-bottom: 0.2em; }
.src-top { font-size: 0.85em; color: #6b7280; margin-bottom: 0.5em; }
.src-warn { background: #fef3c7; color: #92400e; border-radius: 6px; padding: 0.4em 0.6em; margin-bottom: 0.6em; }
.src-card { border: 1px solid #e5e7eb; border-radius: 8px; padding: 0.6em 0.8em; margin-bottom: 0.6em; }
.src-head { font-weight: 600; }
.src-num { color: #1d4ed8; margin-right: 0.3em; }
.src-doc, .src-path, .src-loc { font-size: 0.85em; color: #6b7280; }
.src-text { margin: 0.4em 0; line-height: 1.6; }
.src-text mark.term { background: #fde68a; }
.src-text mark.quote { background: #dcfce7; }
.src-text mark.quote.term { background: #bbf7d0; font-weight: 600; }
.src-units { font-size: 0.9em; }
.src-label { font-weight: 600; margin-right: 0.3em; }
"""


def _e(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def render_question(question: str) -> str:
    """The user's chat bubble: the question as literal text, line breaks kept."""
    return "<br>".join(_e(line) for line in str(question or "").split("\n"))


def _cite(match: re.Match, count: int) -> str:
    n = int(match.group(1))
    if not 1 <= n <= count:
        return match.group(0)
    return f'<sup class="cite"><a href="#src-{n}" title="source {n}">{n}</a></sup>'


def render_answer(answer) -> str:
    """The assistant's chat bubble: escaped answer text, [n] markers as small badges."""
    count = len(answer.citations)
    lines = []
    for line in _e(answer.text).split("\n"):
        if line.startswith("- "):
            line = "• " + line[2:]
        lines.append(_CITATION.sub(lambda m: _cite(m, count), line))
    parts = []
    if answer.message:
        parts.append(f'<div class="notice">⚠ {_e(answer.message)}</div>')
    if answer.text and answer.text != answer.message:
        css = "answer" if answer.answerable else "answer abstain"
        parts.append(f'<div class="{css}">' + "<br>".join(lines) + "</div>")
    return "".join(parts)


def _spans(text: str, needle: str):
    """Every (start, end) at which needle stands in text, ignoring case."""
    if not needle:
        return
    lowered, needle = text.lower(), needle.lower()
    at = lowered.find(needle)
    while at >= 0:
        yield at, at + len(needle)
        at = lowered.find(needle, at + 1)


def highlight(text: str, quotes: list[str], terms: list[str]) -> str:
    """Escaped text with the quoted sentences and query terms in <mark>.

    The raw text is split into runs that share one highlight state and each run is
    escaped on its own, so no markup from the text can survive and no entity is cut.
    """
    flags = [0] * len(text)
    for needle, bit in [(q, 1) for q in quotes] + [(t, 2) for t in terms if len(t) >= 2]:
        for start, end in _spans(text, needle):
            for i in range(start, end):
                flags[i] |= bit
    out, i = [], 0
    for flag, run in groupby(flags):
        n = len(list(run))
        piece = _e(text[i:i + n])
        i += n
        css = {1: "quote", 2: "term", 3: "quote term"}.get(flag)
        out.append(f'<mark class="{css}">{piece}</mark>' if css else piece)
    return "".join(out)


def _terms(answer, engine) -> list[str]:
    """The question's lexical tokens, longest first. Re-analysed rather than read from
    retriever.last_query, which a concurrent or per-plan search may have replaced."""
    try:
        tokens = engine.retriever.analyse(answer.question).tokens
    except Exception:
        tokens = list(getattr(getattr(engine.retriever, "last_query", None), "tokens", []) or [])
    return sorted(set(tokens), key=len, reverse=True)


def _card(clause, label: str, anchor: str, quotes: list[str], terms: list[str], engine) -> str:
    doc = engine.by_doc.get(clause.doc_id)
    number = f' · <span class="src-doc" title="{_e(doc.title)}">{_e(doc.number)}</span>' if doc else ""
    path = " › ".join(clause.path)
    units = "".join(
        f'<div class="src-units"><span class="src-label">{name}</span>{_e("、".join(values))}</div>'
        for name, values in (("牵头单位", clause.lead_units), ("责任单位", clause.responsible_units)) if values)
    return (f'<div class="src-card" id="{anchor}">'
            f'<div class="src-head"><span class="src-num">{label}</span>{_e(clause.city)}'
            f' <span class="src-doc">({_e(english_name(clause.city))})</span>{number}</div>'
            + (f'<div class="src-path">{_e(path)}</div>' if path else "")
            + f'<div class="src-text">{highlight(clause.text, quotes, terms)}</div>{units}'
            f'<div class="src-loc">line {int(clause.line)} · {_e(clause.file)}</div></div>')


def render_sources(answer, engine) -> str:
    """The sources panel: one card per cited clause in citation order, or, when the
    question is not answered, the nearest clauses under a warning that they do not answer it."""
    title = '<div class="src-title">Sources 来源</div>'
    if not answer.question:
        return title + '<div class="src-top">Ask a question to see its sources. 提问后在此查看引用的条款。</div>'
    terms = _terms(answer, engine)
    top = f'{title}<div class="src-top">For 问题：{_e(answer.question)}</div>'
    if not answer.answerable:
        hits = answer.hits[:3]
        if not hits:
            return top + '<div class="src-warn">No clause answers this question. 没有条款回答该问题。</div>'
        cards = [_card(h.clause, f"≈{i}", f"near-{i}", [], terms, engine) for i, h in enumerate(hits, 1)]
        return (top + '<div class="src-warn">Nearest clauses — they do not answer the question. '
                      '最接近的条款，并不回答该问题。</div>' + "".join(cards))
    if not answer.citations:
        return top + '<div class="src-warn">No sources were cited. 未引用条款。</div>'
    cards = []
    for n, clause in enumerate(answer.citations, 1):
        quotes = [q.text for q in answer.quotes if q.clause_id == clause.clause_id]
        cards.append(_card(clause, f"[{n}]", f"src-{n}", quotes, terms, engine))
    return top + "".join(cards)


# How the page says an answer failed; the load test counts these as errors.
ENGINE_FAILED = "Sorry, something went wrong while answering"


def _error_html(error: Exception) -> str:
    return (f'<div class="notice">⚠ {ENGINE_FAILED}: {_e(type(error).__name__)}: '
            f'{_e(error)}. 抱歉，回答时出错，请重试或换个问法。</div>')


class Asker:
    """Serialises engine.ask: the retriever keeps per-query state (last_query)."""

    def __init__(self, engine):
        self.engine, self.lock = engine, threading.Lock()

    def __call__(self, question, place=None) -> tuple[str, str]:
        """(answer HTML, sources HTML); never raises."""
        place = None if not place or place == ALL_PLANS else place
        try:
            with self.lock:
                answer = self.engine.ask(question, place)
                return render_answer(answer), render_sources(answer, self.engine)
        except Exception as error:  # the UI must show a message, never a stack trace
            traceback.print_exc(file=sys.stderr)
            return _error_html(error), ""


def respond(asker: Asker, question, place, history):
    """One chat turn: (new history, sources panel, cleared textbox)."""
    history = list(history or [])
    try:
        answer_html, sources_html = asker(question, place)
    except Exception as error:
        answer_html, sources_html = _error_html(error), ""
    history += [{"role": "user", "content": render_question(question)},
                {"role": "assistant", "content": answer_html}]
    return history, sources_html, ""


def build_app(engine) -> gr.Blocks:
    """The Blocks app; launch it with css=CSS for the badges and cards."""
    asker = Asker(engine)
    cities = list(engine.index.cities)
    choices = [ALL_PLANS] + [(f"{c} ({english_name(c)})", c) for c in cities]
    with gr.Blocks(title="Plans Q&A · 全民科学素质实施方案问答") as demo:
        gr.Markdown("# Science-literacy plans Q&A · 全民科学素质实施方案问答\n"
                    f"Ask in English or Chinese about the {len(cities)} local plans; every answer cites the "
                    "clauses it comes from.  用中文或英文提问，每个回答都注明出处条款。")
        problems = engine.index.manifest.get("problems", [])
        if problems:
            gr.HTML("".join(f'<div class="notice">⚠ {_e(p)}</div>' for p in problems), elem_id="problems")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chat = gr.Chatbot(elem_id="chat", label="Chat 对话", height=520, render_markdown=False,
                                  sanitize_html=True, latex_delimiters=[], allow_tags=False, buttons=[],
                                  feedback_options=None)
                with gr.Row():
                    question = gr.Textbox(elem_id="question", show_label=False, scale=5, lines=1, max_lines=4,
                                          placeholder="Type a question… 请输入问题…", autofocus=True)
                    send = gr.Button("Send 发送", elem_id="send", variant="primary", scale=1, min_width=90)
                place = gr.Dropdown(choices=choices, value=ALL_PLANS, label="Plan 方案", elem_id="place")
                gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[question], label="Examples 示例")
            with gr.Column(scale=2):
                sources = gr.HTML(render_sources(_Empty(), engine), elem_id="sources", container=True,
                                  padding=True, max_height=820, js_on_load=None)

        def turn(q, p, h):
            return respond(asker, q, p, h)

        for event in (question.submit, send.click):
            event(turn, [question, place, chat], [chat, sources, question], api_visibility="private")

        def ask(question: str, place: str = "") -> str:
            """Answer one question (optionally for one plan); returns the answer as HTML."""
            return asker(question, place)[0]

        gr.api(ask, api_name="ask")
    return demo


class _Empty:
    """Stands for 'no answer yet' in the sources panel."""

    question = ""
