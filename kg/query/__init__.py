"""SPARQL over an export: load it, run a query, format the answer; the named query library.

An export (``exports/graph.ttl``, ``.nt``, ``.jsonld``; shape in ``ontology/README.md``) is loaded into an
in-memory rdflib store (``store="memory"``) or into Oxigraph through oxrdflib (``store="oxigraph"``), whose
Rust engine answers the same SPARQL much faster on big graphs. Both give an rdflib ``Result``.

Named queries live in ``kg/query/queries/*.rq``. Each file starts with comment lines:

    # description: Methods used by papers that address a task
    # param: task = question answering
    # param: limit:int = 20

``# param: NAME = DEFAULT`` declares a parameter, written ``$NAME`` in the query body (``$NAME`` is also
plain SPARQL variable syntax, so the file stays a valid query). :meth:`NamedQuery.render` replaces each
``$NAME`` token outside strings, IRIs and comments by a SPARQL string literal with ``\\`` ``"`` and line
breaks escaped, so a value can never end the literal and inject SPARQL; ``:int`` parameters must be
non-negative integers and are written as such (for ``LIMIT``). A parameter declared without ``= DEFAULT``
is required. Labels are matched case-insensitively against ``skos:prefLabel`` and ``skos:altLabel``.

Not supported: SPARQL Update (the graph is read-only; an update is refused with :class:`UpdateRefused`),
named graphs, and query timeouts in-process (``kg serve`` runs queries in worker processes for that).

Examples
--------
>>> from pathlib import Path
>>> g = load_graph(Path(__file__).parents[2] / "tests" / "data" / "mini_graph.ttl")
>>> q = get_query("papers-with-hardware")
>>> q.params[0].name, q.params[0].default
('hardware', 'A100')
>>> r = run_query(g, q.render(hardware="a100"))
>>> sorted(str(row.paper).rsplit("/", 1)[1] for row in r)
['2401.00001', '2401.00003']
>>> print(format_result(run_query(g, "ASK { ?p a kg:Paper }")))
true
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.query import Result

from kg.errors import InputError
from kg.query.guard import DEFAULT_LIMITS, QueryLimits, QueryRefused, check_query
from kg.rdfterms import DEFAULT_FORMAT, PREFIXES, RDF_FORMATS, graph_file, sparql_literal

QUERY_DIR = Path(__file__).resolve().parent / "queries"

STORES = ("memory", "oxigraph")
FORMATS = ("table", "csv", "json")


class QuerySyntaxError(InputError):
    """The query text is not valid SPARQL 1.1 Query; names the query's file (or ``<query>``)."""


class UpdateRefused(InputError):
    """The text is a SPARQL Update: exports are read-only."""


TOO_DEEP = "nested too deeply for the parser; lower the nesting"


# ------------------------------------------------------------------ loading and running


def load_graph(path: str | Path, store: str = "memory") -> Graph:
    """Load an export into an rdflib ``Graph``.

    Parameters
    ----------
    path : str or Path
        ``.ttl``, ``.nt``, ``.jsonld`` (or ``.rdf``/``.xml``) file; a directory means its ``graph.ttl``.
    store : {"memory", "oxigraph"} or a directory
        ``memory``: rdflib's in-memory store and SPARQL engine. ``oxigraph``: pyoxigraph through oxrdflib
        (parsed by Oxigraph's own parsers, queried by its engine). A directory: an on-disk store made by
        ``kg load`` (:mod:`kg.query.store`), opened read-only; ``path`` is not read then.

    Raises
    ------
    InputError
        The file is missing or cannot be parsed (the message names the file).
    """
    if store not in STORES:
        from kg.query.store import open_store

        return _bind_prefixes(open_store(Path(store)))
    path = graph_file(path)
    if not path.is_file():
        raise InputError(path, "no such graph file (build one with `kg build`, or pass --graph)")
    memory_format, ox_format = RDF_FORMATS.get(path.suffix.lower(), DEFAULT_FORMAT)
    graph = _bind_prefixes(Graph(store="Oxigraph") if store == "oxigraph" else Graph(bind_namespaces="core"))
    try:
        graph.parse(path, format=ox_format if store == "oxigraph" else memory_format)
    except Exception as exc:  # parsers raise many types; every one means "this file is not valid RDF"
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(path, f"cannot parse as {memory_format}: {first_line}") from exc
    return graph


