"""RDF exports of the knowledge graph: Turtle, JSON-LD and N-Triples, all streamed.

What an export contains is the contract in ``ontology/README.md``: the ontology and vocabulary files
(``kg.ttl``, ``vocab-*.ttl``; not ``shapes.ttl``), then for every paper its identifier, title,
abstract, listings, a direct triple per linked entity (``kg:usesMethod`` ...) and a qualified
``kg:Mention`` per link (relation, score, evidence sentence, surface form, extractor); for every
entity its class and SKOS labels; for every method-task pair its ``kg:appliedTo`` triple and a
``kg:MethodTaskLink`` with the supporting papers.

One generator, :func:`iter_triples`, makes every triple. :func:`to_rdf` collects it into an
``rdflib.Graph`` (for tests and in-memory queries). The three writers never build that graph: they
walk the networkx graph node by node and write each node's triples (its own, and those of its
listings, mentions and method-task links) as one block, so a large graph is not held twice in memory
(rdflib's own Turtle serializer holds the whole graph and is slow on large ones).

Output is deterministic: the same graph gives byte-identical files whatever ``PYTHONHASHSEED``. The
order is: the ontology's subjects, sorted; then each graph node's block in sorted node order, the
vocabulary's triples about that node merged into it. Within a block, subjects, predicates and objects
are sorted (``rdf:type`` first); N-Triples lines are sorted within each block.

Not supported: named graphs, reading an export back into a networkx graph (query the RDF instead,
see ``kg.query``).

Examples
--------
>>> from kg.graph import build_graph
>>> from kg.model import Entity, EntityType, Mention, Paper, Relation
>>> p = Paper(key="p1", title="LoRA for QA", abstract="We use LoRA.", identifier="p1")
>>> e = Entity(id="https://w3id.org/paper-kg/entity/method/lora", label="LoRA", type=EntityType.METHOD)
>>> g = build_graph([p], [e], [Mention("p1", e.id, Relation.USES_METHOD, 0.61234, "We use LoRA.", "LoRA")])
>>> rdf = to_rdf(g)
>>> from kg.namespace import paper_iri
>>> (URIRef(paper_iri("p1")), KG.usesMethod, URIRef(e.id)) in rdf
True
>>> str(rdf.value(URIRef(mention_iri("p1", 1)), KG.score))
'0.6123'
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.export.blocks import block_key, write_blocks
from kg.graph import PAPER_RELATIONS, EntityNode, NodeKind, PaperNode, PersonNode, node_kind
from kg.model import Relation
from kg.namespace import KG, ONTOLOGY_DIR, VOCAB, link_iri, listing_iri, mention_iri
from kg.rdfterms import DCTERMS, EXPORT_PREFIXES, FOAF, RDF, RDFS, SKOS, XSD, parse_turtle, quote_literal

__all__ = [
    "CONTEXT",
    "iter_triples",
    "ontology_files",
    "ontology_graph",
    "to_rdf",
    "write_jsonld",
    "write_ntriples",
    "write_turtle",
]

Triple = tuple[Node, URIRef, Node]

#: the JSON-LD context: prefixes only, so every key is a readable compact IRI (``kg:usesMethod``)
CONTEXT = dict(EXPORT_PREFIXES)

# an absolute http(s) IRI with none of the characters an IRI may not contain (RFC 3987)
_HTTP_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`\x00-\x20\x7f]+\Z", re.IGNORECASE)

# terms looked up once: every namespace attribute access builds a new URIRef, slow in the per-triple loop
_TYPE, _LABEL = RDF.type, RDFS.label
_IDENTIFIER, _TITLE, _ABSTRACT, _SOURCE = DCTERMS.identifier, DCTERMS.title, DCTERMS.abstract, DCTERMS.source
_ISSUED, _CREATOR, _PERSON, _NAME = DCTERMS.issued, DCTERMS.creator, FOAF.Person, FOAF.name
_PREF, _ALT, _BROADER, _IN_SCHEME = SKOS.prefLabel, SKOS.altLabel, SKOS.broader, SKOS.inScheme
_CONCEPT, _SCHEME, _INTEGER, _DECIMAL = SKOS.Concept, VOCAB.scheme, XSD.integer, XSD.decimal
_K = {
    name: KG[name]
    for name in (
        "Paper",
        "Listing",
        "Mention",
        "MethodTaskLink",
        "listing",
        "sourceFile",
        "sourceLine",
        "listingDate",
        "hasMention",
        "mentionedEntity",
        "relation",
        "score",
        "evidence",
        "surfaceForm",
        "extractor",
        "extractorVersion",
        "appliedTo",
        "hasMethodTaskLink",
        "linkMethod",
        "linkTask",
        "supportCount",
        "supportingPaper",
        "evidenceKind",
        *PAPER_RELATIONS,
        *(kind for kind in NodeKind if kind is not NodeKind.PERSON),  # a person is a foaf:Person
    )
}


# ---------------------------------------------------------------- public API


def ontology_files(ontology_dir: str | os.PathLike = ONTOLOGY_DIR) -> list[Path]:
    """``kg.ttl`` and the ``vocab-*.ttl`` files that every export includes (sorted; not ``shapes.ttl``)."""
    ontology_dir = Path(ontology_dir)
    return [ontology_dir / "kg.ttl", *sorted(ontology_dir.glob("vocab-*.ttl"))]


def ontology_graph(ontology_dir: str | os.PathLike = ONTOLOGY_DIR) -> Graph:
    """The ontology and vocabulary as one rdflib graph, with the export's prefixes bound."""
    g = Graph(bind_namespaces="none")
    for prefix, ns in EXPORT_PREFIXES.items():
        g.bind(prefix, ns)
    for triple in _ontology_triples(ontology_dir):
        g.add(triple)
    return g


