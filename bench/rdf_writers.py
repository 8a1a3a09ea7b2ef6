"""Our streaming Turtle/N-Triples writers vs pyoxigraph.serialize, on an export's graph.

    .venv/bin/python bench/rdf_writers.py exports/   # a directory holding graph.graphml (and graph.nt)

Times writing graph.ttl and graph.nt from the networkx graph with kg.export.rdf, and pyoxigraph's
serializer over the same triples (already parsed: the time to make them is not counted for it), and
checks that both give isomorphic graphs (rdflib.compare).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.export.graphml import read_graphml
from kg.export.rdf import write_ntriples, write_turtle


def main(directory: str) -> None:
    graph = read_graphml(Path(directory) / "graph.graphml")
    out = Path(tempfile.mkdtemp())
    for name, write in (("graph.ttl", write_turtle), ("graph.nt", write_ntriples)):
        t = time.perf_counter()
        write(graph, out / name)
        print(f"kg.export.rdf {name}: {time.perf_counter() - t:.2f}s, {(out / name).stat().st_size:,} bytes")
    quads = list(ox.parse(path=str(out / "graph.nt"), format=ox.RdfFormat.N_TRIPLES))
    for name, fmt in (("ox.ttl", ox.RdfFormat.TURTLE), ("ox.nt", ox.RdfFormat.N_TRIPLES)):
        t = time.perf_counter()
        ox.serialize(quads, output=str(out / name), format=fmt)
        print(f"pyoxigraph.serialize {name}: {time.perf_counter() - t:.2f}s, {(out / name).stat().st_size:,} bytes")
    ours = Graph().parse(out / "graph.ttl", format="turtle")
    theirs = Graph().parse(out / "ox.ttl", format="turtle")
    print("isomorphic:", isomorphic(ours, theirs))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "exports")
