"""Write the graph as one self-contained, interactive HTML page (``graph.html``).

The page is a view for people, not an exchange format: RDF and GraphML keep everything. It is built
with pyvis (:class:`pyvis.network.Network` holds the nodes, edges and vis-network options) but not
with pyvis's page templates, which fetch Bootstrap and tom-select from a CDN even with
``cdn_resources="in_line"``. Our own small template inlines the ``vis-network.min.js`` that ships
inside the pyvis package, our CSS and our script, so the file opens offline and fetches nothing.

What the page offers
    Colour and shape per node type, with a legend whose checkboxes show or hide each type; node
    size by degree; edge colour by relation; a search box over every label, alternative label and
    paper title; a "Neighbourhood" mode that dims all but the selected node and its neighbours; a
    details panel (a paper's title, listings, abstract and linked entities; an entity's labels,
    type, broader concepts and papers). For scripts and tests the page sets ``window.network``
    (the ``vis.Network``), ``window.kgReady = true`` and ``<html data-kg-stable="true">`` once the
    layout is done, and ``window.kgStableMs`` (ms since navigation start).

Layout
    vis-network stabilizes the layout once with a fixed seed, then physics is switched off so the
    page comes to rest. Graphs of more than ``LARGE_GRAPH`` nodes start from positions computed
    here (papers placed by the entities they share, every other node beside its papers), keep
    one-link leaves and derived ``appliedTo`` links out of the simulation (leaves fan out beside
    their neighbour afterwards), and stop the simulation after ``LAYOUT_BUDGET_MS`` on a slow
    machine; they draw no arrowheads (40% of a redraw), and the best-connected entities keep a
    readable label when the whole graph is in view.

Safety
    Paper text is data, never markup. It is embedded as JSON in a ``<script type="application/json">``
    block with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped, so no title can close the block; the
    page script puts it on screen only with ``textContent`` and DOM properties, and the vis-network 9
    hover tooltip shows string titles as text. A Content-Security-Policy allows only the page's own
    scripts (by hash), so even injected markup could neither run a handler nor fetch anything.

Not supported
    Reading a page back (there is no ``read_html``): use the RDF or GraphML export. A browser
    stays responsive up to a few thousand nodes; cut larger graphs to their ``max_nodes`` most
    connected nodes (``kg build --html-max-nodes``), and the page says so.

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

import base64
import hashlib
import html
import json
import math
import os
from importlib import resources
from string import Template
from typing import Any

import networkx as nx
import pyvis
from pyvis.network import Network

from kg.fileio import atomic_write

#: vis-network version shipped inside pyvis 0.3.x (``pyvis/templates/lib/vis-9.1.2``)
VIS_VERSION = "9.1.2"

#: shape and colour of each node type (vis-network shapes whose label sits below the node)
NODE_STYLES: dict[str, dict[str, str]] = {
    "Paper": {"shape": "square", "color": "#4e79a7", "caption": "Paper"},
    "Method": {"shape": "dot", "color": "#f28e2b", "caption": "Method"},
    "Task": {"shape": "diamond", "color": "#59a14f", "caption": "Task"},
    "Hardware": {"shape": "triangle", "color": "#e15759", "caption": "Hardware"},
    "Keyphrase": {"shape": "hexagon", "color": "#a0a0a0", "caption": "Keyphrase"},
}
_OTHER_KIND = {"shape": "dot", "color": "#b07aa1", "caption": "Other"}

#: colour of each relation; ``incoming`` names the link seen from its target (in the panel)
EDGE_STYLES: dict[str, dict[str, Any]] = {
    "usesMethod": {"color": "#f28e2b", "caption": "uses method", "incoming": "used by"},
    "proposesMethod": {"color": "#b5500b", "caption": "proposes method", "incoming": "proposed by"},
    "addressesTask": {"color": "#59a14f", "caption": "addresses task", "incoming": "addressed by"},
    "usesHardware": {"color": "#e15759", "caption": "uses hardware", "incoming": "used by"},
    "hasKeyphrase": {"color": "#b8b8b8", "caption": "has keyphrase", "incoming": "keyphrase of"},
    "appliedTo": {"color": "#8c5fb4", "caption": "applied to", "incoming": "methods applied", "dashes": True},
    "broader": {"color": "#2f9e9a", "caption": "broader", "incoming": "narrower", "dashes": True},
}
_OTHER_RELATION = {"color": "#9aa4ad", "caption": "other", "incoming": "other"}

FONT_COLOR = "#24292f"
EDGE_OPACITY, EDGE_OPACITY_LARGE = 0.7, 0.4
RANDOM_SEED = 42
#: the layout stops after this many milliseconds even if its iterations are not done (slow machines)
LAYOUT_BUDGET_MS = 5000
#: above this many nodes the layout starts from positions computed here and leaves skip the simulation
LARGE_GRAPH = 300
#: how many of the best-connected entities keep a readable label when the whole graph is in view
HUB_LABELS = 30
_FR_MAX_PAPERS = 1200  # the start layout of papers is quadratic in their number
PAPER_SPACING = 220  # typical distance between neighbouring papers in the start layout, in pixels

_ASSETS = resources.files("kg.export") / "assets"
_VIS_JS = f"templates/lib/vis-{VIS_VERSION}/vis-network.min.js"


def write_html(
    graph: nx.MultiDiGraph, path: str | os.PathLike, *, max_nodes: int | None = None, title: str = "paper-kg"
) -> None:
    """Write ``graph`` as one self-contained interactive HTML page.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        The graph as :func:`kg.graph.build_graph` makes it (node ids are IRIs; ``kind``, ``label``
        and the other attributes documented there).
    path : str or os.PathLike
        The file to write, atomically (:func:`kg.fileio.atomic_write`).
    max_nodes : int or None, optional
        Keep only the ``max_nodes`` most connected nodes (by degree, ties broken by id) in the view,
        and say so on the page. ``None`` keeps every node.
    title : str, optional
        The page title and heading (text, escaped).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("urn:t", kind="Task", label="question answering", alt_labels=("QA",))
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
    degree = dict(graph.degree())
    kept = most_connected(graph, max_nodes)
    kept_set = set(kept)
    all_edges = sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2])))
    view_edges = [(u, v, key, attrs) for u, v, key, attrs in all_edges if u in kept_set and v in kept_set]
    large = len(kept) > LARGE_GRAPH
    leaves = _leaves(kept, view_edges) if large else {}
    positions = _initial_positions(kept, view_edges, leaves, graph) if large else {}
    net = Network(directed=True, heading=title, cdn_resources="in_line")
    details: dict[str, dict[str, Any]] = {}
    for n in kept:
        node, details[n] = _node_view(graph, n, graph.nodes[n], degree[n])
        if n in positions:
            node["x"], node["y"] = positions[n]
        if n in leaves:
            node["physics"] = False  # placed beside its one neighbour once the layout is done
        net.add_node(n, **node)
    for i, (u, v, key, attrs) in enumerate(view_edges):
        edge = _edge_view(graph, f"e{i}", u, v, key, attrs)
        edge["color"]["opacity"] = EDGE_OPACITY_LARGE if large else EDGE_OPACITY
        if large and (u in leaves or v in leaves or edge["relation"] == "appliedTo"):
            edge["physics"] = False  # derived links and leaf links are drawn, not simulated
        net.add_edge(u, v, **edge)
    edge_count = len(view_edges)
    net.options = _vis_options(len(kept))
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    for edge in edges:
        edge.pop("arrows", None)  # pyvis marks every edge of a directed Network; the options decide

    kinds = {kind: dict(style) for kind, style in NODE_STYLES.items()}
    kinds["Entity"] = dict(_OTHER_KIND)
    payload = {
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(options),
        "details": details,
        "kinds": kinds,
        "relations": {rel: dict(style) for rel, style in EDGE_STYLES.items()},
        "fontColor": FONT_COLOR,
        "layoutBudgetMs": LAYOUT_BUDGET_MS,
        "hubLabels": HUB_LABELS,
    }
    total_nodes, total_edges = graph.number_of_nodes(), graph.number_of_edges()
    summary = f"{len(kept):,} nodes · {edge_count:,} edges"
    if len(kept) < total_nodes:
        note = (
            f"showing {len(kept):,} of {total_nodes:,} nodes (the most connected) and {edge_count:,} of "
            f"{total_edges:,} edges — RDF and GraphML keep everything"
        )
        note_class = "truncated"
    else:
        note = f"showing all {total_nodes:,} nodes and {total_edges:,} edges"
        note_class = ""
    counts = {kind: 0 for kind in NODE_STYLES}
    for n in nodes:
        counts[n["kind"]] = counts.get(n["kind"], 0) + 1
    rel_counts = {rel: 0 for rel in EDGE_STYLES}
    for e in edges:
        rel_counts[e["relation"]] = rel_counts.get(e["relation"], 0) + 1

    vis_js = _vis_script()
    app_js = _asset("graph.js")
    for name, script in (("vis-network", vis_js), ("graph.js", app_js)):
        if "</script" in script.lower():
            raise RuntimeError(f"{name} contains '</script' and cannot be inlined")
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src {_csp_hash(vis_js)} {_csp_hash(app_js)}",
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
        summary=html.escape(summary),
        legend=_legend_html(counts, rel_counts),
        note=html.escape(note),
        note_class=note_class,
        data=script_json(payload),
        css=_asset("graph.css"),
        vis_js=vis_js,
        app_js=app_js,
    )


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


