"""CSL-JSON, the citation format Zotero, Mendeley and pandoc export: a JSON array of items.

An item has ``type``, ``title``, ``abstract``, ``author`` (``[{"family", "given"}]`` or
``[{"literal"}]``), ``issued`` (``{"date-parts": [[2021, 6, 17]]}`` or ``{"raw": "2021-06-17"}``),
``DOI``, ``URL`` and, for preprints, ``number`` or ``archive_location`` holding the arXiv id. An item
that is not an object, or whose ``author`` or ``issued`` does not have that shape, is reported as
``file:line`` (where the item starts) and skipped.

Examples
--------
>>> csl_date({"date-parts": [[2021, 6]]}), csl_date({"raw": "2021-06-17"}), csl_date({"date-parts": [["x"]]})
('2021-06', '2021-06-17', None)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kg.sources import ids
from kg.sources.base import Record, Skipped, authors, iso_date, iter_json_items, make_record, read_text

_CSL_KEYS = frozenset({"issued", "author", "container-title", "DOI", "URL", "citation-key"})


def is_csl(item: object) -> bool:
    """Whether a JSON item looks like a CSL-JSON item."""
    return isinstance(item, dict) and "type" in item and "title" in item and not _CSL_KEYS.isdisjoint(item)


def read(path: Path) -> Iterator[Record | Skipped]:
    """Records of a CSL-JSON file, one per item."""
    source = str(path)
    for line, item in iter_json_items(read_text(path), path):
        yield _item(source, line, item)


def csl_date(issued: object) -> str | None:
    """The ISO date of a CSL date variable, or None when it has none or the wrong shape."""
    if not isinstance(issued, dict):
        return None
    parts = issued.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        first = parts[0]
        if not all(isinstance(p, int) or (isinstance(p, str) and p.isdigit()) for p in first):
            return None
        return iso_date("-".join(str(int(p)) for p in first[:3]))
    return iso_date(issued.get("raw") or issued.get("literal"))


def _item(source: str, line: int, item: object) -> Record | Skipped:
    if not isinstance(item, dict):
        return Skipped(source, line, f"not a JSON object but {type(item).__name__}")
    raw_authors = item.get("author") or []
    if not isinstance(raw_authors, list) or not all(isinstance(a, dict) for a in raw_authors):
        return Skipped(source, line, "'author' must be a list of name objects")
    names = [
        a.get("literal") or " ".join(str(a[k]) for k in ("given", "non-dropping-particle", "family") if a.get(k))
        for a in raw_authors
    ]
    issued = item.get("issued")
    published = csl_date(issued)
    if issued is not None and published is None:
        return Skipped(source, line, f"'issued' is not a CSL date: {issued!r}")
    arxiv = next(
        (a for a in map(ids.arxiv_id, (item.get("number"), item.get("archive_location"), item.get("URL"))) if a), None
    )
    return make_record(
        source,
        line,
        title=item.get("title"),
        abstract=item.get("abstract"),
        url=item.get("URL"),
        authors=authors(names),
        identifiers=ids.unique(ids.doi(item.get("DOI")), arxiv),
        published=published,
    )
