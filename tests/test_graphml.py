"""GraphML export (kg.export.graphml): networkx reads it, read_graphml gives the typed graph back, atomic writes."""

from __future__ import annotations

import sys
from pathlib import Path

import networkx as nx
import pytest
from rdflib import URIRef

from kg.export.graphml import read_graphml, write_graphml
from kg.namespace import paper_iri, vocab_iri

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))
from conftest import XSS_TITLE  # noqa: E402

P1, P2 = (URIRef(paper_iri(k)) for k in ("p1", "p2"))


def test_an_interrupted_graphml_write_leaves_the_old_file(small_graph, small_exports, monkeypatch):
    before = (small_exports / "graph.graphml").read_bytes()

    def half_written(g, f, **kwargs):
        f.write(b"<?xml version='1.0'?><graphml>")
        raise KeyboardInterrupt

    monkeypatch.setattr(nx, "write_graphml", half_written)
    with pytest.raises(KeyboardInterrupt):
        write_graphml(small_graph, small_exports / "graph.graphml")
    assert (small_exports / "graph.graphml").read_bytes() == before


def test_graphml_loads_with_networkx_with_type_and_label(small_exports, small_graph):
    g = nx.read_graphml(small_exports / "graph.graphml")
    assert g.number_of_nodes() == small_graph.number_of_nodes()
    assert g.number_of_edges() == small_graph.number_of_edges()
    p1 = g.nodes[str(P1)]
    assert p1["type"] == "Paper" and p1["label"].startswith("LoRA-QA")
    assert p1["listings"] == "data/a.txt:12 (Sep 9); data/b.txt:40 (Mar 14)"
    assert g.nodes[str(P2)]["label"] == XSS_TITLE
    lora = g.nodes[vocab_iri("low-rank-adaptation")]
    assert lora["type"] == "Method" and lora["alt_labels"] == "LoRA | low-rank adapters"
    assert {d["type"] for _, d in g.nodes(data=True)} == {
        "Paper",
        "Method",
        "Task",
        "Hardware",
        "Dataset",
        "Keyphrase",
        "Person",
    }
    assert p1["identifiers"] == "arXiv:2401.00001" and p1["published"] == "2024-01-02"
    edge = g.edges[str(P1), vocab_iri("low-rank-adaptation")]
    assert edge["relation"] == "usesMethod" and edge["score"] == pytest.approx(0.62) and edge["sentence"]


def test_graphml_round_trips_through_read_graphml(small_exports, small_graph):
    g = read_graphml(small_exports / "graph.graphml")
    assert set(g.nodes) == set(small_graph.nodes)
    for node, data in small_graph.nodes(data=True):
        for key, value in data.items():
            assert g.nodes[node].get(key, value if value in ("", ()) else None) == value, (node, key)
    assert sorted(g.edges(keys=True)) == sorted(small_graph.edges(keys=True))
    for u, v, k, data in small_graph.edges(keys=True, data=True):
        assert g.edges[u, v, k] == data
