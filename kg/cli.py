"""The ``kg`` command: thin argument parsing over the pipeline stages.

    kg build [INPUT ...] [--out DIR] [--strict] [--html-max-nodes N] [--device auto|cpu|cuda]
    kg query (QUERY | --file F.rq | --name NAME | --list) [--graph PATH] [--format table|csv|json]
    kg validate [PATH]
    kg serve [--graph PATH] [--host 127.0.0.1] [--port 8000]
    kg eval [--bench-dir DIR]

Exit codes: 0 success, 1 a check failed (validation, evaluation), 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from kg.errors import InputError

DEFAULT_OUT = Path("exports")
DEFAULT_GRAPH = DEFAULT_OUT / "graph.ttl"


def _cmd_build(args: argparse.Namespace) -> int:
    from kg.pipeline import BuildOptions, build

    report = build(
        [Path(p) for p in args.inputs] or None,
        BuildOptions(
            out_dir=Path(args.out),
            strict=args.strict,
            html_max_nodes=args.html_max_nodes,
            device=args.device,
            progress=not args.quiet,
        ),
    )
    print(report.summary())
    return 0


def _cmd_query(args: argparse.Namespace) -> int:
    raise NotImplementedError  # filled by kg.query


def _cmd_validate(args: argparse.Namespace) -> int:
    raise NotImplementedError  # filled by kg.validate


def _cmd_serve(args: argparse.Namespace) -> int:
    raise NotImplementedError  # filled by kg.serve


def _cmd_eval(args: argparse.Namespace) -> int:
    from kg.evaluate import run_eval

    return run_eval(Path(args.bench_dir), Path(args.work) if args.work else None)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kg", description="Knowledge graph of papers, methods, tasks and hardware.")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the graph and its exports from paper listings")
    b.add_argument("inputs", nargs="*", help="files or directories (.txt dumps, .jsonl, .csv); default: bundled")
    b.add_argument("--out", default=str(DEFAULT_OUT), help="output directory (default: exports/)")
    b.add_argument("--strict", action="store_true", help="a malformed record fails the build (exit 2)")
    b.add_argument("--html-max-nodes", type=int, default=None, help="most-connected nodes kept in graph.html")
    b.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="embedding device")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    b.set_defaults(func=_cmd_build)

    q = sub.add_parser("query", help="run SPARQL over an export")
    q.add_argument("query", nargs="?", help="SPARQL text")
    q.add_argument("--file", help="read the query from a .rq file")
    q.add_argument("--name", help="run a named query from the library (see --list)")
    q.add_argument("--list", action="store_true", help="list the named queries")
    q.add_argument("--graph", default=str(DEFAULT_GRAPH), help="export to query (default: exports/graph.ttl)")
    q.add_argument("--format", choices=["table", "csv", "json"], default="table")
    q.add_argument("--store", choices=["memory", "oxigraph"], default="memory")
    q.set_defaults(func=_cmd_query)

    v = sub.add_parser("validate", help="check an export against the SHACL shapes")
    v.add_argument("path", nargs="?", default=str(DEFAULT_GRAPH))
    v.set_defaults(func=_cmd_validate)

    s = sub.add_parser("serve", help="SPARQL 1.1 Protocol endpoint (read-only) with a query page")
    s.add_argument("--graph", default=str(DEFAULT_GRAPH))
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--store", choices=["memory", "oxigraph"], default="memory")
    s.add_argument("--timeout", type=float, default=10.0, help="seconds before a query is stopped")
    s.add_argument("--row-limit", type=int, default=10_000, help="most result rows returned")
    s.set_defaults(func=_cmd_serve)

    e = sub.add_parser("eval", help="score extraction against the gold files in ../shared/bench")
    e.add_argument("--bench-dir", default="../shared/bench")
    e.add_argument("--work", default=None, help="keep the built graphs here")
    e.set_defaults(func=_cmd_eval)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"kg: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kg: interrupted; earlier exports are untouched", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
