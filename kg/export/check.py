"""Read each export back before a build declares it good.

A writer bug, or a character a format cannot carry, would otherwise leave a file that the manifest
records as good and that every reader rejects. Each check parses the whole file with a reader other
than its writer, the way a user opens it, and raises :class:`ExportError` (naming the file and, where
the reader says, the line) when it does not parse:

``graph.ttl``, ``graph.nt``, ``graph.jsonld``
    Oxigraph's parser, every triple. An export written in blocks (:mod:`kg.export.blocks`, with its index)
    is parsed as runs of its blocks of at most 16 MB, each under the file's head and tail, so that the
    check's memory does not grow with the graph (Oxigraph's JSON-LD parser holds a whole document: 2.6 GB
    over the 316 MB file of 20,000 papers); given the ``previous`` export the writer copied blocks from,
    only the blocks that are not copies of that export's are parsed, when that export was itself read back.
    The formats compose block by block, so this proves what parsing the whole file would
    (:func:`kg.export.blocks.unchecked_documents` says why), and the file is compared with the SHA-256 its
    writer recorded. A file without an index is parsed whole.
``graph.graphml``
    :func:`networkx.read_graphml`, the reader the README promises, over the same runs of elements (1.3 GB
    over the 239 MB file of 20,000 papers when read whole).
``graph.html``
    UTF-8, and the ``kg-data`` JSON block the page draws from parses as a JSON object.

A check proves that a file parses, not that it holds the right graph: the tests compare contents.

Examples
--------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "g.nt"
>>> _ = path.write_text('<urn:a> <urn:b> "c" .\\n')
>>> ntriples(path)
>>> _ = path.write_text('<urn:a> <urn:b> "c\\n')
>>> ntriples(path)
Traceback (most recent call last):
...
kg.errors.ExportError: ...g.nt:1: not valid N-Triples: ...
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import networkx as nx
import pyoxigraph

from kg.errors import ExportError
from kg.export.blocks import mark_checked, unchecked_documents

__all__ = ["graphml", "html", "jsonld", "ntriples", "turtle"]

_DATA_BLOCK = re.compile(r'<script type="application/json" id="kg-data">(.*?)</script>', re.DOTALL)


def turtle(path: str | os.PathLike, previous: str | os.PathLike | None = None) -> None:
    """Raise :class:`ExportError` unless ``path`` parses as Turtle (``previous``: the export its writer
    copied blocks from, see the module docstring)."""
    _rdf(path, pyoxigraph.RdfFormat.TURTLE, previous)


def ntriples(path: str | os.PathLike, previous: str | os.PathLike | None = None) -> None:
    """Raise :class:`ExportError` unless ``path`` parses as N-Triples (``previous`` as for :func:`turtle`)."""
    _rdf(path, pyoxigraph.RdfFormat.N_TRIPLES, previous)


def jsonld(path: str | os.PathLike, previous: str | os.PathLike | None = None) -> None:
    """Raise :class:`ExportError` unless ``path`` parses as JSON-LD (``previous`` as for :func:`turtle`)."""
    _rdf(path, pyoxigraph.RdfFormat.JSON_LD, previous)


def graphml(path: str | os.PathLike, previous: str | os.PathLike | None = None) -> None:
    """Raise :class:`ExportError` unless :func:`networkx.read_graphml` reads ``path`` (``previous`` as for
    :func:`turtle`: GraphML's elements compose too, each block being one whole ``node``, ``edge`` or
    ``data`` element under the same key declarations, and the reader adds the nodes an edge names)."""
    documents = _documents(path, previous)
    try:
        try:
            if documents is None:
                nx.read_graphml(path, force_multigraph=True)
            for document in documents or ():
                nx.read_graphml(io.BytesIO(document), force_multigraph=True)
        except Exception:
            if documents is None:
                raise
            nx.read_graphml(path, force_multigraph=True)  # for the error's line in the file
    except Exception as exc:  # ElementTree's ParseError, networkx's own errors, bad attribute values
        position = getattr(exc, "position", None)  # (line, column) of an XML syntax error
        raise ExportError(path, f"not readable GraphML: {exc}", line=position[0] if position else None) from None
    mark_checked(path)


def html(path: str | os.PathLike) -> None:
    """Raise :class:`ExportError` unless ``path`` is UTF-8 with one ``kg-data`` block holding a JSON object."""
    try:
        page = Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExportError(path, f"not UTF-8 at byte {exc.start}") from None
    blocks = _DATA_BLOCK.findall(page)
    if len(blocks) != 1:
        raise ExportError(path, f"expected one kg-data block, found {len(blocks)}")
    try:
        data = json.loads(blocks[0])
    except ValueError as exc:
        raise ExportError(path, f"the kg-data block is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ExportError(path, f"the kg-data block holds a {type(data).__name__}, not an object")


def _rdf(path: str | os.PathLike, format: pyoxigraph.RdfFormat, previous: str | os.PathLike | None) -> None:
    documents = _documents(path, previous)
    try:
        if documents is None:
            _parse(pyoxigraph.parse(path=os.fspath(path), format=format))
        else:
            try:
                for document in documents:
                    _parse(pyoxigraph.parse(document, format=format))
            except SyntaxError:
                _parse(pyoxigraph.parse(path=os.fspath(path), format=format))  # for the error's line in the file
    except SyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        raise ExportError(path, f"not valid {format.name}: {exc.msg or exc}", line=line) from None
    mark_checked(path)


def _documents(path: str | os.PathLike, previous: str | os.PathLike | None) -> Iterator[bytes] | None:
    """:func:`kg.export.blocks.unchecked_documents`, its error as an :class:`ExportError`."""
    try:
        return unchecked_documents(path, previous)
    except ValueError as exc:
        raise ExportError(path, str(exc)) from None


def _parse(triples: Iterable[object]) -> None:
    for _ in triples:
        pass
