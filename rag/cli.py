"""Command line: `python -m rag clauses | build | search | ask | eval`."""

from __future__ import annotations

import argparse
import json
import signal
import sys

from .corpus import DEFAULT_CORPUS, load_corpus


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False))


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m rag", description=__doc__)
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="folder of plan files")
    sub = parser.add_subparsers(dest="command", required=True)

    clauses = sub.add_parser("clauses", help="list the parsed clauses")
    clauses.add_argument("--doc", help="one plan: its slug (hohhot), city (呼和浩特市), doc id or file")
    clauses.add_argument("--json", action="store_true", help="one JSON object per line")
    clauses.set_defaults(func=cmd_clauses)
    return parser


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = build_parser().parse_args(argv)
    return args.func(args)
