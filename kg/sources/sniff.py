"""Which reader a file needs, from its content first and its extension second.

The first few KiB decide: ``<`` starts XML (an Atom ``<feed>`` or an ``<OAI-PMH>`` response), ``[`` or
``{`` JSON (one value, or JSON Lines when the first line is a whole object), ``TY  - `` RIS and ``@``
BibTeX. JSON is told apart by the keys of its first item; our own JSONL (``abstract``, ``title``,
``id``...) is what remains. ``.csv`` files are CSV, other text daily-papers dumps. So a RIS export
saved as ``.txt`` or a CSL-JSON file named ``.jsonl`` still finds its reader.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> d = Path(tempfile.mkdtemp())
>>> _ = (d / "zotero.txt").write_text("TY  - JOUR\\nTI  - A\\nER  - \\n")
>>> _ = (d / "works.jsonl").write_text('{"id": "https://openalex.org/W1", "abstract_inverted_index": null}\\n')
>>> detect(d / "zotero.txt"), detect(d / "works.jsonl")
('ris', 'openalex')
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from kg.errors import InputError
from kg.sources.base import open_regular
from kg.sources.csl import is_csl
from kg.sources.huggingface import is_huggingface
from kg.sources.openalex import is_openalex
from kg.sources.semanticscholar import is_semantic_scholar

#: extensions a directory walk picks up (a file named explicitly may have any)
EXTENSIONS = (".txt", ".jsonl", ".csv", ".json", ".ndjson", ".xml", ".atom", ".bib", ".bibtex", ".ris")
_HEAD = 65536
_RIS = re.compile(r"\A(?:\s*\n)*TY  - ", re.MULTILINE)
_XML_ROOT = re.compile(r"(?:<\?[^>]*\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>\s*)*<([\w.:-]+)", re.DOTALL)
_BIBTEX = re.compile(r"\A(?:\s*(?:%[^\n]*)?\n)*\s*@[A-Za-z]+\s*[{(]")


def detect(path: Path) -> str | None:
    """The format name of a file (a key of :data:`kg.corpus.READERS`), or None when it is none of them.

    Content that is clearly one of the formats wins; otherwise the extension decides (``.txt`` is a
    daily-papers dump, ``.jsonl`` our JSON lines, ``.csv`` CSV, ``.bib`` BibTeX, ``.ris`` RIS).
    """
    try:
        with open_regular(path) as f:
            raw = f.read(_HEAD)
    except InputError:
        return _by_extension(path)  # the reader reports the error with its reason
    text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    start = text.lstrip()
    if path.suffix.lower() == ".csv":
        return "csv"
    if start.startswith("<"):
        found = _xml_format(start)
    elif start.startswith(("{", "[")):
        found = _json_format(path, start)
    elif _RIS.match(text):
        found = "ris"
    elif _BIBTEX.match(text):
        found = "bibtex"
    else:
        found = None
    return found or _by_extension(path)


def _by_extension(path: Path) -> str | None:
    return {
        ".txt": "daily-papers",
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
        ".bib": "bibtex",
        ".bibtex": "bibtex",
        ".ris": "ris",
    }.get(path.suffix.lower())


def _xml_format(start: str) -> str | None:
    """An Atom feed or an OAI-PMH response, from the name of the root element."""
    root = _XML_ROOT.match(start)
    return {"feed": "arxiv-atom", "OAI-PMH": "oai-pmh"}.get(root.group(1).rsplit(":", 1)[-1]) if root else None


def _json_format(path: Path, start: str) -> str | None:
    """The JSON format whose keys the first item has; JSON Lines for ``.jsonl``/``.ndjson`` files and for
    files that are not one JSON value but start with a whole object on the first line."""
    first: object = None
    lines = path.suffix.lower() in (".jsonl", ".ndjson")
    if not lines:
        first = _first_item(path)
        lines = first is _INVALID
    if lines:
        try:
            first = json.loads(start.split("\n", 1)[0])
        except ValueError:
            return None
    if is_openalex(first):
        return "openalex" if lines else "openalex-json"
    if is_semantic_scholar(first):
        return "semantic-scholar" if lines else None
    if lines:
        return None
    if is_huggingface(first):
        return "huggingface"
    if is_csl(first):
        return "csl-json"
    return None


_INVALID = object()


def _first_item(path: Path) -> object:
    """The first item of a JSON array (or the value itself); ``_INVALID`` when the file is not one JSON value."""
    try:
        with open_regular(path) as f:
            value = json.loads(f.read().decode("utf-8-sig"))
    except (InputError, ValueError, RecursionError):
        return _INVALID
    if isinstance(value, list):
        return value[0] if value else None
    return value