def _bind_prefixes(graph: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


def run_query(graph: Graph, text: str, source: str = "<query>", limits: QueryLimits = DEFAULT_LIMITS) -> Result:
    """Run a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE) on ``graph``.

    ``source`` names the query in errors (its ``.rq`` file, or ``<query>``). The text is first checked by
    :func:`kg.query.guard.check_query` against ``limits`` (no ``SERVICE``, ``FROM`` or ``LOAD``; size and
    nesting depth). SELECT results are evaluated lazily by the memory store, so iterate them once or call
    ``list(result)``; a deeply nested query needs :func:`kg.query.guard.with_deep_stack` around both. The
    memory store's parse of a query text is cached (rdflib's parser is slow); Oxigraph parses on its own.

    Raises
    ------
    QueryRefused
        The text uses a refused feature, or is over a limit (the message says which).
    QuerySyntaxError
        The text is not a valid query (message with line and column where the parser gives them).
    UpdateRefused
        The text is a SPARQL Update.
    """
    check_query(text, limits, source)
    try:
        if _is_oxigraph(graph):
            return graph.query(text)  # oxrdflib hands the text to Oxigraph's own parser
        return graph.query(_prepared(text, tuple(graph.namespaces())))
    except RecursionError:
        raise QueryRefused(source, f"query refused: {TOO_DEEP}") from None
    except Exception as exc:
        if not _is_syntax_error(exc):
            raise
        if _parses_as_update(text):
            raise UpdateRefused(source, "SPARQL Update is not allowed: the graph is read-only") from None
        raise QuerySyntaxError(source, f"SPARQL syntax error: {_syntax_message(exc, text)}") from None


def _is_oxigraph(graph: Graph) -> bool:
    return type(graph.store).__name__ == "OxigraphStore"


@lru_cache(maxsize=256)
def _prepared(text: str, namespaces: tuple[tuple[str, URIRef], ...]) -> object:
    """rdflib's parse of a query (slow: pyparsing), kept: the same queries come back."""
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text, initNs=dict(namespaces))


def _is_syntax_error(exc: Exception) -> bool:
    from pyparsing import ParseBaseException

    if isinstance(exc, ParseBaseException | SyntaxError):  # rdflib's parser | pyoxigraph's parser
        return True
    # rdflib resolves prefixed names after parsing and raises a bare Exception for an unknown prefix
    return type(exc) is Exception and str(exc).startswith("Unknown namespace prefix")


def _parses_as_update(text: str) -> bool:
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except Exception:
        return False
    return True


def _syntax_message(exc: Exception, text: str) -> str:
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery

    if not isinstance(exc, ParseBaseException):  # Oxigraph's error: say it as rdflib does, when rdflib agrees
        try:
            parseQuery(text)
        except ParseBaseException as rdflib_exc:
            exc = rdflib_exc
        except Exception:
            pass
    if isinstance(exc, ParseBaseException):
        line = text.splitlines()[exc.lineno - 1] if 0 < exc.lineno <= len(text.splitlines()) else ""
        return f"line {exc.lineno}, column {exc.col}: {exc.msg}; near {line.strip()[:80]!r}"
    return " ".join(str(exc).split())[:300]


# ------------------------------------------------------------------ formatting


