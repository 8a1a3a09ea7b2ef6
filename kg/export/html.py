"""Write the graph as one self-contained, interactive HTML page (``graph.html``).

The page is a view for people, not an exchange format: RDF and GraphML keep everything. It draws
with the vis-network that ships inside the pyvis package (pyvis's own page templates fetch Bootstrap
and tom-select from a CDN even with ``cdn_resources="in_line"``), through our template, CSS and
scripts in ``kg/export/assets/``, so the file opens offline from ``file://`` and fetches nothing.

What the page offers
    It opens on an overview, a map of the field: communities of concepts (:mod:`kg.export.overview`)
    drawn as labelled clusters sized by their papers. Clicking a cluster opens its concepts,
    clicking a concept shows its papers (drawn on demand), and a breadcrumb leads back. Graphs of
    at most ``FULL_VIEW_MAX`` nodes open on the whole graph instead. No view draws more than
    ``VIEW_MAX`` nodes; each says what it shows of what ("showing N of M"). Labels are placed by
    the page at every zoom level, most important first, never overlapping; the selected node's label
    is drawn on top. Two date sliders filter papers by listing date, and a "trending" panel lists
    the concepts whose paper count grew most against the window before. Search ranks exact label
    and title matches, then prefixes, then aliases, then substrings, each with a type badge. The
    view exports as PNG or SVG; the details panel copies a node's IRI and a SPARQL query for it.
    For scripts and tests the page sets ``window.network`` (the ``vis.Network``), ``window.kg`` (its
    API), ``window.kgReady = true`` and ``<html data-kg-stable="true">`` once the first view is at
    rest, and ``window.kgTimings`` (ms since navigation start).

Data
    Two JSON blocks: ``kg-data`` (what every view needs: ids, kinds, labels, links, clusters, dates)
    is parsed at load; ``kg-details`` (abstracts, listings, the evidence sentence of each link) is
    parsed the first time a panel or a drill-down needs it, so the overview paints first.

Counts
    The legend counts nodes *linked from papers* (papers: all of them), the same numbers as the
    build summary and the ``graph-summary`` query's ``inPapers`` column; vocabulary concepts that
    no paper links to are counted apart.

Safety
    Paper text is data, never markup. It is embedded as JSON with ``<``, ``>``, ``&``, U+2028 and
    U+2029 escaped, so no title can close its block; the page puts it on screen only with
    ``textContent``, DOM properties and canvas text, and vis-network 9 shows string tooltips as text.
    A Content-Security-Policy allows only the page's own scripts (by hash).

Not supported
    Reading a page back (there is no ``read_html``): use the RDF or GraphML export.

Examples
--------
>>> import pathlib, tempfile
>>> from kg.graph import build_graph
>>> from kg.model import Entity, EntityType, Mention, Paper, Relation
>>> g = build_graph([Paper("p1", "LoRA for QA", "We use LoRA.")],
...                 [Entity("urn:m", "low-rank adaptation", EntityType.METHOD, ("LoRA",))],
...                 [Mention("p1", "urn:m", Relation.USES_METHOD, 0.6, "We use LoRA.", "LoRA")])
>>> path = pathlib.Path(tempfile.mkdtemp()) / "graph.html"
>>> write_html(g, path, title="LoRA papers")
>>> page = path.read_text()
>>> "<title>LoRA papers</title>" in page, "<script src=" in page, "2 nodes" in page
(True, False, True)
>>> write_html(g, path, max_nodes=1)
>>> "showing 1 of 2 nodes" in path.read_text()
True
"""

from __future__ import annotations

import html
import os
from collections import Counter
from importlib import resources
from string import Template
from typing import Any

import networkx as nx
import pyvis

from kg.export.overview import NOT_CONCEPTS, Overview, build_overview, display_label, listing_day
from kg.fileio import atomic_write
from kg.graph import ENTITY_KINDS, PAPER_RELATIONS, NodeKind, PaperNode, node_kind
from kg.markup import script_json, script_source
from kg.model import Listing, Relation
from kg.rdfterms import PREFIXES

#: vis-network version shipped inside pyvis 0.3.x (``pyvis/templates/lib/vis-9.1.2``)
VIS_VERSION = "9.1.2"

