"""Query latency: rdflib's in-memory store vs Oxigraph (via oxrdflib), on an export and a copy 100x bigger.

For each store it loads the graph, then runs every named query of ``kg/queries/`` (default parameters)
``--repeat`` times, reading every row, and reports the median milliseconds. ``kg.query.run_query`` keeps
rdflib's parse of a query, so the median is evaluation only; the parse (paid once per process, e.g. by
every ``kg query`` command) is reported apart. Oxigraph parses each time, in Rust, in well under 1 ms.

The bigger graph is made by replicating every paper with its listings and mentions under suffixed IRIs
(``paper/{key}-x7``, with the identifier suffixed too) and adding each copy to the method-task links it
supports; entities and the vocabulary are shared, so the copies look like more papers about the same
methods, tasks and hardware. (The copies' ``kg:supportCount`` values are left as they were: no named
query depends on them matching.)

Usage:
    python bench/query_latency.py [--graph exports/graph.ttl] [--scale 100] [--repeat 5] [--write]

``--write`` also writes the table to ``bench/query_latency.md``. A query whose first run takes longer than
``--budget`` seconds is run once only.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.fileio import atomic_write  # noqa: E402
from kg.namespace import BASE  # noqa: E402
from kg.query import STORES, list_queries, load_graph, run_query  # noqa: E402

REPLICATED = tuple(BASE + ns for ns in ("paper/", "mention/", "listing/"))
IDENTIFIER = "<http://purl.org/dc/terms/identifier>"


def _copy_iri(n3: str, suffix: str) -> str:
    """``<.../paper/KEY[/rest]>`` -> ``<.../paper/KEY{suffix}[/rest]>``; other terms unchanged."""
    if not n3.startswith("<"):
        return n3
    iri = n3[1:-1]
    for ns in REPLICATED:
        if iri.startswith(ns):
            key, slash, rest = iri[len(ns) :].partition("/")
            return f"<{ns}{key}{suffix}{slash}{rest}>"
    return n3


def write_scaled(graph_path: Path, scale: int, out: Path) -> int:
    """N-Triples of the graph plus ``scale - 1`` copies of its papers; returns the number of triples."""
    graph = load_graph(graph_path, "memory")
    lines = [f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in graph]
    replicated = []
    for line in lines:
        s, p, o = line[:-3].split(" ", 2)
        if _copy_iri(s, "\0") != s or _copy_iri(o, "\0") != o:
            replicated.append((s, p, o))
    count = len(lines)
    with open(out, "w", encoding="utf-8") as f:
        f.writelines(lines)
        for i in range(1, scale):
            suffix = f"-x{i}"
            for s, p, o in replicated:
                s2, o2 = _copy_iri(s, suffix), _copy_iri(o, suffix)
                if p == IDENTIFIER and o.startswith('"'):
                    o2 = f'"{o[1:].split(chr(34))[0]}{suffix}"'
                f.write(f"{s2} {p} {o2} .\n")
                count += 1
    return count


def time_queries(path: Path, store: str, repeat: int, budget: float) -> tuple[float, dict[str, tuple[float, int]]]:
    """(load seconds, {query: (median ms, rows)})."""
    started = time.perf_counter()
    graph = load_graph(path, store)
    load_s = time.perf_counter() - started
    timings = {}
    for q in list_queries():
        text, runs, rows = q.render(), [], 0
        for _ in range(repeat):
            t = time.perf_counter()
            rows = len(list(run_query(graph, text, q.source)))
            runs.append(time.perf_counter() - t)
            if runs[0] > budget:
                break
        timings[q.name] = (statistics.median(runs) * 1000, rows)
        print(f"  {store:8} {q.name:22} {timings[q.name][0]:10.1f} ms  {rows} rows", file=sys.stderr)
    return load_s, timings


def parse_ms(repeat: int) -> dict[str, float]:
    """Median milliseconds of rdflib's parse + algebra translation of each named query (no cache)."""
    from rdflib.plugins.sparql import prepareQuery

    from kg.query import PREFIXES

    out = {}
    for q in list_queries():
        runs = []
        for _ in range(repeat):
            t = time.perf_counter()
            prepareQuery(q.render(), initNs=PREFIXES)
            runs.append(time.perf_counter() - t)
        out[q.name] = statistics.median(runs) * 1000
    return out


def _ms(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def report(sizes: dict[str, int], loads: dict, timings: dict, parse: dict, args: argparse.Namespace) -> str:
    labels = list(sizes)
    out = [
        "# Query latency: rdflib memory store vs Oxigraph",
        "",
        f"`python bench/query_latency.py --graph {args.graph} --scale {args.scale} --repeat {args.repeat}`; "
        f"median of {args.repeat} runs per query (every row read), default parameters. "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}.",
        "",
        "| graph | triples | load memory (s) | load oxigraph (s) |",
        "|---|---:|---:|---:|",
    ]
    for label in labels:
        out.append(f"| {label} | {sizes[label]:,} | {loads[label]['memory']:.2f} | {loads[label]['oxigraph']:.2f} |")
    out += [
        "",
        "Milliseconds per query, median (speed-up = memory / oxigraph); rdflib parse = the memory store's "
        "one-time parse of the query text, not included in the medians:",
        "",
    ]
    head = "| query | rdflib parse |"
    rule = "|---|---:|"
    for label in labels:
        head += f" rows ({label}) | memory ({label}) | oxigraph ({label}) | speed-up |"
        rule += "---:|---:|---:|---:|"
    out += [head, rule]
    for name in timings[labels[0]]["memory"]:
        line = f"| {name} | {_ms(parse[name])} |"
        for label in labels:
            mem_ms, rows = timings[label]["memory"][name]
            ox_ms, ox_rows = timings[label]["oxigraph"][name]
            agree = "" if rows == ox_rows else f" (oxigraph: {ox_rows})"
            line += f" {rows}{agree} | {_ms(mem_ms)} | {_ms(ox_ms)} | {mem_ms / max(ox_ms, 1e-6):.1f}x |"
        out.append(line)
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--graph", default="exports/graph.ttl", help="export to measure (default: exports/graph.ttl)")
    p.add_argument("--scale", type=int, default=100, help="size of the synthesized graph, in copies (default 100)")
    p.add_argument("--repeat", type=int, default=5, help="runs per query (median reported)")
    p.add_argument("--budget", type=float, default=30.0, help="a query slower than this (s) runs once")
    p.add_argument("--write", action="store_true", help="also write bench/query_latency.md")
    args = p.parse_args(argv)
    if args.scale < 1 or args.repeat < 1:
        p.error("--scale and --repeat must be at least 1")
    graph = Path(args.graph)
    sizes, loads, timings = {}, {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        scaled = Path(tmp) / f"graph-x{args.scale}.nt"
        base_size = len(load_graph(graph, "memory"))
        graphs = {"1x": (graph, base_size)}
        if args.scale > 1:
            print(f"writing the {args.scale}x graph ...", file=sys.stderr)
            graphs[f"{args.scale}x"] = (scaled, write_scaled(graph, args.scale, scaled))
        for label, (path, size) in graphs.items():
            sizes[label], loads[label], timings[label] = size, {}, {}
            for store in STORES:
                print(f"{label} {store}: loading {path.name} ({size:,} triples)", file=sys.stderr)
                loads[label][store], timings[label][store] = time_queries(path, store, args.repeat, args.budget)
    text = report(sizes, loads, timings, parse_ms(args.repeat), args)
    print(text)
    if args.write:
        with atomic_write(ROOT / "bench" / "query_latency.md") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