def script_json(obj: Any) -> str:
    """JSON that is safe inside a ``<script>`` block: no ``</script>``, ``<!--`` or line separators.

    >>> script_json({"t": "</script><!-- \\u2028"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003c!-- \\\\u2028"}'
    """
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def _leaves(nodes: list, edges: list) -> dict:
    """Nodes with a single link whose neighbour has more: ``{leaf: neighbour}``."""
    links: dict[Any, list] = {n: [] for n in nodes}
    for u, v, *_ in edges:
        if u != v:
            links[u].append(v)
            links[v].append(u)
    return {n: nb[0] for n, nb in links.items() if len(nb) == 1 and len(links[nb[0]]) > 1}


def _initial_positions(nodes: list, edges: list, leaves: dict, graph: nx.Graph) -> dict:
    """Start positions for the browser's simulation, so it only has to polish, not untangle.

    Papers are laid out first with a small Fruchterman-Reingold pass over the paper-paper graph
    (papers are close when they share entities; an entity linked to many papers counts less),
    every other node starts at the mean of its papers, leaves beside their one neighbour. Seeded
    and rounded, so the page is byte-identical for the same graph.
    """
    import numpy as np

    rng = np.random.default_rng(RANDOM_SEED)
    neighbours: dict[Any, list] = {n: [] for n in nodes}
    for u, v, *_ in edges:
        if u != v:
            neighbours[u].append(v)
            neighbours[v].append(u)
    papers = [n for n in nodes if graph.nodes[n].get("kind") == "Paper" and n not in leaves]
    papers = sorted(papers, key=lambda n: (-len(neighbours[n]), str(n)))[:_FR_MAX_PAPERS]
    index = {p: i for i, p in enumerate(papers)}
    shared = np.zeros((len(papers), len(papers)))
    for n in nodes:
        if n in index:
            continue
        linked = sorted({index[m] for m in neighbours[n] if m in index})
        if len(linked) > 1:
            ix = np.array(linked)
            shared[np.ix_(ix, ix)] += 1.0 / math.log2(1 + len(linked))
    np.fill_diagonal(shared, 0.0)
    xy = _fruchterman_reingold(shared, rng) * PAPER_SPACING
    pos: dict[Any, tuple[float, float]] = {p: (float(xy[i, 0]), float(xy[i, 1])) for p, i in index.items()}
    radius = max([math.hypot(x, y) for x, y in pos.values()], default=0.0) or 30 * math.sqrt(len(nodes))

    def scatter() -> tuple[float, float]:
        r, a = radius * math.sqrt(rng.random()), 2 * math.pi * rng.random()
        return r * math.cos(a), r * math.sin(a)

    # other nodes: mean of the placed neighbours, twice, so entities of entities get a place too
    for _ in range(2):
        for n in nodes:
            if n in pos or n in leaves:
                continue
            near = [pos[m] for m in neighbours[n] if m in pos]
            if near:
                jitter = rng.uniform(-0.3, 0.3, 2) * PAPER_SPACING
                pos[n] = (
                    sum(p[0] for p in near) / len(near) + jitter[0],
                    sum(p[1] for p in near) / len(near) + jitter[1],
                )
    for n in nodes:
        if n not in pos and n not in leaves:
            pos[n] = scatter()
    for leaf, anchor in leaves.items():
        jitter = rng.uniform(-20, 20, 2)
        pos[leaf] = (pos[anchor][0] + jitter[0], pos[anchor][1] + jitter[1])
    return {n: (round(x, 1), round(y, 1)) for n, (x, y) in pos.items()}


