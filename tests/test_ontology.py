"""The ontology: OWL 2 RL consistency, documentation of every term, and kg.namespace.KG kept in step."""

from __future__ import annotations

from pathlib import Path

import owlrl
import pytest
from owlrl.Namespaces import ERRNS
from rdflib import OWL, RDF, RDFS, Graph, URIRef

from kg.export.rdf import ontology_files, ontology_graph, to_rdf
from kg.namespace import KG, paper_iri

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
KG_NS = str(KG)
DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
PROPERTIES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
#: properties whose range is deliberately open (kg:relation's values are properties, used by punning)
NO_RANGE = {KG.relation}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY / "kg.ttl", format="turtle")


def _declared(ontology: Graph, kinds=DECLARATIONS) -> set[URIRef]:
    return {s for k in kinds for s in ontology.subjects(RDF.type, k) if isinstance(s, URIRef) and s.startswith(KG_NS)}


def _inconsistencies(g: Graph) -> list[str]:
    """Expand ``g`` under the OWL 2 RL rules; the clashes owlrl found, and the members of owl:Nothing."""
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    errors = [str(e) for e in g.objects(None, ERRNS.error)]
    return errors + [f"{s} is a member of owl:Nothing" for s in g.subjects(RDF.type, OWL.Nothing)]


def test_namespace_terms_equal_the_declared_terms(ontology):
    in_python = {KG[name] for name in KG.__annotations__}
    in_turtle = _declared(ontology)
    assert in_python - in_turtle == set(), "in kg.namespace.KG but not declared in kg.ttl"
    assert in_turtle - in_python == set(), "declared in kg.ttl but missing from kg.namespace.KG"


def test_every_kg_term_used_in_kg_ttl_is_declared(ontology):
    used = {t for triple in ontology for t in triple if isinstance(t, URIRef) and t.startswith(KG_NS)}
    assert used - _declared(ontology) == set()


def test_every_term_has_an_english_label_and_a_comment(ontology):
    for term in _declared(ontology):
        labels = list(ontology.objects(term, RDFS.label))
        assert any(getattr(lbl, "language", None) == "en" for lbl in labels), f"{term} has no rdfs:label@en"
        assert ontology.value(term, RDFS.comment) is not None, f"{term} has no rdfs:comment"


def test_every_property_has_a_domain_and_a_range(ontology):
    for prop in _declared(ontology, PROPERTIES):
        assert ontology.value(prop, RDFS.domain) is not None, f"{prop} has no rdfs:domain"
        if prop not in NO_RANGE:
            assert ontology.value(prop, RDFS.range) is not None, f"{prop} has no rdfs:range"


def test_every_entity_class_is_an_entity(ontology):
    for cls in (KG.Method, KG.Task, KG.Hardware, KG.Keyphrase):
        assert (cls, RDFS.subClassOf, KG.Entity) in ontology


def test_ontology_and_a_small_export_are_owl_rl_consistent(small_graph, tmp_path):
    (tmp_path / "kg.ttl").write_bytes((ONTOLOGY / "kg.ttl").read_bytes())
    export = to_rdf(small_graph, ontology_dir=tmp_path)
    assert _inconsistencies(export) == []


def test_the_owl_rl_check_finds_a_clash(ontology):
    # a paper that is also a method contradicts kg:Paper owl:disjointWith kg:Entity
    g = Graph() + ontology
    g.add((URIRef(paper_iri("p1")), RDF.type, KG.Paper))
    g.add((URIRef(paper_iri("p1")), RDF.type, KG.Method))
    assert _inconsistencies(g) != []


def test_the_vocabulary_is_owl_rl_consistent_with_the_ontology(ontology):
    # Only the vocabulary's kg: class assertions can clash with kg.ttl (its disjoint classes); labels,
    # skos:Concept and skos:broader carry no axioms there, and leaving them out keeps the closure fast.
    files = ontology_files(ONTOLOGY)
    assert files[0].name == "kg.ttl" and "shapes.ttl" not in {f.name for f in files}
    g = Graph() + ontology
    for s, p, o in ontology_graph(ONTOLOGY).triples((None, RDF.type, None)):
        if o.startswith(KG_NS):
            g.add((s, p, o))
    assert len(g) > len(ontology)
    assert _inconsistencies(g) == []
