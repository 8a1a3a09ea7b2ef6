"""Every export reads back, whatever characters paper text holds; a file that does not read back is an error."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pyoxigraph
import pytest

from kg.errors import ExportError
from kg.export import check
from kg.export.graphml import read_graphml
from kg.graph import build_graph
from kg.model import Entity, EntityType, Listing, Mention, Paper, Relation
from kg.namespace import paper_iri, vocab_iri
from kg.pipeline import exporters

# every C0 control, DEL, C1 NEL, the two non-characters XML forbids, and neighbours it allows
CONTROLS = "".join(chr(c) for c in range(0x20)) + "\x7f\x85\ufffe\uffff\ud7ff\ue000\u2028"
EXPORTERS = {e.name: e for e in exporters()}
XML_FORBIDDEN = set(chr(c) for c in range(0x20)) - set("\t\n\r") | {"\ufffe", "\uffff"}


def hostile_graph() -> nx.MultiDiGraph:
    title = f"Form\x0cfeed\x01and NUL\x00{CONTROLS} title"
    paper = Paper(
        key="p1",
        title=title,
        abstract=f"We use LoRA\x0c.{CONTROLS}",
        identifier="p1",
        listings=(Listing("dump\x0c.txt", 3, "Sep\x01 9"),),
    )
    lora = Entity(vocab_iri("low-rank-adaptation"), f"LoRA\x0b{CONTROLS}", EntityType.METHOD, ("Lo\x00RA",))
    mention = Mention("p1", lora.id, Relation.USES_METHOD, 0.5, f"We use\x0c LoRA.{CONTROLS}", "LoRA\x01")
    return build_graph([paper], [lora], [mention])


@pytest.mark.parametrize("entry", exporters(), ids=lambda e: e.name)
def test_every_export_of_text_with_control_characters_reads_back(entry, tmp_path):
    path = tmp_path / entry.name
    entry.write(hostile_graph(), path)
    entry.check(path)


def test_graphml_drops_what_xml_forbids_and_keeps_the_rest(tmp_path):
    graph = hostile_graph()
    path = tmp_path / "graph.graphml"
    EXPORTERS["graph.graphml"].write(graph, path)
    read = nx.read_graphml(path)  # the reader the README promises
    title = read.nodes[paper_iri("p1")]["title"]
    want = "".join(ch for ch in graph.nodes[paper_iri("p1")]["title"] if ch not in XML_FORBIDDEN)
    want = want.replace("\r", "\n")  # every XML reader turns a carriage return in text into a line feed
    assert title == want and "\t" in want and "\x7f\x85" in want
    assert read_graphml(path).nodes[paper_iri("p1")]["listings"] == (Listing("dump.txt", 3, "Sep 9"),)


def test_rdf_exports_keep_control_characters_escaped(tmp_path):
    graph = hostile_graph()
    for name, fmt in (
        ("graph.ttl", pyoxigraph.RdfFormat.TURTLE),
        ("graph.nt", pyoxigraph.RdfFormat.N_TRIPLES),
        ("graph.jsonld", pyoxigraph.RdfFormat.JSON_LD),
    ):
        entry = EXPORTERS[name]
        path = tmp_path / entry.name
        entry.write(graph, path)
        titles = {
            q.object.value
            for q in pyoxigraph.parse(path=str(path), format=fmt)
            if q.predicate.value == "http://purl.org/dc/terms/title"
        }
        assert titles == {graph.nodes[paper_iri("p1")]["title"]}, entry.name


BROKEN = {
    "graph.ttl": ('<urn:a> <urn:b> "unterminated .\n', "graph.ttl:1: not valid Turtle: "),
    "graph.nt": ("<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> bad .\n", "graph.nt:2: not valid N-Triples: "),
    "graph.jsonld": ('{"@id": ', "graph.jsonld:1: not valid JSON-LD: "),
    "graph.graphml": (
        '<?xml version="1.0"?>\n<graphml><graph><node id="a\x0c"/></graph></graphml>\n',
        "graph.graphml:2: not readable GraphML",
    ),
    "graph.html": (
        '<script type="application/json" id="kg-data">{"nodes": [</script>',
        "graph.html: the kg-data block is not JSON",
    ),
}


@pytest.mark.parametrize("entry", exporters(), ids=lambda e: e.name)
def test_a_file_that_does_not_read_back_is_an_error_naming_it(entry, tmp_path):
    text, message = BROKEN[entry.name]
    path = tmp_path / entry.name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ExportError) as info:
        entry.check(path)
    assert str(info.value).startswith(str(tmp_path / "")) and message in str(info.value)


def test_html_check_wants_one_data_block_of_utf8(tmp_path):
    path = Path(tmp_path / "graph.html")
    path.write_text("<html></html>", encoding="utf-8")
    with pytest.raises(ExportError, match="expected one kg-data block, found 0"):
        check.html(path)
    path.write_bytes(b'<script type="application/json" id="kg-data">{}</script>\xff')
    with pytest.raises(ExportError, match="not UTF-8 at byte"):
        check.html(path)
