"""RIS, the tagged format of Zotero, Mendeley, EndNote and most publishers; fields mapped by rispy.

A record is a run of ``XX  - value`` lines from ``TY  - `` to ``ER  - ``. Used tags: ``TI``/``T1`` (title),
``AB``/``N2`` (abstract), ``AU``/``A1`` (authors, ``Last, First``), ``PY``/``Y1``/``DA`` (date), ``DO``
(DOI), ``UR`` (URL; an arXiv URL gives the arXiv id). This module finds the record boundaries itself,
so each record keeps its line: a record not closed by ``ER`` before the next ``TY`` (or the end of the
file), or a tag line outside any record, is reported as ``file:line`` and skipped.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> f = Path(tempfile.mkdtemp()) / "lib.ris"
>>> _ = f.write_text("TY  - JOUR\\nTI  - Deep residual learning\\nAU  - He, Kaiming\\nPY  - 2016\\n"
...                  "DO  - 10.1109/CVPR.2016.90\\nAB  - We present.\\nER  - \\n")
>>> r = next(read(f))
>>> r.title, r.authors, r.identifiers, r.published
('Deep residual learning', ('Kaiming He',), ('doi:10.1109/cvpr.2016.90',), '2016')
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.sources import ids
from kg.sources.base import Record, Skipped, authors, iter_lines, make_record

_TAG = re.compile(r"([A-Z][A-Z0-9])  -(?: (.*))?$")


def read(path: Path) -> Iterator[Record | Skipped]:
    """Records of a RIS file, one per ``TY`` ... ``ER`` block."""
    source = str(path)
    start: int | None = None
    chunk: list[str] = []
    found = False
    for number, raw in iter_lines(path):
        line = raw.rstrip("\r\n")
        m = _TAG.match(line)
        tag = m.group(1) if m else None
        if tag == "TY":
            if start is not None:
                yield Skipped(source, start, "RIS record not closed by 'ER  - ' before the next 'TY  - '")
            start, chunk, found = number, [line], True
        elif start is None:
            if line.strip():
                found = True
                yield Skipped(source, number, f"line outside a RIS record (before 'TY  - '): {line[:40]!r}")
        elif tag == "ER":
            chunk.append("ER  - ")
            yield _record(source, start, "\n".join(chunk) + "\n")
            start, chunk = None, []
        else:
            chunk.append(line)
    if start is not None:
        yield Skipped(source, start, "RIS record not closed by 'ER  - ' at the end of the file")
    if not found:
        raise InputError(path, "no RIS records ('TY  - ' lines)")


def _record(source: str, line: int, text: str) -> Record | Skipped:
    import rispy

    try:
        entries = rispy.loads(text)
    except Exception as e:  # rispy raises bare IOError/ValueError subclasses for syntax it rejects
        return Skipped(source, line, f"malformed RIS record: {e}")
    if len(entries) != 1:
        return Skipped(source, line, "malformed RIS record")
    e = entries[0]
    urls = e.get("urls") or []
    arxiv = next((ids.arxiv_id(u) for u in urls if "arxiv" in u.lower() and ids.arxiv_id(u)), None)
    return make_record(
        source,
        line,
        title=e.get("title") or e.get("primary_title"),
        abstract=e.get("abstract") or e.get("notes_abstract"),
        url=urls[0] if urls else None,
        authors=authors([*(e.get("authors") or []), *(e.get("first_authors") or [])]),
        identifiers=ids.unique(ids.doi(e.get("doi")), arxiv),
        published=e.get("date") or e.get("year") or e.get("publication_year"),
    )