def _ontology_triples(ontology_dir: str | os.PathLike) -> list[Triple]:
    """The ontology's triples, parsed once per process while the files are unchanged (one build writes
    three RDF formats; :func:`kg.rdfterms.parse_turtle`)."""
    return [triple for path in ontology_files(ontology_dir) for triple in parse_turtle(path)]


def iter_triples(graph: nx.MultiDiGraph, *, known: Iterable[Triple] | None = None) -> Iterator[Triple]:
    """Every triple the export adds to the ontology, node by node in sorted IRI order.

    ``known`` is the ontology the export includes (a graph, or its triples): an entity the vocabulary
    already labels keeps the vocabulary's ``skos:prefLabel`` (the graph's label becomes a
    ``skos:altLabel`` when it differs), so a concept never gets two preferred labels. ``known`` is read
    before the first triple is made, so the triples may be added to it as they come.
    """
    blocks = _node_blocks(graph, _vocabulary_labels(known or ()))
    return (triple for _, block in blocks for triple in block)


def to_rdf(graph: nx.MultiDiGraph, *, ontology_dir: str | os.PathLike = ONTOLOGY_DIR) -> Graph:
    """The export as an ``rdflib.Graph``: the ontology files plus :func:`iter_triples`."""
    g = ontology_graph(ontology_dir)
    for triple in iter_triples(graph, known=g):
        g.add(triple)
    return g


def write_turtle(
    graph: nx.MultiDiGraph,
    path: str | os.PathLike,
    *,
    ontology_dir: str | os.PathLike = ONTOLOGY_DIR,
    previous: str | os.PathLike | None = None,
) -> None:
    """Write the export as Turtle, one subject block at a time, with :data:`kg.rdfterms.EXPORT_PREFIXES`.

    ``previous``: an earlier Turtle export of a graph, whose unchanged node blocks are copied rather
    than made again (:mod:`kg.export.blocks`; the file is the same either way)."""
    head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in EXPORT_PREFIXES.items())
    _write(graph, path, ontology_dir, previous, _turtle_block, "ttl", head=head)


def write_jsonld(
    graph: nx.MultiDiGraph,
    path: str | os.PathLike,
    *,
    ontology_dir: str | os.PathLike = ONTOLOGY_DIR,
    previous: str | os.PathLike | None = None,
) -> None:
    """Write the export as compact JSON-LD: ``{"@context": CONTEXT, "@graph": [...]}``, one subject a line
    (``previous`` as for :func:`write_turtle`)."""
    head = '{"@context": ' + json.dumps(CONTEXT, indent=1).replace("\n", "\n ") + ',\n "@graph": ['
    _write(
        graph,
        path,
        ontology_dir,
        previous,
        _jsonld_block,
        "jsonld",
        head=head,
        tail="\n ]\n}\n",
        first_sep="\n  ",
        sep=",\n  ",
    )


