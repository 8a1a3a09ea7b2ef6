"""Query latency: rdflib's in-memory store vs Oxigraph (via oxrdflib), on an export and copies 10x and 100x bigger.

For each store it loads the graph, then runs every named query of ``kg/query/queries/`` (default parameters)
``--repeat`` times, reading every row, and reports the median milliseconds. A query still running after
``--timeout`` seconds is stopped and reported as such. rdflib's store is only loaded for graphs of at most
``--memory-max-triples`` triples (at about 1 KB of RAM and 70 us of parsing per triple it does not fit a
larger graph in this machine's time and memory); the table says where it was not run. ``kg.query.run_query`` keeps
rdflib's parse of a query, so the median is evaluation only; the parse (paid once per process, e.g. by
every ``kg query`` command) is reported apart. Oxigraph parses each time, in Rust, in well under 1 ms.

The bigger graph is made by replicating every paper with its listings and mentions under suffixed IRIs
(``paper/{key}-x7``, with the identifier suffixed too) and adding each copy to the method-task links it
supports; entities and the vocabulary are shared, so the copies look like more papers about the same
methods, tasks and hardware. (The copies' ``kg:supportCount`` values are left as they were: no named
query depends on them matching.)

Usage:
    python bench/query_latency.py [--graph exports/graph.ttl] [--scales 10 100] [--repeat 5] [--write]

``--write`` also writes the table to ``bench/query_latency.md``. A query whose first run takes longer than
``--budget`` seconds is run once only.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import platform
import signal
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


class QueryTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise QueryTimeout


def time_queries(
    path: Path, store: str, repeat: int, budget: float, timeout: int
) -> tuple[float, float, dict[str, tuple[float | None, int]]]:
    """(load seconds, RSS growth MB, {query: (median ms or None when stopped, rows)})."""
    rss0 = _rss_mb()
    started = time.perf_counter()
    graph = load_graph(path, store)
    load_s = time.perf_counter() - started
    grown = _rss_mb() - rss0
    timings: dict[str, tuple[float | None, int]] = {}
    signal.signal(signal.SIGALRM, _alarm)
    for q in list_queries():
        text, runs, rows = q.render(), [], 0
        for _ in range(repeat):
            t = time.perf_counter()
            signal.alarm(timeout)
            try:
                rows = len(list(run_query(graph, text, q.source)))
            except QueryTimeout:
                runs = []
                break
            finally:
                signal.alarm(0)
            runs.append(time.perf_counter() - t)
            if runs[0] > budget:
                break
        timings[q.name] = (statistics.median(runs) * 1000 if runs else None, rows)
        shown = f"{timings[q.name][0]:10.1f} ms" if runs else f"stopped after {timeout} s"
        print(f"  {store:8} {q.name:22} {shown}  {rows} rows", file=sys.stderr)
    del graph
    gc.collect()
    return load_s, grown, timings


def _rss_mb() -> float:
    """Resident memory of this process now, MB (Linux)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return float("nan")


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


def _ms(value: float | None, timeout: int) -> str:
    if value is None:
        return f"> {timeout * 1000:,} (stopped)"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def report(sizes: dict[str, int], loads: dict, timings: dict, parse: dict, args: argparse.Namespace) -> str:
    labels = list(sizes)
    not_run = f"not run (over {args.memory_max_triples:,} triples)"
    out = [
        "# Query latency: rdflib memory store vs Oxigraph",
        "",
        f"`python bench/query_latency.py --graph {args.graph} --scales {' '.join(map(str, args.scales))} "
        f"--repeat {args.repeat} --timeout {args.timeout}`; median of {args.repeat} runs per query (every row "
        f"read; a query slower than {args.budget:g} s runs once), default parameters. "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}.",
        "",
        "The bigger graphs replicate every paper with its listings and mentions (see the script's docstring).",
        "",
        "| graph | triples | load memory (s) | load oxigraph (s) | RAM memory (MB) | RAM oxigraph (MB) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label in labels:
        mem, ox = loads[label].get("memory"), loads[label]["oxigraph"]
        mem_cells = f"{mem[0]:.2f} | " if mem else f"{not_run} | "
        out.append(
            f"| {label} | {sizes[label]:,} | {mem_cells}{ox[0]:.2f} | "
            f"{f'{mem[1]:,.0f}' if mem else '-'} | {ox[1]:,.0f} |"
        )
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
    for name in timings[labels[0]]["oxigraph"]:
        line = f"| {name} | {_ms(parse[name], args.timeout)} |"
        for label in labels:
            ox_ms, ox_rows = timings[label]["oxigraph"][name]
            if "memory" not in timings[label]:
                line += f" {ox_rows} | - | {_ms(ox_ms, args.timeout)} | - |"
                continue
            mem_ms, rows = timings[label]["memory"][name]
            agree = "" if rows == ox_rows or mem_ms is None or ox_ms is None else f" (oxigraph: {ox_rows})"
            speed = f"{mem_ms / max(ox_ms, 1e-6):.1f}x" if mem_ms is not None and ox_ms is not None else "-"
            line += (
                f" {rows if mem_ms is not None else ox_rows}{agree} | {_ms(mem_ms, args.timeout)} | "
                f"{_ms(ox_ms, args.timeout)} | {speed} |"
            )
        out.append(line)
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--graph", default="exports/graph.ttl", help="export to measure (default: exports/graph.ttl)")
    p.add_argument(
        "--scales",
        type=int,
        nargs="*",
        default=[10, 100],
        help="sizes of the synthesized graphs, in copies (default 10 100)",
    )
    p.add_argument("--repeat", type=int, default=5, help="runs per query (median reported)")
    p.add_argument("--budget", type=float, default=30.0, help="a query slower than this (s) runs once")
    p.add_argument("--timeout", type=int, default=120, help="a query still running after this (s) is stopped")
    p.add_argument(
        "--memory-max-triples",
        type=int,
        default=2_000_000,
        help="largest graph loaded into rdflib's memory store (default 2,000,000)",
    )
    p.add_argument("--write", action="store_true", help="also write bench/query_latency.md")
    args = p.parse_args(argv)
    if any(s < 2 for s in args.scales) or args.repeat < 1 or args.timeout < 1:
        p.error("--scales must be at least 2, --repeat and --timeout at least 1")
    graph = Path(args.graph)
    sizes, loads, timings = {}, {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        graphs = {"1x": (graph, len(load_graph(graph, "memory")))}
        for scale in args.scales:
            print(f"writing the {scale}x graph ...", file=sys.stderr)
            scaled = Path(tmp) / f"graph-x{scale}.nt"
            graphs[f"{scale}x"] = (scaled, write_scaled(graph, scale, scaled))
        for label, (path, size) in graphs.items():
            sizes[label], loads[label], timings[label] = size, {}, {}
            for store in STORES:
                if store == "memory" and size > args.memory_max_triples:
                    continue
                print(f"{label} {store}: loading {path.name} ({size:,} triples)", file=sys.stderr)
                # each store in its own process, so its memory is its own
                with multiprocessing.get_context("fork").Pool(1) as pool:
                    load_s, grown, timings[label][store] = pool.apply(
                        time_queries, (path, store, args.repeat, args.budget, args.timeout)
                    )
                loads[label][store] = (load_s, grown)
    text = report(sizes, loads, timings, parse_ms(args.repeat), args)
    print(text)
    if args.write:
        with atomic_write(ROOT / "bench" / "query_latency.md") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
