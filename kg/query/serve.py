"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over an export, with a query page.

Protocol: ``GET /sparql?query=...``, ``POST /sparql`` with a form-encoded ``query=`` or an
``application/sparql-query`` body (``/`` answers the same requests); results as the client asks
(:mod:`kg.query.protocol`). ``GET /`` in a browser shows a self-contained query page (no CDN, works
offline) with the named queries; ``GET`` or ``HEAD`` without a query gives the service description.

Guarantees, and where they are kept:

* **read-only**: SPARQL Update (``update=``, ``application/sparql-update``, or update text sent as a
  query) is refused with 403 before anything runs; the workers only ever call ``Graph.query``.
* **no outbound requests**: ``SERVICE``, ``FROM`` / ``FROM NAMED`` and ``LOAD`` are refused with 400 before
  a parser sees the text (:mod:`kg.query.guard`), so the endpoint cannot be made to fetch a URL or file.
* **input limits**: a POST body over ``--max-body`` bytes is 413 (read no further); a query over
  ``--max-query-chars`` characters or nested deeper than ``--max-depth`` brackets is 400, checked before
  parsing (a deep query used to crash the parsers).
* **time, memory, crashes**: every query runs in a worker process (:mod:`kg.query.pool`); one over
  ``--timeout`` seconds or over ``--memory-limit`` MiB gets a 503 that says which, and its worker is
  replaced while the others keep answering.
* **row cap**: at most ``--row-limit`` rows (triples for CONSTRUCT) are returned; a cut answer carries
  ``X-Result-Truncated: true``.

Why not rdflib-endpoint: it runs each query inside the event loop (one slow query blocks every client, and
nothing can stop it), has no row cap, and its YASGUI page loads its scripts from unpkg.com. A small
Starlette app (what rdflib-endpoint is built on) keeps all of the above.