def write_ntriples(
    graph: nx.MultiDiGraph,
    path: str | os.PathLike,
    *,
    ontology_dir: str | os.PathLike = ONTOLOGY_DIR,
    previous: str | os.PathLike | None = None,
) -> None:
    """Write the export as N-Triples (UTF-8): the ontology's lines sorted, then each node's lines sorted
    (``previous`` as for :func:`write_turtle`)."""
    _write(graph, path, ontology_dir, previous, _ntriples_block, "nt")


def _write(
    graph: nx.MultiDiGraph,
    path: str | os.PathLike,
    ontology_dir: str | os.PathLike,
    previous: str | os.PathLike | None,
    render: Callable[[list[Triple]], str],
    name: str,
    **layout: str,
) -> None:
    """Write every block of the export through ``render``. A node's block is keyed by the node, its
    attributes and its out-edges; the ontology files' bytes, the code and the extractor version go into
    the salt (not the ontology's path: a build from another checkout of the same files reuses blocks)."""
    makers = _export_block_makers(graph, _ontology_triples(ontology_dir))
    blocks = ((key, functools.partial(_render, render, make)) for key, make in makers)
    version = str(graph.graph.get("extractor_version", "paper-kg"))
    ontology = hashlib.sha256(b"".join(f.read_bytes() for f in ontology_files(ontology_dir))).hexdigest()
    write_blocks(path, blocks, salt=f"{name}\0{version}\0{ontology}", previous=previous, **layout)


def _render(render: Callable[[list[Triple]], str], make: Callable[[], list[Triple]]) -> str:
    return render(make())


def _turtle_block(block: list[Triple]) -> str:
    return "".join("\n" + _turtle_subject(s, properties) for s, properties in _block_subjects(block))


def _jsonld_block(block: list[Triple]) -> str:
    return ",\n  ".join(json.dumps(_jsonld_node(s, props), ensure_ascii=False) for s, props in _block_subjects(block))


def _ntriples_block(block: list[Triple]) -> str:
    return "".join(sorted({nt_line(t) for t in block}))


# ---------------------------------------------------------------- the triple generator


def _vocabulary_labels(known: Iterable[Triple]) -> dict[str, set[str]]:
    """Lexical forms of the SKOS labels of every concept that has a ``skos:prefLabel`` in ``known``."""
    labels: dict[str, set[str]] = defaultdict(set)
    has_pref = set()
    for s, p, o in known:
        if isinstance(s, URIRef) and p in (_PREF, _ALT):
            labels[str(s)].add(str(o))
            if p == _PREF:
                has_pref.add(str(s))
    return {s: labels[s] for s in has_pref}


def _node_blocks(graph: nx.MultiDiGraph, vocabulary: dict[str, set[str]]) -> Iterator[tuple[str, list[Triple]]]:
    """``(node, its triples)`` for every graph node, in sorted node order."""
    version = _text(str(graph.graph.get("extractor_version", "paper-kg")))
    for node in sorted(graph.nodes):
        yield node, _node_block(graph, node, vocabulary.get(node), version)


def _node_block(
    graph: nx.MultiDiGraph, node: str, vocab_labels: set[str] | None, version: Literal, extra: Sequence[Triple] = ()
) -> list[Triple]:
    """The triples of one node (with ``extra``, the ontology's triples about it, first; no triple twice).
    They depend on the node, its attributes and its out-edges alone (:func:`_write` relies on that)."""
    kind = node_kind(graph, node)
    if kind is NodeKind.PAPER:
        block = list(_paper_triples(graph, node, graph.nodes[node], version))
    elif kind is NodeKind.PERSON:
        block = list(_person_triples(node, graph.nodes[node]))
    else:
        block = list(_entity_triples(graph, node, graph.nodes[node], vocab_labels))
    return list(dict.fromkeys([*extra, *block])) if extra else block