def _fruchterman_reingold(weights, rng, iterations: int = 60, gravity: float = 3.0):
    """Positions for a small dense weighted graph (Fruchterman & Reingold 1991, plus a pull to the
    centre so that separate components stay near), scaled to a median nearest-neighbour distance of 1.
    """
    import numpy as np

    n = len(weights)
    if n < 2:
        return np.zeros((n, 2))
    pos = rng.uniform(-1, 1, (n, 2))
    k = math.sqrt(4.0 / n)  # ideal distance in a 2 x 2 square
    temperature = 0.2
    for step in range(iterations):
        dx = pos[:, 0, None] - pos[None, :, 0]
        dy = pos[:, 1, None] - pos[None, :, 1]
        distance = np.maximum(np.hypot(dx, dy), 0.01)
        force = k * k / distance**2 - weights * distance / k
        shift = np.stack([(force * dx).sum(axis=1), (force * dy).sum(axis=1)], axis=1) - gravity * pos
        length = np.maximum(np.hypot(shift[:, 0], shift[:, 1]), 1e-9)
        pos += shift * (np.minimum(length, temperature) / length)[:, None]
        temperature = 0.2 * (1 - (step + 1) / iterations) + 0.005
    pos -= pos.mean(axis=0)
    distance = np.hypot(pos[:, 0, None] - pos[None, :, 0], pos[:, 1, None] - pos[None, :, 1])
    np.fill_diagonal(distance, np.inf)
    return pos / max(float(np.median(distance.min(axis=1))), 1e-9)


