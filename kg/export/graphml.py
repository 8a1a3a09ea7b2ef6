"""GraphML export of the knowledge graph, for Gephi, Cytoscape and ``networkx.read_graphml``.

GraphML holds only scalar attributes, so the graph's tuples are written as readable strings:

Nodes
    ``type`` (Paper, Method, Task, Hardware, Keyphrase) and ``label`` (Gephi shows it), and where
    present ``key``, ``title``, ``abstract``, ``identifier``, ``url``, ``listings`` (``"data/a.txt:12 (Sep 9);
    data/b.txt:40"``), ``alt_labels`` and ``broader`` (joined with ``" | "``), ``in_vocabulary``.
Edges (the GraphML edge id is the relation)
    ``relation``, and where present ``score``, ``sentence``, ``surface``, ``source``, ``support`` and
    ``papers`` (joined with ``" | "``).

Empty strings, empty tuples and None are left out. Nodes and edges are written in sorted order, so the
same graph gives a byte-identical file. :func:`read_graphml` turns such a file back into the graph
shape of :mod:`kg.graph` (listings as :class:`kg.model.Listing`); a label that itself contains
``" | "`` or a source file name containing ``"; "`` does not survive the round trip.

Examples
--------
>>> import tempfile, pathlib
>>> from kg.graph import build_graph
>>> from kg.model import Entity, EntityType, Listing, Mention, Paper, Relation
>>> p = Paper(key="p1", title="LoRA", abstract="We use LoRA.", listings=(Listing("a.txt", 3, "Sep 9"),))
>>> e = Entity(id="urn:m", label="low-rank adaptation", type=EntityType.METHOD, alt_labels=("LoRA", "LoRA-1"))
>>> g = build_graph([p], [e], [Mention("p1", "urn:m", Relation.USES_METHOD, 0.5, "We use LoRA.", "LoRA")])
>>> path = pathlib.Path(tempfile.mkdtemp()) / "g.graphml"
>>> write_graphml(g, path)
>>> h = read_graphml(path)
>>> h.nodes["urn:m"]["kind"], h.nodes["urn:m"]["alt_labels"]
('Method', ('LoRA', 'LoRA-1'))
>>> h.nodes["https://w3id.org/paper-kg/paper/p1"]["listings"]
(Listing(source='a.txt', line=3, date='Sep 9'),)
"""

from __future__ import annotations

import os
import re
from typing import Any

import networkx as nx

from kg.fileio import atomic_write
from kg.model import Listing

__all__ = ["read_graphml", "write_graphml"]

LIST_SEP = " | "
LISTING_SEP = "; "
_LIST_ATTRS = ("alt_labels", "broader", "papers")
_LISTING = re.compile(r"(?P<source>.*):(?P<line>\d+)(?: \((?P<date>[^()]*)\))?\Z")


def write_graphml(graph: nx.MultiDiGraph, path: str | os.PathLike) -> None:
    """Write ``graph`` (as built by :func:`kg.graph.build_graph`) to ``path`` as GraphML."""
    out = nx.MultiDiGraph()
    out.graph.update({k: v for k, v in sorted(graph.graph.items()) if _scalar(v)})
    for node in sorted(graph.nodes):
        out.add_node(node, **_node_attrs(graph.nodes[node]))
    for u, v, k, d in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        out.add_edge(u, v, key=str(k), **_plain_attrs(d))
    with atomic_write(path, mode="wb", encoding=None) as f:
        nx.write_graphml(out, f, encoding="utf-8", prettyprint=True)


def read_graphml(path: str | os.PathLike) -> nx.MultiDiGraph:
    """Read a file written by :func:`write_graphml` back into the attribute shape of :mod:`kg.graph`."""
    g = nx.read_graphml(path, force_multigraph=True)
    if not g.is_directed():
        g = g.to_directed()
    for _, d in g.nodes(data=True):
        if "type" in d:
            d["kind"] = d.pop("type")
        for name in _LIST_ATTRS:
            d[name] = tuple(d[name].split(LIST_SEP)) if d.get(name) else ()
        if d.get("kind") == "Paper":
            d["listings"] = tuple(_parse_listing(s) for s in d.get("listings", "").split(LISTING_SEP) if s)
            for name in ("title", "abstract", "identifier", "url"):
                d.setdefault(name, "")
    for _, _, d in g.edges(data=True):
        if "papers" in d:
            d["papers"] = tuple(d["papers"].split(LIST_SEP))
    return g


def _node_attrs(data: dict[str, Any]) -> dict[str, Any]:
    attrs = {"type": data.get("kind", ""), "label": data.get("label", "")}
    attrs.update(_plain_attrs({k: v for k, v in data.items() if k not in ("kind", "label", "listings")}))
    listings = data.get("listings") or ()
    if listings:
        attrs["listings"] = LISTING_SEP.join(_format_listing(li) for li in listings)
    return attrs


def _plain_attrs(data: dict[str, Any]) -> dict[str, Any]:
    """Scalars kept, tuples joined, empty values and None left out (GraphML has no null)."""
    out: dict[str, Any] = {}
    for k, v in sorted(data.items()):
        if isinstance(v, list | tuple):
            v = LIST_SEP.join(str(x) for x in v)
        if v is None or v == "" or not _scalar(v):
            continue
        out[k] = v
    return out


def _scalar(v: Any) -> bool:
    return isinstance(v, str | int | float | bool)


def _format_listing(listing: Listing) -> str:
    return f"{listing.source}:{listing.line}" + (f" ({listing.date})" if listing.date else "")


def _parse_listing(text: str) -> Listing:
    m = _LISTING.match(text)
    if not m:
        raise ValueError(f"not a listing: {text!r} (expected 'file:line' or 'file:line (date)')")
    return Listing(m["source"], int(m["line"]), m["date"])
