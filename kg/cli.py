"""The ``kg`` command: thin argument parsing over the pipeline stages.

    kg build [INPUT ...] [--out DIR] [--strict] [--force] [--wait] [--allow-empty] [--dry-run]
             [--html-max-nodes N] [--device auto|cpu|cuda] [--engine in-process|dask]
             [--scheduler local:N|tcp://HOST:PORT] [--extractor rules|tagger]
    kg query (QUERY | --file F.rq | --name NAME | --list) [--param NAME=VALUE ...] [--graph PATH]
             [--format table|csv|json] [--store memory|oxigraph|DIR] [--allow-service]
    kg validate [PATH]
    kg load [EXPORT] --store DIR
    kg serve [--graph PATH] [--host 127.0.0.1] [--port 8000] [--store memory|oxigraph|DIR] [--timeout S]
             [--row-limit N] [--workers N] [--max-query-chars N] [--max-depth N] [--max-body BYTES]
             [--memory-limit MIB]

Exit codes: 0 success, 1 a check failed (validation; an export that does not read back), 2 bad input or
usage, another build holding --out, or the engine failed (a Dask scheduler that cannot be reached,
workers that keep dying).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from kg.errors import EngineError, ExportError, InputError

DEFAULT_OUT = Path("exports")
DEFAULT_GRAPH = DEFAULT_OUT / "graph.ttl"


def _cmd_build(args: argparse.Namespace) -> int:
    if args.dry_run:
        return _dry_run(args)
    from kg.pipeline import BuildOptions, build

    report = build(
        [Path(p) for p in args.inputs] or None,
        BuildOptions(
            out_dir=Path(args.out),
            strict=args.strict,
            force=args.force,
            allow_empty=args.allow_empty,
            wait=args.wait,
            html_max_nodes=args.html_max_nodes or None,
            device=args.device,
            progress=not args.quiet,
            engine=args.engine,
            **({'extractor': args.extractor} if args.extractor else {}),
            scheduler=args.scheduler,
        ),
    )
    print(report.summary())
    return 0


def _dry_run(args: argparse.Namespace) -> int:
    """Read and deduplicate the inputs, say what was found, build nothing (no model, no exports)."""
    from kg.corpus import default_corpus_dir, read_corpus

    corpus = read_corpus(
        [Path(p) for p in args.inputs] or [default_corpus_dir()],
        strict=args.strict,
        on_warning=lambda msg: print(f"kg: warning: {msg}", file=sys.stderr),
    )
    print(corpus.summary())
    print(f"dry run: nothing built, {args.out}/ untouched")
    return 0


def _cmd_query(args: argparse.Namespace) -> int:
    from kg.query import (
        TOO_DEEP,
        NamedQuery,
        format_query_list,
        format_result,
        get_query,
        list_queries,
        load_graph,
        parse_params,
        run_query,
    )
    from kg.query.guard import REMOTE_KEYWORDS, QueryLimits, QueryRefused, check_query, with_deep_stack

    if args.list:
        print(format_query_list(list_queries()))
        return 0
    given = [x for x in (args.query, args.file, args.name) if x]
    if len(given) != 1:
        raise InputError("kg query", "give exactly one of: QUERY text, --file F.rq, --name NAME (or --list)")
    if args.name:
        named = get_query(args.name)
    elif args.file:
        path = Path(args.file)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(path, f"cannot read the query: {exc.strerror or exc}") from None
        named = NamedQuery.from_text(path.stem, text, str(path))
    else:
        named = NamedQuery.from_text("query", args.query, "<query>")
    text = named.render(**parse_params(args.param or []))
    limits = QueryLimits(allow_service=args.allow_service)
    try:
        check_query(text, limits, named.source)  # before the graph is loaded: a refusal costs nothing
    except QueryRefused as exc:
        if exc.keyword not in REMOTE_KEYWORDS:
            raise
        raise QueryRefused(exc.path, f"{exc.message} (--allow-service runs it)", exc.line, exc.keyword) from None
    graph = load_graph(Path(args.graph), store=args.store)

    def answer() -> str:
        try:
            return format_result(run_query(graph, text, named.source, limits), args.format)
        except RecursionError:  # while the memory store evaluates, after parsing
            raise QueryRefused(named.source, f"query refused: {TOO_DEEP}") from None

    print(with_deep_stack(answer))
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from kg.query import load_graph
    from kg.query.validate import validate

    graph = load_graph(args.path)  # InputError (exit 2) when missing or unparseable
    result = validate(graph)
    if result.conforms:
        print(f"{args.path}: conforms to ontology/shapes.ttl ({len(graph)} triples)")
        return 0
    print(result.text.rstrip())
    print(f"{args.path}: {result.violations} violation(s) of ontology/shapes.ttl", file=sys.stderr)
    return 1


def _cmd_load(args: argparse.Namespace) -> int:
    from kg.query.store import load_store

    print(load_store(Path(args.export), Path(args.store)).summary())
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from kg.query.serve import ServeOptions, serve

    return serve(
        Path(args.graph),
        ServeOptions(
            host=args.host,
            port=args.port,
            store=args.store,
            timeout=args.timeout,
            row_limit=args.row_limit,
            workers=args.workers,
            # given only when set, so the defaults live in ServeOptions alone
            **{k: getattr(args, k) for k in _SERVE_LIMITS if hasattr(args, k)},
        ),
    )


_SERVE_LIMITS = ("max_query_chars", "max_depth", "max_body", "memory_limit")


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kg", description="Knowledge graph of papers, methods, tasks and hardware.")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the graph and its exports from paper listings")
    b.add_argument("inputs", nargs="*",
                   help="files or directories: daily-papers .txt dumps, .jsonl, .csv, arXiv Atom/OAI-PMH .xml, "
                        "Hugging Face/OpenAlex/CSL .json, OpenAlex/Semantic Scholar .jsonl, .bib, .ris (format "
                        "read from the content); default: the bundled corpus")
    b.add_argument("--dry-run", action="store_true",
                   help="only read the inputs: report files, formats detected, papers, duplicates and skipped "
                        "records, and build nothing")
    b.add_argument("--out", default=str(DEFAULT_OUT), help="output directory (default: exports/)")
    b.add_argument("--strict", action="store_true", help="a malformed record fails the build (exit 2)")
    b.add_argument("--force", action="store_true", help="rebuild even when the exports are up to date")
    b.add_argument("--wait", action="store_true",
                   help="wait while another build writes to --out (by default that fails at once, exit 2)")
    b.add_argument("--allow-empty", action="store_true",
                   help="write exports even when no paper was read (by default that fails, exit 2)")
    b.add_argument("--html-max-nodes", type=_non_negative, default=0,
                   help="keep only the N most-connected nodes in graph.html (default 0: all; the page "
                        "opens on an overview of clusters either way)")
    b.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="embedding device")
    b.add_argument("--extractor", choices=["rules", "tagger"], default=None,
                   help="tagger: the span tagger and relation classifier trained on SciERC; rules: chunker, "
                   "vocabulary and rules, methods linked to every task of a paper (default: BuildOptions.extractor)")
    b.add_argument("--engine", choices=["in-process", "dask"], default="in-process",
                   help="where per-paper extraction runs (default: in-process, no cluster)")
    b.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --engine dask: local:N starts N local workers (default local:2), "
                        "tcp://HOST:PORT connects to a running scheduler")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    b.set_defaults(func=_cmd_build)

    q = sub.add_parser("query", help="run SPARQL over an export")
    q.add_argument("query", nargs="?", help="SPARQL text")
    q.add_argument("--file", help="read the query from a .rq file")
    q.add_argument("--name", help="run a named query from the library (see --list)")
    q.add_argument("--list", action="store_true", help="list the named queries")
    q.add_argument("--graph", default=str(DEFAULT_GRAPH), help="export to query (default: exports/graph.ttl)")
    q.add_argument("--format", choices=["table", "csv", "json"], default="table")
    q.add_argument(
        "--store",
        default="oxigraph",
        metavar="memory|oxigraph|DIR",
        help="triple store: oxigraph (default; loads 8-13x faster, see bench/query_latency.md), memory (rdflib), "
        "or DIR, an on-disk store made by `kg load` (answers from disk; --graph is not read)",
    )
    q.add_argument(
        "--param",
        action="append",
        metavar="NAME=VALUE",
        help="value of a $NAME placeholder of the query (repeatable), inserted as an escaped string literal",
    )
    q.add_argument(
        "--allow-service",
        action="store_true",
        help="let the query make outbound requests (SERVICE, FROM <url>); refused by default and always by kg serve",
    )
    q.set_defaults(func=_cmd_query)

    ld = sub.add_parser("load", help="bulk-load an export's graph.nt into an on-disk Oxigraph store")
    ld.add_argument("export", nargs="?", default=str(DEFAULT_OUT), help="export directory or .nt file")
    ld.add_argument("--store", required=True, metavar="DIR",
                    help="store directory (created; a later load adds only what changed)")
    ld.set_defaults(func=_cmd_load)

    v = sub.add_parser("validate", help="check an export against the SHACL shapes")
    v.add_argument("path", nargs="?", default=str(DEFAULT_GRAPH))
    v.set_defaults(func=_cmd_validate)

    s = sub.add_parser("serve", help="SPARQL 1.1 Protocol endpoint (read-only) with a query page")
    s.add_argument("--graph", default=str(DEFAULT_GRAPH))
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--store", default="oxigraph", metavar="memory|oxigraph|DIR", help="as for kg query")
    s.add_argument("--timeout", type=float, default=10.0, help="seconds before a query is stopped")
    s.add_argument("--row-limit", type=int, default=10_000, help="most result rows returned")
    s.add_argument("--workers", type=int, default=2, help="query worker processes (each holds the graph)")
    unset = argparse.SUPPRESS
    s.add_argument("--max-query-chars", type=int, default=unset, help="longest query text accepted (400 above)")
    s.add_argument("--max-depth", type=int, default=unset, help="deepest nesting of { ( [ in a query (400 above)")
    s.add_argument("--max-body", type=int, default=unset, help="largest POST body in bytes (413 above)")
    s.add_argument(
        "--memory-limit",
        type=int,
        default=unset,
        metavar="MIB",
        help="address space of each query worker in MiB (503 above; default: half the memory, shared)",
    )
    s.set_defaults(func=_cmd_serve)

    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except (InputError, EngineError) as exc:
        print(f"kg: error: {exc}", file=sys.stderr)
        return 2
    except ExportError as exc:
        print(f"kg: error: an export failed its check, earlier exports are untouched: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kg: interrupted; earlier exports are untouched", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
