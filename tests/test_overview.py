"""kg.export.overview: deterministic clusters that fold nothing, labels that keep case, listing dates."""

from __future__ import annotations

from collections import Counter

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.html_scale import synthetic_graph
from kg.export.overview import build_overview, concept_papers, cooccurrence_graph, display_label, listing_day
from kg.graph import EntityNode, MentionEdge, NodeKind
from kg.model import Relation


@pytest.fixture(scope="module")
def graph():
    return synthetic_graph(400, seed=2)


def test_every_linked_concept_is_in_exactly_one_cluster(graph):
    overview = build_overview(graph, max_clusters=5)
    members = [x for c in overview.clusters for x in c.concepts]
    assert len(members) == len(set(members))
    assert set(members) == set(concept_papers(graph))
    assert len(overview.clusters) <= 6
    if overview.communities > 5:
        assert overview.clusters[-1].folded and "other concepts" in overview.clusters[-1].label


def test_cluster_papers_are_the_union_of_their_concepts_papers(graph):
    papers_of = concept_papers(graph)
    for c in build_overview(graph).clusters:
        assert c.papers == len(set().union(*(papers_of[x] for x in c.concepts)))


def test_same_graph_same_clusters_and_seed_matters_only_through_louvain(graph):
    first = build_overview(graph)
    assert build_overview(graph) == first
    reordered = nx.MultiDiGraph()
    reordered.add_nodes_from(reversed(list(graph.nodes(data=True))))
    reordered.add_edges_from(reversed(list(graph.edges(keys=True, data=True))))
    assert build_overview(reordered) == first


def test_cluster_label_is_a_method_and_a_task_of_the_cluster(graph):
    for c in build_overview(graph).clusters:
        if c.folded:
            continue
        kinds = {display_label(graph, x): graph.nodes[x]["kind"] for x in c.concepts}
        parts = c.label.split(" · ")
        assert 1 <= len(parts) <= 2 and all(p in kinds for p in parts)
        if any(k == "Method" for k in kinds.values()) and any(k == "Task" for k in kinds.values()):
            assert sorted(kinds[p] for p in parts) == ["Method", "Task"]


def test_people_are_not_clustered(graph):
    g = graph.copy()
    paper = next(n for n, d in g.nodes(data=True) if d["kind"] == "Paper")
    g.add_node("urn:ada", kind="Person", label="Ada Lovelace")
    g.add_edge(paper, "urn:ada", key="hasAuthor", relation="hasAuthor")
    assert "urn:ada" not in {x for c in build_overview(g).clusters for x in c.concepts}


@pytest.mark.parametrize("bad", [0, -2, 1.5, True])
def test_max_clusters_is_validated(graph, bad):
    with pytest.raises(ValueError, match="max_clusters must be a positive integer"):
        build_overview(graph, max_clusters=bad)


def test_display_label_keeps_vocabulary_labels_and_ignores_sentence_starts():
    g = nx.MultiDiGraph()

    def method(node, label, in_vocabulary, surface, sentence):
        entity = EntityNode(kind=NodeKind.METHOD, label=label, alt_labels=(), broader=(), in_vocabulary=in_vocabulary)
        g.add_node(node, **entity)
        mention = MentionEdge(relation=Relation.USES_METHOD, score=0.5, sentence=sentence, surface=surface, source="")
        g.add_edge("p1", node, key=Relation.USES_METHOD, **mention)

    method("urn:v", "low-rank adaptation", True, "Low-rank adaptation", "We use Low-rank adaptation.")
    method("urn:x", "prefix tuning", False, "Prefix tuning", "Prefix tuning helps.")
    assert display_label(g, "urn:v") == "low-rank adaptation"
    assert display_label(g, "urn:x") == "prefix tuning"


@given(st.dates())
def test_listing_day_reads_iso_and_month_day_year_alike(day):
    iso = day.isoformat() if day.year >= 1000 else None
    spelled = f"{day.strftime('%b')} {day.day}, {day.year}"
    if iso:
        assert listing_day(iso) == day.toordinal()
    if day.year >= 1000:
        assert listing_day(spelled) == day.toordinal()


@pytest.mark.parametrize("text", ["", "yesterday", "Feb 30", "2024-13-01", "Sep", None])
def test_listing_day_of_a_non_date_is_none(text):
    assert listing_day(text) is None


def test_a_graph_within_the_core_is_clustered_whole(graph):
    assert build_overview(graph, core=len(concept_papers(graph))) == build_overview(graph)


def test_concepts_outside_the_core_join_the_core_community_that_gains_most_modularity(graph):
    papers_of = concept_papers(graph)
    core = len(papers_of) // 4
    overview = build_overview(graph, core=core, max_clusters=10_000)
    assert build_overview(graph, core=core, max_clusters=10_000) == overview  # deterministic
    members = [x for c in overview.clusters for x in c.concepts]
    assert sorted(members) == sorted(papers_of)  # every concept in exactly one cluster
    kept = set(sorted(papers_of, key=lambda x: (-len(papers_of[x]), x))[:core])
    cooc = cooccurrence_graph(papers_of)
    cluster_of = {x: i for i, c in enumerate(overview.clusters) for x in c.concepts}
    outside = [x for x in papers_of if x not in kept]
    assert outside
    degree, two_m = dict(cooc.degree(weight="weight")), 2 * cooc.size(weight="weight")
    total = Counter()
    for y in kept:
        total[cluster_of[y]] += degree[y]
    for x in outside:
        pull = Counter()
        for y, d in cooc[x].items():
            if y in kept:
                pull[cluster_of[y]] += d["weight"]
        gains = [w - degree[x] * total[i] / two_m for i, w in pull.items()]
        if gains and max(gains) > 0:
            i = cluster_of[x]
            assert pull[i] - degree[x] * total[i] / two_m == max(gains)
        else:
            assert overview.clusters[cluster_of[x]].concepts == (x,)


@pytest.mark.parametrize("bad", [0, -1, 2.0])
def test_core_is_validated(graph, bad):
    with pytest.raises(ValueError, match="core must be a positive integer"):
        build_overview(graph, core=bad)