#: shape and colour of each node kind; Person and Dataset are kinds other exporters may add, and a
#: kind not listed here is drawn as ``_OTHER_KIND`` under its own name
NODE_STYLES: dict[str, dict[str, str]] = {
    NodeKind.PAPER: {"shape": "square", "color": "#4e79a7", "caption": "Paper"},
    NodeKind.METHOD: {"shape": "dot", "color": "#f28e2b", "caption": "Method"},
    NodeKind.TASK: {"shape": "diamond", "color": "#59a14f", "caption": "Task"},
    NodeKind.HARDWARE: {"shape": "triangle", "color": "#e15759", "caption": "Hardware"},
    NodeKind.KEYPHRASE: {"shape": "hexagon", "color": "#a0a0a0", "caption": "Keyphrase"},
    NodeKind.PERSON: {"shape": "star", "color": "#76b7b2", "caption": "Person"},
    "Dataset": {"shape": "triangleDown", "color": "#edc948", "caption": "Dataset"},
}
_OTHER_KIND = {"shape": "dot", "color": "#b07aa1", "caption": "Other"}
#: the overview's cluster nodes
CLUSTER_STYLE = {"shape": "dot", "color": "#b9c7e6", "caption": "Cluster of concepts"}

#: colour of each relation; ``incoming`` names the link seen from its target (in the panel)
EDGE_STYLES: dict[str, dict[str, Any]] = {
    "usesMethod": {"color": "#f28e2b", "caption": "uses method", "incoming": "used by"},
    "proposesMethod": {"color": "#b5500b", "caption": "proposes method", "incoming": "proposed by"},
    "addressesTask": {"color": "#59a14f", "caption": "addresses task", "incoming": "addressed by"},
    "usesHardware": {"color": "#e15759", "caption": "uses hardware", "incoming": "used by"},
    "usesDataset": {"color": "#edc948", "caption": "uses dataset", "incoming": "used by"},
    "hasKeyphrase": {"color": "#b8b8b8", "caption": "has keyphrase", "incoming": "keyphrase of"},
    "appliedTo": {"color": "#8c5fb4", "caption": "applied to", "incoming": "methods applied", "dashes": True},
    "broader": {"color": "#2f9e9a", "caption": "broader", "incoming": "narrower", "dashes": True},
    "creator": {"color": "#76b7b2", "caption": "author", "incoming": "papers"},
}
_OTHER_RELATION = {"color": "#9aa4ad", "caption": "other", "incoming": "other"}
#: drawn, not stored: concepts of a cluster that share papers, and clusters whose concepts do
SHARES_PAPERS = {"color": "#c9ced6", "caption": "share papers", "incoming": "share papers"}

FONT_COLOR = "#24292f"
RANDOM_SEED = 42
#: graphs of at most this many nodes open on the whole graph; bigger ones on the overview
FULL_VIEW_MAX = 300
#: no view draws more nodes than this
VIEW_MAX = 300
#: a stable layout is cut after this many milliseconds on a slow machine
LAYOUT_BUDGET_MS = 3000

_ASSETS = resources.files("kg.export") / "assets"
_VIS_JS = f"templates/lib/vis-{VIS_VERSION}/vis-network.min.js"
_SCRIPTS = ("labels.js", "export.js", "graph.js")  # in load order; graph.js uses the other two
_SHORT_NAME = 90  # characters of an abstract that name an untitled paper


def write_html(
    graph: nx.MultiDiGraph, path: str | os.PathLike, *, max_nodes: int | None = None, title: str = "paper-kg"
) -> None:
    """Write ``graph`` as one self-contained interactive HTML page.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        The graph as :func:`kg.graph.build_graph` makes it (node ids are IRIs; ``kind``, ``label``
        and the other attributes documented there). Kinds and relations it does not know are drawn
        in a neutral style under their own names.
    path : str or os.PathLike
        The file to write, atomically (:func:`kg.fileio.atomic_write`).
    max_nodes : int or None, optional
        Put only the ``max_nodes`` most connected nodes (by degree, ties broken by id) in the page,
        and say so on it. ``None`` (the default) keeps every node: the overview aggregates them.
    title : str, optional
        The page title and heading (text, escaped).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("urn:t", kind="Task", label="question answering", alt_labels=("QA",), broader=(),
    ...            in_vocabulary=False)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "g.html"
    >>> write_html(g, path)
    >>> '"QA"' in path.read_text()
    True
    """
    if max_nodes is not None and (type(max_nodes) is not int or max_nodes < 1):
        raise ValueError(f"max_nodes must be a positive integer or None, got {max_nodes!r}")
    if not isinstance(title, str):
        raise TypeError(f"title must be a str, got {type(title).__name__}")
    page = render_html(graph, max_nodes=max_nodes, title=title)
    with atomic_write(path) as f:
        f.write(page)


