"""GraphML export of the knowledge graph, for Gephi, Cytoscape and ``networkx.read_graphml``.

GraphML holds only scalar attributes, so the graph's tuples are written as readable strings:

Nodes
    ``type`` (Paper, Method, Task, Hardware, Keyphrase, Person) and ``label`` (Gephi shows it), and where
    present ``key``, ``title``, ``abstract``, ``identifier``, ``url``, ``listings`` (``"data/a.txt:12 (Sep 9);
    data/b.txt:40"``), ``identifiers``, ``alt_labels`` and ``broader`` (joined with ``" | "``),
    ``published``, ``in_vocabulary``.
Edges (the GraphML edge id is the relation)
    ``relation``, and where present ``score``, ``sentence``, ``surface``, ``source``, ``position`` (of an
    author), ``support``, ``papers`` and ``evidence_kinds`` (of a method -> task link; both joined with
    ``" | "``).

Characters that XML 1.0 does not allow in a document at all, not even escaped (the C0 controls other
than tab, line feed and carriage return, such as NUL, U+0001 or a form feed; U+FFFE, U+FFFF and lone
surrogates), are removed from every id and value (:func:`xml_text`), so any paper text gives a
well-formed file; the RDF exports keep them, escaped. (An XML reader also turns a carriage return in a
value into a line feed.) Empty strings, empty tuples and None are left out. Nodes and edges are written
in sorted order, so the same graph gives a byte-identical file. :func:`read_graphml` turns such a file
back into the typed graph of :mod:`kg.graph` (kinds, relations and edge keys as enums, listings as
:class:`kg.model.Listing`); a label that itself contains ``" | "`` or a source file name containing
``"; "`` does not survive the round trip.

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
(<NodeKind.METHOD: 'Method'>, ('LoRA', 'LoRA-1'))
>>> h.nodes["https://w3id.org/paper-kg/paper/p1"]["listings"]
(Listing(source='a.txt', line=3, date='Sep 9'),)
"""

from __future__ import annotations

import functools
import os
import re
from enum import StrEnum
from typing import Any

import networkx as nx

from kg.export.blocks import block_key, write_blocks
from kg.fileio import atomic_write
from kg.graph import EntityNode, NodeKind, PaperNode, PersonNode, node_kind
from kg.model import Listing, Relation

__all__ = ["read_graphml", "write_graphml", "xml_text"]

LIST_SEP = " | "
LISTING_SEP = "; "
_LIST_ATTRS = ("alt_labels", "broader", "papers")
_LISTING = re.compile(r"(?P<source>.*):(?P<line>\d+)(?: \((?P<date>[^()]*)\))?\Z")
# what XML 1.0's Char production leaves out: C0 controls but \t \n \r, surrogates, U+FFFE and U+FFFF
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: GraphML's attr.type of each Python type, as networkx writes them
_XML_TYPE = {str: "string", int: "long", float: "double", bool: "boolean"}
_XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
_ROOT_ATTRS = (
    ' xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns'
    ' http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"'
)


def write_graphml(
    graph: nx.MultiDiGraph, path: str | os.PathLike, *, previous: str | os.PathLike | None = None
) -> None:
    """Write ``graph`` (as built by :func:`kg.graph.build_graph`) to ``path`` as GraphML.

    The bytes are those of ``networkx.write_graphml(..., prettyprint=True)`` on the same attributes (keys
    numbered in the order networkx meets them and listed newest first, the graph's own data after its
    edges), written here as text: networkx builds an ElementTree of the whole graph first, three times
    slower and several times the memory.

    ``previous``: an earlier GraphML export. The file is then written through
    :func:`kg.export.blocks.write_blocks`, one block per node, edge and graph ``data`` element keyed by its
    text, with a block index beside it, so that the read-back (:func:`kg.export.check.graphml`) parses only
    the elements the previous export does not have. The bytes are the same either way.
    """
    keys: dict[tuple[str, str, str], str] = {}

    def data(scope: str, attrs: dict[str, Any]) -> list[str]:
        out = []
        for name, value in attrs.items():
            key = keys.setdefault((name, _XML_TYPE[type(value)], scope), f"d{len(keys)}")
            text = _cdata(str(value))
            out.append(f'<data key="{key}">{text}</data>' if text else f'<data key="{key}" />')
        return out

    graph_data = data("graph", _xml_attrs({k: v for k, v in sorted(graph.graph.items()) if _scalar(v)}))
    children = []
    for node in sorted(graph.nodes):
        attrs = _xml_attrs(_node_attrs(node_kind(graph, node), graph.nodes[node]))
        children.append(_element("node", f' id="{_attr(xml_text(node))}"', data("node", attrs), 2))
    for u, v, k, d in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        ids = f' source="{_attr(xml_text(u))}" target="{_attr(xml_text(v))}" id="{_attr(xml_text(str(k)))}"'
        children.append(_element("edge", ids, data("edge", _xml_attrs(_plain_attrs(d))), 2))
    declared = [
        f'<key id="{key}" for="{scope}" attr.name="{_attr(name)}" attr.type="{xml_type}" />'
        for (name, xml_type, scope), key in reversed(keys.items())
    ]
    if previous is not None and (children or graph_data):
        _write_blocked(path, declared, [*children, *graph_data], previous)
        return
    body = _element("graph", ' edgedefault="directed"', [*children, *graph_data], 1)
    with atomic_write(path) as f:
        f.write(_XML_DECLARATION)
        f.write(_element("graphml", _ROOT_ATTRS, [*declared, body], 0) + "\n")


