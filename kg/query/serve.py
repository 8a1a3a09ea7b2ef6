"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over an export, with a query page.

Protocol: ``GET /sparql?query=...``, ``POST /sparql`` with a form-encoded ``query=`` or an
``application/sparql-query`` body (``/`` answers the same requests). Results by ``Accept`` (or a
``format=json|xml|csv|tsv|turtle|nt|jsonld`` parameter, as SPARQLWrapper sends): SPARQL JSON (the
default), SPARQL XML, CSV and TSV for SELECT and ASK; Turtle (the default), N-Triples, RDF/XML and
JSON-LD for CONSTRUCT and DESCRIBE.
``GET /`` in a browser shows a self-contained query page (no CDN, works offline) with the named queries.

Guarantees, and how they are kept:

* **read-only**: SPARQL Update (``update=``, ``application/sparql-update``, or update text sent as a
  query) is refused with 403 before anything runs; the workers only ever call ``Graph.query``.
* **time limit**: rdflib (and Oxigraph through oxrdflib) cannot interrupt a running query, so every query
  runs in a worker *process* that holds its own copy of the graph. A query still running after
  ``--timeout`` seconds gets a 503 with a message saying so; its worker is killed (SIGKILL) and a fresh
  one is started in the background, while the other workers keep answering.
* **row cap**: at most ``--row-limit`` rows (triples for CONSTRUCT) are returned; a cut answer carries
  ``X-Result-Truncated: true`` (always present, ``false`` otherwise) and ``X-Result-Row-Limit``.

Why not rdflib-endpoint: it runs each query inside the event loop (one slow query blocks every client, and
nothing can stop it), has no row cap, and its YASGUI page loads its scripts from unpkg.com. It does refuse
updates by default. A small Starlette app (what rdflib-endpoint is built on) gives all three guarantees.

Not supported: named graphs (``default-graph-uri`` / ``named-graph-uri`` are ignored), authentication,
and CORS headers. Bind to 127.0.0.1 (the default) unless the graph may be read by the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import io
import itertools
import json
import logging
import multiprocessing
import signal
import socket
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

from rdflib import Graph, Literal
from rdflib.query import Result

from kg.errors import InputError
from kg.query import (
    PREFIXES,
    STORES,
    TOO_DEEP,
    QuerySyntaxError,
    UpdateRefused,
    list_queries,
    load_graph,
    run_query,
)
from kg.query.guard import (
    DEFAULT_LIMITS,
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_QUERY_CHARS,
    MAX_DEPTH_CEILING,
    QueryLimits,
    QueryRefused,
    check_query,
    with_deep_stack,
)
from kg.query.store import is_store

log = logging.getLogger("kg.query.serve")

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

    def __post_init__(self) -> None:
        if self.store not in STORES and not is_store(Path(self.store)):
            raise InputError("--store", f"must be one of {', '.join(STORES)} or a store made by `kg load`, "
                                        f"got {self.store!r}")
        if not self.timeout > 0:
            raise InputError("--timeout", f"must be a positive number of seconds, got {self.timeout}")
        if self.row_limit < 1:
            raise InputError("--row-limit", f"must be at least 1, got {self.row_limit}")
        if self.workers < 1:
            raise InputError("--workers", f"must be at least 1, got {self.workers}")
        if not 0 <= self.port <= 65535:
            raise InputError("--port", f"must be 0..65535, got {self.port}")
        if self.max_query_chars < 1:
            raise InputError("--max-query-chars", f"must be at least 1, got {self.max_query_chars}")
        if not 1 <= self.max_depth <= MAX_DEPTH_CEILING:
            # Oxigraph's parser overflows its stack between 2,000 and 3,000 levels
            raise InputError("--max-depth", f"must be 1..{MAX_DEPTH_CEILING}, got {self.max_depth}")
        if self.max_body < 1:
            raise InputError("--max-body", f"must be at least 1 byte, got {self.max_body}")

    @property
    def limits(self) -> QueryLimits:
        """What a query must keep to (``SERVICE`` and ``FROM`` are never allowed here)."""
        return QueryLimits(max_chars=self.max_query_chars, max_depth=self.max_depth)


