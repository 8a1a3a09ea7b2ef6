"""Alias audit: draw (entity, alias) pairs from an export and write a sheet to judge them by hand.

The population is every ``skos:altLabel`` of every Method, Task or Hardware entity that at least one paper
links to (a direct ``kg:usesMethod`` / ``kg:proposesMethod`` / ``kg:addressesTask`` / ``kg:usesHardware``
triple), paired with the entity's ``skos:prefLabel``: the aliases a reader of the graph meets. ``--n`` pairs
are drawn with ``random.Random(--seed)`` from the sorted population, so the same export gives the same draw.

Each pair is judged by hand into one of four verdicts, written in the sheet's ``verdict`` column:

``synonym``   the same thing written another way (acronym, spelling, plural, word order, "X architecture");
``narrower``  a variant or member of the entity ("DyLoRA" under low-rank adaptation, BLOOMZ under BLOOM);
``different`` another concept ("privacy leakage" under privacy preservation);
``junk``      not a name at all ("train local low-rank adapters").

Usage:
    python bench/alias_audit.py draw exports/graph.ttl --out bench/alias_audit.md [--n 150] [--seed 12]
    python bench/alias_audit.py tally bench/alias_audit.md   # per section: a sheet keeps dated draws
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter
from pathlib import Path

VERDICTS = ("synonym", "narrower", "different", "junk")
_LINKS = ("usesMethod", "proposesMethod", "addressesTask", "usesHardware")
_ROW = re.compile(r"^\|\s*(\d+)\s*\|(.*)\|\s*([a-z]*)\s*\|\s*$")


def alias_pairs(graph_path: Path) -> list[tuple[str, str, str]]:
    """Sorted ``(type, prefLabel, altLabel)`` of the linked entities of an export."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF, SKOS

    kg = "https://w3id.org/paper-kg/ontology#"
    g = Graph()
    g.parse(str(graph_path))
    linked = {o for p in _LINKS for o in g.objects(None, URIRef(kg + p))}
    out = set()
    for e in linked:
        types = sorted(
            str(t).rsplit("#", 1)[-1]
            for t in g.objects(e, RDF.type)
            if str(t) in {kg + "Method", kg + "Task", kg + "Hardware"}
        )
        pref = g.value(e, SKOS.prefLabel)
        if not types or pref is None:
            continue
        for alt in g.objects(e, SKOS.altLabel):
            out.add((types[0], str(pref), str(alt)))
    return sorted(out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def draw(graph_path: Path, out: Path, n: int, seed: int) -> int:
    pairs = alias_pairs(graph_path)
    sample = random.Random(seed).sample(pairs, min(n, len(pairs)))
    lines = [
        f"# Alias audit of `{graph_path.name}`",
        "",
        f"{len(sample)} of {len(pairs)} (entity, alias) pairs of linked entities, drawn with seed {seed} by "
        f"`python bench/alias_audit.py draw {graph_path} --n {n} --seed {seed}`. Verdicts (by hand): "
        + ", ".join(f"`{v}`" for v in VERDICTS)
        + " (see the script's docstring).",
        "",
        "| # | type | entity | alias | verdict |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {i} | {t} | {_cell(p)} | {_cell(a)} |  |" for i, (t, p, a) in enumerate(sample, 1)]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(sample)} pairs to {out}")
    return 0


def tally(sheet: Path) -> int:
    """Count the verdicts of a judged sheet, per section (a ``#`` heading starts one: a sheet can keep dated
    draws one after another); fails when a row has none or an unknown one."""
    sections: dict[str, Counter[str]] = {}
    heading = sheet.name
    for lineno, line in enumerate(sheet.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            continue
        m = _ROW.match(line)
        if not m:
            continue
        verdict = m.group(3)
        if verdict not in VERDICTS:
            print(f"{sheet}:{lineno}: verdict {verdict!r} is not one of {', '.join(VERDICTS)}", file=sys.stderr)
            return 2
        sections.setdefault(heading, Counter())[verdict] += 1
    if not sections:
        print(f"{sheet}: no judged rows", file=sys.stderr)
        return 2
    for heading, counts in sections.items():
        total = sum(counts.values())
        if len(sections) > 1:
            print(f"== {heading}")
        for v in VERDICTS:
            print(f"{v:10} {counts[v]:4}  {100 * counts[v] / total:5.1f}%")
        print(f"{'total':10} {total:4}")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("draw", help="draw pairs from an export into a judging sheet")
    d.add_argument("graph", type=Path)
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--n", type=int, default=150)
    d.add_argument("--seed", type=int, default=12)
    t = sub.add_parser("tally", help="count the verdicts of a judged sheet")
    t.add_argument("sheet", type=Path)
    args = p.parse_args(argv)
    if args.command == "draw":
        return draw(args.graph, args.out, args.n, args.seed)
    return tally(args.sheet)


if __name__ == "__main__":
    sys.exit(main())
