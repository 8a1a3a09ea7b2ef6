"""kg.rdfterms: one prefix map, one literal escape, one suffix -> parser map, one graph-path rule."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef

import kg
from kg.errors import InputError
from kg.export.rdf import CONTEXT
from kg.query import load_graph, run_query
from kg.query.validate import validate
from kg.rdfterms import (
    EXPORT_PREFIXES,
    GRAPH_FILE,
    PREFIXES,
    RDF_FORMATS,
    graph_file,
    quote_literal,
    sparql_literal,
)

PACKAGE = Path(kg.__file__).parent


# derandomized, like the property below: CI says the same thing every run
@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(max_size=60))
def test_a_quoted_literal_reads_back_the_same_in_ntriples_and_sparql(text):
    nt = f"<urn:s> <urn:p> {quote_literal(text)} .\n"
    g = Graph().parse(data=nt, format="nt")
    assert list(g.objects()) == [Literal(text)]
    rows = list(g.query(f"SELECT ?s WHERE {{ ?s <urn:p> {sparql_literal(text)} }}"))
    assert [row[0] for row in rows] == [URIRef("urn:s")]


def test_export_prefixes_are_a_sorted_subset_of_the_one_map():
    assert all(PREFIXES[p] == ns for p, ns in EXPORT_PREFIXES.items())
    assert list(EXPORT_PREFIXES) == sorted(EXPORT_PREFIXES)
    assert CONTEXT == EXPORT_PREFIXES


def test_loaded_graphs_know_every_prefix(small_graph, tmp_path):
    path = tmp_path / "g.nt"
    path.write_text("<urn:s> <urn:p> <urn:o> .\n", encoding="utf-8")
    for store in ("memory", "oxigraph"):
        g = load_graph(path, store=store)
        bound = {p: str(ns) for p, ns in g.namespaces()}
        assert all(bound.get(p) == ns for p, ns in PREFIXES.items()), store


def test_graph_file_means_graph_ttl_for_a_directory(tmp_path):
    assert graph_file(tmp_path) == tmp_path / GRAPH_FILE
    assert graph_file(tmp_path / "x.nt") == tmp_path / "x.nt"


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".jsonld"])
def test_query_and_validate_read_every_export_format_alike(suffix, tmp_path):
    g = Graph()
    g.add((URIRef("urn:s"), URIRef("urn:p"), Literal("o")))
    path = tmp_path / f"g{suffix}"
    g.serialize(path, format=RDF_FORMATS[suffix][0])
    rows = list(run_query(load_graph(path), "SELECT ?o WHERE { ?s ?p ?o }"))
    assert [str(r[0]) for r in rows] == ["o"]
    assert validate(path).conforms  # no kg:Paper: nothing to violate


def test_missing_and_broken_files_fail_the_same_way_for_query_and_validate(tmp_path):
    broken = tmp_path / "bad.ttl"
    broken.write_text("this is not turtle", encoding="utf-8")
    for path, message in ((tmp_path / "missing.ttl", "no such graph file"), (broken, "cannot parse")):
        with pytest.raises(InputError, match=message):
            load_graph(path)
        with pytest.raises(InputError, match=message):
            validate(path)


def test_standard_namespaces_and_prefix_maps_are_declared_once():
    declared = re.compile(r'Namespace\("http://(www\.w3\.org|purl\.org)|"http://www\.w3\.org/2004/02/skos/core#"')
    offenders = [
        str(f.relative_to(PACKAGE))
        for f in PACKAGE.rglob("*.py")
        if f.name != "rdfterms.py" and declared.search(f.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# texts made of what SPARQL's codepoint pre-pass reacts to: backslashes, u/U and hex digits
_ESCAPE_PIECES = st.text(alphabet=st.sampled_from(["\\", "u", "U", "0", "4", "1", "F", "a", '"', "x"]), max_size=30)


@pytest.mark.parametrize("text", ["\\U0000", "\\u0041", "\\\\u0041", "x\\U0001F600y", "C:\\users", "\\u"])
def test_a_backslash_before_u_survives_the_sparql_pre_pass_in_rdflib_and_oxigraph(text):
    nt = f"<urn:s> <urn:p> {quote_literal(text)} .\n"
    g = Graph().parse(data=nt, format="nt")
    store = pyoxigraph.Store()
    store.load(nt.encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)
    query = f"SELECT ?s WHERE {{ ?s <urn:p> {sparql_literal(text)} }}"
    assert [row[0] for row in g.query(query)] == [URIRef("urn:s")]
    assert [row["s"].value for row in store.query(query)] == ["urn:s"]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(_ESCAPE_PIECES)
def test_any_backslash_and_hex_text_reads_back_from_a_sparql_literal_in_both_stores(text):
    query = f"SELECT ?o WHERE {{ BIND({sparql_literal(text)} AS ?o) }}"
    assert [str(row[0]) for row in Graph().query(query)] == [text]
    assert [row["o"].value for row in pyoxigraph.Store().query(query)] == [text]
