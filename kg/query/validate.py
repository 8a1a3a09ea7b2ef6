"""Check an export against the SHACL shapes in ``ontology/shapes.ttl`` (``kg validate``).

The shapes need no inference (see the comments in ``shapes.ttl``): SHACL's ``sh:class`` follows the
``rdfs:subClassOf`` hierarchy of ``kg.ttl``, which every export contains and which is mixed in when a
graph lacks it. RDFS inference (``inference="rdfs"``) gives the same verdicts, but pySHACL computes
the closure in Python over the whole export: several times slower on a small export, hopeless on a
large one.

Examples
--------
>>> from rdflib import Graph, Literal, URIRef
>>> from kg.namespace import KG
>>> from kg.rdfterms import DCTERMS, RDF, RDFS
>>> g = Graph()
>>> p = URIRef("https://w3id.org/paper-kg/paper/p1")
>>> _ = g.add((p, RDF.type, KG.Paper))
>>> result = validate(g)
>>> result.conforms, result.violations
(False, 3)
>>> _ = g.add((p, DCTERMS.identifier, Literal("p1"))).add((p, DCTERMS.title, Literal("T")))
>>> _ = g.add((p, RDFS.label, Literal("T")))
>>> validate(g).conforms
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from kg.namespace import KG, ONTOLOGY_DIR
from kg.query import load_graph
from kg.rdfterms import OWL, RDF, SH

__all__ = ["ValidationResult", "validate"]


@dataclass(frozen=True)
class ValidationResult:
    """The outcome of :func:`validate`: whether the graph conforms, how many results, pySHACL's report."""

    conforms: bool
    violations: int
    text: str


def validate(
    path_or_graph: str | os.PathLike | Graph,
    *,
    shapes: str | os.PathLike = ONTOLOGY_DIR / "shapes.ttl",
    ontology: str | os.PathLike | None = ONTOLOGY_DIR / "kg.ttl",
    inference: str = "none",
) -> ValidationResult:
    """Validate an export (a file path or an ``rdflib.Graph``) against the SHACL ``shapes``.

    Parameters
    ----------
    path_or_graph
        The export, or a graph already in memory (not modified).
    shapes
        The SHACL shapes file.
    ontology
        Mixed into (a copy of) the data graph when the graph does not already declare ``kg:Paper``.
    inference
        pySHACL's inference: ``"none"`` (default), ``"rdfs"``, ``"owlrl"`` or ``"both"``.
    """
    from pyshacl import validate as shacl_validate

    if inference not in ("rdfs", "owlrl", "both", "none"):
        raise ValueError(f"inference must be one of 'rdfs', 'owlrl', 'both', 'none'; got {inference!r}")
    data = path_or_graph if isinstance(path_or_graph, Graph) else load_graph(path_or_graph)
    shapes_graph = Graph().parse(Path(shapes), format="turtle")
    ont_graph = None
    if ontology is not None and (KG.Paper, RDF.type, OWL.Class) not in data:
        ont_graph = Graph().parse(Path(ontology), format="turtle")
    conforms, report, text = shacl_validate(
        data,
        shacl_graph=shapes_graph,
        ont_graph=ont_graph,
        inference=inference,
        allow_warnings=True,
    )
    violations = len(set(report.subjects(SH.resultSeverity, SH.Violation)))
    return ValidationResult(bool(conforms), violations, str(text))
