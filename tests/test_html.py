"""graph.html without a browser: self-contained, safe to embed, truncated on request, deterministic."""

from __future__ import annotations

import json
import random
import re

import networkx as nx
import pytest

from kg.export.html import (
    EDGE_STYLES,
    FULL_VIEW_MAX,
    NODE_STYLES,
    most_connected,
    node_counts,
    write_html,
)
from kg.export.overview import MAX_CLUSTERS
from kg.graph import build_graph
from kg.model import Entity, EntityType, Mention, Paper, Relation
from kg.namespace import paper_iri, vocab_iri

XSS_TITLE = "<img src=x onerror=alert(1)>"
DATA_BLOCK = re.compile(r'<script type="application/json" id="kg-data">(.*?)</script>', re.S)
DETAILS_BLOCK = re.compile(r'<script type="application/json" id="kg-details">(.*?)</script>', re.S)


def page_of(graph, tmp_path, **kwargs) -> str:
    path = tmp_path / "graph.html"
    write_html(graph, path, **kwargs)
    return path.read_text(encoding="utf-8")


def payload(page: str) -> dict:
    blocks = DATA_BLOCK.findall(page)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def details_of(page: str) -> dict:
    blocks = DETAILS_BLOCK.findall(page)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def edges_of(data: dict) -> list[tuple[str, str, str]]:
    flat = data["edges"]
    return [
        (data["ids"][flat[k]], data["ids"][flat[k + 1]], data["relNames"][flat[k + 2]]) for k in range(0, len(flat), 3)
    ]


def synthetic_graph(n_papers: int = 200, seed: int = 3) -> nx.MultiDiGraph:
    """A graph above LARGE_GRAPH nodes, with leaves, hubs and derived method -> task links."""
    rng = random.Random(seed)
    types = [EntityType.METHOD] * 3 + [EntityType.TASK] * 2 + [EntityType.KEYPHRASE] * 4 + [EntityType.HARDWARE]
    entities = [Entity(f"urn:e{i}", f"entity {i}", types[i % len(types)]) for i in range(600)]
    relation = {
        EntityType.METHOD: Relation.USES_METHOD,
        EntityType.TASK: Relation.ADDRESSES_TASK,
        EntityType.KEYPHRASE: Relation.HAS_KEYPHRASE,
        EntityType.HARDWARE: Relation.USES_HARDWARE,
    }
    papers, mentions = [], []
    for p in range(n_papers):
        papers.append(Paper(f"p{p}", f"Paper number {p}", "An abstract."))
        for e in {entities[min(int(rng.paretovariate(0.3)) - 1, 599)] for _ in range(6)}:
            mentions.append(Mention(f"p{p}", e.id, relation[e.type], 0.5, "A sentence.", e.label))
    used = {m.entity for m in mentions}
    return build_graph(papers, [e for e in entities if e.id in used], mentions)


def test_page_is_one_self_contained_file(small_graph, tmp_path):
    page = page_of(small_graph, tmp_path)
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<(script|link|img|iframe|embed|object)\b[^>]*\b(src|href)\s*=", page, re.I)
    assert "<link" not in page
    assert "cdn" not in page.lower().replace("cdn_resources", "")
    assert "vis-network" in page and "new vis.Network" in page
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert csp.split("script-src")[1].split(";")[0].count("'sha256-") == 4  # vis-network and our three scripts


def test_every_node_and_edge_is_in_the_page(small_graph, tmp_path):
    data = payload(page_of(small_graph, tmp_path))
    assert data["ids"] == sorted(small_graph.nodes)
    assert sorted(edges_of(data)) == sorted((u, v, k) for u, v, k in small_graph.edges(keys=True))
    assert set(data["relNames"]) <= set(EDGE_STYLES)
    assert [data["kindNames"][k] for k in data["kind"]] == [small_graph.nodes[n]["kind"] for n in data["ids"]]
    assert data["options"]["layout"]["randomSeed"] == 42
    assert data["startView"] == "all"  # a small graph opens whole