def format_result(
    result: Result,
    fmt: str = "table",
    prefixes: Mapping[str, str] | None = None,
    max_width: int = 80,
) -> str:
    """Render a query result as text.

    Parameters
    ----------
    fmt : {"table", "csv", "json"}
        ``table``: aligned columns for people, IRIs shortened with ``prefixes`` (default :data:`PREFIXES`),
        cells longer than ``max_width`` cut with an ellipsis (csv and json keep everything), then a row
        count. ``csv``: SPARQL 1.1 CSV results. ``json``: SPARQL 1.1 JSON results.
        ASK prints ``true``/``false`` (JSON: the boolean result document); CONSTRUCT and DESCRIBE print
        Turtle (JSON: JSON-LD).
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}")
    prefixes = PREFIXES if prefixes is None else prefixes
    if result.type == "ASK":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": bool(result.askAnswer)})
        return "true" if result.askAnswer else "false"
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        graph = result.graph
        for prefix, ns in prefixes.items():
            graph.bind(prefix, ns, override=True, replace=True)
        return graph.serialize(format="json-ld" if fmt == "json" else "turtle")
    if fmt == "csv":
        return result.serialize(format="csv").decode("utf-8")
    if fmt == "json":
        return result.serialize(format="json").decode("utf-8")
    return _table(result, prefixes, max_width)


def _table(result: Result, prefixes: Mapping[str, str], max_width: int) -> str:
    names = [str(v) for v in result.vars]
    rows: list[list[str]] = []
    numeric = [True] * len(names)
    cut = False
    for row in result:
        cells = []
        for i, term in enumerate(row):
            text = _cell(term, prefixes)
            if len(text) > max_width:
                text, cut = text[: max_width - 1] + "…", True
            is_number = isinstance(term, Literal) and isinstance(term.value, int | float | Decimal)
            if term is not None and not is_number:
                numeric[i] = False
            cells.append(text)
        rows.append(cells)
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]

    def line(cells: Iterable[str]) -> str:
        parts = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric, strict=True)]
        return "  ".join(parts).rstrip()

    out = [line(names), line("-" * w for w in widths), *(line(r) for r in rows)]
    note = f"({len(rows)} row{'s' if len(rows) != 1 else ''}"
    note += f"; values cut at {max_width} characters, --format csv or json shows them whole)" if cut else ")"
    out.append(note)
    return "\n".join(out)


def _cell(term: object, prefixes: Mapping[str, str]) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return printable(compact_iri(str(term), prefixes))
    if isinstance(term, BNode):
        return f"_:{term}"
    return printable(" ".join(str(term).split()))  # one line per row


# C0 and C1 controls (ESC starts terminal escape sequences) and the bidirectional overrides
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` without control characters, safe to print on a terminal (titles are data, not commands).

    >>> printable("a\\x1b]0;pwned\\x07b\\u202ec")
    'a]0;pwnedbc'
    """
    return _CONTROL.sub("", text)


def compact_iri(iri: str, prefixes: Mapping[str, str] | None = None) -> str:
    """``prefix:rest`` for the longest matching namespace, else the IRI (for display, not for parsing).

    >>> compact_iri("https://w3id.org/paper-kg/vocab/a100")
    'vocab:a100'
    >>> compact_iri("https://example.org/x")
    'https://example.org/x'
    """
    best_prefix, best_ns = "", ""
    for prefix, ns in (PREFIXES if prefixes is None else prefixes).items():
        if iri.startswith(ns) and len(iri) > len(ns) and len(ns) > len(best_ns):
            best_prefix, best_ns = prefix, ns
    return f"{best_prefix}:{iri[len(best_ns) :]}" if best_ns else iri


# ------------------------------------------------------------------ named queries


@dataclass(frozen=True)
class QueryParam:
    """A ``$name`` placeholder of a named query; ``default`` None means required."""

    name: str
    default: str | None = None
    type: str = "str"  # "str" (a string literal) or "int" (a non-negative integer)


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library: its name (file stem), one-line description, parameters and text."""

    name: str
    description: str
    text: str
    params: tuple[QueryParam, ...] = ()
    source: str = "<query>"

    @classmethod
    def from_text(cls, name: str, text: str, source: str = "<query>") -> NamedQuery:
        """Read the ``# description:`` and ``# param:`` header comments of a query text."""
        description, params = "", []
        for raw in text.splitlines():
            line = raw.strip()
            if not line:
                continue
            if not line.startswith("#"):
                break
            body = line.lstrip("#").strip()
            key, _, value = body.partition(":")
            if key.strip() == "description" and not description:
                description = value.strip()
            elif key.strip() == "param":
                params.append(_parse_param(value, source))
        return cls(name, description, text, tuple(params), source)

    def render(self, **values: str) -> str:
        """The query text with each ``$param`` replaced by its value (or default) as a safe literal.

        Raises
        ------
        InputError
            An unknown parameter, a required one missing, or an ``:int`` value that is not a number.
        """
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            have = ", ".join(known) or "none"
            raise InputError(self.source, f"unknown parameter {', '.join(unknown)} (parameters: {have})")
        literals = {}
        for p in self.params:
            value = values.get(p.name, p.default)
            if value is None:
                raise InputError(self.source, f"parameter {p.name!r} is required: --param {p.name}=VALUE")
            if p.type == "int":
                if not re.fullmatch(r"[0-9]+", str(value).strip()):  # not isdigit(): "²" is a digit to it
                    message = f"parameter {p.name!r} must be a whole number, not {value!r}"
                    raise InputError(self.source, message)
                literals[p.name] = str(int(str(value).strip()))
            else:
                literals[p.name] = sparql_string(str(value))
        return substitute(self.text, literals)