def render_html(graph: nx.MultiDiGraph, *, max_nodes: int | None = None, title: str = "paper-kg") -> str:
    """The page :func:`write_html` writes, as a string (same parameters, no file)."""
    kept = most_connected(graph, max_nodes)
    view = graph.subgraph(kept) if len(kept) < graph.number_of_nodes() else graph
    data, details = page_data(view)
    counts = node_counts(view)
    scripts = [_asset(name) for name in _SCRIPTS]
    vis_js = _vis_script()
    sources = [script_source(n, s) for n, s in zip(("vis-network", *_SCRIPTS), (vis_js, *scripts), strict=True)]
    csp = "; ".join(
        [
            "default-src 'none'",
            "script-src " + " ".join(sources),
            "style-src 'unsafe-inline'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    return Template(_asset("graph.html")).substitute(
        title=html.escape(title),
        csp=csp,
        generator=f"paper-kg (pyvis {pyvis.__version__}, vis-network {VIS_VERSION})",
        summary=html.escape(_summary(counts)),
        legend=_legend_html(data["kinds"], counts, Counter(data["relNames"][r] for r in data["edges"][2::3])),
        note=html.escape(_note(graph, view)),
        note_class="truncated" if view is not graph else "",
        data=script_json(data),
        details=script_json(details),
        css=_asset("graph.css"),
        scripts="\n".join(f"<script>{s}</script>" for s in (vis_js, *scripts)),
    )


def node_counts(graph: nx.MultiDiGraph) -> dict[str, dict[str, int]]:
    """Per kind: ``nodes`` in the graph and those ``inPapers`` (linked from a paper; every paper).

    These are the numbers the legend shows; the build summary and ``graph-summary`` count the same.

    >>> g = nx.MultiDiGraph([("p", "m")])
    >>> g.add_node("p", kind="Paper"); g.add_node("m", kind="Method"); g.add_node("b", kind="Method")
    >>> node_counts(g)
    {'Paper': {'nodes': 1, 'inPapers': 1}, 'Method': {'nodes': 2, 'inPapers': 1}}
    """
    kind_of = _kinds(graph)
    linked = {v for u, v in graph.edges() if kind_of[u] is NodeKind.PAPER}
    counts: dict[str, dict[str, int]] = {}
    for n in sorted(graph.nodes, key=str):
        kind = str(kind_of[n])
        c = counts.setdefault(kind, {"nodes": 0, "inPapers": 0})
        c["nodes"] += 1
        c["inPapers"] += kind == NodeKind.PAPER or n in linked
    order = list(NODE_STYLES)
    return dict(sorted(counts.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0])))


def most_connected(graph: nx.Graph, max_nodes: int | None) -> list:
    """The ``max_nodes`` nodes of highest degree, ties broken by id, in id order (all when ``None``).

    >>> g = nx.MultiDiGraph([("a", "b"), ("a", "c"), ("d", "c")])
    >>> most_connected(g, 2), most_connected(g, None)
    (['a', 'c'], ['a', 'b', 'c', 'd'])
    """
    nodes = sorted(graph.nodes, key=str)
    if max_nodes is None or max_nodes >= len(nodes):
        return nodes
    degree = dict(graph.degree())
    keep = set(sorted(nodes, key=lambda n: (-degree[n], str(n)))[:max_nodes])
    return [n for n in nodes if n in keep]


def page_data(graph: nx.MultiDiGraph) -> tuple[dict, dict]:
    """The page's two JSON blocks: what every view needs, and the details parsed on demand.

    Nodes are numbered in id order; every per-node list is indexed by that number. ``edges`` is
    flat: ``from, to, relation`` triples (relation as an index into ``relNames``).
    """
    ids = sorted(graph.nodes, key=str)
    index = {n: i for i, n in enumerate(ids)}
    kind_of = _kinds(graph)
    kinds = sorted({str(kind) for kind in kind_of.values()})
    papers = [n for n in ids if kind_of[n] is NodeKind.PAPER]
    entities = [(i, graph.nodes[n]) for i, n in enumerate(ids) if kind_of[n] in ENTITY_KINDS]
    all_edges = sorted(graph.edges(keys=True, data=True), key=lambda e: (index[e[0]], index[e[1]], str(e[2])))
    rel_names = sorted({str(d["relation"]) for *_, d in all_edges})
    edges: list[int] = []
    for u, v, _, d in all_edges:
        edges += [index[u], index[v], rel_names.index(str(d["relation"]))]
    overview = build_overview(graph)
    data = {
        "ids": ids,
        "kindNames": kinds,
        "kind": [kinds.index(str(kind_of[n])) for n in ids],
        "label": [_name(graph, n, kind_of[n]) for n in ids],
        # papers, people and kinds this schema does not define have no aliases and are in no vocabulary
        "alt": {str(i): list(e["alt_labels"]) for i, e in entities if e["alt_labels"]},
        "vocab": [i for i, e in entities if e["in_vocabulary"]],
        "day": {str(index[n]): day for n in papers if (day := _paper_day(graph.nodes[n])) is not None},
        "dayNames": _day_names(graph, papers),
        "edges": edges,
        "relNames": rel_names,
        **_overview_data(overview, index),
        "kinds": _kind_styles(kinds),
        "relations": {r: dict(EDGE_STYLES.get(r, {**_OTHER_RELATION, "caption": r})) for r in rel_names}
        | {"sharesPapers": dict(SHARES_PAPERS)},
        "clusterStyle": dict(CLUSTER_STYLE),
        "startView": "all" if len(ids) <= FULL_VIEW_MAX else "overview",
        "viewMax": VIEW_MAX,
        "layoutBudgetMs": LAYOUT_BUDGET_MS,
        "fontColor": FONT_COLOR,
        "options": _vis_options(),
        "notConcepts": sorted(NOT_CONCEPTS),
        "prefixes": {p: PREFIXES[p] for p in ("kg", "dcterms", "rdfs", "skos")},
    }
    return data, _details(graph, [(index[n], n) for n in papers], all_edges)