def test_style_by_type_and_legend(small_graph, tmp_path):
    page = page_of(small_graph, tmp_path)
    data = payload(page)
    for kind in data["kindNames"]:
        assert data["kinds"][kind]["shape"] == NODE_STYLES[kind]["shape"]
    legend = page.split('id="kg-legend"')[1].split("</aside>")[0]
    for kind in ("Paper", "Method", "Task", "Hardware", "Keyphrase"):
        assert f'data-kind="{kind}" checked' in legend
    for rel in data["relNames"]:
        assert EDGE_STYLES[rel]["caption"] in legend


def test_unknown_kinds_and_relations_get_a_neutral_style(small_graph, tmp_path):
    g = small_graph.copy()
    g.add_node("urn:person", kind="Person", label="Ada Lovelace")
    g.add_node("urn:gizmo", kind="Gizmo", label="a gizmo")
    g.add_edge(paper_iri("p1"), "urn:person", key="hasAuthor", relation="hasAuthor")
    g.add_edge(paper_iri("p1"), "urn:gizmo", key="usesGizmo", relation="usesGizmo")
    page = page_of(g, tmp_path)
    data = payload(page)
    assert data["kinds"]["Gizmo"]["caption"] == "Gizmo" and data["kinds"]["Person"]["caption"] == "Person"
    assert data["relations"]["usesGizmo"]["caption"] == "usesGizmo"
    assert 'data-kind="Gizmo" checked' in page
    assert "urn:person" in data["ids"]


def test_a_node_without_a_kind_is_an_error_naming_it(small_graph, tmp_path):
    g = small_graph.copy()
    g.add_node("urn:kindless", label="no kind")
    with pytest.raises(ValueError, match="urn:kindless"):
        write_html(g, tmp_path / "g.html")
    assert not (tmp_path / "g.html").exists()


def test_counts_say_what_they_count(small_graph, tmp_path):
    counts = node_counts(small_graph)
    # GPU and parameter-efficient fine-tuning are broader concepts no paper links to
    assert counts["Hardware"] == {"nodes": 4, "inPapers": 3}
    assert counts["Method"] == {"nodes": 5, "inPapers": 4}
    assert counts["Paper"] == {"nodes": 3, "inPapers": 3}
    legend = page_of(small_graph, tmp_path).split('id="kg-legend"')[1].split("</aside>")[0]
    assert "linked from papers" in legend
    assert '<span class="count" data-count="Method">4</span>' in legend
    assert "in the vocabulary only, linked from no paper: 1 Method, 1 Hardware" in legend


def test_panel_details_carry_paper_and_entity_data(small_graph, tmp_path):
    page = page_of(small_graph, tmp_path)
    data, details = payload(page), details_of(page)
    index = {n: str(i) for i, n in enumerate(data["ids"])}
    p1 = details["papers"][index[paper_iri("p1")]]
    assert p1["title"].startswith("LoRA-QA") and "A100 GPUs" in p1["abstract"]
    assert p1["listings"] == [["Sep 9", "data/a.txt", 12], ["Mar 14", "data/b.txt", 40]]
    assert data["alt"][index[vocab_iri("low-rank-adaptation")]] == ["LoRA", "low-rank adapters"]
    assert len(details["evidence"]) == small_graph.number_of_edges()
    assert "We fine-tune Llama-3.1-70B with LoRA on A100 GPUs for question answering." in details["sentences"]
    assert data["day"][index[paper_iri("p1")]] < data["day"][index[paper_iri("p2")]]  # Mar 14 before Sep 9
    assert index[paper_iri("p3")] not in data["day"]  # never listed: no date


def test_hostile_title_is_only_ever_data(small_graph, tmp_path):
    page = page_of(small_graph, tmp_path)
    assert XSS_TITLE not in page
    assert "onerror" not in page.split('id="kg-data">')[0]  # nothing before the data block
    data, details = payload(page), details_of(page)
    i = data["ids"].index(paper_iri("p2"))
    assert details["papers"][str(i)]["title"] == XSS_TITLE  # the JSON round-trips to the literal text
    assert data["label"][i] == XSS_TITLE


