"""Assemble the knowledge graph as a ``networkx.MultiDiGraph``; its typed node and edge schema.

Node ids are IRIs (minted in :mod:`kg.namespace`), so every exporter names a node the same way. This
module is the contract between the graph and its exporters: every node and edge carries exactly the
attributes of one of the TypedDicts below, ``kind`` is a :class:`NodeKind` and ``relation`` (also the
edge key) a :class:`kg.model.Relation`. Both enums are ``StrEnum`` s, so ``str()``, f-strings and JSON
give their plain values ("Paper", "usesMethod").

Nodes
    :class:`PaperNode` (``kind=NodeKind.PAPER``), :class:`PersonNode` (``kind=NodeKind.PERSON``, a
    paper's author) and :class:`EntityNode` (any other kind).
Edges (the edge key is the relation)
    :class:`MentionEdge`: paper -> entity, one of :data:`PAPER_RELATIONS`, with its evidence.
    :class:`BroaderEdge`: entity -> broader vocabulary concept.
    :class:`AppliedToEdge`: method -> task, derived across papers, with the supporting papers.
    :class:`CreatorEdge`: paper -> person, with the author's position (1 = first author).

Examples
--------
>>> from kg.model import Paper, Entity, Mention, EntityType, Relation
>>> p = Paper(key="p1", title="LoRA for QA", abstract="We use LoRA for question answering.")
>>> m = Entity(id="urn:m", label="LoRA", type=EntityType.METHOD)
>>> t = Entity(id="urn:t", label="question answering", type=EntityType.TASK)
>>> ms = [Mention("p1", "urn:m", Relation.USES_METHOD, 0.6, "We use LoRA.", "LoRA"),
...       Mention("p1", "urn:t", Relation.ADDRESSES_TASK, 0.5, "We use LoRA.", "question answering")]
>>> g = build_graph([p], [m, t], ms)
>>> g.number_of_nodes(), g.edges["urn:m", "urn:t", Relation.APPLIED_TO]["support"]
(3, 1)
>>> node_kind(g, "urn:t") is NodeKind.TASK
True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from enum import StrEnum
from typing import Literal, TypedDict, overload

import networkx as nx

from kg.model import Entity, EntityType, Listing, Mention, MethodTaskLink, Paper, Relation
from kg.namespace import paper_iri, person_iri

__all__ = [
    "ENTITY_KINDS",
    "PAPER_RELATIONS",
    "AppliedToEdge",
    "BroaderEdge",
    "CreatorEdge",
    "EntityNode",
    "MentionEdge",
    "NodeKind",
    "PaperNode",
    "PersonNode",
    "build_graph",
    "method_task_links",
    "node_kind",
]


class NodeKind(StrEnum):
    """The kind of a graph node: a paper, or the type of an entity (values: ontology class local names).

    Every :class:`kg.model.EntityType` is a kind (``NodeKind(entity_type)``); a new node kind is one
    new member here (with its ontology class).
    """

    PAPER = "Paper"
    METHOD = "Method"
    TASK = "Task"
    HARDWARE = "Hardware"
    DATASET = "Dataset"
    KEYPHRASE = "Keyphrase"
    PERSON = "Person"  # an author (foaf:Person in the RDF)


#: the relations of a paper -> entity edge (a :class:`MentionEdge`)
PAPER_RELATIONS = frozenset(
    {
        Relation.USES_METHOD,
        Relation.PROPOSES_METHOD,
        Relation.ADDRESSES_TASK,
        Relation.USES_HARDWARE,
        Relation.USES_DATASET,
        Relation.HAS_KEYPHRASE,
    }
)
_METHOD_RELATIONS = {Relation.USES_METHOD, Relation.PROPOSES_METHOD}
#: the kinds whose nodes are :class:`EntityNode` s: one per :class:`kg.model.EntityType`
ENTITY_KINDS = frozenset(NodeKind(t) for t in EntityType)


class _PaperFields(TypedDict):
    kind: Literal[NodeKind.PAPER]
    key: str
    label: str
    title: str
    abstract: str
    identifier: str
    url: str
    listings: tuple[Listing, ...]


class PaperNode(_PaperFields, total=False):
    """A paper; ``identifier`` and ``url`` are "" when the input gave none, ``label`` is the title or key.
    ``identifiers`` (normalized ids, see :mod:`kg.sources.ids`) and ``published`` (ISO date) are present
    only when a source gave them."""

    identifiers: tuple[str, ...]
    published: str


class EntityNode(TypedDict):
    """An entity; ``broader`` holds IRIs of broader vocabulary concepts (also drawn as BroaderEdges)."""

    kind: NodeKind
    label: str
    alt_labels: tuple[str, ...]
    broader: tuple[str, ...]
    in_vocabulary: bool


class MentionEdge(TypedDict):
    """Paper -> entity: the relation, the KeyBERT score (4 places), the evidence sentence and surface form,
    and which extractor found it."""

    relation: Relation
    score: float
    sentence: str
    surface: str
    source: str


class BroaderEdge(TypedDict):
    """Entity -> broader vocabulary concept (``skos:broader``)."""

    relation: Literal[Relation.BROADER]


class _Evidence(TypedDict, total=False):
    """What a link found from evidence (:func:`kg.extract.entities.evidence_links`,
    :mod:`kg.extract.links`) adds: the relation classifier's best score (when it scored the pair), the
    sentence the link was read from, and its kinds of evidence (:class:`kg.model.LinkEvidence` values)."""

    score: float
    sentence: str
    evidence_kinds: tuple[str, ...]


class AppliedToEdge(_Evidence):
    """Method -> task: ``support`` papers link both, ``papers`` are their IRIs."""

    relation: Literal[Relation.APPLIED_TO]
    support: int
    papers: tuple[str, ...]


class PersonNode(TypedDict):
    """An author of one or more papers; ``label`` is the name as the first paper (by key) spells it."""

    kind: Literal[NodeKind.PERSON]
    label: str


class CreatorEdge(TypedDict):
    """Paper -> person (``dcterms:creator``); ``position`` is 1 for the first author."""

    relation: Literal[Relation.CREATOR]
    position: int


@overload
def node_kind(graph: nx.MultiDiGraph, node: str, *, unknown: Literal[False] = False) -> NodeKind: ...
@overload
def node_kind(graph: nx.MultiDiGraph, node: str, *, unknown: bool) -> NodeKind | str: ...
def node_kind(graph: nx.MultiDiGraph, node: str, *, unknown: bool = False) -> NodeKind | str:
    """The :class:`NodeKind` of ``node``; ValueError naming the node when it has none or an unknown one.

    With ``unknown=True`` a kind this schema does not define is returned as its name (a ``str``) instead:
    for views that draw such nodes in a neutral style (the HTML page) rather than refuse them. A node
    without a kind is an error either way.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("urn:g", kind="Gizmo", label="a gizmo")
    >>> node_kind(g, "urn:g", unknown=True)
    'Gizmo'
    """
    kind = graph.nodes[node].get("kind")  # absent is an error below, named
    try:
        return NodeKind(kind)
    except ValueError:
        if unknown and isinstance(kind, str):
            return kind
        expected = ", ".join(NodeKind)
        raise ValueError(f"graph node {node!r} has kind {kind!r}; expected one of {expected}") from None


def method_task_links(mentions: Iterable[Mention], entities: dict[str, Entity]) -> list[MethodTaskLink]:
    """Method -> Task pairs that co-occur in at least one paper, with the supporting papers."""
    methods: dict[str, set[str]] = defaultdict(set)
    tasks: dict[str, set[str]] = defaultdict(set)
    for m in mentions:
        e = entities.get(m.entity)
        if e is None:
            continue
        if m.relation in _METHOD_RELATIONS and e.type is EntityType.METHOD:
            methods[m.paper].add(m.entity)
        elif m.relation is Relation.ADDRESSES_TASK and e.type is EntityType.TASK:
            tasks[m.paper].add(m.entity)
    support: dict[tuple[str, str], set[str]] = defaultdict(set)
    for paper, ms in methods.items():
        for meth in ms:
            for task in tasks.get(paper, ()):
                support[meth, task].add(paper)
    return [MethodTaskLink(m, t, tuple(sorted(ps))) for (m, t), ps in sorted(support.items())]


def _add_authors(g: nx.MultiDiGraph, papers: list[Paper]) -> None:
    """A :class:`PersonNode` per distinct author name (see :func:`kg.namespace.person_iri`) and a
    :class:`CreatorEdge` from each paper to each of its authors."""
    for p in papers:
        for position, name in enumerate(p.authors, start=1):
            person = person_iri(name)
            if person not in g:
                g.add_node(person, **PersonNode(kind=NodeKind.PERSON, label=name))
            if not g.has_edge(paper_iri(p.key), person, key=Relation.CREATOR):
                edge = CreatorEdge(relation=Relation.CREATOR, position=position)
                g.add_edge(paper_iri(p.key), person, key=Relation.CREATOR, **edge)


def paper_node(p: Paper) -> PaperNode:
    """The node attributes of a paper."""
    paper = PaperNode(
        kind=NodeKind.PAPER,
        key=p.key,
        label=p.label,
        title=p.title,
        abstract=p.abstract,
        identifier=p.identifier or "",
        url=p.url or "",
        listings=p.listings,
    )
    # only when a source gave them, so papers from inputs without them export as before
    if p.identifiers:
        paper["identifiers"] = p.identifiers
    if p.published:
        paper["published"] = p.published
    return paper


def build_graph(
    papers: Iterable[Paper],
    entities: Iterable[Entity],
    mentions: Iterable[Mention],
    name: str = "paper-kg",
    links: Iterable[MethodTaskLink] | None = None,
) -> nx.MultiDiGraph:
    """Build the graph from the records of the earlier stages (deterministic insertion order).

    ``links`` are the method -> task links found from evidence; without them (None) every method of a paper
    is linked to every task of it (co-occurrence)."""
    g = nx.MultiDiGraph(name=name)
    papers = sorted(papers, key=lambda p: p.key)
    entities_by_id = {e.id: e for e in sorted(entities, key=lambda e: e.id)}
    mentions = sorted(mentions, key=lambda m: (m.paper, m.entity, m.relation.value))
    for p in papers:
        g.add_node(paper_iri(p.key), **paper_node(p))
    _add_authors(g, papers)
    for e in entities_by_id.values():
        entity = EntityNode(
            kind=NodeKind(e.type),
            label=e.label,
            alt_labels=e.alt_labels,
            broader=e.broader,
            in_vocabulary=e.in_vocabulary,
        )
        g.add_node(e.id, **entity)
    for e in entities_by_id.values():
        for b in e.broader:
            if b in entities_by_id:
                g.add_edge(e.id, b, key=Relation.BROADER, **BroaderEdge(relation=Relation.BROADER))
    for m in mentions:
        src = paper_iri(m.paper)
        if src not in g or m.entity not in entities_by_id:
            raise ValueError(f"mention {m} refers to an unknown paper or entity")
        edge = MentionEdge(
            relation=m.relation,
            score=round(float(m.score), 4),
            sentence=m.sentence,
            surface=m.surface,
            source=m.source,
        )
        g.add_edge(src, m.entity, key=m.relation, **edge)
    links = (
        method_task_links(mentions, entities_by_id)
        if links is None
        else sorted(links, key=lambda k: (k.method, k.task))
    )
    for link in links:
        applied = AppliedToEdge(
            relation=Relation.APPLIED_TO,
            support=link.support,
            papers=tuple(paper_iri(k) for k in link.papers),
        )
        if link.score is not None:
            applied["score"] = round(float(link.score), 4)
        if link.evidence:
            applied["sentence"] = link.sentence
            applied["evidence_kinds"] = tuple(k.value for k in link.evidence)
        g.add_edge(link.method, link.task, key=Relation.APPLIED_TO, **applied)
    return g
