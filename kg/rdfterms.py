"""RDF terms shared by the exporters and the query side: namespaces, prefixes, literals, file formats.

One place for each: the standard vocabularies as plain namespaces, the one prefix map (the exports
declare a named subset of it), the one escape for a quoted literal (valid in Turtle, N-Triples and
SPARQL; ``sparql_literal`` adds what SPARQL's codepoint pre-pass needs), the one map from a file suffix
to its parsers, and the one rule for a graph path.

The standard vocabularies are plain ``rdflib.Namespace`` objects, not rdflib's ``DefinedNamespace``
classes, which warn when pytest's doctest finder probes them. The paper-kg namespaces live in
:mod:`kg.namespace`.

Examples
--------
>>> str(SKOS.prefLabel)
'http://www.w3.org/2004/02/skos/core#prefLabel'
>>> EXPORT_PREFIXES["kg"] == PREFIXES["kg"]
True
>>> print(quote_literal('say "hi"\\n\\x01'))
"say \\"hi\\"\\n\\u0001"
>>> RDF_FORMATS[".nt"]
('nt', 'ox-nt')
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import pyoxigraph
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.term import Node

from kg.namespace import BASE, ENTITY, LINK, LISTING, MENTION, PAPER, VOCAB

__all__ = [
    "DCTERMS",
    "EXPORT_PREFIXES",
    "FOAF",
    "GRAPH_FILE",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "DEFAULT_FORMAT",
    "RDF_FORMATS",
    "SH",
    "SKOS",
    "XSD",
    "graph_file",
    "parse_turtle",
    "quote_literal",
    "sparql_literal",
]

RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SH = Namespace("http://www.w3.org/ns/shacl#")

#: every prefix paper-kg knows: bound on each loaded graph (ad-hoc queries may use them without PREFIX)
#: and used to shorten IRIs in query results
PREFIXES: dict[str, str] = {
    "kg": BASE + "ontology#",
    "vocab": str(VOCAB),
    "paper": str(PAPER),
    "entity": str(ENTITY),
    "mention": str(MENTION),
    "listing": str(LISTING),
    "link": str(LINK),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
}

#: the prefixes an export declares (Turtle ``@prefix`` lines, the JSON-LD context), sorted; the
#: per-resource namespaces (entity, mention, ...) are left out so those IRIs stay whole in the files
EXPORT_PREFIXES: dict[str, str] = {
    p: PREFIXES[p] for p in sorted(("dcterms", "kg", "owl", "paper", "prov", "rdf", "rdfs", "skos", "vocab", "xsd"))
}

#: file suffix -> (rdflib parser, oxrdflib parser); anything else is read as Turtle
RDF_FORMATS: dict[str, tuple[str, str]] = {
    ".ttl": ("turtle", "ox-turtle"),
    ".nt": ("nt", "ox-nt"),
    ".jsonld": ("json-ld", "ox-json-ld"),
    ".json": ("json-ld", "ox-json-ld"),
    ".rdf": ("xml", "ox-xml"),
    ".owl": ("xml", "ox-xml"),
    ".xml": ("xml", "ox-xml"),
    ".n3": ("n3", "ox-n3"),
}
DEFAULT_FORMAT = RDF_FORMATS[".ttl"]

#: the file a directory stands for when it is given as a graph (``kg build``'s Turtle export)
GRAPH_FILE = "graph.ttl"

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')
#: an escaped backslash (quote_literal writes every backslash of the text as a pair) before u or U
_ESCAPED_BACKSLASH_U = re.compile(r"(\\\\)([uU])")


def quote_literal(text: str) -> str:
    """``text`` in double quotes, escaped so that nothing in it can end the literal.

    The escapes (``\\"``, ``\\\\``, ``\\n`` ..., ``\\uXXXX`` for other control characters) mean the same in
    Turtle, N-Triples and SPARQL string literals.
    """
    return '"' + _NEEDS_ESCAPE.sub(lambda m: _ESCAPES.get(m.group(), f"\\u{ord(m.group()):04X}"), text) + '"'


def sparql_literal(text: str) -> str:
    r"""``text`` as a SPARQL string literal: :func:`quote_literal`, safe from SPARQL's codepoint pre-pass.

    SPARQL expands ``\uXXXX`` and ``\UXXXXXXXX`` anywhere in a query before parsing it, and rdflib's
    pre-pass does so even right after an escaped backslash, so a text holding a backslash before "u0041"
    would come back as another string, or break the query. The letter after such a backslash is written
    as an eight-digit escape instead (no hex digit after it can extend it); rdflib and Oxigraph both read
    the literal back as ``text``. Turtle and N-Triples have no pre-pass: their literals stay as
    :func:`quote_literal` writes them.

    >>> print(sparql_literal("C:\\users"))
    "C:\\\U00000075sers"
    """
    return _ESCAPED_BACKSLASH_U.sub(lambda m: f"{m[1]}\\U{ord(m[2]):08X}", quote_literal(text))


def graph_file(path: str | os.PathLike, name: str = GRAPH_FILE) -> Path:
    """The graph file ``path`` names: a directory means its ``graph.ttl`` (or its ``name``).

    >>> graph_file("tests").name, graph_file("exports/graph.nt").name, graph_file("tests", "graph.nt").name
    ('graph.ttl', 'graph.nt', 'graph.nt')
    """
    path = Path(path)
    return path / name if path.is_dir() else path


def parse_turtle(path: str | os.PathLike) -> tuple[tuple[Node, URIRef, Node], ...]:
    """The distinct triples of a Turtle file as rdflib terms, parsed once while the file is unchanged.

    The ontology and vocabulary files are read by the entity step and by each RDF export of a build;
    pyoxigraph parses them about 30x faster than rdflib's Turtle parser, and the terms are the ones
    rdflib's parser makes (a plain literal has no datatype). Blank nodes (an ``owl:unionOf`` list, say)
    get canonical labels, so they print the same every run. Raises ``SyntaxError`` (pyoxigraph's) on
    a malformed file.

    >>> from kg.namespace import ONTOLOGY_DIR
    >>> triples = parse_turtle(ONTOLOGY_DIR / "kg.ttl")
    >>> (URIRef(PREFIXES["kg"] + "Method"), RDF.type, OWL.Class) in triples
    True
    """
    stat = os.stat(path)
    return _parse_turtle(os.fspath(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _parse_turtle(path: str, mtime_ns: int, size: int) -> tuple[tuple[Node, URIRef, Node], ...]:
    triples = dict.fromkeys(
        (_rdflib_term(q.subject), URIRef(q.predicate.value), _rdflib_term(q.object))
        for q in pyoxigraph.parse(path=path, format=pyoxigraph.RdfFormat.TURTLE)
    )
    if any(isinstance(term, BNode) for triple in triples for term in triple):
        from rdflib import Graph
        from rdflib.compare import to_canonical_graph

        g = Graph()
        for triple in triples:
            g.add(triple)
        return tuple(to_canonical_graph(g))
    return tuple(triples)


_XSD_STRING = str(XSD.string)


def _rdflib_term(term: pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal) -> Node:
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))
