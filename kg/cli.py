"""The ``kg`` command: thin argument parsing over the pipeline stages.

    kg build [INPUT ...] [--out DIR] [--strict] [--force] [--wait] [--allow-empty] [--dry-run]
             [--html-max-nodes N] [--device auto|cpu|cuda] [--engine in-process|dask]
             [--scheduler local:N|tcp://HOST:PORT] [--extractor rules|tagger]
             [--precision auto|float32|bfloat16] [-q]
    kg query (QUERY | --file F.rq | --name NAME | --list) [--param NAME=VALUE ...] [--graph PATH]
             [--format table|csv|json] [--store memory|oxigraph|DIR] [--allow-service]
    kg validate [PATH]
    kg load [EXPORT] --store DIR
    kg serve [--graph PATH] [--host 127.0.0.1] [--port 8000] [--store memory|oxigraph|DIR] [--timeout S]
             [--row-limit N] [--workers N] [--max-query-chars N] [--max-depth N] [--max-body BYTES]
             [--memory-limit MIB]

Every option's help shows its default; the defaults of build and serve options are the fields of
:class:`kg.pipeline.BuildOptions` and :class:`kg.query.serve.ServeOptions`, checked there (:mod:`kg.params`).
``kg --version`` prints the version.

Exit codes: 0 success, 1 a check failed (validation; an export that does not read back), 2 bad input or
usage, another build holding --out, or the engine failed (a Dask scheduler that cannot be reached,
workers that keep dying).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from kg import __version__
from kg.errors import EngineError, ExportError, InputError
from kg.params import add_option, field_default

DEFAULT_GRAPH = Path("exports") / "graph.ttl"  # kg build's default --out and its Turtle export


def _cmd_build(args: argparse.Namespace) -> int:
    if args.dry_run:
        return _dry_run(args)
    from kg.pipeline import BuildOptions, build

    given = {name: getattr(args, name) for name in _BUILD_OPTIONS}
    report = build(
        [Path(p) for p in args.inputs] or None,
        BuildOptions(**given, out_dir=Path(args.out_dir), progress=not args.quiet),
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
    print(f"dry run: nothing built, {args.out_dir}/ untouched")
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

    return serve(Path(args.graph), ServeOptions(**{name: getattr(args, name) for name in _SERVE_OPTIONS}))


def _max_nodes(text: str) -> int | None:
    """``--html-max-nodes``: a whole number; 0 means every node (None)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return value or None


