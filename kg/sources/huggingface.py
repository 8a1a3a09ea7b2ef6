"""Hugging Face papers JSON: the daily papers API and paper pages.

``/api/daily_papers`` answers a JSON array of listings, each ``{"paper": {...}, "publishedAt": ...,
"title": ...}``; ``/api/papers/{arxiv id}`` answers one paper object. A paper object has ``id`` (its
arXiv id), ``title``, ``summary`` (the abstract), ``authors`` (``[{"name": ...}]``) and ``publishedAt``.
A listing's own ``publishedAt`` is its listing date. A file may also hold an array of paper objects.
An item that is not an object, has no paper id or a field of the wrong type is reported as
``file:line`` (the line where the item starts) and skipped.

Not supported: the HTML paper pages (save the API's JSON instead).

Examples
--------
>>> import json, tempfile
>>> from pathlib import Path
>>> f = Path(tempfile.mkdtemp()) / "daily.json"
>>> paper = {"id": "2106.09685", "title": "LoRA", "summary": "We adapt.", "authors": [{"name": "Edward Hu"}],
...          "publishedAt": "2021-06-17T17:37:18.000Z"}
>>> _ = f.write_text(json.dumps([{"paper": paper, "publishedAt": "2024-01-02T00:00:00.000Z"}]))
>>> r = next(read(f))
>>> r.identifiers, r.authors, r.published, r.date, r.url
(('arXiv:2106.09685',), ('Edward Hu',), '2021-06-17', '2024-01-02', 'https://huggingface.co/papers/2106.09685')
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kg.sources import ids
from kg.sources.base import Record, Skipped, authors, iso_date, iter_json_items, make_record, read_text


def read(path: Path) -> Iterator[Record | Skipped]:
    """Records of a daily papers API answer or of paper page answers."""
    source = str(path)
    for line, item in iter_json_items(read_text(path), path):
        yield _item(source, line, item)


def is_huggingface(item: object) -> bool:
    """Whether a JSON item looks like a daily papers listing or a paper page answer."""
    if not isinstance(item, dict):
        return False
    if isinstance(item.get("paper"), dict):
        return True
    return "summary" in item and "id" in item and ("publishedAt" in item or "upvotes" in item)


def _item(source: str, line: int, item: object) -> Record | Skipped:
    if not isinstance(item, dict):
        return Skipped(source, line, f"not a JSON object but {type(item).__name__}")
    paper, listed = item, None
    if "paper" in item:
        paper, listed = item["paper"], iso_date(item.get("publishedAt"))
        if not isinstance(paper, dict):
            return Skipped(source, line, f"'paper' must be an object, got {type(paper).__name__}")
    arxiv = ids.arxiv_id(paper.get("id"))
    if arxiv is None:
        return Skipped(source, line, f"paper 'id' is not an arXiv id: {paper.get('id')!r}")
    raw_authors = paper.get("authors") or []
    if not isinstance(raw_authors, list) or not all(isinstance(a, dict) for a in raw_authors):
        return Skipped(source, line, "'authors' must be a list of objects with a 'name'")
    number = arxiv.removeprefix("arXiv:")
    return make_record(
        source,
        line,
        title=paper.get("title"),
        abstract=paper.get("summary"),
        url=f"https://huggingface.co/papers/{number}",
        date=listed,
        authors=authors([a.get("name") for a in raw_authors]),
        identifiers=(arxiv,),
        published=paper.get("publishedAt"),
    )
