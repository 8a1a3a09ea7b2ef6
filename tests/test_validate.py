"""SHACL validation (kg.query.validate, `kg validate`) of RDF exports: what conforms and what breaks it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from kg import cli
from kg.export.rdf import to_rdf, write_ntriples
from kg.namespace import KG, link_iri, listing_iri, mention_iri, paper_iri, vocab_iri
from kg.query.validate import validate

P1 = URIRef(paper_iri("p1"))


@pytest.fixture
def rdf(small_graph, small_ontology):
    return to_rdf(small_graph, ontology_dir=small_ontology)


def test_export_conforms_to_the_shapes(small_exports, rdf):
    result = validate(rdf)
    assert result.conforms, result.text
    assert result.violations == 0
    assert validate(small_exports / "graph.nt").conforms


def test_export_with_the_real_vocabulary_conforms(small_graph, tmp_path):
    # the fixture's vocab: IRIs may or may not be in ontology/vocab-*.ttl; either way one prefLabel each
    write_ntriples(small_graph, tmp_path / "graph.nt")
    result = validate(tmp_path / "graph.nt")
    assert result.conforms, result.text


def test_rdfs_inference_gives_the_same_verdicts(rdf):
    assert validate(rdf, inference="rdfs").conforms
    _method_link_to_a_task(rdf)
    assert not validate(rdf, inference="rdfs").conforms


def _without_identifier(g: Graph) -> None:
    g.remove((P1, DCTERMS.identifier, None))


def _method_link_to_a_task(g: Graph) -> None:
    g.add((P1, KG.usesMethod, URIRef(vocab_iri("machine-translation"))))


def _mention_without_its_direct_triple(g: Graph) -> None:
    g.remove((P1, KG.addressesTask, None))


def _wrong_support_count(g: Graph) -> None:
    g.set((URIRef(link_iri(vocab_iri("prefix-tuning"), vocab_iri("machine-translation"))), KG.supportCount, Literal(3)))


def _score_out_of_range(g: Graph) -> None:
    g.set((URIRef(mention_iri("p1", 1)), KG.score, Literal(Decimal("1.5"))))


def _two_preferred_labels(g: Graph) -> None:
    g.add((URIRef(vocab_iri("a100")), SKOS.prefLabel, Literal("A100 GPU")))


def _listing_without_line(g: Graph) -> None:
    g.remove((URIRef(listing_iri("p1", 1)), KG.sourceLine, None))


@pytest.mark.parametrize(
    "breakage",
    [
        _without_identifier,
        _method_link_to_a_task,
        _mention_without_its_direct_triple,
        _wrong_support_count,
        _score_out_of_range,
        _two_preferred_labels,
        _listing_without_line,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_a_broken_export_does_not_conform(rdf, breakage):
    breakage(rdf)
    result = validate(rdf)
    assert not result.conforms
    assert result.violations >= 1


def test_cli_validate_exit_codes(small_exports, tmp_path, capsys):
    assert cli.main(["validate", str(small_exports / "graph.ttl")]) == 0
    assert "conforms" in capsys.readouterr().out
    broken = tmp_path / "broken.nt"
    broken.write_text(
        "".join(
            ln
            for ln in (small_exports / "graph.nt").read_text().splitlines(keepends=True)
            if "/terms/identifier>" not in ln or "/paper/" not in ln
        )
    )
    assert cli.main(["validate", str(broken)]) == 1
    out = capsys.readouterr()
    assert "identifier" in out.out and "3 violation" in out.err
    assert cli.main(["validate", str(tmp_path / "missing.ttl")]) == 2
    (tmp_path / "bad.ttl").write_text("this is not turtle <<")
    assert cli.main(["validate", str(tmp_path / "bad.ttl")]) == 2
    assert "bad.ttl" in capsys.readouterr().err


@pytest.mark.slow
def test_the_bundled_export_conforms_to_the_shapes(bundled_graph_path, capsys):
    """`kg validate exports/graph.ttl` on the real build of the bundled corpus."""
    assert cli.main(["validate", str(bundled_graph_path)]) == 0
    assert "conforms to ontology/shapes.ttl" in capsys.readouterr().out
