"""Method -> task link variants on both dev sets: the classifier alone, and with document-level proposal links.

Runs the tagger's per-paper step once per gold file (kept in ``--work`` as a pickle, so the variants and
later runs reuse it; delete it after changing the per-paper step), then, per variant, the entities step,
the graph, the Turtle export and ``score.py``, and prints one table: Method, Task and method -> task
P/R/F1 per gold file. Variants (:mod:`kg.extract.links`): ``classifier`` (the build before proposal
links), ``title`` / ``proposal`` / ``all`` (the scope of the tasks a proposed method is linked to), with
``/any`` (every proposal of the paper, not the title's name first) and ``/narrowest`` (no task that is a
broader concept of another task of the paper).

    PYTHONPATH=$PWD .venv/bin/python bench/doc_links.py --bench-dir ../shared/bench --work /tmp/kg-doc-links
"""

from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
from pathlib import Path

GOLD_FILES = ("seeds_dev.jsonl", "scierc_dev.jsonl")
#: scope[/methods[/narrowest]] of :func:`kg.extract.links.proposal_links` (methods default: title-first)
VARIANTS = ("classifier", "title", "proposal", "all", "all/any", "all/title-first/narrowest", "all/any/narrowest")


def per_paper(bench: Path, gold: str, work: Path):
    """The gold file's papers and the tagger's per-paper results (cached in ``work``)."""
    from kg.corpus import read_corpus

    inp = work / gold.replace(".jsonl", ".input.jsonl")
    with open(inp, "w", encoding="utf-8") as f:
        subprocess.run([sys.executable, str(bench / "to_input.py"), str(bench / gold)], stdout=f, check=True)
    papers = list(read_corpus([inp]).papers)
    cache = work / gold.replace(".jsonl", ".results.pkl")
    if cache.exists():
        return papers, pickle.loads(cache.read_bytes())
    from kg.extract.embed import load_embedder
    from kg.extract.tagged import TaggedStage

    stage = TaggedStage(embedder=load_embedder("cpu"))
    results = dict(zip([p.key for p in papers], stage(papers), strict=True))
    cache.write_bytes(pickle.dumps(results))
    return papers, results


def score(bench: Path, gold: str, papers, results, variant: str, work: Path, margin: float | None) -> dict:
    from kg.export.rdf import ontology_files, write_turtle
    from kg.extract.entities import EntityOptions, extract_entities
    from kg.extract.tagged import TaggedStage
    from kg.extract.vocabulary import load_vocabulary
    from kg.graph import build_graph

    threshold = TaggedStage().relations.threshold
    extraction = extract_entities(
        papers,
        {p.key: list(results[p.key].phrases) for p in papers},
        load_vocabulary(),
        options=EntityOptions(proposal_scope=None, link_task_margin=margin),
        votes={p.key: dict(results[p.key].votes) for p in papers},
        pairs={p.key: results[p.key].pairs for p in papers},
        link_threshold=threshold,
    )
    if variant != "classifier":
        from kg.extract.links import proposal_links, with_proposals

        scope, *rest = variant.split("/")
        methods, narrowest = (rest[0] if rest else "title-first"), "narrowest" in rest[1:]
        found = proposal_links(papers, extraction.entities, extraction.mentions, scope, methods, narrowest)
        extraction = type(extraction)(extraction.entities, extraction.mentions, with_proposals(extraction.links, found))
    graph = build_graph(papers, extraction.entities, extraction.mentions, links=extraction.links)
    ttl = work / f"{gold}.{variant.replace('/', '-')}.ttl"
    write_turtle(graph, ttl)
    out = subprocess.run(
        [sys.executable, str(bench / "score.py"), str(bench / gold), str(ttl), *map(str, ontology_files()), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bench-dir", default="../shared/bench")
    p.add_argument("--work", default="/tmp/kg-doc-links")
    p.add_argument("--variants", nargs="*", default=list(VARIANTS))
    p.add_argument(
        "--task-margin", default=None, help="EntityOptions.link_task_margin ('none': every pair; default: the option's)"
    )
    args = p.parse_args(argv)
    from kg.extract.entities import EntityOptions

    margin = EntityOptions.link_task_margin if args.task_margin is None else args.task_margin
    margin = None if margin in (None, "none") else float(margin)
    bench, work = Path(args.bench_dir), Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    print("| gold | variant | Method P/R/F1 | Task P/R/F1 | method -> task P/R/F1 |")
    print("|---|---|---|---|---|")
    for gold in GOLD_FILES:
        papers, results = per_paper(bench, gold, work)
        for variant in args.variants:
            r = score(bench, gold, papers, results, variant, work, margin)
            cells = []
            for key in ("methods", "tasks", "method_task"):
                s = r.get(key, {})
                cells.append("/".join(f"{s.get(k, 0):.3f}" for k in ("P", "R", "F1")) + f" ({s.get('predicted', 0)})")
            print(f"| {gold} | {variant} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