def _write_blocked(
    path: str | os.PathLike, declared: list[str], elements: list[str], previous: str | os.PathLike
) -> None:
    """The file the end of :func:`write_graphml` makes, written as head, one block per element, tail."""
    head = f"{_XML_DECLARATION}<graphml{_ROOT_ATTRS}>\n  " + "".join(f"{d}\n  " for d in declared)
    blocks = ((block_key(e), functools.partial(str, e)) for e in elements)
    inner = "\n    "  # the graph's children, as _element indents them
    head, tail = head + '<graph edgedefault="directed">', "\n  </graph>\n</graphml>\n"
    write_blocks(path, blocks, salt="graphml", head=head, first_sep=inner, sep=inner, tail=tail, previous=previous)


def _element(tag: str, attrs: str, children: list[str], level: int) -> str:
    """An element with its (already written) children, indented as networkx's prettyprint does."""
    if not children:
        return f"<{tag}{attrs} />"
    inner = "\n" + "  " * (level + 1)
    return f"<{tag}{attrs}>{inner}{inner.join(children)}\n{'  ' * level}</{tag}>"


def _cdata(text: str) -> str:
    """Element text escaped as ElementTree escapes it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    """An attribute value escaped as ElementTree escapes it."""
    text = _cdata(text).replace('"', "&quot;")
    return text.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;")


def read_graphml(path: str | os.PathLike) -> nx.MultiDiGraph:
    """Read a file written by :func:`write_graphml` back into the typed shape of :mod:`kg.graph`."""
    g = nx.read_graphml(path, force_multigraph=True)
    out = nx.MultiDiGraph(**g.graph)
    for node, d in g.nodes(data=True):
        out.add_node(node, **_read_node(node, d))
    for u, v, k, d in g.edges(keys=True, data=True):
        d["relation"] = Relation(d["relation"])
        for name in ("papers", "evidence_kinds"):
            if name in d:
                d[name] = tuple(d[name].split(LIST_SEP))
        out.add_edge(u, v, key=Relation(k), **d)
    return out


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (they cannot be escaped either).

    Examples
    --------
    >>> xml_text("Title\\x0cwith a form feed,\\x00 a NUL and\\ttab")
    'Titlewith a form feed, a NUL and\\ttab'
    """
    return _NOT_XML.sub("", text)


def _xml_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: xml_text(v) if isinstance(v, str) else v for k, v in attrs.items()}


def _read_node(node: str, d: dict[str, Any]) -> PaperNode | PersonNode | EntityNode:
    kind = NodeKind(d.pop("type"))
    if kind is NodeKind.PERSON:
        return PersonNode(kind=kind, label=d["label"])
    lists = {name: tuple(d[name].split(LIST_SEP)) if d.get(name) else () for name in _LIST_ATTRS}
    if kind is NodeKind.PAPER:
        listings = tuple(_parse_listing(s) for s in d.get("listings", "").split(LISTING_SEP) if s)
        texts = {name: d.get(name, "") for name in ("title", "abstract", "identifier", "url")}
        paper = PaperNode(kind=kind, key=d["key"], label=d["label"], listings=listings, **texts)
        if d.get("identifiers"):
            paper["identifiers"] = tuple(d["identifiers"].split(LIST_SEP))
        if d.get("published"):
            paper["published"] = d["published"]
        return paper
    return EntityNode(
        kind=kind,
        label=d["label"],
        alt_labels=lists["alt_labels"],
        broader=lists["broader"],
        in_vocabulary=bool(d.get("in_vocabulary", False)),
    )


def _node_attrs(kind: NodeKind, data: PaperNode | PersonNode | EntityNode) -> dict[str, Any]:
    attrs = {"type": kind.value, "label": data["label"]}
    attrs.update(_plain_attrs({k: v for k, v in data.items() if k not in ("kind", "label", "listings")}))
    if kind is NodeKind.PAPER and data["listings"]:
        attrs["listings"] = LISTING_SEP.join(_format_listing(li) for li in data["listings"])
    return attrs


def _plain_attrs(data: dict[str, Any]) -> dict[str, Any]:
    """Scalars kept, tuples joined, empty values and None left out (GraphML has no null)."""
    out: dict[str, Any] = {}
    for k, v in sorted(data.items()):
        if isinstance(v, StrEnum):
            v = v.value  # GraphML types values by their exact class
        elif isinstance(v, list | tuple):
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
