"""Entity audit: draw Method and Task nodes from an export and write a sheet to judge them by hand.

The population of each type is every Method or Task entity that at least one paper links to (a direct
``kg:usesMethod`` / ``kg:proposesMethod`` / ``kg:addressesTask`` triple): the nodes a reader of the graph
meets. ``--n`` entities of each type are drawn with ``random.Random(--seed)`` from the population sorted by
label and IRI, so the same export gives the same draw; each row shows the entity's label, how many papers
link to it and one sentence that links it (the first by paper key), for the judge's context.

Each entity is judged by hand into one of three verdicts, written in the sheet's ``verdict`` column:

``good``        a name of a method (for a Method) or of a problem or task (for a Task) a reader would look up;
``junk``        names nothing one could look up: a modifier alone ("cross-lingual"), a generic kind of thing
                ("pre-trained model", "proposed method"), a fragment or a quantity;
``wrong-type``  a real name of the other type or of something else: data, a metric, a field of study as a
                Task ("deep learning"), a problem typed as a Method.

Usage:
    python bench/entity_audit.py draw exports/graph.ttl --out bench/entity_audit.md [--n 60] [--seed 12]
    python bench/entity_audit.py tally bench/entity_audit.md
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

VERDICTS = ("good", "junk", "wrong-type")
_LINKS = {"Method": ("usesMethod", "proposesMethod"), "Task": ("addressesTask",)}
_ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*(Method|Task)\s*\|(.*)\|\s*([a-z-]*)\s*\|\s*$")
_KG = "https://w3id.org/paper-kg/ontology#"


def linked_entities(graph_path: Path) -> dict[str, list[tuple[str, str, int, str]]]:
    """Per type, the sorted ``(label, iri, papers, sentence)`` of the entities papers link to."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF, SKOS

    g = Graph()
    g.parse(str(graph_path))
    context = _contexts(g)
    out: dict[str, list[tuple[str, str, int, str]]] = {}
    for kind, links in _LINKS.items():
        papers: dict[str, set[str]] = defaultdict(set)
        for p in links:
            for paper, e in g.subject_objects(URIRef(_KG + p)):
                if (e, RDF.type, URIRef(_KG + kind)) in g:
                    papers[str(e)].add(str(paper))
        rows = []
        for e, ps in papers.items():
            label = g.value(URIRef(e), SKOS.prefLabel)
            rows.append((str(label) if label is not None else e, e, len(ps), context.get((min(ps), e), "")))
        out[kind] = sorted(rows)
    return out


def _contexts(g) -> dict[tuple[str, str], str]:  # noqa: ANN001 - an rdflib Graph
    """Per (paper, entity), the words used and the sentence of the paper's mention of the entity."""
    from rdflib import URIRef

    out: dict[tuple[str, str], str] = {}
    for paper, m in g.subject_objects(URIRef(_KG + "hasMention")):
        entity = g.value(m, URIRef(_KG + "mentionedEntity"))
        surface = g.value(m, URIRef(_KG + "surfaceForm"))
        sentence = g.value(m, URIRef(_KG + "evidence"))
        text = f"“{surface}”: {sentence}" if surface is not None else str(sentence or "")
        key = (str(paper), str(entity))
        out[key] = min(out.get(key, text), text)
    return out


def _cell(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("|", "\\|")


def draw(graph_path: Path, out: Path, n: int, seed: int) -> int:
    population = linked_entities(graph_path)
    lines = [
        f"# Entity audit of `{graph_path.name}`",
        "",
        f"Drawn with seed {seed} by `python bench/entity_audit.py draw {graph_path} --n {n} --seed {seed}`: "
        + ", ".join(f"{min(n, len(rows))} of {len(rows)} linked {kind} entities" for kind, rows in population.items())
        + ". Verdicts (by hand): "
        + ", ".join(f"`{v}`" for v in VERDICTS)
        + " (see the script's docstring).",
        "",
        "| # | type | entity | papers | words and sentence of its first paper | verdict |",
        "|---|---|---|---|---|---|",
    ]
    i = 0
    for kind, rows in population.items():
        rng = random.Random(seed)
        for label, _iri, count, sentence in rng.sample(rows, min(n, len(rows))):
            i += 1
            lines.append(f"| {i} | {kind} | {_cell(label)} | {count} | {_cell(sentence)} |  |")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {i} entities to {out}")
    return 0


def tally(sheet: Path) -> int:
    """Count the verdicts of a judged sheet per section (a ``#`` heading starts one: the sheet keeps the
    draws before and after a change) and type; fails when a row has none or an unknown one."""
    sections: dict[str, dict[str, Counter[str]]] = {}
    heading = sheet.name
    for lineno, line in enumerate(sheet.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            continue
        m = _ROW.match(line)
        if not m:
            continue
        verdict = m.group(4)
        if verdict not in VERDICTS:
            print(f"{sheet}:{lineno}: verdict {verdict!r} is not one of {', '.join(VERDICTS)}", file=sys.stderr)
            return 2
        sections.setdefault(heading, defaultdict(Counter))[m.group(2)][verdict] += 1
    if not sections:
        print(f"{sheet}: no judged rows", file=sys.stderr)
        return 2
    for heading, counts in sections.items():
        if len(sections) > 1:
            print(f"== {heading}")
        for kind in sorted(counts):
            total = sum(counts[kind].values())
            shares = (f"{v} {counts[kind][v]} ({100 * counts[kind][v] / total:.0f}%)" for v in VERDICTS)
            print(f"{kind}: " + ", ".join(shares) + f", total {total}")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("draw", help="draw entities from an export into a judging sheet")
    d.add_argument("graph", type=Path)
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--n", type=int, default=60)
    d.add_argument("--seed", type=int, default=12)
    t = sub.add_parser("tally", help="count the verdicts of a judged sheet")
    t.add_argument("sheet", type=Path)
    args = p.parse_args(argv)
    if args.command == "draw":
        return draw(args.graph, args.out, args.n, args.seed)
    return tally(args.sheet)


if __name__ == "__main__":
    sys.exit(main())