def _parse_param(spec: str, source: str) -> QueryParam:
    name_part, has_default, default = spec.partition("=")
    name, _, type_ = name_part.strip().partition(":")
    name, type_ = name.strip(), (type_.strip() or "str")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or type_ not in ("str", "int"):
        raise InputError(source, f"bad '# param:' line {spec.strip()!r} (expected 'NAME[:int] [= DEFAULT]')")
    return QueryParam(name, default.strip() if has_default else None, type_)


#: a value as a SPARQL string literal: the one literal escape of the Turtle and N-Triples writers, kept from
#: SPARQL's codepoint pre-pass (see :func:`kg.rdfterms.sparql_literal`)
sparql_string = sparql_literal


# strings (long forms first), IRIs and comments are skipped whole, so a $name inside them is left alone
_TOKENS = re.compile(
    r'''(?P<skip>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\''''
    r"""|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*'|<[^<>"{}|^`\\\x00-\x20]*>|\#[^\n]*)"""
    r"|\$(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_])",
    re.DOTALL,
)


def substitute(text: str, literals: Mapping[str, str]) -> str:
    """Replace ``$name`` variables that are keys of ``literals``; other ``$vars`` stay variables.

    >>> substitute('SELECT * { ?s ?p $x . FILTER(?s != "$x") } # $x', {"x": '"v"'})
    'SELECT * { ?s ?p "v" . FILTER(?s != "$x") } # $x'
    """

    def replace(m: re.Match[str]) -> str:
        name = m.group("name")
        return literals[name] if name is not None and name in literals else m.group(0)

    return _TOKENS.sub(replace, text)


@lru_cache(maxsize=1)
def _library() -> dict[str, NamedQuery]:
    queries = {}
    for path in sorted(QUERY_DIR.glob("*.rq")):
        q = NamedQuery.from_text(path.stem, path.read_text(encoding="utf-8"), str(path))
        if not q.description:
            raise InputError(path, "a named query must start with '# description: ...'")
        queries[q.name] = q
    return queries


def list_queries() -> list[NamedQuery]:
    """The named queries of ``kg/query/queries/``, sorted by name."""
    return list(_library().values())


def get_query(name: str) -> NamedQuery:
    """The named query ``name``; InputError listing the names when there is none."""
    try:
        return _library()[name]
    except KeyError:
        names = ", ".join(_library())
        raise InputError(f"kg/query/queries/{name}.rq", f"no such named query (known: {names})") from None


def parse_params(pairs: Iterable[str]) -> dict[str, str]:
    """``["task=question answering", ...]`` from ``--param`` options -> ``{"task": "question answering"}``.

    >>> parse_params(["task=QA", "x=a=b"])
    {'task': 'QA', 'x': 'a=b'}
    """
    out = {}
    for pair in pairs:
        name, eq, value = pair.partition("=")
        if not eq or not name.strip():
            raise InputError("--param", f"expected NAME=VALUE, got {pair!r}")
        out[name.strip()] = value
    return out


def format_query_list(queries: Iterable[NamedQuery]) -> str:
    """The ``kg query --list`` text: one line per query with its parameters and description."""
    rows = []
    for q in queries:
        params = " ".join(
            f"{p.name}={p.default!r}" if p.default is not None else f"{p.name}=REQUIRED" for p in q.params
        )
        rows.append((q.name, q.description + (f"  [{params}]" if params else "")))
    width = max((len(n) for n, _ in rows), default=0)
    return "\n".join(f"{n.ljust(width)}  {d}" for n, d in rows)
