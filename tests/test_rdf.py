"""RDF exports (Turtle, JSON-LD, N-Triples) of the small graph: contents, round trips, streaming, atomic writes."""

from __future__ import annotations

import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, SKOS

from kg.export.rdf import iter_triples, to_rdf, write_jsonld, write_ntriples, write_turtle
from kg.graph import build_graph
from kg.model import Entity, EntityType, Listing, Mention, Paper, Relation
from kg.namespace import KG, link_iri, listing_iri, mention_iri, paper_iri, vocab_iri

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))
from conftest import XSS_TITLE  # noqa: E402

WRITERS = {"graph.ttl": write_turtle, "graph.jsonld": write_jsonld, "graph.nt": write_ntriples}
FORMATS = {"graph.ttl": "turtle", "graph.jsonld": "json-ld", "graph.nt": "nt"}
P1, P2, P3 = (URIRef(paper_iri(k)) for k in ("p1", "p2", "p3"))
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")  # rdflib.XSD warns under doctest


@pytest.fixture
def rdf(small_graph, small_ontology):
    return to_rdf(small_graph, ontology_dir=small_ontology)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_each_format_parses_back_to_the_same_graph(small_exports, rdf, name):
    parsed = Graph().parse(small_exports / name, format=FORMATS[name])
    assert len(parsed) == len(rdf)
    assert isomorphic(parsed, rdf)