def _node_view(graph: nx.Graph, n: str, attrs: dict, degree: int) -> tuple[dict, dict]:
    """The vis node options (without the id) and the details the panel shows."""
    kind = attrs.get("kind", "Entity")
    style = NODE_STYLES.get(kind, _OTHER_KIND)
    label = str(attrs.get("label") or n)
    if kind == "Paper":
        title = str(attrs.get("title") or "")
        abstract = str(attrs.get("abstract") or "")
        name = title or label
        shown = _shorten(title or abstract or label, 36)
        listings = [_listing(li) for li in attrs.get("listings") or ()]
        tooltip = f"{name}\nPaper · {degree} links"
        if not title and abstract:
            tooltip = f"{_shorten(abstract, 120)}\nPaper · {degree} links"
        info = {
            "name": name,
            "title": title,
            "abstract": abstract,
            "identifier": str(attrs.get("identifier") or ""),
            "url": str(attrs.get("url") or ""),
            "listings": listings,
            "degree": degree,
        }
    else:
        name = shown = label
        alt = [str(a) for a in attrs.get("alt_labels") or ()]
        broader = [
            [str(b), str(graph.nodes[b].get("label", b)) if b in graph else str(b)]
            for b in attrs.get("broader") or ()
        ]
        tooltip = f"{label}\n{style['caption']} · {degree} links"
        if alt:
            tooltip += "\nalso: " + ", ".join(alt)
        info = {
            "name": name,
            "alt": alt,
            "broader": broader,
            "vocab": bool(attrs.get("in_vocabulary")),
            "degree": degree,
        }
    root = math.sqrt(degree)
    node = {
        "label": shown,
        "kind": kind,
        "shape": style["shape"],
        "color": style["color"],
        "title": tooltip,
        "size": round(min(7 + 3 * root, 46), 1),
        "font": {"size": round(min(14 + 0.8 * root, 24), 1)},
    }
    return node, info


def _edge_view(graph: nx.Graph, edge_id: str, u: str, v: str, key: Any, attrs: dict) -> dict:
    """The vis edge options (without from/to): colour by relation, the evidence as tooltip."""
    relation = str(attrs.get("relation", key))
    style = EDGE_STYLES.get(relation, _OTHER_RELATION)
    tooltip = f"{graph.nodes[u].get('label', u)} — {style['caption']} → {graph.nodes[v].get('label', v)}"
    width = 1.0
    if relation == "appliedTo":
        support = int(attrs.get("support") or 0)
        tooltip += f"\nsupported by {support} paper{'s' if support != 1 else ''}"
        width = round(1 + min(3.0, math.log2(max(support, 1))), 2)
    elif attrs.get("sentence"):
        score = attrs.get("score")
        if score:
            tooltip += f"\nscore {score}"
        tooltip += f"\n“{_shorten(str(attrs['sentence']), 280)}”"
    colour = style["color"]
    edge = {
        "id": edge_id,
        "relation": relation,
        "color": {"color": colour, "highlight": colour, "hover": colour},
        "title": tooltip,
        "width": width,
    }
    if style.get("dashes"):
        edge["dashes"] = True
    return edge