@dataclass(frozen=True)
class Reply:
    """An HTTP answer made by a worker (plain data, so it crosses the process boundary)."""

    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def text(cls, status: int, message: str) -> Reply:
        return cls(status, "text/plain", (message.rstrip() + "\n").encode("utf-8"))


# ------------------------------------------------------------------ answering one query (in a worker)


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


def _worker_main(conn, path: str, store: str) -> None:  # noqa: ANN001 (a multiprocessing Connection)
    """A query worker: load the graph once, then answer requests until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        graph = load_graph(path, store)
    except InputError as exc:
        conn.send(("error", str(exc)))
        return
    conn.send(("ready", len(graph)))
    with_deep_stack(_answer_requests, conn, graph)  # rdflib recurses per nesting level


def _answer_requests(conn, graph: Graph) -> None:  # noqa: ANN001 (a multiprocessing Connection)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(answer(graph, **request))


# ------------------------------------------------------------------ the worker pool (in the server)


class _Worker:
    def __init__(self, path: Path, store: str):
        ctx = multiprocessing.get_context("spawn")  # no fork: the server has threads
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, str(path), store), daemon=True)
        self.process.start()
        child.close()

    def wait_ready(self, path: Path, timeout: float) -> int:
        if not self.conn.poll(timeout):
            self.kill()
            raise InputError(path, f"a query worker did not load the graph within {timeout:.0f} s")
        try:
            status, detail = self.conn.recv()
        except EOFError:
            self.kill()
            raise InputError(path, "a query worker died while loading the graph") from None
        if status != "ready":
            self.kill()
            raise InputError(path, str(detail).removeprefix(f"{path}: "))
        return int(detail)

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class QueryPool:
    """Worker processes that each hold the graph; a query over the time limit costs its worker."""

    def __init__(self, path: Path, options: ServeOptions):
        self.path, self.options = Path(path), options
        self.triples = 0
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False

    def start(self) -> None:
        """Start the workers and wait until each has loaded the graph (InputError if it cannot)."""
        workers = [_Worker(self.path, self.options.store) for _ in range(self.options.workers)]
        self._all.update(workers)
        try:
            for w in workers:
                self.triples = w.wait_ready(self.path, self.options.load_timeout)
        except BaseException:
            self.close()
            raise
        for w in workers:
            self._idle.put_nowait(w)

    def _spawn_ready(self) -> _Worker | None:
        with self._lock:
            if self._closed:
                return None
            w = _Worker(self.path, self.options.store)
            self._all.add(w)
        try:
            w.wait_ready(self.path, self.options.load_timeout)
        except InputError as exc:
            log.error("kg serve: could not restart a query worker: %s", exc)
            self._forget(w)
            return None
        return w

    def _forget(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            self._all.discard(w)

    async def _replace(self) -> None:
        w = await asyncio.to_thread(self._spawn_ready)
        if w is not None:
            self._idle.put_nowait(w)

    async def execute(self, query: str, accept: str | None, fmt: str | None = None) -> Reply:
        limit = self.options.timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout=limit)
        except TimeoutError:
            busy = f"all {self.options.workers} query workers stayed busy for {limit:g} s; retry later"
            return Reply.text(503, busy)
        request = {
            "query": query,
            "accept": accept,
            "row_limit": self.options.row_limit,
            "fmt": fmt,
            "limits": self.options.limits,
        }
        try:
            worker.conn.send(request)
            done = await asyncio.to_thread(worker.conn.poll, limit)
            reply = worker.conn.recv() if done else None
        except (EOFError, OSError, BrokenPipeError):
            self._forget(worker)
            asyncio.get_running_loop().create_task(self._replace())
            return Reply.text(500, "the query worker died (out of memory?); it is being restarted")
        if reply is None:
            self._forget(worker)
            asyncio.get_running_loop().create_task(self._replace())
            stopped = f"query stopped: it ran longer than the time limit of {limit:g} s (kg serve --timeout)"
            return Reply.text(503, stopped)
        self._idle.put_nowait(worker)
        return reply

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._all = list(self._all), set()
        for w in workers:
            w.kill()


# ------------------------------------------------------------------ HTTP


def create_app(pool: QueryPool):  # noqa: ANN201 (a Starlette app; starlette is imported lazily)
    """The Starlette app: ``/`` (page, or protocol when a query is given) and ``/sparql`` (protocol)."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, Response
    from starlette.routing import Route

    page = query_page(pool.path.name, pool.triples, pool.options)

    async def endpoint(request: Request) -> Response:
        params = request.query_params
        query, update, fmt = params.get("query"), params.get("update"), params.get("format")
        if request.method == "POST":
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            raw = await _read_body(request, pool.options.max_body)
            if raw is None:
                too_big = f"request body over the limit of {pool.options.max_body:,} bytes"
                return _response(Reply.text(413, too_big))
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
                wrong = f"unsupported Content-Type {content_type!r}: send application/sparql-query or a form"
                return _response(Reply.text(415, wrong))
        if update is not None:
            return _response(Reply.text(403, "SPARQL Update is not allowed: this endpoint is read-only"))
        if not query:
            if request.method != "POST" and "text/html" in request.headers.get("accept", ""):
                return HTMLResponse(page)
            if request.method != "POST":  # GET or HEAD
                return Response(service_description(str(request.url).split("?")[0]), media_type="text/turtle")
            return _response(Reply.text(400, "no query: send query=... or an application/sparql-query body"))
        try:
            check_query(query, pool.options.limits, "query")  # here, so a refused query costs no worker
        except QueryRefused as exc:
            return _response(Reply.text(400, exc.message))
        reply = await pool.execute(query, request.headers.get("accept"), fmt)
        return _response(reply)

    def _response(reply: Reply) -> Response:
        return Response(reply.body, reply.status, headers=reply.headers, media_type=reply.media_type)

    routes = [Route(path, endpoint, methods=["GET", "POST"]) for path in ("/", "/sparql")]
    return Starlette(routes=routes)


