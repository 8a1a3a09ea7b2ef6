"""The graph contract of kg.graph: typed nodes and edges, exactly the attributes its TypedDicts name."""

from __future__ import annotations

import json
import typing

import networkx as nx
import pytest

from kg.export.graphml import read_graphml, write_graphml
from kg.graph import (
    PAPER_RELATIONS,
    AppliedToEdge,
    BroaderEdge,
    CreatorEdge,
    EntityNode,
    MentionEdge,
    NodeKind,
    PaperNode,
    PersonNode,
    build_graph,
    method_task_links,
    node_kind,
)
from kg.model import Entity, EntityType, Mention, Paper, Relation
from kg.namespace import KG, ONTOLOGY_DIR, paper_iri


def _edge_schema(relation: Relation) -> type:
    if relation in PAPER_RELATIONS:
        return MentionEdge
    return {Relation.BROADER: BroaderEdge, Relation.APPLIED_TO: AppliedToEdge, Relation.CREATOR: CreatorEdge}[relation]


def _check_contract(g: nx.MultiDiGraph) -> None:
    for node, data in g.nodes(data=True):
        kind = node_kind(g, node)
        schema = {NodeKind.PAPER: PaperNode, NodeKind.PERSON: PersonNode}.get(kind, EntityNode)
        assert schema.__required_keys__ <= set(data) <= set(typing.get_type_hints(schema)), node
        assert type(data["kind"]) is NodeKind
    for u, v, key, data in g.edges(keys=True, data=True):
        assert type(key) is Relation and data["relation"] is key, (u, v)
        schema = _edge_schema(key)
        assert schema.__required_keys__ <= set(data) <= set(typing.get_type_hints(schema)), (u, v, key)


def test_every_node_and_edge_has_exactly_its_schema(small_graph):
    _check_contract(small_graph)
    kinds = {node_kind(small_graph, n) for n in small_graph}
    assert kinds == set(NodeKind)
    assert {k for *_, k in small_graph.edges(keys=True)} == set(Relation)


def test_graphml_reads_back_the_same_typed_contract(small_graph, tmp_path):
    write_graphml(small_graph, tmp_path / "g.graphml")
    g = read_graphml(tmp_path / "g.graphml")
    _check_contract(g)
    assert dict(g.nodes(data=True)) == dict(small_graph.nodes(data=True))
    assert sorted(g.edges(keys=True, data=True)) == sorted(small_graph.edges(keys=True, data=True))


def test_every_entity_type_is_a_node_kind_and_an_ontology_class():
    assert {t.value for t in EntityType} <= {k.value for k in NodeKind}
    for kind in NodeKind:
        if kind is NodeKind.PERSON:  # an author is a foaf:Person, declared in kg.ttl
            assert "foaf:Person a owl:Class" in (ONTOLOGY_DIR / "kg.ttl").read_text()
            continue
        assert str(KG[kind.value]).endswith("#" + kind.value)  # KG fails on a term kg.ttl lacks
    for t in EntityType:
        assert NodeKind(t).value == t.value


def test_enum_values_print_plainly():
    """Exporters write str(), f-strings and JSON of kinds and relations: they must be the plain values."""
    assert str(NodeKind.PAPER) == f"{NodeKind.PAPER}" == "Paper"
    assert json.dumps({"r": Relation.APPLIED_TO}) == '{"r": "appliedTo"}'


def test_unknown_or_missing_kind_is_an_error_naming_the_node():
    g = nx.MultiDiGraph()
    g.add_node("urn:x", kind="Bogus")
    g.add_node("urn:y")
    for node in ("urn:x", "urn:y"):
        with pytest.raises(ValueError, match=node):
            node_kind(g, node)
    # views that draw unknown kinds neutrally get the name; a node without a kind is an error for them too
    assert node_kind(g, "urn:x", unknown=True) == "Bogus" and not isinstance(
        node_kind(g, "urn:x", unknown=True), NodeKind
    )
    with pytest.raises(ValueError, match="urn:y"):
        node_kind(g, "urn:y", unknown=True)


def test_mention_of_an_unknown_entity_is_refused():
    p = Paper("p1", "T", "A.")
    with pytest.raises(ValueError, match="unknown"):
        build_graph([p], [], [Mention("p1", "urn:missing", Relation.USES_METHOD, 0.5, "A.", "x")])


def test_method_task_links_count_papers_that_link_both(records):
    papers, entities, mentions = records
    by_id = {e.id: e for e in entities}
    links = method_task_links(mentions, by_id)
    for link in links:
        assert by_id[link.method].type is EntityType.METHOD and by_id[link.task].type is EntityType.TASK
        for key in link.papers:
            linked = {m.entity for m in mentions if m.paper == key}
            assert {link.method, link.task} <= linked
    g = build_graph(papers, entities, mentions)
    applied = [(u, v, d) for u, v, d in g.edges(data=True) if d["relation"] is Relation.APPLIED_TO]
    assert [(u, v) for u, v, _ in applied] == [(link.method, link.task) for link in links]
    assert all(
        d["papers"] == tuple(paper_iri(k) for k in link.papers) for (*_, d), link in zip(applied, links, strict=True)
    )


def test_build_is_independent_of_input_order(records):
    papers, entities, mentions = records
    a = build_graph(papers, entities, mentions)
    b = build_graph(papers[::-1], entities[::-1], mentions[::-1])
    assert list(a.nodes(data=True)) == list(b.nodes(data=True))
    assert list(a.edges(keys=True, data=True)) == list(b.edges(keys=True, data=True))


def test_entity_node_carries_the_record():
    e = Entity("urn:m", "low-rank adaptation", EntityType.METHOD, ("LoRA",), ("urn:peft",), True)
    g = build_graph([], [e], [])
    assert g.nodes["urn:m"] == EntityNode(
        kind=NodeKind.METHOD,
        label="low-rank adaptation",
        alt_labels=("LoRA",),
        broader=("urn:peft",),
        in_vocabulary=True,
    )
