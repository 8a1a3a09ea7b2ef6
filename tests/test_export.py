"""Every file writer of kg.export at once (RDF and GraphML): the same graph gives the same bytes under any hash seed.

Each writer's own contract is tested beside it: test_rdf.py, test_graphml.py, test_html.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent

_WRITE_ALL = """
import sys
sys.path.insert(0, {tests!r})
from conftest import small_records
from kg.graph import build_graph
from kg.export.rdf import write_jsonld, write_ntriples, write_turtle
from kg.export.graphml import write_graphml
papers, entities, mentions = small_records()
g = build_graph(papers[::-1], entities[::-1], mentions[::-1])
out, onto = sys.argv[1], sys.argv[2]
write_turtle(g, out + "/graph.ttl", ontology_dir=onto); write_jsonld(g, out + "/graph.jsonld", ontology_dir=onto)
write_ntriples(g, out + "/graph.nt", ontology_dir=onto); write_graphml(g, out + "/graph.graphml")
"""


def test_outputs_are_byte_identical_across_hash_seeds(small_exports, small_ontology, tmp_path):
    script = _WRITE_ALL.format(tests=str(TESTS))
    for seed in ("1", "4242"):
        out = tmp_path / f"seed{seed}"
        out.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-c", script, str(out), str(small_ontology)], check=True, env=env, cwd=TESTS.parent
        )
        for name in ("graph.ttl", "graph.jsonld", "graph.nt", "graph.graphml"):
            assert (out / name).read_bytes() == (small_exports / name).read_bytes(), (seed, name)
