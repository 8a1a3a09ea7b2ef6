"""Exports that copy unchanged blocks of the previous export (kg.export.blocks): the same bytes as a
fresh write, only changed nodes made again, and a stale or damaged index costs time, never bytes."""

from __future__ import annotations

import hashlib
import io
import json

import networkx as nx
import pyoxigraph
import pytest

from kg.errors import ExportError
from kg.export import check, graphml, rdf
from kg.export.blocks import index_path, unchecked_documents, write_blocks
from kg.graph import build_graph

WRITERS = {"graph.ttl": rdf.write_turtle, "graph.jsonld": rdf.write_jsonld, "graph.nt": rdf.write_ntriples}
FORMATS = {
    "graph.ttl": pyoxigraph.RdfFormat.TURTLE,
    "graph.jsonld": pyoxigraph.RdfFormat.JSON_LD,
    "graph.nt": pyoxigraph.RdfFormat.N_TRIPLES,
}


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


CHECKS = {
    "graph.ttl": check.turtle,
    "graph.jsonld": check.jsonld,
    "graph.nt": check.ntriples,
    "graph.graphml": check.graphml,
}
#: every export written through blocks, for the read-back tests
BLOCKED = {**WRITERS, "graph.graphml": graphml.write_graphml}


def described_nodes(name, source) -> set[str]:
    """The nodes an export (a path, or its bytes) says something about: RDF subjects, GraphML node elements."""
    if name == "graph.graphml":
        g = nx.read_graphml(io.BytesIO(source) if isinstance(source, bytes) else source)
        return {n for n, d in g.nodes(data=True) if d}  # an edge's endpoints are added without data
    kw = {"input": source} if isinstance(source, bytes) else {"path": str(source)}
    parsed = pyoxigraph.parse(format=FORMATS[name], **kw)
    return {t.subject.value for t in parsed if isinstance(t.subject, pyoxigraph.NamedNode)}


def written_and_checked(name, graph, out, previous):
    """Write ``graph`` to ``out`` from ``previous`` and read it back, as the build's staging step does."""
    BLOCKED[name](graph, out, previous=previous)
    CHECKS[name](out, previous=previous)


def break_a_block(path, copied_from):
    """Put a quote in place of the first byte of one block of ``path``: one that ``copied_from``'s index has
    (a copied block) or, with ``copied_from`` None, a new one; then record the file's new SHA-256 in the
    index, as a writer bug would (not damage after writing). No format parses a block starting so."""
    meta = json.loads(index_path(path).read_text())
    old_keys = set(json.loads(index_path(copied_from).read_text())["blocks"]) if copied_from else set()
    key = next(k for k in sorted(meta["blocks"]) if (k in old_keys) == bool(copied_from))
    data = bytearray(path.read_bytes())
    data[meta["blocks"][key][0]] = ord('"')
    path.write_bytes(bytes(data))
    index_path(path).write_text(json.dumps({**meta, "sha256": hashlib.sha256(data).hexdigest()}))


@pytest.mark.parametrize("name", sorted(BLOCKED))
def test_the_read_back_parses_only_blocks_that_are_not_copies_of_a_checked_export(name, records, tmp_path):
    one, two = day_two(records)
    day1, day2 = tmp_path / "1" / name, tmp_path / "2" / name
    written_and_checked(name, one, day1, previous=day1)
    assert json.loads(index_path(day1).read_text())["checked"] is True
    BLOCKED[name](two, day2, previous=day1)
    fresh = tmp_path / "fresh" / name
    BLOCKED[name](two, fresh)
    assert day2.read_bytes() == fresh.read_bytes()  # blocks or not, the same file
    (part,) = unchecked_documents(day2, day1)
    assert len(part) < len(day2.read_bytes())
    described = described_nodes(name, part)
    assert described < described_nodes(name, day2)
    assert "https://w3id.org/paper-kg/paper/p3" in described  # new
    assert "https://w3id.org/paper-kg/paper/p1" not in described  # copied from day one's checked export
    CHECKS[name](day2, previous=day1)


@pytest.mark.parametrize("name", sorted(BLOCKED))
def test_a_broken_new_block_is_caught_and_an_unchecked_previous_export_is_read_whole(name, records, tmp_path):
    one, two = day_two(records)
    day1, day2 = tmp_path / "1" / name, tmp_path / "2" / name
    written_and_checked(name, one, day1, previous=day1)
    BLOCKED[name](two, day2, previous=day1)
    break_a_block(day2, copied_from=None)  # a block day one does not have
    with pytest.raises(ExportError, match="not valid|not readable"):
        CHECKS[name](day2, previous=day1)
    # a copied block that is not the previous export's bytes any more is read back too
    BLOCKED[name](two, day2, previous=day1)
    break_a_block(day2, copied_from=day1)
    with pytest.raises(ExportError, match="not valid|not readable"):
        CHECKS[name](day2, previous=day1)
    # the previous export was never read back (its index is not marked): every block is parsed
    meta = json.loads(index_path(day1).read_text())
    index_path(day1).write_text(json.dumps({**meta, "checked": False}))
    BLOCKED[name](two, day2, previous=day1)
    (whole,) = unchecked_documents(day2, day1)
    assert described_nodes(name, whole) == described_nodes(name, day2)


@pytest.mark.parametrize("name", sorted(BLOCKED))
def test_the_read_back_parses_a_large_export_in_runs_of_blocks_that_cover_it(name, records, tmp_path):
    one, _ = day_two(records)
    out, none = tmp_path / name, tmp_path / "none" / name
    BLOCKED[name](one, out, previous=none)  # a first build: no previous export, every block is new
    runs = list(unchecked_documents(out, none, chunk_bytes=1))  # one block per run
    assert len(runs) > 2
    assert set().union(*(described_nodes(name, run) for run in runs)) == described_nodes(name, out)
    CHECKS[name](out, previous=none)
    break_a_block(out, copied_from=None)
    with pytest.raises(ExportError, match="not valid|not readable"):
        CHECKS[name](out, previous=none)


def test_an_export_changed_after_it_was_written_is_caught(records, tmp_path):
    one, two = day_two(records)
    day1, day2 = tmp_path / "1.ttl", tmp_path / "2.ttl"
    written_and_checked("graph.ttl", one, day1, previous=day1)
    rdf.write_turtle(two, day2, previous=day1)
    day2.write_bytes(day2.read_bytes().replace(b"LoRA", b"LoRB", 1))  # parses, but is not what was written
    with pytest.raises(ExportError, match="not the one its writer recorded"):
        check.turtle(day2, previous=day1)
