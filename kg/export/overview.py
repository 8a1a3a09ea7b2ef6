"""Fold the graph into a map a person can read: communities of concepts, sized by their papers.

A concept is any node that is not a paper (or a person) and that at least one paper links to. Two
concepts are close when papers share them: the co-occurrence graph weighs each pair of concepts by the
number of papers that link to both, keeping each concept's ``TOP_NEIGHBOURS`` strongest pairs (hubs
such as "language model" would otherwise tie every concept to every other). Louvain communities, with a
fixed seed, of that graph's *core* (its ``CORE_CONCEPTS`` concepts with the most papers, ties by id) are
the clusters' seeds; every other concept then makes Louvain's own move once: it joins the core community
whose modularity it raises most (its co-occurrence weight into the community, less its weighted degree
times the community's over twice the graph's total weight; ties: the community Louvain listed first), or
forms a community of its own when none gains. The ``max_clusters`` biggest communities are kept and the
rest are folded into one "other concepts" cluster, so every concept belongs to exactly one cluster and
nothing is dropped.

Why a core: Louvain over the whole co-occurrence graph grows with the corpus (at 20,000 papers it was the
largest part of writing the page, redone for every daily build), while the map's clusters are decided by
the concepts many papers share; a concept of one or two papers adds nothing to them but its own place,
which that move gives. (Joining the community of the strongest core neighbour, or the one the neighbours
weigh most, made the largest communities larger than a whole-graph Louvain's, up to four times at 20,000
papers: most long-tail pairs weigh 1 and hubs pull; the move keeps the sizes close.) A graph of
at most ``CORE_CONCEPTS`` concepts (the bundled one) is clustered whole, as before.

A cluster is labelled by its most central method and its most central task (centrality: the summed
co-occurrence weight inside the cluster); a cluster without one of them takes its most central
concepts instead. Labels keep their case: an entity whose label is all lower case is shown in the
surface form papers used most often (``display_label``).

Listing dates are read by ``listing_day``: ISO dates, "Sep 9, 2024" and the daily-papers "Sep 9"
(no year: a nominal leap year, so that yearless dates sort by month and day).

Examples
--------
>>> from kg.graph import build_graph
>>> from kg.model import Entity, EntityType, Mention, Paper, Relation
>>> papers = [Paper(f"p{i}", f"Paper {i}", "An abstract.") for i in range(4)]
>>> ents = [Entity("urn:lora", "LoRA", EntityType.METHOD), Entity("urn:qa", "QA", EntityType.TASK),
...         Entity("urn:vit", "ViT", EntityType.METHOD), Entity("urn:seg", "segmentation", EntityType.TASK)]
>>> pairs = [("p0", "urn:lora"), ("p0", "urn:qa"), ("p1", "urn:lora"), ("p1", "urn:qa"),
...          ("p2", "urn:vit"), ("p2", "urn:seg"), ("p3", "urn:vit"), ("p3", "urn:seg")]
>>> kind = {"urn:lora": Relation.USES_METHOD, "urn:vit": Relation.USES_METHOD}
>>> ms = [Mention(p, e, kind.get(e, Relation.ADDRESSES_TASK), 0.5, "s", "x") for p, e in pairs]
>>> overview = build_overview(build_graph(papers, ents, ms))
>>> [(c.label, c.papers, len(c.concepts)) for c in overview.clusters]
[('LoRA · QA', 2, 2), ('ViT · segmentation', 2, 2)]
>>> listing_day("Sep 9") - listing_day("Mar 14"), listing_day("2024-09-09") - listing_day("Sep 9, 2024")
(179, 0)
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import networkx as nx

from kg.graph import ENTITY_KINDS, PAPER_RELATIONS, MentionEdge, NodeKind, node_kind

#: Louvain seed: the same graph gives the same clusters
RANDOM_SEED = 42
#: clusters drawn in the overview; smaller communities are folded into one "other concepts" cluster
MAX_CLUSTERS = 40
#: each concept keeps its strongest co-occurrence pairs only
TOP_NEIGHBOURS = 12
#: Louvain runs over this many concepts (those with the most papers); the others join the core community
#: that gains most modularity, so the clustering's cost stops growing with the corpus
CORE_CONCEPTS = 5000
#: node kinds that are never clustered as concepts: papers, and people (authors are not topics)
NOT_CONCEPTS = frozenset({NodeKind.PAPER.value, NodeKind.PERSON.value})
#: the label kinds of a cluster: its most central method and task
_LABEL_KINDS = (NodeKind.METHOD, NodeKind.TASK)
_YEARLESS = 2000  # nominal leap year for dates without a year
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_MONTH_DAY = re.compile(r"([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2})(?:,?\s+(\d{4}))?")


@dataclass(frozen=True)
class Cluster:
    """A community of concepts: its label, its concepts (most central first) and its paper count."""

    id: str
    label: str
    concepts: tuple[str, ...]
    papers: int
    folded: bool = False  # True for the "other concepts" cluster that holds the small communities


@dataclass(frozen=True)
class Overview:
    """The clusters (most papers first), the links between them and each concept's closest peers.

    ``links`` holds ``(i, j, shared)``: clusters ``i < j`` whose concepts share ``shared`` papers.
    ``peers`` maps a concept to its strongest co-occurring concepts in the same cluster, with weights.
    ``communities`` is the number of communities before folding.
    """

    clusters: tuple[Cluster, ...]
    links: tuple[tuple[int, int, int], ...]
    peers: dict[str, tuple[tuple[str, int], ...]]
    communities: int


def concept_papers(graph: nx.MultiDiGraph) -> dict[str, frozenset[str]]:
    """Every concept that a paper links to, with those papers (node ids, sorted by concept id)."""
    kind_of = {n: node_kind(graph, n, unknown=True) for n in graph}
    papers: dict[str, set[str]] = defaultdict(set)
    for u, v in graph.edges():
        if kind_of[u] is NodeKind.PAPER and kind_of[v] not in NOT_CONCEPTS:
            papers[v].add(u)
    return {c: frozenset(papers[c]) for c in sorted(papers)}


def build_overview(
    graph: nx.MultiDiGraph,
    *,
    max_clusters: int = MAX_CLUSTERS,
    seed: int = RANDOM_SEED,
    core: int = CORE_CONCEPTS,
) -> Overview:
    """Cluster the concepts of ``graph`` (see the module docstring); deterministic for a given ``seed``.
    ``core``: how many concepts Louvain clusters (``CORE_CONCEPTS``)."""
    for name, value in (("max_clusters", max_clusters), ("core", core)):
        if type(value) is not int or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    papers_of = concept_papers(graph)
    cooc = cooccurrence_graph(papers_of)
    communities = core_communities(cooc, papers_of, core, seed)
    communities = sorted(
        (sorted(c) for c in communities), key=lambda c: (-len(set().union(*(papers_of[x] for x in c))), c[0])
    )
    kept, rest = communities[:max_clusters], communities[max_clusters:]
    if rest:
        kept.append(sorted(x for c in rest for x in c))
    clusters = []
    for i, members in enumerate(kept):
        folded = bool(rest) and i == len(kept) - 1
        inside = set(members)  # once per cluster: the folded one holds thousands of concepts at 20,000 papers
        strength = {x: sum(cooc[x][y]["weight"] for y in cooc[x] if y in inside) for x in members}
        order = sorted(members, key=lambda x: (-strength[x], -len(papers_of[x]), x))
        n_papers = len(set().union(*(papers_of[x] for x in members)))
        label = f"other concepts ({len(rest)} small groups)" if folded else _cluster_label(graph, order)
        clusters.append(Cluster(f"cluster:{i}", label, tuple(order), n_papers, folded))
    return Overview(tuple(clusters), _cluster_links(clusters, papers_of), _peers(cooc, clusters), len(communities))


def core_communities(cooc: nx.Graph, papers_of: dict[str, frozenset[str]], core: int, seed: int) -> list[set[str]]:
    """Louvain communities of the ``core`` concepts with the most papers, each other concept added to the one
    whose modularity it raises most (none raised: a community of its own); see the module docstring."""
    if len(cooc) <= core:
        return nx.community.louvain_communities(cooc, weight="weight", seed=seed) if len(cooc) else []
    kept = set(sorted(cooc, key=lambda x: (-len(papers_of[x]), x))[:core])
    communities = nx.community.louvain_communities(cooc.subgraph(kept).copy(), weight="weight", seed=seed)
    community_of = {x: i for i, c in enumerate(communities) for x in c}
    degree = dict(cooc.degree(weight="weight"))
    total = [sum(degree[x] for x in c) for c in communities]
    two_m = 2 * cooc.size(weight="weight")
    alone = []
    for x in sorted(cooc):
        if x in kept:
            continue
        pull: Counter[int] = Counter()
        for y, d in cooc[x].items():
            if y in kept:
                pull[community_of[y]] += d["weight"]
        # Louvain's own move: the modularity gain of x joining community i (its pull less what a random
        # graph of the same degrees would give), so a hub community does not swallow the long tail
        gain = {i: w - degree[x] * total[i] / two_m for i, w in pull.items()}
        best = min(gain, key=lambda i: (-gain[i], i), default=None)
        if best is not None and gain[best] > 0:
            communities[best].add(x)
        else:
            alone.append({x})
    return communities + alone


def cooccurrence_graph(papers_of: dict[str, frozenset[str]]) -> nx.Graph:
    """Concepts linked by the number of papers they share, each keeping its ``TOP_NEIGHBOURS`` strongest."""
    concepts_of: dict[str, list[str]] = defaultdict(list)
    for concept, papers in papers_of.items():
        for p in papers:
            concepts_of[p].append(concept)
    shared: Counter[tuple[str, str]] = Counter()
    for concepts in concepts_of.values():
        shared.update(itertools.combinations(sorted(concepts), 2))  # (a, b) with a < b
    neighbours: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for (a, b), w in shared.items():
        neighbours[a].append((-w, b))
        neighbours[b].append((-w, a))
    keep = set()
    for a, near in neighbours.items():
        # the strongest first, ties by id: heapq.nsmallest is sorted(near)[:n] without sorting them all
        for _, b in heapq.nsmallest(TOP_NEIGHBOURS, near) if len(near) > TOP_NEIGHBOURS else near:
            keep.add((a, b) if a < b else (b, a))
    g = nx.Graph()
    g.add_nodes_from(papers_of)  # concepts alone in their papers become communities of one
    g.add_weighted_edges_from((a, b, shared[a, b]) for a, b in sorted(keep))
    return g


def display_label(graph: nx.MultiDiGraph, node: str) -> str:
    """The label to show: an all-lower-case label takes the case papers wrote it in most often.

    Vocabulary concepts keep their curated label, and a surface form that opens its sentence says
    nothing about case, so neither counts.

    >>> from kg.model import Relation
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("urn:t", kind="Method", label="tutel", alt_labels=(), broader=(), in_vocabulary=False)
    >>> def mention(paper, surface, sentence):
    ...     _ = g.add_edge(paper, "urn:t", relation=Relation.USES_METHOD, surface=surface, sentence=sentence)
    >>> for i, s in enumerate(["Tutel", "Tutel", "tutel", "TUTEL"]):
    ...     mention(f"p{i}", s, f"We compare with {s}.")
    >>> mention("p9", "TUTEL", "TUTEL is slow.")
    >>> display_label(g, "urn:t")
    'Tutel'
    """
    attrs = graph.nodes[node]
    label: str = attrs["label"]  # every node kind has one
    kind = node_kind(graph, node, unknown=True)
    if kind not in ENTITY_KINDS or attrs["in_vocabulary"] or label != label.lower():
        return label
    mentions: list[MentionEdge] = [d for _, _, d in graph.in_edges(node, data=True) if d["relation"] in PAPER_RELATIONS]
    surfaces = Counter(
        surface
        for d in mentions
        if (surface := d["surface"]).lower() == label and not d["sentence"].startswith(surface)
    )
    return min(surfaces, key=lambda s: (-surfaces[s], s)) if surfaces else label


def listing_day(date: str | None) -> int | None:
    """A listing date as a day number (proleptic ordinal), or None when it is not a date.

    >>> listing_day("Feb 29") - listing_day("Feb 28"), listing_day("yesterday")
    (1, None)
    """
    text = (date or "").strip()
    if m := _ISO.fullmatch(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif (m := _MONTH_DAY.fullmatch(text)) and m[1].lower() in _MONTHS:
        year, month, day = int(m[3] or _YEARLESS), _MONTHS[m[1].lower()], int(m[2])
    else:
        return None
    try:
        return dt.date(year, month, day).toordinal()
    except ValueError:
        return None


def _cluster_label(graph: nx.MultiDiGraph, order: list[str]) -> str:
    """The most central method and task of a cluster, or its two most central concepts."""
    picks = [next((x for x in order if node_kind(graph, x, unknown=True) is kind), None) for kind in _LABEL_KINDS]
    picks = [x for x in picks if x is not None]
    for x in order:
        if len(picks) >= 2:
            break
        if x not in picks:
            picks.append(x)
    return " · ".join(display_label(graph, x) for x in picks)


def _cluster_links(clusters: list[Cluster], papers_of: dict[str, frozenset[str]]) -> tuple:
    """``(i, j, shared papers)`` for every pair of clusters whose concepts share papers."""
    clusters_of: dict[str, set[int]] = defaultdict(set)
    for i, c in enumerate(clusters):
        for x in c.concepts:
            for p in papers_of[x]:
                clusters_of[p].add(i)
    shared: Counter[tuple[int, int]] = Counter()
    for ids in clusters_of.values():
        ids_sorted = sorted(ids)
        for k, i in enumerate(ids_sorted):
            for j in ids_sorted[k + 1 :]:
                shared[i, j] += 1
    return tuple((i, j, w) for (i, j), w in sorted(shared.items()))


def _peers(cooc: nx.Graph, clusters: list[Cluster]) -> dict[str, tuple[tuple[str, int], ...]]:
    """Each concept's strongest co-occurring concepts inside its own cluster."""
    cluster_of = {x: i for i, c in enumerate(clusters) for x in c.concepts}
    peers = {}
    for x in sorted(cooc):
        near = [(y, d["weight"]) for y, d in cooc[x].items() if cluster_of[y] == cluster_of[x]]
        peers[x] = tuple(sorted(near, key=lambda t: (-t[1], t[0]))[:3])
    return peers
