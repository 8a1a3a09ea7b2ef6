"""Assemble the knowledge graph as a ``networkx.MultiDiGraph``.

Node ids are IRIs (minted in :mod:`kg.namespace`), so every exporter names a node the same way.

Nodes
    Paper: ``kind="Paper"``, ``label``, ``title``, ``abstract``, ``identifier``, ``url``,
    ``listings`` (tuple of :class:`kg.model.Listing`).
    Entity: ``kind`` in Method / Task / Hardware / Keyphrase, ``label``, ``alt_labels`` (tuple),
    ``broader`` (tuple of IRIs), ``in_vocabulary``.
Edges (the edge key is the relation)
    paper -> entity: ``relation`` (usesMethod, proposesMethod, addressesTask, usesHardware,
    hasKeyphrase), ``score``, ``sentence``, ``surface``, ``source``.
    entity -> broader concept: ``relation="broader"``.
    method -> task: ``relation="appliedTo"``, ``support`` (number of papers), ``papers`` (their IRIs),
    derived across papers.

Examples
--------
>>> from kg.model import Paper, Entity, Mention, EntityType, Relation
>>> p = Paper(key="p1", title="LoRA for QA", abstract="We use LoRA for question answering.")
>>> m = Entity(id="urn:m", label="LoRA", type=EntityType.METHOD)
>>> t = Entity(id="urn:t", label="question answering", type=EntityType.TASK)
>>> ms = [Mention("p1", "urn:m", Relation.USES_METHOD, 0.6, "We use LoRA.", "LoRA"),
...       Mention("p1", "urn:t", Relation.ADDRESSES_TASK, 0.5, "We use LoRA.", "question answering")]
>>> g = build_graph([p], [m, t], ms)
>>> g.number_of_nodes(), g.edges["urn:m", "urn:t", "appliedTo"]["support"]
(3, 1)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from kg.model import Entity, EntityType, Mention, MethodTaskLink, Paper, Relation
from kg.namespace import paper_iri

_METHOD_RELATIONS = {Relation.USES_METHOD, Relation.PROPOSES_METHOD}


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


def build_graph(
    papers: Iterable[Paper], entities: Iterable[Entity], mentions: Iterable[Mention], name: str = "paper-kg"
) -> nx.MultiDiGraph:
    """Build the graph from the records of the earlier stages (deterministic insertion order)."""
    g = nx.MultiDiGraph(name=name)
    papers = sorted(papers, key=lambda p: p.key)
    entities_by_id = {e.id: e for e in sorted(entities, key=lambda e: e.id)}
    mentions = sorted(mentions, key=lambda m: (m.paper, m.entity, m.relation.value))
    for p in papers:
        g.add_node(
            paper_iri(p.key),
            kind="Paper",
            key=p.key,
            label=p.label,
            title=p.title,
            abstract=p.abstract,
            identifier=p.identifier or "",
            url=p.url or "",
            listings=p.listings,
        )
    for e in entities_by_id.values():
        g.add_node(
            e.id,
            kind=e.type.value,
            label=e.label,
            alt_labels=e.alt_labels,
            broader=e.broader,
            in_vocabulary=e.in_vocabulary,
        )
    for e in entities_by_id.values():
        for b in e.broader:
            if b in entities_by_id:
                g.add_edge(e.id, b, key=Relation.BROADER.value, relation=Relation.BROADER.value)
    for m in mentions:
        src = paper_iri(m.paper)
        if src not in g or m.entity not in entities_by_id:
            raise ValueError(f"mention {m} refers to an unknown paper or entity")
        g.add_edge(
            src,
            m.entity,
            key=m.relation.value,
            relation=m.relation.value,
            score=round(float(m.score), 4),
            sentence=m.sentence,
            surface=m.surface,
            source=m.source,
        )
    for link in method_task_links(mentions, entities_by_id):
        g.add_edge(
            link.method,
            link.task,
            key=Relation.APPLIED_TO.value,
            relation=Relation.APPLIED_TO.value,
            support=link.support,
            papers=tuple(paper_iri(k) for k in link.papers),
        )
    return g