def _person_triples(node: str, data: PersonNode) -> Iterator[Triple]:
    s, name = URIRef(node), _text(data["label"])
    yield s, _TYPE, _PERSON
    yield s, _NAME, name
    yield s, _LABEL, name


def _paper_triples(graph: nx.MultiDiGraph, node: str, data: PaperNode, version: Literal) -> Iterator[Triple]:
    s, K = URIRef(node), _K
    key, title, abstract = data["key"], data["title"], data["abstract"]
    yield s, _TYPE, K[NodeKind.PAPER]
    yield s, _IDENTIFIER, _text(data["identifier"] or key)
    for identifier in data.get("identifiers", ()):
        yield s, _IDENTIFIER, _text(identifier)
    if "published" in data:
        yield s, _ISSUED, _date(data["published"])
    if title:
        yield s, _TITLE, _text(title)
    if abstract:
        yield s, _ABSTRACT, _text(abstract)
    yield s, _LABEL, _text(data["label"])
    if _HTTP_IRI.match(data["url"]):
        yield s, _SOURCE, URIRef(data["url"])
    for _, person, d in graph.out_edges(node, data=True):
        if d["relation"] == Relation.CREATOR:
            yield s, _CREATOR, URIRef(person)
    for n, listing in enumerate(data["listings"], start=1):
        li = URIRef(listing_iri(key, n))
        yield s, K["listing"], li
        yield li, _TYPE, K["Listing"]
        yield li, K["sourceFile"], _text(str(listing.source))
        yield li, K["sourceLine"], _integer(listing.line)
        if listing.date:
            yield li, K["listingDate"], _text(str(listing.date))
    edges = sorted(
        (
            (d["relation"], target, d)
            for _, target, d in graph.out_edges(node, data=True)
            if d["relation"] in PAPER_RELATIONS
        ),
        key=lambda e: (e[0], e[1]),
    )
    for n, (relation, target, d) in enumerate(edges, start=1):
        m, entity, prop = URIRef(mention_iri(key, n)), URIRef(target), K[relation]
        yield s, prop, entity
        yield s, K["hasMention"], m
        yield m, _TYPE, K["Mention"]
        yield m, K["mentionedEntity"], entity
        yield m, K["relation"], prop
        yield m, K["score"], _decimal(d["score"])
        yield m, K["evidence"], _text(d["sentence"])
        yield m, K["surfaceForm"], _text(d["surface"])
        yield m, K["extractor"], _text(d["source"])
        yield m, K["extractorVersion"], version


def _entity_triples(
    graph: nx.MultiDiGraph, node: str, data: EntityNode, vocab_labels: set[str] | None
) -> Iterator[Triple]:
    s, K = URIRef(node), _K
    label = data["label"]
    yield s, _TYPE, K[data["kind"]]
    if data["in_vocabulary"]:
        yield s, _TYPE, _CONCEPT
        yield s, _IN_SCHEME, _SCHEME
    if vocab_labels is None:  # not (or not yet) in the vocabulary: the graph's label is the preferred one
        yield s, _PREF, _text(label)
        vocab_labels = set()
    elif label not in vocab_labels:
        yield s, _ALT, _text(label)
    for alt in data["alt_labels"]:
        if alt != label and alt not in vocab_labels:
            yield s, _ALT, _text(alt)
    out = sorted(graph.out_edges(node, data=True), key=lambda e: e[1])
    broader = set(data["broader"])
    broader.update(t for _, t, d in out if d["relation"] == Relation.BROADER)
    for b in sorted(broader):
        yield s, _BROADER, URIRef(b)
    for _, task, d in out:
        if d["relation"] != Relation.APPLIED_TO:
            continue
        link, t = URIRef(link_iri(node, task)), URIRef(task)
        yield s, K[Relation.APPLIED_TO], t
        yield s, K["hasMethodTaskLink"], link
        yield link, _TYPE, K["MethodTaskLink"]
        yield link, K["linkMethod"], s
        yield link, K["linkTask"], t
        yield link, K["supportCount"], _integer(d["support"])
        for p in d["papers"]:
            yield link, K["supportingPaper"], URIRef(p)
        if d.get("score") is not None:  # the relation classifier scored the pair: its best score
            yield link, K["score"], _decimal(d["score"])
        if d.get("evidence_kinds"):  # a link from evidence: its sentence and kinds (classifier, proposal)
            yield link, K["evidence"], _text(d["sentence"])
            for kind in d["evidence_kinds"]:
                yield link, K["evidenceKind"], _text(kind)


