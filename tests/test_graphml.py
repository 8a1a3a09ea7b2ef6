"""GraphML export (kg.export.graphml): networkx reads it, read_graphml gives the typed graph back, atomic writes."""

from __future__ import annotations

import sys
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import URIRef

from kg.export import graphml
from kg.export.graphml import read_graphml, write_graphml
from kg.fileio import atomic_write
from kg.graph import build_graph
from kg.model import Entity, EntityType, Listing, Mention, Paper, Relation
from kg.namespace import paper_iri, vocab_iri

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))
from conftest import XSS_TITLE  # noqa: E402

P1, P2 = (URIRef(paper_iri(k)) for k in ("p1", "p2"))


def test_an_interrupted_graphml_write_leaves_the_old_file(small_graph, small_exports, monkeypatch):
    before = (small_exports / "graph.graphml").read_bytes()

    real = graphml._element

    def half_written(tag, *args):  # the XML declaration is written by now; the root never is
        if tag == "graphml":
            raise KeyboardInterrupt
        return real(tag, *args)

    monkeypatch.setattr(graphml, "_element", half_written)
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


def networkx_graphml(graph: nx.MultiDiGraph, path: Path) -> None:
    """The obvious writer: the same attributes through networkx.write_graphml (what write_graphml was)."""
    out = nx.MultiDiGraph()
    out.graph.update(graphml._xml_attrs({k: v for k, v in sorted(graph.graph.items()) if graphml._scalar(v)}))
    for node in sorted(graph.nodes):
        kind = graphml.node_kind(graph, node)
        out.add_node(graphml.xml_text(node), **graphml._xml_attrs(graphml._node_attrs(kind, graph.nodes[node])))
    for u, v, k, d in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        attrs = graphml._xml_attrs(graphml._plain_attrs(d))
        out.add_edge(graphml.xml_text(u), graphml.xml_text(v), key=graphml.xml_text(str(k)), **attrs)
    with atomic_write(path, mode="wb", encoding=None) as f:
        nx.write_graphml(out, f, encoding="utf-8", prettyprint=True)


# every kind of character the writer must escape or drop, among ordinary ones
TEXT = st.text(
    st.sampled_from(list("aZ &<>\"'\t\n\r\x00\x0c\ufffe\u00e9|;:()") + ["\ud800", "\U0001f600"]), max_size=12
)


@settings(max_examples=60, deadline=None)
@given(
    title=TEXT,
    label=TEXT,
    alt=TEXT,
    sentence=TEXT,
    source=TEXT,
    score=st.floats(0, 1),
    line=st.integers(1, 99),
    extra=st.dictionaries(st.sampled_from(["note", "weight", "flag"]), st.one_of(TEXT, st.integers(), st.booleans())),
)
def test_graphml_bytes_equal_networkx_writer(title, label, alt, sentence, source, score, line, extra, tmp_path_factory):
    papers = [
        Paper("p1", title, "abstract " + sentence, listings=(Listing(source or "a.txt", line, label or None),)),
        Paper("p2", "", "x"),
    ]
    entities = [
        Entity(vocab_iri("low-rank-adaptation"), label or "L", EntityType.METHOD, (alt,) if alt else ()),
        Entity(vocab_iri("question-answering"), "QA", EntityType.TASK),
    ]
    mentions = [
        Mention("p1", entities[0].id, Relation.USES_METHOD, score, sentence, label),
        Mention("p1", entities[1].id, Relation.ADDRESSES_TASK, 0.5, sentence, "QA"),
    ]
    graph = build_graph(papers, entities, mentions)
    graph.graph.update(extra)
    d = tmp_path_factory.mktemp("graphml")
    write_graphml(graph, d / "ours.graphml")
    networkx_graphml(graph, d / "networkx.graphml")
    assert (d / "ours.graphml").read_bytes() == (d / "networkx.graphml").read_bytes()
