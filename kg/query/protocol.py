"""The SPARQL 1.1 Protocol's side of ``kg serve``: content negotiation and result serialization.

:func:`answer` runs one query on a graph and turns the result into a :class:`Reply` (status, media type,
body, headers), plain data that crosses the process boundary between a query worker and the server.

Results by ``Accept`` (or a ``format=json|xml|csv|tsv|turtle|nt|jsonld`` parameter, as SPARQLWrapper
sends): SPARQL JSON (the default), SPARQL XML, CSV and TSV for SELECT and ASK; Turtle (the default),
N-Triples, RDF/XML and JSON-LD for CONSTRUCT and DESCRIBE. At most ``row_limit`` rows (triples for
CONSTRUCT) are serialized; a cut answer carries ``X-Result-Truncated: true`` (always present, ``false``
otherwise) and ``X-Result-Row-Limit``.
"""

from __future__ import annotations

import contextlib
import io
import itertools
from dataclasses import dataclass, field

from rdflib import Graph, Literal
from rdflib.query import Result

from kg.query import PREFIXES, TOO_DEEP, QuerySyntaxError, UpdateRefused, run_query
from kg.query.guard import DEFAULT_LIMITS, QueryLimits, QueryRefused

# media type -> serializer name, in order of preference (the first is the default)
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}
# the ``format=`` parameter (what SPARQLWrapper and many clients send beside ``Accept``); a value with a
# "/" is taken as a media type; an unknown value is ignored and ``Accept`` decides
FORMAT_PARAM = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMAT_PARAM = {
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "n3": "text/turtle",
    "nt": "application/n-triples",
    "xml": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
    "json": "application/ld+json",
    "json-ld": "application/ld+json",
    "jsonld": "application/ld+json",
}


@dataclass(frozen=True)
class Reply:
    """An HTTP answer made by a worker (plain data, so it crosses the process boundary)."""

    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    restart: bool = False  # the worker that made it must be replaced (never sent to the client)

    @classmethod
    def text(cls, status: int, message: str) -> Reply:
        return cls(status, "text/plain", (message.rstrip() + "\n").encode("utf-8"))


def choose_media_type(accept: str | None, offered: list[str]) -> str:
    """The offered media type the ``Accept`` header likes best (the first offered when none fits).

    >>> choose_media_type("text/csv;q=0.9, application/sparql-results+xml", list(RESULT_TYPES))
    'application/sparql-results+xml'
    >>> choose_media_type("*/*", list(RESULT_TYPES))
    'application/sparql-results+json'
    """
    best, best_q = offered[0], 0.0
    for item in (accept or "").split(","):
        media, _, params = item.strip().partition(";")
        media, q = media.strip().lower(), 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip() == "q":
                with contextlib.suppress(ValueError):
                    q = float(value)
        if q <= 0:
            continue
        if media in ("*/*", ""):
            match = offered[0]
        elif media.endswith("/*"):
            match = next((o for o in offered if o.startswith(media[:-1])), None)
        else:
            match = media if media in offered else None
        # the earlier of two equally liked types wins: a strictly higher q is needed to replace it
        if match is not None and q > best_q:
            best, best_q = match, q
    return best


def answer(
    graph: Graph,
    query: str,
    accept: str | None,
    row_limit: int,
    fmt: str | None = None,
    limits: QueryLimits = DEFAULT_LIMITS,
) -> Reply:
    """Run ``query`` on ``graph`` and serialize at most ``row_limit`` rows as the client asked."""
    try:
        result = run_query(graph, query, "query", limits)
        graph_form = result.type in ("CONSTRUCT", "DESCRIBE")
        wanted = accept
        if fmt:
            by_name = GRAPH_FORMAT_PARAM if graph_form else FORMAT_PARAM
            wanted = fmt if "/" in fmt else by_name.get(fmt.lower(), accept)
        if graph_form:
            media = choose_media_type(wanted, list(GRAPH_TYPES))
            graph_out, truncated = _cap_graph(result.graph, row_limit)
            for prefix, ns in PREFIXES.items():
                graph_out.bind(prefix, ns, override=True, replace=True)
            body = graph_out.serialize(format=GRAPH_TYPES[media], encoding="utf-8")
        else:
            media = choose_media_type(wanted, list(RESULT_TYPES))
            capped, truncated = _cap_rows(result, row_limit)
            name = RESULT_TYPES[media]
            if capped.type == "ASK" and name in ("csv", "tsv"):  # no standard; as Jena and RDF4J answer
                body = b"_askResult\n" + (b"true\n" if capped.askAnswer else b"false\n")
            elif name == "tsv":
                body = _tsv(capped)
            else:
                body = capped.serialize(format=name, encoding="utf-8")
    except UpdateRefused:
        return Reply.text(403, "SPARQL Update is not allowed: this endpoint is read-only")
    except (QuerySyntaxError, QueryRefused) as exc:
        return Reply.text(400, exc.message)
    except RecursionError:  # the memory store evaluates lazily, after run_query returned
        return Reply.text(400, f"query refused: {TOO_DEEP}")
    except MemoryError:  # the worker's to handle: it is over its memory limit and must be replaced
        raise
    except Exception as exc:  # an evaluation error of this query (type error, bad regex...): the client's
        return Reply.text(400, f"query failed: {type(exc).__name__}: {exc}")
    headers = {"X-Result-Truncated": "true" if truncated else "false", "X-Result-Row-Limit": str(row_limit)}
    return Reply(200, media, body, headers)


def _cap_rows(result: Result, limit: int) -> tuple[Result, bool]:
    if result.type != "SELECT":
        return result, False
    rows = list(itertools.islice(iter(result), limit + 1))  # stops evaluating after limit + 1 rows
    capped = Result("SELECT")
    capped.vars = list(result.vars)
    capped.bindings = [{v: t for v, t in zip(capped.vars, row, strict=True) if t is not None} for row in rows[:limit]]
    return capped, len(rows) > limit


def _cap_graph(graph: Graph, limit: int) -> tuple[Graph, bool]:
    if len(graph) <= limit:
        return graph, False
    out = Graph()
    for triple in itertools.islice(graph, limit):
        out.add(triple)
    return out, True


def _tsv(result: Result) -> bytes:
    """SPARQL 1.1 TSV results: terms in Turtle syntax, a header of ``?names``."""
    out = io.StringIO()
    out.write("\t".join(f"?{v}" for v in result.vars) + "\n")
    for row in result:
        cells = []
        for term in row:
            if term is None:
                cells.append("")
            elif isinstance(term, Literal):
                cells.append(term.n3().replace("\t", "\\t"))
            else:
                cells.append(term.n3())
        out.write("\t".join(cells) + "\n")
    return out.getvalue().encode("utf-8")