def _kinds(graph: nx.MultiDiGraph) -> dict[str, NodeKind | str]:
    """Each node's kind: a :class:`NodeKind`, or the name of a kind the schema does not define (drawn neutral)."""
    return {n: node_kind(graph, n, unknown=True) for n in graph}


def _overview_data(overview: Overview, index: dict) -> dict:
    return {
        "clusters": [
            {"label": c.label, "concepts": [index[x] for x in c.concepts], "papers": c.papers, "folded": c.folded}
            for c in overview.clusters
        ],
        "clusterLinks": [list(link) for link in overview.links],
        "peers": {str(index[x]): [[index[y], w] for y, w in near] for x, near in overview.peers.items() if near},
        "communities": overview.communities,
    }


def _details(graph: nx.MultiDiGraph, papers: list[tuple[int, str]], all_edges: list) -> dict:
    """Paper texts and listings (``papers``: their numbers and ids), and the evidence of each link
    (sentences shared): an applied-to link's support (and, from evidence, its score, sentence and kinds),
    a mention's score and sentence, else 0."""
    texts = {}
    for i, n in papers:
        a: PaperNode = graph.nodes[n]
        texts[str(i)] = {
            "title": a["title"],
            "abstract": a["abstract"],
            "identifier": a["identifier"],
            "url": a["url"],
            "listings": [_listing(li) for li in a["listings"]],
        }
    sentences: dict[str, int] = {}
    evidence: list = []
    for *_, d in all_edges:
        if d["relation"] == Relation.APPLIED_TO and d.get("evidence_kinds"):
            # a link from evidence: its support, best score (0: none scored it), sentence and kinds
            sentence = sentences.setdefault(_shorten(d["sentence"], 400), len(sentences))
            evidence.append([d["support"], d.get("score") or 0, sentence, " + ".join(d["evidence_kinds"])])
        elif d["relation"] == Relation.APPLIED_TO:
            evidence.append([d["support"]])
        elif d["relation"] in PAPER_RELATIONS and d["sentence"]:
            sentence = _shorten(d["sentence"], 400)
            score = d["score"] or 0  # a zero score is written 0, not 0.0 (the bytes pages always had)
            evidence.append([score, sentences.setdefault(sentence, len(sentences))])
        else:
            evidence.append(0)
    return {"papers": texts, "sentences": list(sentences), "evidence": evidence}


def _name(graph: nx.MultiDiGraph, node: str, kind: NodeKind | str) -> str:
    """What the page calls a node: a paper's title (or the start of its abstract), an entity's display label."""
    if kind is NodeKind.PAPER:
        paper: PaperNode = graph.nodes[node]
        return paper["title"] or _shorten(paper["abstract"] or paper["label"], _SHORT_NAME)
    return display_label(graph, node)


def _paper_day(paper: PaperNode) -> int | None:
    """A paper's first listing day (see :func:`kg.export.overview.listing_day`)."""
    return min((d for li in paper["listings"] if (d := listing_day(li.date)) is not None), default=None)


def _day_names(graph: nx.MultiDiGraph, papers: list[str]) -> dict[str, str]:
    """Each listing day as the inputs wrote it (the first spelling in sorted order)."""
    names: dict[str, str] = {}
    dates = sorted({li.date for n in papers for li in graph.nodes[n]["listings"] if li.date})
    for date in dates:
        if (day := listing_day(date)) is not None:
            names.setdefault(str(day), date)
    return names