def _export_block_makers(
    graph: nx.MultiDiGraph, known: list[Triple]
) -> Iterator[tuple[str, Callable[[], list[Triple]]]]:
    """The whole export in blocks, each as its key and a function that makes its triples: first the
    ontology's triples about subjects that are not graph nodes, then one block per graph node (key:
    :func:`kg.export.blocks.block_key` of the node, its attributes and out-edges) with the ontology's
    triples about that node merged in."""
    nodes = {URIRef(n) for n in graph.nodes}
    about_nodes: dict[Node, list[Triple]] = defaultdict(list)
    for t in known:
        if t[0] in nodes:
            about_nodes[t[0]].append(t)
    # the ontology's own block changes only with the ontology (in the salt) and the nodes it is about
    yield block_key(sorted(about_nodes)), functools.partial(_unattached, known, nodes)
    vocabulary = _vocabulary_labels(known)
    version = _text(str(graph.graph.get("extractor_version", "paper-kg")))
    for node in sorted(graph.nodes):
        key = block_key(node, graph.nodes[node], list(graph.out_edges(node, data=True)))
        extra = about_nodes.get(URIRef(node), ())
        yield key, functools.partial(_node_block, graph, node, vocabulary.get(node), version, extra)


def _unattached(known: list[Triple], nodes: set[URIRef]) -> list[Triple]:
    return list(dict.fromkeys(t for t in known if t[0] not in nodes))


def _block_subjects(block: list[Triple]) -> Iterator[tuple[Node, dict[URIRef, list[Node]]]]:
    """``(subject, {predicate: sorted objects})`` of a block, subjects sorted, predicates sorted with
    rdf:type first."""
    by_subject: dict[Node, dict[URIRef, set[Node]]] = defaultdict(lambda: defaultdict(set))
    for s, p, o in block:
        by_subject[s][p].add(o)
    for s in sorted(by_subject, key=_term_key):
        props = by_subject[s]
        yield s, {p: sorted(props[p], key=_object_key) for p in sorted(props, key=_predicate_key)}


# ---------------------------------------------------------------- term syntax


def _text(value: str) -> Literal:
    """A plain (``xsd:string``) literal; ``normalize=False`` skips rdflib's slow type sniffing."""
    return Literal(value, normalize=False)


def _integer(value: Any) -> Literal:
    return Literal(str(int(value)), datatype=_INTEGER, normalize=False)


_DATE_TYPES = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}


def _date(value: str) -> Literal:
    """A publication date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) as ``xsd:gYear``, ``gYearMonth`` or ``date``."""
    return Literal(value, datatype=_DATE_TYPES.get(len(value), XSD.string), normalize=False)