def test_embedded_json_cannot_close_its_script_block(tmp_path):
    nasty = "</script><script>alert(1)</script><!-- \u2028 \u2029 & </SCRIPT >"
    g = build_graph([Paper("p1", nasty, nasty)], [], [])
    page = page_of(g, tmp_path, title=nasty)
    assert page.count("</script>") == 6  # two data blocks, vis-network, our three scripts
    assert page.lower().count("</script") == 6
    for block in (DATA_BLOCK.search(page).group(1), DETAILS_BLOCK.search(page).group(1)):
        assert not set("<>&\u2028\u2029") & set(block)
    assert "<!--" not in page
    assert payload(page)["label"] == [nasty]
    assert "<title>&lt;/script&gt;&lt;script&gt;alert(1)" in page


def test_max_nodes_keeps_the_most_connected_and_says_so(small_graph, tmp_path):
    page = page_of(small_graph, tmp_path, max_nodes=5)
    data = payload(page)
    kept = set(data["ids"])
    assert kept == set(most_connected(small_graph, 5)) and len(kept) == 5
    assert all(u in kept and v in kept for u, v, _ in edges_of(data))
    assert "showing 5 of 19 nodes" in page
    assert "RDF and GraphML keep everything" in page
    assert 'class="truncated"' in page
    assert "all 19 nodes" in page_of(small_graph, tmp_path, max_nodes=19)
    assert "all 19 nodes" in page_of(small_graph, tmp_path)


def test_most_connected_breaks_ties_by_id():
    g = nx.MultiDiGraph([("b", "hub"), ("a", "hub"), ("c", "hub"), ("d", "e")])
    assert most_connected(g, 1) == ["hub"]
    assert most_connected(g, 3) == ["a", "b", "hub"]
    assert most_connected(g, None) == ["a", "b", "c", "d", "e", "hub"]


@pytest.mark.parametrize("bad", [0, -1, True, 2.5, "3"])
def test_max_nodes_is_validated(small_graph, tmp_path, bad):
    with pytest.raises(ValueError, match="max_nodes must be a positive integer or None"):
        write_html(small_graph, tmp_path / "g.html", max_nodes=bad)
    assert not (tmp_path / "g.html").exists()


def test_output_is_deterministic(small_graph, tmp_path):
    first = page_of(small_graph, tmp_path)
    assert page_of(small_graph, tmp_path) == first
    shuffled = nx.MultiDiGraph()  # the same graph, inserted in reverse order
    shuffled.add_nodes_from(reversed(list(small_graph.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(small_graph.edges(keys=True, data=True))))
    assert page_of(shuffled, tmp_path) == first


def test_large_graph_opens_on_an_overview_that_folds_nothing(tmp_path):
    g = synthetic_graph()
    assert g.number_of_nodes() > FULL_VIEW_MAX
    page = page_of(g, tmp_path)
    assert page == page_of(synthetic_graph(), tmp_path)  # byte-identical, clusters included
    data = payload(page)
    assert data["startView"] == "overview"
    assert 1 < len(data["clusters"]) <= MAX_CLUSTERS + 1
    members = [x for c in data["clusters"] for x in c["concepts"]]
    linked = {v for u, v in g.edges() if g.nodes[u]["kind"] == "Paper"}
    assert len(members) == len(set(members))  # each concept in one cluster
    assert {data["ids"][x] for x in members} == linked  # and every linked concept in some cluster
    assert all(c["label"] for c in data["clusters"])
    assert [c["papers"] for c in data["clusters"] if not c["folded"]] == sorted(
        (c["papers"] for c in data["clusters"] if not c["folded"]), reverse=True
    )


def test_empty_graph_and_title(tmp_path):
    page = page_of(nx.MultiDiGraph(), tmp_path, title="My <papers> & co")
    assert "<title>My &lt;papers&gt; &amp; co</title>" in page
    assert payload(page)["ids"] == [] and payload(page)["clusters"] == []
    with pytest.raises(TypeError, match="title must be a str"):
        write_html(nx.MultiDiGraph(), tmp_path / "g.html", title=None)