def _kind_styles(kinds: list[str]) -> dict:
    styles = {k: dict(NODE_STYLES.get(k, {**_OTHER_KIND, "caption": k})) for k in kinds}
    styles["Entity"] = styles.get("Entity", dict(_OTHER_KIND))
    return styles


def _summary(counts: dict[str, dict[str, int]]) -> str:
    papers = counts.get(NodeKind.PAPER, {}).get("inPapers", 0)
    concepts = sum(c["inPapers"] for k, c in counts.items() if k != NodeKind.PAPER)
    return f"{papers:,} papers · {concepts:,} concepts linked from papers"


def _note(graph: nx.MultiDiGraph, view: nx.MultiDiGraph) -> str:
    total_nodes, total_edges = graph.number_of_nodes(), graph.number_of_edges()
    if view is graph:
        return f"the page holds all {total_nodes:,} nodes and {total_edges:,} edges"
    return (
        f"showing {view.number_of_nodes():,} of {total_nodes:,} nodes (the most connected) and "
        f"{view.number_of_edges():,} of {total_edges:,} edges — RDF and GraphML keep everything"
    )


def _vis_options() -> dict:
    """vis-network options: a fixed seed, a bounded stabilization; the page draws the labels itself."""
    return {
        "autoResize": True,
        "layout": {"randomSeed": RANDOM_SEED, "improvedLayout": True},
        "nodes": {"borderWidth": 1, "borderWidthSelected": 3, "font": {"size": 0}},
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.45}},
            "smooth": False,
            "selectionWidth": 1.5,
            "hoverWidth": 0.8,
        },
        "interaction": {"hover": True, "tooltipDelay": 150, "multiselect": False},
        "physics": {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -4000,
                "centralGravity": 0.15,
                "springLength": 120,
                "springConstant": 0.04,
                "damping": 0.3,
                "avoidOverlap": 0.3,
            },
            "maxVelocity": 30,
            "minVelocity": 1.0,
            "timestep": 0.5,
            "stabilization": {"enabled": True, "iterations": 400, "updateInterval": 50, "fit": True},
        },
    }


def _legend_html(styles: dict, counts: dict[str, dict[str, int]], rel_counts: Counter) -> str:
    """The legend: a checkbox per node type with its count in papers, a line per relation."""
    rows = ['<h2>Nodes <span class="what">linked from papers</span></h2>']
    apart = []
    for kind, count in counts.items():
        style = styles.get(kind, _OTHER_KIND)
        rows.append(
            f'<label><input type="checkbox" data-kind="{html.escape(kind)}" checked>'
            f'<span class="sw sw-{style["shape"]}" style="--c:{style["color"]}"></span>'
            f'{html.escape(style["caption"])}<span class="count" data-count="{html.escape(kind)}">'
            f"{count['inPapers']:,}</span></label>"
        )
        if count["nodes"] > count["inPapers"]:
            apart.append(f"{count['nodes'] - count['inPapers']:,} {html.escape(style['caption'])}")
    if apart:
        rows.append(f'<p class="apart">and in the vocabulary only, linked from no paper: {", ".join(apart)}</p>')
    rows.append("<h2>Edges</h2>")
    for rel in sorted(rel_counts, key=lambda r: (list(EDGE_STYLES).index(r) if r in EDGE_STYLES else 99, r)):
        style = EDGE_STYLES.get(rel, _OTHER_RELATION)
        dashed = " dashed" if style.get("dashes") else ""
        caption = html.escape(style["caption"] if rel in EDGE_STYLES else rel)
        rows.append(
            f'<div class="rel"><span class="line{dashed}" style="--c:{style["color"]}"></span>'
            f'{caption}<span class="count">{rel_counts[rel]:,}</span></div>'
        )
    return "\n".join("      " + row for row in rows)


def _listing(listing: Listing) -> list:
    """[date ("" when the input gave none), source file, line] of a listing."""
    return [listing.date or "", listing.source, listing.line]


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _asset(name: str) -> str:
    return (_ASSETS / name).read_text(encoding="utf-8")


def _vis_script() -> str:
    """vis-network as shipped inside the installed pyvis package."""
    source = resources.files("pyvis") / _VIS_JS
    if not source.is_file():
        raise RuntimeError(f"vis-network not found in the pyvis package (expected {_VIS_JS}); need pyvis 0.3.x")
    return source.read_text(encoding="utf-8")
