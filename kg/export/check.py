"""Read each export back before a build declares it good.

A writer bug, or a character a format cannot carry, would otherwise leave a file that the manifest
records as good and that every reader rejects. Each check parses the whole file with a reader other
than its writer, the way a user opens it, and raises :class:`ExportError` (naming the file and, where
the reader says, the line) when it does not parse:

``graph.ttl``, ``graph.nt``, ``graph.jsonld``
    Oxigraph's parser, every triple. Given the ``previous`` export the writer copied blocks from
    (:mod:`kg.export.blocks`), only the blocks that are not copies of that export's are parsed (with the
    head and tail), when that export was itself read back: the formats compose block by block, so this
    proves what parsing the whole file would (:func:`kg.export.blocks.unchecked_document` says why), and
    the file is compared with the SHA-256 its writer recorded.
``graph.graphml``
    :func:`networkx.read_graphml`, the reader the README promises; with ``previous``, only the elements
    that are not copies of that export's, the same way.
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
from collections.abc import Iterable
from pathlib import Path

import networkx as nx
import pyoxigraph

from kg.errors import ExportError
from kg.export.blocks import mark_checked, unchecked_document

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
    try:
        document = unchecked_document(path, previous)
    except ValueError as exc:
        raise ExportError(path, str(exc)) from None
    try:
        try:
            nx.read_graphml(path if document is None else io.BytesIO(document), force_multigraph=True)
        except Exception:
            if document is None:
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
    try:
        document = unchecked_document(path, previous)
    except ValueError as exc:
        raise ExportError(path, str(exc)) from None
    try:
        if document is None:
            _parse(pyoxigraph.parse(path=os.fspath(path), format=format))
        else:
            try:
                _parse(pyoxigraph.parse(document, format=format))
            except SyntaxError:
                _parse(pyoxigraph.parse(path=os.fspath(path), format=format))  # for the error's line in the file
    except SyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        raise ExportError(path, f"not valid {format.name}: {exc.msg or exc}", line=line) from None
    mark_checked(path)


def _parse(triples: Iterable[object]) -> None:
    for _ in triples:
        pass
