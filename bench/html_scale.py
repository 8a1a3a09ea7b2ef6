"""graph.html at scale: file size, first paint and a stable layout for synthetic graphs in headless Chromium.

    python bench/html_scale.py [--sizes 2000 20000] [--runs 3] [--write bench/html_scale.md]

A synthetic graph is built straight from records (no extraction: that is ``bench/run.py``'s job): papers
with abstracts of about 1,000 characters, each listed on a date in a year, linking about
``MENTIONS_PER_PAPER`` concepts drawn from topics (most of a paper's concepts come from its main topic,
so the graph has communities to find, as real ones do), Zipf-distributed inside a topic; concepts are
methods, tasks, hardware and keyphrases; method->task links are derived by ``kg.graph.build_graph``.
Each size is written with ``kg.export.html.write_html`` (timed), then opened from ``file://`` in
headless Chromium ``--runs`` times; the page reports its own timings (ms since navigation start):
first paint (the browser's ``first-contentful-paint``), the first view drawn by vis-network, and the
first view at rest (``window.kgReady``). Targets (issue 14): first paint <= 2 s, stable <= 5 s, file
< 40 MB.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.fileio import atomic_write  # noqa: E402
from kg.graph import build_graph  # noqa: E402
from kg.model import Entity, EntityType, Listing, Mention, Paper, Relation  # noqa: E402

MENTIONS_PER_PAPER = 14
TARGETS = {"first_paint_ms": 2000, "stable_ms": 5000, "file_mb": 40}
_KINDS = [EntityType.METHOD] * 7 + [EntityType.TASK] * 4 + [EntityType.KEYPHRASE] * 8 + [EntityType.HARDWARE]
_RELATION = {
    EntityType.METHOD: Relation.USES_METHOD,
    EntityType.TASK: Relation.ADDRESSES_TASK,
    EntityType.HARDWARE: Relation.USES_HARDWARE,
    EntityType.KEYPHRASE: Relation.HAS_KEYPHRASE,
}
_SYLLABLES = "ka lo mi ne ra su te vo xi ba de fo gu hi ju pa qu ri so tu wa ze".split()
_FILLER = (
    "we study {a} and show that {b} improves {c} on standard benchmarks",
    "our analysis of {a} reveals how {b} interacts with {c}",
    "experiments compare {a} with {b} under a fixed budget for {c}",
    "{a} is combined with {b} to address {c} at scale",
)
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))


def synthetic_graph(n_papers: int, seed: int = 0, *, tutel: bool = True):
    """A paper graph with topic structure and listing dates over a year (see the module docstring).

    With ``tutel`` it also holds the method "tutel" (written "Tutel" in papers) and the paper
    "Tutel: Adaptive Mixture-of-Experts at Scale", for the search-ranking check.
    """
    rng = random.Random(seed)
    n_concepts = max(40, int(8 * n_papers**0.9))
    n_topics = max(4, round(math.sqrt(n_papers) / 2))
    concepts = []
    for i in range(n_concepts):
        kind = _KINDS[i % len(_KINDS)]
        label = " ".join(_word(rng) for _ in range(rng.randint(1, 3)))
        concepts.append(Entity(f"https://w3id.org/paper-kg/entity/{kind.value.lower()}/c{i}", label, kind))
    topic_of = [rng.randrange(n_topics) for _ in concepts]
    by_topic = [[c for c, t in zip(concepts, topic_of, strict=True) if t == k] for k in range(n_topics)]
    papers, mentions = [], []
    for p in range(n_papers):
        topic = min(int(rng.paretovariate(0.8)) - 1, n_topics - 1)
        pool = by_topic[topic] or concepts
        picked = set()
        for _ in range(MENTIONS_PER_PAPER):
            source = pool if rng.random() < 0.8 else concepts
            picked.add(source[min(int(rng.paretovariate(0.7)) - 1, len(source) - 1)])
        picked = sorted(picked, key=lambda e: e.id)
        sentences = []
        for k in range(0, len(picked), 3):
            names = [e.label for e in picked[k : k + 3]] + ["it", "it"]
            sentences.append(rng.choice(_FILLER).format(a=names[0], b=names[1], c=names[2]).capitalize() + ".")
        abstract = " ".join(sentences + [" ".join(_word(rng) for _ in range(14)) + "." for _ in range(5)])
        day = int(365 * (rng.random() ** 0.7))  # more papers late in the year: some concepts trend
        month, dom = _month_day(day)
        title = " ".join(_word(rng) for _ in range(rng.randint(4, 9))).capitalize()
        key = f"s{p}"
        papers.append(
            Paper(key, title, abstract, key, None, (Listing("synthetic.jsonl", p + 1, f"2024-{month:02d}-{dom:02d}"),))
        )
        for k, e in enumerate(picked):
            sentence = sentences[k // 3]
            mentions.append(Mention(key, e.id, _RELATION[e.type], round(rng.random(), 4), sentence, e.label))
    if tutel:
        _add_tutel(papers, concepts, mentions)
    used = {m.entity for m in mentions}
    return build_graph(papers, [e for e in concepts if e.id in used], mentions)


def _month_day(day: int) -> tuple[int, int]:
    lengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    for month, length in enumerate(lengths, 1):
        if day < length:
            return month, day + 1
        day -= length
    return 12, 31


def _add_tutel(papers: list, concepts: list, mentions: list) -> None:
    tutel = Entity("https://w3id.org/paper-kg/entity/method/tutel", "tutel", EntityType.METHOD)
    moe = Entity("https://w3id.org/paper-kg/entity/method/mixture-of-experts", "mixture-of-experts", EntityType.METHOD)
    concepts += [tutel, moe]
    title = "Tutel: Adaptive Mixture-of-Experts at Scale"
    sentence = "Tutel is an adaptive mixture-of-experts system."
    papers.append(
        Paper(
            "tutel",
            title,
            sentence + " We compare Tutel with DeepSpeed.",
            "tutel",
            None,
            (Listing("synthetic.jsonl", len(papers) + 1, "2024-06-01"),),
        )
    )
    mentions.append(
        Mention("tutel", tutel.id, Relation.PROPOSES_METHOD, 0.9, "We compare Tutel with DeepSpeed.", "Tutel")
    )
    mentions.append(Mention("tutel", moe.id, Relation.USES_METHOD, 0.7, sentence, "mixture-of-experts"))
    other = papers[0]
    mentions.append(Mention(other.key, tutel.id, Relation.USES_METHOD, 0.5, "We build on Tutel.", "Tutel"))


def measure(path: Path, runs: int) -> list[dict]:
    """Open ``path`` ``runs`` times in a fresh headless Chromium each; the page's own timings (ms)."""
    from bench.chromium import chromium, wait_ready

    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="kg-chromium-") as profile:
            driver = chromium(profile)
            try:
                start = time.perf_counter()
                driver.get(path.resolve().as_uri())
                wait_ready(driver, 120)
                wall = time.perf_counter() - start
                stats = driver.execute_script(
                    "const paint = performance.getEntriesByName('first-contentful-paint')[0];"
                    "return {first_paint_ms: paint ? Math.round(paint.startTime) : null,"
                    " first_view_ms: window.kgTimings.firstView, stable_ms: window.kgStableMs,"
                    " visible_nodes: kg.visibleNodes().length, labels: kg.labelBoxes().length,"
                    " showing: document.getElementById('kg-showing').textContent}"
                )
            finally:
                driver.quit()
        stats["load_wall_s"] = round(wall, 2)
        results.append(stats)
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--write", type=Path, help="write the results table (markdown) here")
    args = ap.parse_args(argv)
    from kg.export.html import write_html

    rows = []
    with tempfile.TemporaryDirectory(prefix="kg-html-scale-") as tmp:
        for n in args.sizes:
            t = time.perf_counter()
            graph = synthetic_graph(n)
            built = time.perf_counter() - t
            path = Path(tmp) / f"graph-{n}.html"
            t = time.perf_counter()
            write_html(graph, path)
            written = time.perf_counter() - t
            runs = measure(path, args.runs)
            row = {
                "papers": n,
                "nodes": graph.number_of_nodes(),
                "edges": graph.number_of_edges(),
                "file_mb": round(path.stat().st_size / 2**20, 1),
                "graph_s": round(built, 1),
                "write_s": round(written, 1),
                "runs": runs,
            }
            print(json.dumps(row), flush=True)
            rows.append(row)
    if args.write:
        with atomic_write(args.write) as f:
            f.write(report(rows))
    return 0