def _decimal(score: Any) -> Literal:
    """A score as an ``xsd:decimal`` with at most 4 decimal places (``0.6214``, ``0.0``)."""
    value = Decimal(repr(round(float(score), 4))).normalize()
    text = format(value, "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=_DECIMAL, normalize=False)


def _term_key(term: Node) -> tuple[bool, str]:
    return isinstance(term, BNode), str(term)


# Comparisons below go through str: rdflib's term __eq__ is a Python method, slow in the per-triple loop.
_TYPE_STR, _XSD_STRING, _XSD_INTEGER = str(_TYPE), str(XSD.string), str(XSD.integer)


def _predicate_key(term: URIRef) -> tuple[bool, str]:
    text = str(term)
    return text != _TYPE_STR, text


def _object_key(term: Node) -> tuple[int, str, str, str]:
    """IRIs, then literals, then blank nodes; by text (so "A" < "A B"), then language, then datatype."""
    if isinstance(term, Literal):
        return 1, str(term), term.language or "", str(term.datatype or "")
    return (0 if isinstance(term, URIRef) else 2), str(term), "", ""


def nt_term(term: Node) -> str:
    """One term in N-Triples syntax.

    >>> nt_term(Literal('say "hi"\\n'))
    '"say \\\\"hi\\\\"\\\\n"'
    >>> nt_term(Literal(3))
    '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'
    """
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        if term.language:
            return f"{quote_literal(str(term))}@{term.language}"
        dt = term.datatype
        if dt is not None and str(dt) != _XSD_STRING:
            return f"{quote_literal(str(term))}^^<{dt}>"
        return quote_literal(str(term))
    return f"_:{term}"


def nt_line(triple: Iterable[Node]) -> str:
    s, p, o = triple
    return f"{nt_term(s)} {nt_term(p)} {nt_term(o)} .\n"


# a conservative subset of Turtle's PN_LOCAL, safe in Turtle and as a JSON-LD compact IRI
_LOCAL = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?\Z")
_PREFIX_OF = {ns: p for p, ns in EXPORT_PREFIXES.items()}  # every namespace ends in "/" or "#"


@functools.lru_cache(maxsize=1 << 16)  # predicates, classes and popular entities recur on every line
def _compact(iri: str) -> str | None:
    """``prefix:local`` for an IRI in one of the export's prefixes, else None.

    >>> _compact("https://w3id.org/paper-kg/ontology#usesMethod"), _compact("https://example.org/a")
    ('kg:usesMethod', None)
    """
    cut = max(iri.rfind("/"), iri.rfind("#")) + 1
    prefix = _PREFIX_OF.get(iri[:cut])
    if prefix is not None and _LOCAL.match(iri, cut):
        return f"{prefix}:{iri[cut:]}"
    return None


_BARE = {
    str(XSD.integer): re.compile(r"[+-]?[0-9]+\Z"),
    str(XSD.decimal): re.compile(r"[+-]?[0-9]*\.[0-9]+\Z"),
}


def _ttl_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return _compact(str(term)) or f"<{term}>"
    if isinstance(term, Literal):
        text = str(term)
        if term.language:
            return f"{quote_literal(text)}@{term.language}"
        dt = term.datatype
        if dt is None or str(dt) == _XSD_STRING:
            return quote_literal(text)
        bare = _BARE.get(str(dt))
        if bare is not None and bare.match(text):
            return text
        return f"{quote_literal(text)}^^{_ttl_term(dt)}"
    return f"_:{term}"


def _turtle_subject(subject: Node, properties: dict[URIRef, list[Node]]) -> str:
    parts = []
    for p, objects in properties.items():
        pred = "a" if str(p) == _TYPE_STR else _ttl_term(p)
        parts.append(f"{pred} " + ",\n        ".join(_ttl_term(o) for o in objects))
    return _ttl_term(subject) + " " + " ;\n    ".join(parts) + " .\n"


def _jsonld_id(term: Node) -> str:
    return f"_:{term}" if isinstance(term, BNode) else (_compact(str(term)) or str(term))


def _jsonld_value(term: Node) -> Any:
    if not isinstance(term, Literal):
        return {"@id": _jsonld_id(term)}
    text = str(term)
    if term.language:
        return {"@value": text, "@language": term.language}
    dt = term.datatype
    if dt is None or str(dt) == _XSD_STRING:
        return text
    if str(dt) == _XSD_INTEGER and _BARE[str(XSD.integer)].match(text) and str(int(text)) == text:
        return int(text)  # a JSON number expands back to xsd:integer
    return {"@value": text, "@type": _jsonld_id(dt)}


def _jsonld_node(subject: Node, properties: dict[URIRef, list[Node]]) -> dict[str, Any]:
    node: dict[str, Any] = {"@id": _jsonld_id(subject)}
    for p, objects in properties.items():
        if str(p) == _TYPE_STR and all(isinstance(o, URIRef) for o in objects):
            values = [_jsonld_id(o) for o in objects]
            node["@type"] = values[0] if len(values) == 1 else values
        else:
            values = [_jsonld_value(o) for o in objects]
            node[_jsonld_id(p)] = values[0] if len(values) == 1 else values
    return node