class _HelpFormatter(argparse.HelpFormatter):
    """Every option's help ends with its default (a flag's is "off"), unless the help says it already."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text or not action.option_strings or action.required or action.default is argparse.SUPPRESS:
            return text
        if isinstance(action, argparse._StoreTrueAction):
            return text + " (default: off)"
        return text + (" (default: none)" if action.default is None else " (default: %(default)s)")


#: help of the ``kg build`` options that are BuildOptions fields (defaults come from the fields)
_BUILD_OPTIONS = {
    "strict": "a malformed record fails the build (exit 2)",
    "force": "rebuild even when the exports are up to date",
    "wait": "wait while another build writes to --out (by default that fails at once, exit 2)",
    "allow_empty": "write exports even when no paper was read (by default that fails, exit 2)",
    "html_max_nodes": "keep only the N most-connected nodes in graph.html (default: all, also for 0; "
    "the page opens on an overview of clusters either way)",
    "device": "embedding device",
    "precision": "the token encoder's number format (tagger): auto is bfloat16 where the CPU multiplies it "
    "natively, else float32 (the two give slightly different results)",
    "engine": "where per-paper extraction runs (in-process: no cluster)",
    "extractor": "tagger: the span tagger and relation classifier trained on SciERC; rules: chunker, "
    "vocabulary and rules, methods linked to every task of a paper",
    "scheduler": "with --engine dask: local:N starts N local workers, tcp://HOST:PORT connects to a running "
    "scheduler (default: local:2)",
}
#: help of the ``kg serve`` options (all ServeOptions fields the command line sets)
_SERVE_OPTIONS = {
    "host": "address to listen on (127.0.0.1: this machine only)",
    "port": "TCP port",
    "store": "as for kg query",
    "timeout": "seconds before a query is stopped (503)",
    "row_limit": "most result rows returned (X-Result-Truncated above)",
    "workers": "query worker processes (each holds the graph)",
    "max_query_chars": "longest query text accepted (400 above)",
    "max_depth": "deepest nesting of { ( [ in a query (400 above)",
    "max_body": "largest POST body in bytes (413 above)",
    "memory_limit": "address space of each query worker in MiB (503 above; default: half the memory, shared)",
}


def _build_arguments(b: argparse.ArgumentParser) -> None:
    from kg.engine import ENGINES
    from kg.extract.tokens import PRECISIONS
    from kg.pipeline import DEVICES, EXTRACTORS, BuildOptions

    b.add_argument(
        "inputs",
        nargs="*",
        help="files or directories: daily-papers .txt dumps, .jsonl, .csv, arXiv Atom/OAI-PMH .xml, "
        "Hugging Face/OpenAlex/CSL .json, OpenAlex/Semantic Scholar .jsonl, .bib, .ris (format "
        "read from the content); default: the bundled corpus",
    )
    b.add_argument(
        "--dry-run",
        action="store_true",
        help="only read the inputs: report files, formats detected, papers, duplicates and skipped "
        "records, and build nothing",
    )
    b.add_argument(
        "--out", dest="out_dir", default=str(field_default(BuildOptions, "out_dir")), help="output directory"
    )
    choices = {"device": DEVICES, "engine": ENGINES, "extractor": EXTRACTORS, "precision": PRECISIONS}
    for name, text in _BUILD_OPTIONS.items():
        kwargs: dict = {"choices": choices[name]} if name in choices else {}
        if isinstance(field_default(BuildOptions, name), bool):
            kwargs["action"] = "store_true"
        elif name == "html_max_nodes":
            kwargs.update(type=_max_nodes, metavar="N")
        elif name == "scheduler":
            kwargs["metavar"] = "ADDRESS"
        add_option(b, BuildOptions, name, text, **kwargs)
    b.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _query_arguments(q: argparse.ArgumentParser) -> None:
    from kg.query import FORMATS

    q.add_argument("query", nargs="?", help="SPARQL text")
    q.add_argument("--file", help="read the query from a .rq file")
    q.add_argument("--name", help="run a named query from the library (see --list)")
    q.add_argument("--list", action="store_true", help="list the named queries")
    q.add_argument("--graph", default=str(DEFAULT_GRAPH), help="export to query (a directory: its graph.ttl)")
    q.add_argument("--format", choices=FORMATS, default=FORMATS[0], help="output format")
    q.add_argument(
        "--store",
        default="oxigraph",
        metavar="memory|oxigraph|DIR",
        help="triple store: oxigraph (fast loading, see bench/query_latency.md), memory (rdflib), "
        "or DIR, an on-disk store made by `kg load` (answers from disk; --graph is not read)",
    )
    q.add_argument(
        "--param",
        action="append",
        metavar="NAME=VALUE",
        help="value of a $NAME placeholder of the query (repeatable), inserted as an escaped string literal "
        "(default: the query's own)",
    )
    q.add_argument(
        "--allow-service",
        action="store_true",
        help="let the query make outbound requests (SERVICE, FROM <url>); refused by default and always by kg serve",
    )


def _serve_arguments(s: argparse.ArgumentParser) -> None:
    from kg.query.serve import ServeOptions

    s.add_argument("--graph", default=str(DEFAULT_GRAPH), help="export to serve (a directory: its graph.ttl)")
    for name, text in _SERVE_OPTIONS.items():
        kwargs = {"metavar": "memory|oxigraph|DIR"} if name == "store" else {}
        if name == "memory_limit":
            kwargs = {"type": int, "metavar": "MIB"}
        add_option(s, ServeOptions, name, text, **kwargs)


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``kg`` parser; the options of a subcommand are added only when ``command`` is it (or None, for
    all): they read their defaults from the options dataclasses, whose modules are slow to import."""
    p = argparse.ArgumentParser(prog="kg", description="Knowledge graph of papers, methods, tasks and hardware.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    commands = (
        ("build", "build the graph and its exports from paper listings", _build_arguments, _cmd_build),
        ("query", "run SPARQL over an export", _query_arguments, _cmd_query),
        ("validate", "check an export against the SHACL shapes", _validate_arguments, _cmd_validate),
        ("load", "bulk-load an export's graph.nt into an on-disk Oxigraph store", _load_arguments, _cmd_load),
        ("serve", "SPARQL 1.1 Protocol endpoint (read-only) with a query page", _serve_arguments, _cmd_serve),
    )
    for name, text, arguments, func in commands:
        parser = sub.add_parser(name, help=text, description=text, formatter_class=_HelpFormatter)
        if command in (None, name):
            arguments(parser)
        parser.set_defaults(func=func)
    return p


def _load_arguments(ld: argparse.ArgumentParser) -> None:
    ld.add_argument(
        "export",
        nargs="?",
        default=str(DEFAULT_GRAPH.parent),
        help="export directory or .nt file (default: %(default)s)",
    )
    ld.add_argument(
        "--store", required=True, metavar="DIR", help="store directory (created; a later load adds only what changed)"
    )


def _validate_arguments(v: argparse.ArgumentParser) -> None:
    v.add_argument("path", nargs="?", default=str(DEFAULT_GRAPH), help="the export to check (default: %(default)s)")


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    args = _parser(command).parse_args(argv)
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
