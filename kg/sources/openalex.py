"""OpenAlex works: a snapshot's JSON Lines (one work a line) or an API answer (``{"meta", "results"}``).

A work has ``id`` (``https://openalex.org/W...``), ``doi``, ``title`` (or ``display_name``),
``publication_date`` / ``publication_year``, ``authorships[].author.display_name``, ``ids`` (``arxiv``
among others, when OpenAlex knows it) and the abstract as ``abstract_inverted_index``: each word
mapped to the positions where it occurs. :func:`rebuild_abstract` puts the words back in order. An
index with gaps (positions no word fills) or two words at one position is malformed: the work is
reported as ``file:line`` with the missing positions, and skipped, rather than given an abstract with
holes. A work without an abstract is kept when another source supplies one.

Not supported: gzip-compressed snapshot parts (decompress them first).

Examples
--------
>>> rebuild_abstract({"We": [0], "adapt": [1, 3], "and": [2]})
'We adapt and adapt'
>>> rebuild_abstract({"We": [0], "adapt": [3]})
Traceback (most recent call last):
...
ValueError: abstract_inverted_index has gaps: positions 1-2 are missing
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kg.sources import ids
from kg.sources.base import Record, Skipped, authors, iter_json_items, iter_lines, make_record, read_text


def read_jsonl(path: Path) -> Iterator[Record | Skipped]:
    """Records of an OpenAlex snapshot part: one work per line."""
    import json

    source = str(path)
    for number, raw in iter_lines(path):
        if not raw.strip():
            continue
        try:
            work = json.loads(raw)
        except (ValueError, RecursionError) as e:
            yield Skipped(source, number, f"bad JSON: {getattr(e, 'msg', None) or type(e).__name__}")
            continue
        yield _work(source, number, work)


def read_json(path: Path) -> Iterator[Record | Skipped]:
    """Records of an OpenAlex API answer (``{"results": [...]}``) or a JSON array of works."""
    source = str(path)
    for line, item in iter_json_items(read_text(path), path):
        if isinstance(item, dict) and isinstance(item.get("results"), list):
            for work in item["results"]:
                yield _work(source, line, work)
        else:
            yield _work(source, line, item)


def is_openalex(item: object) -> bool:
    """Whether a JSON object looks like an OpenAlex work or an API answer holding works."""
    if not isinstance(item, dict):
        return False
    if isinstance(item.get("results"), list) and "meta" in item:
        return True
    return "abstract_inverted_index" in item or str(item.get("id", "")).startswith("https://openalex.org/W")


def rebuild_abstract(index: dict[str, list[int]]) -> str:
    """The abstract text of an inverted index; ValueError when positions are missing or taken twice."""
    words: dict[int, str] = {}
    for word, positions in index.items():
        if not isinstance(positions, list) or not all(isinstance(p, int) and p >= 0 for p in positions):
            raise ValueError(f"abstract_inverted_index: the positions of {word!r} are not a list of whole numbers")
        for p in positions:
            if p in words:
                raise ValueError(f"abstract_inverted_index: position {p} holds both {words[p]!r} and {word!r}")
            words[p] = word
    missing = sorted(set(range(max(words, default=-1) + 1)) - set(words))
    if missing:
        raise ValueError(f"abstract_inverted_index has gaps: positions {_ranges(missing)} are missing")
    return " ".join(words[p] for p in range(len(words)))


def _ranges(numbers: list[int]) -> str:
    """``1-2, 7`` for ``[1, 2, 7]``."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def _work(source: str, line: int, work: object) -> Record | Skipped:
    if not isinstance(work, dict):
        return Skipped(source, line, f"not a JSON object but {type(work).__name__}")
    index = work.get("abstract_inverted_index")
    abstract = None
    if index is not None:
        if not isinstance(index, dict):
            return Skipped(source, line, "abstract_inverted_index must be an object")
        try:
            abstract = rebuild_abstract(index)
        except ValueError as e:
            return Skipped(source, line, f"work {work.get('id')}: {e}")
    other = work.get("ids") if isinstance(work.get("ids"), dict) else {}
    names = []
    for authorship in work.get("authorships") or []:
        author = authorship.get("author") if isinstance(authorship, dict) else None
        names.append(author.get("display_name") if isinstance(author, dict) else None)
    location = work.get("primary_location") if isinstance(work.get("primary_location"), dict) else {}
    url = location.get("landing_page_url") or work.get("doi") or work.get("id")
    return make_record(
        source,
        line,
        title=work.get("title") if work.get("title") is not None else work.get("display_name"),
        abstract=abstract,
        url=url if isinstance(url, str) else None,
        authors=authors(names),
        identifiers=ids.unique(
            ids.openalex_id(work.get("id")), ids.doi(work.get("doi")), ids.arxiv_id(other.get("arxiv"))
        ),
        published=work.get("publication_date") or work.get("publication_year"),
    )
