"""graph.html without a browser: self-contained, safe to embed, truncated on request, deterministic."""

from __future__ import annotations

import json
import random
import re

import networkx as nx
import pytest

from kg.export.html import EDGE_STYLES, LARGE_GRAPH, NODE_STYLES, most_connected, script_json, write_html
from kg.graph import build_graph
from kg.model import Entity, EntityType, Mention, Paper, Relation
from kg.namespace import paper_iri, vocab_iri

XSS_TITLE = "<img src=x onerror=alert(1)>"
DATA_BLOCK = re.compile(r'<script type="application/json" id="kg-data">(.*?)</script>', re.S)


def page_of(graph, tmp_path, **kwargs) -> str:
    path = tmp_path / "graph.html"
    write_html(graph, path, **kwargs)
    return path.read_text(encoding="utf-8")


def payload(page: str) -> dict:
    blocks = DATA_BLOCK.findall(page)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def synthetic_graph(n_papers: int = 200, seed: int = 3) -> nx.MultiDiGraph:
    """A graph above LARGE_GRAPH nodes, with leaves, hubs and derived method -> task links."""
    rng = random.Random(seed)
    types = (
        [EntityType.METHOD] * 3 + [EntityType.TASK] * 2 + [EntityType.KEYPHRASE] * 4 + [EntityType.HARDWARE]
    )
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


def test_every_node_and_edge_is_in_the_view(small_graph, tmp_path):
    data = payload(page_of(small_graph, tmp_path))
    assert sorted(n["id"] for n in data["nodes"]) == sorted(small_graph.nodes)
    assert len(data["edges"]) == small_graph.number_of_edges()
    assert {e["relation"] for e in data["edges"]} <= set(EDGE_STYLES)
    assert data["options"]["layout"]["randomSeed"] == 42
    assert data["options"]["physics"]["stabilization"]["enabled"] is True


def test_style_by_type_relation_and_degree(small_graph, tmp_path):
    data = payload(page_of(small_graph, tmp_path))
    for node in data["nodes"]:
        style = NODE_STYLES[node["kind"]]
        assert (node["shape"], node["color"]) == (style["shape"], style["color"])
    for edge in data["edges"]:
        assert edge["color"]["color"] == EDGE_STYLES[edge["relation"]]["color"]
    size = {n["id"]: n["size"] for n in data["nodes"]}
    degree = dict(small_graph.degree())
    hub, leaf = max(degree, key=degree.get), min(degree, key=degree.get)
    assert size[hub] > size[leaf]
    legend = page_of(small_graph, tmp_path).split('id="kg-legend"')[1].split("</aside>")[0]
    for kind in NODE_STYLES:
        assert f'data-kind="{kind}" checked' in legend
    for style in EDGE_STYLES.values():
        assert style["caption"] in legend


def test_panel_details_carry_paper_and_entity_data(small_graph, tmp_path):
    data = payload(page_of(small_graph, tmp_path))
    p1 = data["details"][paper_iri("p1")]
    assert p1["title"].startswith("LoRA-QA") and "A100 GPUs" in p1["abstract"]
    assert p1["listings"] == [["Sep 9", "data/a.txt", 12], ["Mar 14", "data/b.txt", 40]]
    lora = data["details"][vocab_iri("low-rank-adaptation")]
    assert lora["alt"] == ["LoRA", "low-rank adapters"]
    assert lora["broader"] == [
        [vocab_iri("parameter-efficient-fine-tuning"), "parameter-efficient fine-tuning"]
    ]


def test_hostile_title_is_only_ever_data(small_graph, tmp_path):
    page = page_of(small_graph, tmp_path)
    assert XSS_TITLE not in page
    assert "onerror" not in page.split('id="kg-data">')[0]  # nothing before the data block
    data = payload(page)
    p2 = data["details"][paper_iri("p2")]
    assert p2["title"] == XSS_TITLE  # the JSON round-trips to the literal text
    node = next(n for n in data["nodes"] if n["id"] == paper_iri("p2"))
    assert isinstance(node["title"], str) and node["title"].startswith(XSS_TITLE)


def test_embedded_json_cannot_close_its_script_block(tmp_path):
    nasty = "</script><script>alert(1)</script><!-- \u2028 \u2029 & </SCRIPT >"
    g = build_graph([Paper("p1", nasty, nasty)], [], [])
    page = page_of(g, tmp_path, title=nasty)
    assert page.count("</script>") == 3  # the data block, vis-network, the page script
    assert page.lower().count("</script") == 3
    block = DATA_BLOCK.search(page).group(1)
    assert "<!--" not in page and not set("<>&\u2028\u2029") & set(block)
    assert payload(page)["details"][paper_iri("p1")]["title"] == nasty
    assert "<title>&lt;/script&gt;&lt;script&gt;alert(1)" in page


def test_script_json_escapes():
    text = script_json({"a": "</script><!--&\u2028\u2029>"})
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == {"a": "</script><!--&\u2028\u2029>"}


def test_max_nodes_keeps_the_most_connected_and_says_so(small_graph, tmp_path):
    page = page_of(small_graph, tmp_path, max_nodes=5)
    data = payload(page)
    kept = {n["id"] for n in data["nodes"]}
    assert kept == set(most_connected(small_graph, 5)) and len(kept) == 5
    assert all(e["from"] in kept and e["to"] in kept for e in data["edges"])
    assert "showing 5 of 16 nodes" in page
    assert "RDF and GraphML keep everything" in page
    assert "truncated" in page.split('id="kg-note"')[1][:40]
    assert "showing all 16 nodes" in page_of(small_graph, tmp_path, max_nodes=16)
    assert "showing all 16 nodes" in page_of(small_graph, tmp_path)


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


def test_large_graph_starts_from_seeded_positions(tmp_path):
    g = synthetic_graph()
    assert g.number_of_nodes() > LARGE_GRAPH
    page = page_of(g, tmp_path)
    assert page == page_of(synthetic_graph(), tmp_path)  # byte-identical, positions included
    data = payload(page)
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])
    leaves = {n["id"] for n in data["nodes"] if n.get("physics") is False}
    assert leaves and all(g.degree(n) == 1 for n in leaves)
    for e in data["edges"]:
        if e["relation"] == "appliedTo" or e["from"] in leaves or e["to"] in leaves:
            assert e["physics"] is False
    assert data["options"]["layout"]["improvedLayout"] is False


def test_empty_graph_and_title(tmp_path):
    page = page_of(nx.MultiDiGraph(), tmp_path, title="My <papers> & co")
    assert "<title>My &lt;papers&gt; &amp; co</title>" in page
    assert payload(page)["nodes"] == []
    with pytest.raises(TypeError, match="title must be a str"):
        write_html(nx.MultiDiGraph(), tmp_path / "g.html", title=None)
