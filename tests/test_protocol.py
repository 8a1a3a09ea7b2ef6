"""The SPARQL protocol pieces of the endpoint (kg.query.protocol): content negotiation and answers, in process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph

from kg.query import load_graph
from kg.query.protocol import GRAPH_TYPES, RESULT_TYPES, answer, choose_media_type

MINI = Path(__file__).parent / "data" / "mini_graph.ttl"


def test_choose_media_type():
    results = list(RESULT_TYPES)
    assert choose_media_type(None, results) == "application/sparql-results+json"
    assert choose_media_type("text/csv", results) == "text/csv"
    assert choose_media_type("application/sparql-results+xml;q=0.5, text/tab-separated-values", results) == (
        "text/tab-separated-values"
    )
    assert choose_media_type("text/html", results) == "application/sparql-results+json"
    assert choose_media_type("text/*", list(GRAPH_TYPES)) == "text/turtle"


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_answer_caps_rows_on_both_stores(store):
    graph = load_graph(MINI, store)
    reply = answer(graph, "SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+json", row_limit=7)
    assert reply.status == 200 and reply.headers["X-Result-Truncated"] == "true"
    assert len(json.loads(reply.body)["results"]["bindings"]) == 7
    reply = answer(graph, "CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle", row_limit=7)
    assert len(Graph().parse(data=reply.body, format="turtle")) == 7
    for media in ("text/csv", "text/tab-separated-values"):
        assert answer(graph, "ASK { ?s ?p ?o }", media, row_limit=7).body == b"_askResult\ntrue\n"
    assert answer(graph, "CLEAR ALL", None, row_limit=7).status == 403
    assert answer(graph, "SELECT", None, row_limit=7).status == 400