Not supported: named graphs (``default-graph-uri`` / ``named-graph-uri`` are ignored), authentication,
and CORS headers. Bind to 127.0.0.1 (the default) unless the graph may be read by the network.
"""

from __future__ import annotations

import contextlib
import html
import os
import socket
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template
from urllib.parse import parse_qs

from kg.errors import InputError
from kg.markup import script_json, script_source
from kg.params import check_range
from kg.query import STORES, list_queries
from kg.query.guard import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_QUERY_CHARS,
    MAX_DEPTH_CEILING,
    QueryLimits,
    QueryRefused,
    check_query,
)
from kg.query.pool import QueryPool
from kg.query.protocol import Reply
from kg.query.store import is_store
from kg.rdfterms import graph_file

#: the least memory a worker may be given: Python, the libraries and the query thread's 64 MiB stack
MIN_WORKER_MEMORY_MIB = 256

_ASSETS = resources.files("kg.query") / "assets"
_DRAIN_FACTOR = 8


@dataclass(frozen=True)
class ServeOptions:
    """Settings of ``kg serve``, checked once here."""

    host: str = "127.0.0.1"
    port: int = 8000
    store: str = "oxigraph"
    timeout: float = 10.0
    row_limit: int = 10_000
    workers: int = 2
    load_timeout: float = 600.0  # seconds a worker may take to load the graph
    max_query_chars: int = DEFAULT_MAX_QUERY_CHARS
    max_depth: int = DEFAULT_MAX_DEPTH
    max_body: int = 1_000_000  # bytes of a POST body
    memory_limit: int | None = None  # MiB of address space per worker; None: half the machine's memory, shared

    def __post_init__(self) -> None:
        if self.store not in STORES and not is_store(Path(self.store)):
            raise InputError(
                "--store", f"must be one of {', '.join(STORES)} or a store made by `kg load`, got {self.store!r}"
            )
        check_range("timeout", self.timeout, low=0, exclusive_low=True)  # seconds
        for name in ("row_limit", "workers", "max_query_chars", "max_body"):
            check_range(name, getattr(self, name), low=1)
        check_range("port", self.port, low=0, high=65535)
        # Oxigraph's parser overflows its stack between 2,000 and 3,000 levels
        check_range("max_depth", self.max_depth, low=1, high=MAX_DEPTH_CEILING)
        if self.memory_limit is not None:
            check_range("memory_limit", self.memory_limit, low=MIN_WORKER_MEMORY_MIB)  # MiB

    @property
    def limits(self) -> QueryLimits:
        """What a query must keep to (``SERVICE`` and ``FROM`` are never allowed here)."""
        return QueryLimits(max_chars=self.max_query_chars, max_depth=self.max_depth)

    @property
    def worker_memory_mib(self) -> int:
        """``memory_limit``, or half of this machine's memory shared by the workers (at least the minimum)."""
        if self.memory_limit is not None:
            return self.memory_limit
        physical_mib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") >> 20
        return max(MIN_WORKER_MEMORY_MIB, physical_mib // 2 // self.workers)


# ------------------------------------------------------------------ HTTP


def create_app(pool: QueryPool):  # noqa: ANN201 (a Starlette app; starlette is imported lazily)
    """The Starlette app: ``/`` (page, or protocol when a query is given) and ``/sparql`` (protocol)."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, Response
    from starlette.routing import Route

    page = query_page(pool.path.name, pool.triples, pool.options)

    def respond(reply: Reply) -> Response:
        return Response(reply.body, reply.status, headers=reply.headers, media_type=reply.media_type)

    async def endpoint(request: Request) -> Response:
        parsed = await _read_request(request, pool.options.max_body)
        if isinstance(parsed, Reply):
            return respond(parsed)
        query, update, fmt = parsed
        if update is not None:
            return respond(Reply.text(403, "SPARQL Update is not allowed: this endpoint is read-only"))
        if not query:
            if request.method != "POST" and "text/html" in request.headers.get("accept", ""):
                return HTMLResponse(page)
            if request.method != "POST":  # GET or HEAD
                return Response(service_description(str(request.url).split("?")[0]), media_type="text/turtle")
            return respond(Reply.text(400, "no query: send query=... or an application/sparql-query body"))
        try:
            check_query(query, pool.options.limits, "query")  # here, so a refused query costs no worker
        except QueryRefused as exc:
            return respond(Reply.text(400, exc.message))
        return respond(await pool.execute(query, request.headers.get("accept"), fmt))

    routes = [Route(path, endpoint, methods=["GET", "POST"]) for path in ("/", "/sparql")]  # HEAD comes with GET
    return Starlette(routes=routes)


async def _read_request(request, max_body: int) -> tuple[str | None, str | None, str | None] | Reply:  # noqa: ANN001
    """``(query, update, format)`` from the URL and a POST body, or the error :class:`Reply`."""
    params = request.query_params
    query, update, fmt = params.get("query"), params.get("update"), params.get("format")
    if request.method != "POST":
        return query, update, fmt
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await _read_body(request, max_body)
    if raw is None:
        return Reply.text(413, f"request body over the limit of {max_body:,} bytes")
    body = raw.decode("utf-8", errors="replace")
    if content_type == "application/sparql-query":
        query = body
    elif content_type == "application/sparql-update":
        update = body
    elif content_type == "application/x-www-form-urlencoded":
        form = parse_qs(body, keep_blank_values=True)
        query = form.get("query", [query])[0]
        update = form.get("update", [update])[0]
        fmt = form.get("format", [fmt])[0]
    elif body:
        return Reply.text(415, f"unsupported Content-Type {content_type!r}: send application/sparql-query or a form")
    return query, update, fmt


async def _read_body(request, limit: int) -> bytes | None:  # noqa: ANN001 (a Starlette Request)
    """The request body, or None when it is over ``limit`` bytes.

    An over-limit body of up to 8 times the limit is read and dropped, so that a client that sends it all
    before reading the answer still hears the 413; a bigger one is not read at all (the connection closes).
    """
    drain = limit * _DRAIN_FACTOR
    with contextlib.suppress(ValueError):
        if int(request.headers.get("content-length", "0")) > drain:
            return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > drain:
            return None
        if size <= limit:
            chunks.append(chunk)
    return b"".join(chunks) if size <= limit else None


def service_description(url: str) -> str:
    """A SPARQL 1.1 Service Description of the endpoint, in Turtle."""
    formats = [
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "RDF_XML",
        "JSON-LD",
    ]
    result_formats = ", ".join(f"<http://www.w3.org/ns/formats/{f}>" for f in formats)
    return (
        "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n"
        f"[] a sd:Service ;\n    sd:endpoint <{url}> ;\n    sd:supportedLanguage sd:SPARQL11Query ;\n"
        f"    sd:resultFormat {result_formats} .\n"
    )


def query_page(graph_name: str, triples: int, options: ServeOptions) -> str:
    """The self-contained query page: ``assets/query.html`` with its CSS, script and the named queries inlined.

    The named queries travel as a JSON data block (:func:`kg.markup.script_json`); a Content-Security-Policy
    lets only the page's own script run (by hash) and only fetch from this endpoint.
    """
    examples = {q.name: {"description": q.description, "query": q.render()} for q in list_queries()}
    script = _asset("query.js")
    source = script_source("query.js", script)
    csp = "; ".join(
        [
            "default-src 'none'",
            "script-src " + source,
            "style-src 'unsafe-inline'",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    about = (
        f"{graph_name}, {triples:,} triples. Read-only; queries stop after {options.timeout:g} s; "
        f"at most {options.row_limit:,} rows."
    )
    return Template(_asset("query.html")).substitute(
        csp=csp,
        title=html.escape(f"paper-kg SPARQL: {graph_name}"),
        about=html.escape(about),
        css=_asset("query.css"),
        examples=script_json(examples),
        js=script,
    )


def _asset(name: str) -> str:
    return (_ASSETS / name).read_text(encoding="utf-8")


# ------------------------------------------------------------------ running


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise InputError(f"{host}:{port}", f"cannot listen there: {exc.strerror or exc}") from None
    return sock


def serve(path: Path, options: ServeOptions | None = None) -> int:
    """Load ``path`` in the workers, listen, and serve until interrupted (Ctrl-C or SIGTERM)."""
    import uvicorn

    options = options or ServeOptions()
    on_disk = options.store not in STORES  # a store made by `kg load`: the workers answer from disk
    source = Path(options.store) if on_disk else graph_file(path)
    if not on_disk and not source.is_file():
        raise InputError(source, "no such graph file (build one with `kg build`, or pass --graph)")
    sock = _listen(options.host, options.port)
    pool = QueryPool(source, options)
    try:
        pool.start()
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        print(
            f"kg serve: {source} ({pool.triples:,} triples, {'on-disk' if on_disk else options.store} store, "
            f"{options.workers} workers of {pool.memory_limit_mib:,} MiB) at http://{shown}:{port}/sparql  "
            f"(query page: http://{shown}:{port}/)",
            flush=True,
        )
        if host not in ("127.0.0.1", "::1", "localhost"):
            print(f"kg serve: warning: listening on {host}: anyone who reaches it can query", file=sys.stderr)
        config = uvicorn.Config(create_app(pool), log_level="warning", access_log=False, lifespan="off")
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        pool.close()
        sock.close()
    return 0
