"""Exports that copy unchanged blocks of the previous export (kg.export.blocks): the same bytes as a
fresh write, only changed nodes made again, and a stale or damaged index costs time, never bytes."""

from __future__ import annotations

import json

import pytest

from kg.export import rdf
from kg.export.blocks import index_path, write_blocks
from kg.graph import build_graph

WRITERS = {"graph.ttl": rdf.write_turtle, "graph.jsonld": rdf.write_jsonld, "graph.nt": rdf.write_ntriples}


@pytest.fixture
def made(monkeypatch):
    """The nodes whose blocks rdf made (not copied) in the last write."""
    nodes: list[str] = []
    real = rdf._node_block

    def counting(graph, node, *args, **kw):
        nodes.append(node)
        return real(graph, node, *args, **kw)

    monkeypatch.setattr(rdf, "_node_block", counting)
    return nodes


def day_two(records):
    """Day one's graph (the first two papers) and day two's (all three)."""
    papers, entities, mentions = records
    one = build_graph(papers[:2], entities, [m for m in mentions if m.paper in {"p1", "p2"}])
    two = build_graph(papers, entities, mentions)
    return one, two


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_a_write_from_the_previous_export_equals_a_fresh_one_and_makes_only_changed_nodes(
    name, records, tmp_path, made
):
    write = WRITERS[name]
    one, two = day_two(records)
    out = tmp_path / "out" / name
    write(one, out, previous=out)
    assert index_path(out).exists()
    made.clear()
    write(two, out, previous=out)
    remade = set(made)
    fresh = tmp_path / "fresh" / name
    write(two, fresh)
    assert out.read_bytes() == fresh.read_bytes()
    assert not index_path(fresh).exists()  # no previous: a plain write leaves no index
    # p3 and what it links are new; p1, p2 and the entities only they mention were copied
    assert 0 < len(remade) < two.number_of_nodes()
    assert "https://w3id.org/paper-kg/paper/p3" in remade and "https://w3id.org/paper-kg/paper/p1" not in remade


@pytest.mark.parametrize("damage", ["edit the export", "truncate the index", "other salt"])
def test_a_stale_or_damaged_index_is_ignored(damage, records, tmp_path, made):
    one, two = day_two(records)
    out = tmp_path / "graph.ttl"
    rdf.write_turtle(two, out, previous=out)
    if damage == "edit the export":  # same length, other bytes: the recorded SHA-256 no longer matches
        text = out.read_text(encoding="utf-8")
        out.write_text(text.replace("LoRA", "LoRB"), encoding="utf-8")
    elif damage == "truncate the index":
        index_path(out).write_text(index_path(out).read_text()[:50])
    else:
        meta = json.loads(index_path(out).read_text())
        index_path(out).write_text(json.dumps({**meta, "salt": "another code"}))
    made.clear()
    rdf.write_turtle(two, out, previous=out)
    assert len(made) == two.number_of_nodes()  # nothing copied
    fresh = tmp_path / "fresh.ttl"
    rdf.write_turtle(two, fresh)
    assert out.read_bytes() == fresh.read_bytes()


def test_write_blocks_copies_by_key_and_separates_non_empty_blocks(tmp_path):
    path = tmp_path / "x.json"
    layout = {"head": "[", "tail": "]\n", "first_sep": "", "sep": ","}
    blocks = [("a", lambda: "1"), ("e", lambda: ""), ("b", lambda: "2")]
    assert write_blocks(path, blocks, salt="s", previous=path, **layout) == 0
    assert path.read_text() == "[1,2]\n"
    calls = []
    again = [("b", lambda: calls.append("b") or "9"), ("c", lambda: calls.append("c") or "3")]
    assert write_blocks(path, again, salt="s", previous=path, **layout) == 1
    assert path.read_text() == "[2,3]\n" and calls == ["c"]
    assert write_blocks(path, again, salt="t", previous=path, **layout) == 0  # another salt: made again
    assert path.read_text() == "[9,3]\n"