def report(rows: list[dict]) -> str:
    """The markdown table of ``rows`` (medians over runs, and the range)."""
    lines = [
        "# graph.html at scale",
        "",
        "`python bench/html_scale.py --write bench/html_scale.md`: synthetic graphs (see the script's docstring),",
        "each page opened from `file://` in a fresh headless Debian Chromium; times in ms since navigation",
        "start, median of the runs (min-max). Machine: 2 cores shared with other jobs.",
        "",
        "First paint is the browser's first contentful paint (the page's header and panels, before the data is",
        "read); first view is the first frame vis-network draws of the overview; stable is when that view is",
        "at rest (`window.kgReady`). The 20k page's paper texts (23 of its MB) follow the scripts, so the",
        "overview is drawn while the browser still reads them.",
        "",
        "| papers | nodes | edges | file MB | write s | first paint ms | first view ms | stable ms | visible | met |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:

        def cell(key: str, runs: list[dict] = r["runs"]) -> str:
            values = [x[key] for x in runs if x[key] is not None]
            if not values:
                return "n/a"
            return f"{statistics.median(values):,.0f} ({min(values):,}-{max(values):,})"

        paint = statistics.median(x["first_paint_ms"] or 0 for x in r["runs"])
        stable = statistics.median(x["stable_ms"] for x in r["runs"])
        met = (
            paint <= TARGETS["first_paint_ms"] and stable <= TARGETS["stable_ms"] and r["file_mb"] < TARGETS["file_mb"]
        )
        lines.append(
            f"| {r['papers']:,} | {r['nodes']:,} | {r['edges']:,} | {r['file_mb']} | {r['write_s']} | "
            f"{cell('first_paint_ms')} | {cell('first_view_ms')} | {cell('stable_ms')} | "
            f"{r['runs'][0]['visible_nodes']} | {'yes' if met else '**no**'} |"
        )
    lines += [
        "",
        f"Targets: first paint <= {TARGETS['first_paint_ms']} ms, stable <= {TARGETS['stable_ms']} ms, "
        f"file < {TARGETS['file_mb']} MB.",
        "",
    ]
    lines += [f"- {r['papers']:,} papers: the page says “{r['runs'][0]['showing']}”" for r in rows]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