def _vis_options(n_nodes: int) -> dict:
    """vis-network options: a fixed seed, a bounded stabilization, labels only when readable.

    Large graphs trade some precision for speed (a coarser Barnes-Hut ``theta``, no adaptive
    timestep, fewer iterations; the page also stops the layout after ``LAYOUT_BUDGET_MS``) and
    draw no arrowheads (the panel and the tooltips still say which way a link goes).
    """
    large = n_nodes > LARGE_GRAPH
    return {
        "autoResize": True,
        "layout": {"randomSeed": RANDOM_SEED, "improvedLayout": n_nodes <= 150},
        "nodes": {
            "borderWidth": 1,
            "borderWidthSelected": 3,
            "font": {
                "color": FONT_COLOR,
                "face": "system-ui, sans-serif",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
            "scaling": {"label": {"drawThreshold": 9, "maxVisible": 20}},
        },
        "edges": {
            "arrows": {"to": {"enabled": not large, "scaleFactor": 0.45}},  # arrows cost 40% of a redraw
            "smooth": False,
            "selectionWidth": 1.5,
            "hoverWidth": 0.8,
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": n_nodes > 1000,
            "multiselect": False,
        },
        "physics": {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {
                "theta": 1.0 if large else 0.5,
                "gravitationalConstant": -3000,
                "centralGravity": 0.1,
                "springLength": 60 if large else 110,
                "springConstant": 0.04,
                "damping": 0.3,
                "avoidOverlap": 0.1,
            },
            "maxVelocity": 25,
            "minVelocity": 1.0,
            "timestep": 0.5,
            "adaptiveTimestep": not large,
            "stabilization": {
                "enabled": True,
                "iterations": 200 if large else 1000,
                "updateInterval": 10,
                "fit": True,
            },
        },
    }


def _legend_html(counts: dict[str, int], rel_counts: dict[str, int]) -> str:
    """The legend: a checkbox per node type, a line per relation (no graph data, only counts)."""
    rows = ["<h2>Nodes</h2>"]
    for kind, count in counts.items():
        style = NODE_STYLES.get(kind, _OTHER_KIND)
        caption = html.escape(style["caption"] if kind in NODE_STYLES else kind)
        rows.append(
            f'<label><input type="checkbox" data-kind="{html.escape(kind)}" checked>'
            f'<span class="sw sw-{style["shape"]}" style="--c:{style["color"]}"></span>'
            f'{caption}<span class="count">{count:,}</span></label>'
        )
    rows.append("<h2>Edges</h2>")
    for rel, count in rel_counts.items():
        style = EDGE_STYLES.get(rel, _OTHER_RELATION)
        dashed = " dashed" if style.get("dashes") else ""
        caption = html.escape(style["caption"] if rel in EDGE_STYLES else rel)
        rows.append(
            f'<div class="rel"><span class="line{dashed}" style="--c:{style["color"]}"></span>'
            f'{caption}<span class="count">{count:,}</span></div>'
        )
    return "\n".join("      " + row for row in rows)


def _listing(listing: Any) -> list:
    """[date, source file, line] of a :class:`kg.model.Listing`."""
    return [
        str(getattr(listing, "date", "") or ""),
        str(getattr(listing, "source", listing)),
        getattr(listing, "line", None),
    ]


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _asset(name: str) -> str:
    return (_ASSETS / name).read_text(encoding="utf-8")


def _vis_script() -> str:
    """vis-network as shipped inside the installed pyvis package."""
    source = resources.files("pyvis") / _VIS_JS
    if not source.is_file():
        raise RuntimeError(
            f"vis-network not found in the pyvis package (expected {_VIS_JS}); need pyvis 0.3.x"
        )
    return source.read_text(encoding="utf-8")
