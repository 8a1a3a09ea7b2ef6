"""Semantic Scholar JSON Lines: the ``papers`` and ``abstracts`` datasets and Graph API paper objects.

A ``papers`` dataset record has ``corpusid``, ``externalids`` (``ArXiv``, ``DOI``, ``CorpusId``),
``title``, ``authors[].name``, ``url``, ``year``, ``publicationdate`` and no abstract; an ``abstracts``
dataset record has ``corpusid`` and ``abstract``. The two are joined through the corpus id when papers
are deduplicated (:mod:`kg.corpus`), so reading both files gives each paper its title and abstract.
A Graph API paper object spells the keys ``paperId``, ``corpusId``, ``externalIds``,
``publicationDate``, and carries ``abstract`` itself. A line that is not a JSON object, or a record
without any identifier, is reported as ``file:line`` and skipped.

Not supported: the other datasets (citations, authors, s2orc full text), compressed files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from kg.sources import ids
from kg.sources.base import Record, Skipped, authors, iter_lines, make_record

_KEYS = frozenset({"corpusid", "corpusId", "paperId", "externalids", "externalIds"})


def is_semantic_scholar(item: object) -> bool:
    """Whether a JSON object looks like a Semantic Scholar record."""
    return isinstance(item, dict) and not _KEYS.isdisjoint(item)


def read(path: Path) -> Iterator[Record | Skipped]:
    """Records of one Semantic Scholar JSON Lines file, one per line."""
    source = str(path)
    for number, raw in iter_lines(path):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError) as e:
            yield Skipped(source, number, f"bad JSON: {getattr(e, 'msg', None) or type(e).__name__}")
            continue
        yield _paper(source, number, obj)


def _paper(source: str, line: int, obj: object) -> Record | Skipped:
    if not isinstance(obj, dict):
        return Skipped(source, line, f"not a JSON object but {type(obj).__name__}")
    external = obj.get("externalids") or obj.get("externalIds") or {}
    if not isinstance(external, dict):
        return Skipped(source, line, "externalids must be an object")
    corpus = obj.get("corpusid", obj.get("corpusId", external.get("CorpusId")))
    identifiers = ids.unique(
        ids.s2_corpus_id(corpus),
        ids.s2_id(obj.get("paperId")),
        ids.arxiv_id(external.get("ArXiv")),
        ids.doi(external.get("DOI")),
    )
    if not identifiers:
        return Skipped(source, line, "no corpusid, paperId or external id")
    raw_authors = obj.get("authors") or []
    if not isinstance(raw_authors, list):
        return Skipped(source, line, "'authors' must be a list")
    names = [a.get("name") if isinstance(a, dict) else None for a in raw_authors]
    return make_record(
        source,
        line,
        title=obj.get("title"),
        abstract=obj.get("abstract"),
        url=obj.get("url"),
        authors=authors(names),
        identifiers=identifiers,
        published=obj.get("publicationdate") or obj.get("publicationDate") or obj.get("year"),
    )