async def _read_body(request, limit: int) -> bytes | None:  # noqa: ANN001 (a Starlette Request)
    """The request body, or None as soon as it is known to be over ``limit`` bytes (nothing more is read)."""
    with contextlib.suppress(ValueError):
        if int(request.headers.get("content-length", "0")) > limit:
            return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


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
    """The self-contained HTML query page (inline CSS and JavaScript, no network)."""
    examples = {q.name: {"description": q.description, "query": q.render()} for q in list_queries()}
    data = json.dumps(examples).replace("<", "\\u003c")  # nothing in the data can close the <script>
    return _PAGE.format(
        title=html.escape(f"paper-kg SPARQL: {graph_name}"),
        about=html.escape(
            f"{graph_name}, {triples:,} triples. Read-only; queries stop after {options.timeout:g} s; "
            f"at most {options.row_limit:,} rows."
        ),
        examples=data,
    )


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }}
textarea {{ width: 100%; height: 16em; font: 13px monospace; }}
select, button {{ font-size: 14px; margin: .4em .4em .4em 0; }}
table {{ border-collapse: collapse; margin-top: .8em; }}
td, th {{ border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; font-size: 13px; }}
th {{ background: #f2f2f2; }} #status {{ color: #555; }} .error {{ color: #b00; white-space: pre-wrap; }}
pre {{ background: #f7f7f7; padding: .6em; overflow: auto; }}
</style></head><body>
<h1>{title}</h1><p>{about} Endpoint: <code>/sparql</code> (SPARQL 1.1 Protocol, GET or POST).</p>
<label>Named query <select id="examples"><option value="">(choose)</option></select></label>
<span id="description"></span>
<textarea id="query" spellcheck="false">SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT 10</textarea>
<label>Show as <select id="format">
<option value="table">table</option><option value="json">SPARQL JSON</option>
<option value="xml">SPARQL XML</option><option value="csv">CSV</option><option value="tsv">TSV</option>
</select></label>
<button id="run">Run (Ctrl+Enter)</button> <span id="status"></span>
<div id="result"></div>
<script>
const EXAMPLES = {examples};
const TYPES = {{table: "application/sparql-results+json", json: "application/sparql-results+json",
  xml: "application/sparql-results+xml", csv: "text/csv", tsv: "text/tab-separated-values"}};
const $ = (id) => document.getElementById(id);
for (const [name, q] of Object.entries(EXAMPLES)) {{
  const o = document.createElement("option");
  o.value = name; o.textContent = name; $("examples").appendChild(o);
}}
$("examples").onchange = () => {{
  const q = EXAMPLES[$("examples").value];
  if (q) {{ $("query").value = q.query; $("description").textContent = q.description; }}
}};
function cell(term) {{
  if (!term) return "";
  return term.type === "literal" && term["xml:lang"] ? term.value + " @" + term["xml:lang"] : term.value;
}}
function table(data) {{
  const t = document.createElement("table"), head = t.insertRow();
  if (data.boolean !== undefined) {{
    const p = document.createElement("pre"); p.textContent = String(data.boolean); return p;
  }}
  for (const v of data.head.vars) {{
    const th = document.createElement("th"); th.textContent = v; head.appendChild(th);
  }}
  for (const b of data.results.bindings) {{
    const r = t.insertRow();
    for (const v of data.head.vars) r.insertCell().textContent = cell(b[v]);
  }}
  return t;
}}
async function run() {{
  const fmt = $("format").value, started = performance.now();
  $("status").textContent = "running…"; $("result").replaceChildren();
  try {{
    const accept = TYPES[fmt] + ", text/turtle;q=0.5";
    const headers = {{"Content-Type": "application/sparql-query", "Accept": accept}};
    const r = await fetch("sparql", {{method: "POST", body: $("query").value, headers: headers}});
    const text = await r.text(), ms = Math.round(performance.now() - started);
    if (!r.ok) {{
      const e = document.createElement("div"); e.className = "error"; e.textContent = r.status + ": " + text;
      $("result").appendChild(e); $("status").textContent = ms + " ms"; return;
    }}
    const cut = r.headers.get("X-Result-Truncated") === "true";
    let out;
    const json = (r.headers.get("Content-Type") || "").includes("json");
    if (fmt === "table" && json) out = table(JSON.parse(text));
    else {{ out = document.createElement("pre"); out.textContent = text; }}
    $("result").appendChild(out);
    const rows = out.tagName === "TABLE" ? (out.rows.length - 1) + " rows, " : "";
    $("status").textContent = rows + ms + " ms" + (cut ? " (truncated at the row limit)" : "");
  }} catch (err) {{ $("status").textContent = String(err); }}
}}
$("run").onclick = run;
$("query").addEventListener("keydown", (e) => {{
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run();
}});
</script></body></html>
"""


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
    graph_file = Path(options.store) if on_disk else path / "graph.ttl" if path.is_dir() else path
    if not on_disk and not graph_file.is_file():
        raise InputError(graph_file, "no such graph file (build one with `kg build`, or pass --graph)")
    sock = _listen(options.host, options.port)
    pool = QueryPool(graph_file, options)
    try:
        pool.start()
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        print(
            f"kg serve: {graph_file} ({pool.triples:,} triples, {'on-disk' if on_disk else options.store} store, "
            f"{options.workers} workers) at http://{shown}:{port}/sparql  (query page: http://{shown}:{port}/)",
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