def test_ntriples_are_one_sorted_block_per_node(small_exports):
    lines = (small_exports / "graph.nt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines))
    p1 = [ln for ln in lines if ln.startswith(f"<{P1}>")]
    assert p1 == sorted(p1)


def test_papers_carry_identifier_title_abstract_label_listings(rdf):
    assert rdf.value(P1, DCTERMS.identifier) == Literal("p1")
    assert str(rdf.value(P1, DCTERMS.title)).startswith("LoRA-QA")
    assert (P1, RDF.type, KG.Paper) in rdf
    listings = sorted(rdf.objects(P1, KG.listing))
    assert listings == [URIRef(listing_iri("p1", 1)), URIRef(listing_iri("p1", 2))]
    first = listings[0]
    assert rdf.value(first, KG.sourceFile) == Literal("data/a.txt")
    assert rdf.value(first, KG.sourceLine) == Literal(12)
    assert rdf.value(first, KG.listingDate) == Literal("Sep 9")
    # the abstract-only record: no title, labelled by its key
    assert rdf.value(P3, DCTERMS.title) is None
    assert rdf.value(P3, DCTERMS.abstract) is not None
    assert rdf.value(P3, RDFS.label) == Literal("p3")


def test_every_paper_entity_edge_has_a_direct_triple_and_a_mention_with_evidence(small_graph, rdf):
    edges = [
        (u, v, d)
        for u, v, d in small_graph.edges(data=True)
        if small_graph.nodes[u]["kind"] == "Paper" and small_graph.nodes[v]["kind"] != "Person"
    ]
    assert len(edges) == 12
    for u, v, d in edges:
        paper, entity, prop = URIRef(u), URIRef(v), KG[d["relation"]]
        assert (paper, prop, entity) in rdf
        mentions = [
            m
            for m in rdf.objects(paper, KG.hasMention)
            if rdf.value(m, KG.mentionedEntity) == entity and rdf.value(m, KG.relation) == prop
        ]
        assert len(mentions) == 1
        m = mentions[0]
        assert (m, RDF.type, KG.Mention) in rdf
        assert str(rdf.value(m, KG.evidence)) == d["sentence"]
        assert str(rdf.value(m, KG.surfaceForm)) == d["surface"]
        assert str(rdf.value(m, KG.extractor)) == d["source"]
        score = rdf.value(m, KG.score)
        assert score.datatype == XSD_DECIMAL and score.toPython() == Decimal(str(d["score"]))


def test_mentions_are_numbered_by_relation_then_entity(rdf):
    # p1's relations sorted: addressesTask < proposesMethod < usesHardware < usesMethod (two, by IRI)
    expected = ["question-answering", "lora-qa", "a100", "llama-3.1-70b", "low-rank-adaptation"]
    entities = [rdf.value(URIRef(mention_iri("p1", n)), KG.mentionedEntity) for n in range(1, 6)]
    got = [str(e).rsplit("/", 1)[1] for e in entities]
    assert got == expected


def test_entities_get_their_class_and_labels_and_method_task_links(rdf):
    lora = URIRef(vocab_iri("low-rank-adaptation"))
    assert (lora, RDF.type, KG.Method) in rdf
    assert len(list(rdf.objects(lora, SKOS.prefLabel))) == 1
    assert (lora, SKOS.broader, URIRef(vocab_iri("parameter-efficient-fine-tuning"))) in rdf
    qa = URIRef(vocab_iri("question-answering"))
    assert (lora, KG.appliedTo, qa) in rdf
    link = URIRef(link_iri(str(lora), str(qa)))
    assert (lora, KG.hasMethodTaskLink, link) in rdf
    assert rdf.value(link, KG.supportCount) == Literal(1)
    assert list(rdf.objects(link, KG.supportingPaper)) == [P1]
    keyphrase = next(rdf.subjects(RDF.type, KG.Keyphrase))
    assert rdf.value(keyphrase, SKOS.prefLabel) == Literal("abstract-only paper")


def test_an_entity_in_the_vocabulary_keeps_one_preferred_label(tmp_path):
    (tmp_path / "kg.ttl").write_text((TESTS.parent / "ontology" / "kg.ttl").read_text())
    (tmp_path / "vocab-test.ttl").write_text(
        textwrap.dedent(f"""\
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <{vocab_iri("lora")}> a skos:Concept, <{KG.Method}> ;
            skos:prefLabel "low-rank adaptation"@en ; skos:altLabel "LoRA"@en .
        """)
    )
    e = Entity(
        vocab_iri("lora"), "low-rank adaptation", EntityType.METHOD, ("LoRA", "LoRA adapters"), in_vocabulary=True
    )
    mention = Mention("p", e.id, Relation.USES_METHOD, 0.5, "s", "LoRA")
    g = build_graph([Paper("p", "T", "A", "p")], [e], [mention])
    rdf = to_rdf(g, ontology_dir=tmp_path)
    lora = URIRef(e.id)
    assert list(rdf.objects(lora, SKOS.prefLabel)) == [Literal("low-rank adaptation", lang="en")]
    assert set(rdf.objects(lora, SKOS.altLabel)) == {Literal("LoRA", lang="en"), Literal("LoRA adapters")}
    write_ntriples(g, tmp_path / "g.nt", ontology_dir=tmp_path)
    assert isomorphic(Graph().parse(tmp_path / "g.nt"), rdf)


def test_hostile_text_survives_as_literals(small_exports):
    for name, fmt in FORMATS.items():
        parsed = Graph().parse(small_exports / name, format=fmt)
        assert parsed.value(P2, DCTERMS.title) == Literal(XSS_TITLE), name
        assert "&" in str(parsed.value(P2, DCTERMS.abstract))


def test_awkward_strings_and_urls_round_trip(tmp_path, small_ontology):
    nasty = 'a "quoted" \\ back\\slash\nnew line\ttab \x00\x07\x7f """ é 漢字 \u2028 🙂 ;.,'
    papers = [
        Paper("q1", nasty, nasty, "q1", url="https://arxiv.org/abs/2401.00001"),
        Paper("q 2/x", "T", "A", None, url="javascript:alert(1)", listings=(Listing("d;x.txt", 3),)),
        Paper("q3", "T", "A", "q3", url="http://bad host/<x>"),
    ]
    g = build_graph(papers, [], [])
    g.graph["extractor_version"] = "paper-kg 9 / test-model"
    rdf = to_rdf(g, ontology_dir=small_ontology)
    q1, q2, q3 = (URIRef(paper_iri(k)) for k in ("q1", "q 2/x", "q3"))
    assert rdf.value(q1, DCTERMS.source) == URIRef("https://arxiv.org/abs/2401.00001")
    assert rdf.value(q2, DCTERMS.source) is None and rdf.value(q3, DCTERMS.source) is None
    assert rdf.value(q2, DCTERMS.identifier) == Literal("q 2/x")  # the key stands in for a missing id
    for name, write in WRITERS.items():
        write(g, tmp_path / name, ontology_dir=small_ontology)
        parsed = Graph().parse(tmp_path / name, format=FORMATS[name])
        assert isomorphic(parsed, rdf), name
        assert str(parsed.value(q1, DCTERMS.title)) == nasty, name


def test_extractor_version_comes_from_the_graph(small_graph):
    small_graph.graph["extractor_version"] = "paper-kg 0.1.0 / all-MiniLM-L6-v2"
    versions = {o for _, p, o in iter_triples(small_graph) if p == KG.extractorVersion}
    assert versions == {Literal("paper-kg 0.1.0 / all-MiniLM-L6-v2")}


def test_a_node_of_unknown_kind_is_an_error_naming_it(small_graph, small_ontology):
    small_graph.add_node("urn:x", kind="Organism", label="x")
    with pytest.raises(ValueError, match="urn:x"):
        to_rdf(small_graph, ontology_dir=small_ontology)


def test_writers_stream_without_building_the_rdflib_graph(small_graph, small_ontology, tmp_path, monkeypatch):
    import kg.export.rdf as rdf_module

    def no_graph(*args, **kwargs):
        raise AssertionError("a writer built the whole export as an rdflib.Graph")

    monkeypatch.setattr(rdf_module, "to_rdf", no_graph)
    monkeypatch.setattr(rdf_module, "ontology_graph", no_graph)
    for name, write in WRITERS.items():
        write(small_graph, tmp_path / name, ontology_dir=small_ontology)
        assert (tmp_path / name).stat().st_size > 0


def test_an_interrupted_write_leaves_the_old_file(small_graph, small_ontology, small_exports):
    before = {name: (small_exports / name).read_bytes() for name in WRITERS}
    small_graph.add_node("zzz:last", kind="Bogus")  # fails after most of the file has been written
    for name, write in WRITERS.items():
        with pytest.raises(ValueError):
            write(small_graph, small_exports / name, ontology_dir=small_ontology)
        assert (small_exports / name).read_bytes() == before[name]
    assert not [p for p in small_exports.iterdir() if p.name.endswith(".tmp")]


def test_ntriples_load_into_oxigraph_with_the_same_counts(small_exports, rdf):
    from pyoxigraph import RdfFormat, Store

    store = Store()
    store.bulk_load(path=str(small_exports / "graph.nt"), format=RdfFormat.N_TRIPLES)
    (row,) = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(row["n"].value) == len(rdf)
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?m a <{KG.Mention}> }}"
    (row,) = store.query(query)
    assert int(row["n"].value) == int(next(iter(rdf.query(query)))[0]) == 12


@pytest.mark.parametrize(
    "name, params",
    [
        ("papers-with-hardware", {"hardware": "GPU"}),
        ("methods-for-task", {"task": "question answering"}),
        ("why-linked", {}),
    ],
)
def test_ntriples_in_an_on_disk_oxigraph_store_answer_shipped_queries_as_rdflib_does(
    small_exports, rdf, tmp_path, name, params
):
    """The documented path for graphs that outgrow memory: bulk-load graph.nt into an on-disk store."""
    from pyoxigraph import RdfFormat, Store

    from kg.query import get_query, run_query

    store = Store(str(tmp_path / "store"))
    store.bulk_load(path=str(small_exports / "graph.nt"), format=RdfFormat.N_TRIPLES)
    del store
    store = Store.read_only(str(tmp_path / "store"))  # reopened from disk
    text = get_query(name).render(**params)
    solutions = store.query(text)
    names = [v.value for v in solutions.variables]
    on_disk = [tuple(None if row[n] is None else row[n].value for n in names) for row in solutions]
    in_memory = [tuple(None if v is None else str(v) for v in row) for row in run_query(rdf, text)]
    assert on_disk == in_memory and on_disk, name
