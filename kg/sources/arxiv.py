"""arXiv harvests: the arXiv API's Atom feed and OAI-PMH responses in the ``arXiv`` and ``oai_dc`` formats.

The Atom feed (``export.arxiv.org/api/query``) has one ``<entry>`` per paper: ``<id>`` (the abs URL),
``<title>``, ``<summary>`` (the abstract), ``<author><name>``, ``<published>``, ``<arxiv:doi>``. An OAI-PMH
``ListRecords`` (or ``GetRecord``) response has one ``<record>`` per paper; its metadata is either
arXiv's own format (``<id>``, ``<title>``, ``<abstract>``, ``<authors><author><keyname>/<forenames>``,
``<created>``, ``<doi>``) or Dublin Core (``dc:title``, ``dc:creator``, the first ``dc:description``
that is not a ``Comment:``, ``dc:date``, ``dc:identifier``). Deleted records carry no metadata and are
passed over. An API error entry, or a record without metadata or without a title and abstract, is
reported as ``file:line`` and skipped. XML is parsed by :mod:`kg.sources.safe_xml` (no DTDs, so no
entity expansion and no external fetches).

Not supported: OAI-PMH ``arXivRaw`` and other metadata formats, resumption (harvest each page to its
own file), compressed files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

from kg.errors import InputError
from kg.sources import ids
from kg.sources.base import Record, Skipped, authors, make_record, one_line, open_regular
from kg.sources.safe_xml import parse

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV_ATOM = "{http://arxiv.org/schemas/atom}"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
ARXIV_OAI = "{http://arxiv.org/OAI/arXiv/}"
OAI_DC = "{http://www.openarchives.org/OAI/2.0/oai_dc/}"
DC = "{http://purl.org/dc/elements/1.1/}"


def read_atom(path: Path) -> Iterator[Record | Skipped]:
    """Records of an arXiv API Atom feed, one per ``<entry>``."""
    root, lines = _parse(path)
    if root.tag != f"{ATOM}feed":
        raise InputError(path, f"not an Atom feed: the root element is <{_local(root.tag)}>", line=1)
    for entry in root.iter(f"{ATOM}entry"):
        yield _atom_entry(str(path), lines.get(entry, 1), entry)


def read_oai_pmh(path: Path) -> Iterator[Record | Skipped]:
    """Records of an OAI-PMH response, one per ``<record>`` that is not deleted."""
    root, lines = _parse(path)
    if root.tag != f"{OAI}OAI-PMH":
        raise InputError(path, f"not an OAI-PMH response: the root element is <{_local(root.tag)}>", line=1)
    error = root.find(f"{OAI}error")
    if error is not None:
        raise InputError(path, f"OAI-PMH error {error.get('code')}: {one_line(error.text)}", line=lines.get(error))
    for record in root.iter(f"{OAI}record"):
        header = record.find(f"{OAI}header")
        if header is not None and header.get("status") == "deleted":
            continue
        yield _oai_record(str(path), lines.get(record, 1), record)


def _parse(path: Path) -> tuple[Element, dict[Element, int]]:
    with open_regular(path) as f:
        data = f.read()
    if not data.strip():
        raise InputError(path, "empty file")
    return parse(data, path)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(element: Element, tag: str) -> str | None:
    found = element.find(tag)
    return None if found is None or found.text is None else found.text


def _atom_entry(source: str, line: int, entry: Element) -> Record | Skipped:
    abs_url = _text(entry, f"{ATOM}id")
    if abs_url and "/api/errors" in abs_url:
        return Skipped(source, line, f"arXiv API error: {one_line(_text(entry, f'{ATOM}summary'))}")
    arxiv = ids.arxiv_id(abs_url)
    if arxiv is None:
        return Skipped(source, line, f"entry <id> is not an arXiv abs URL: {abs_url!r}")
    summary = _text(entry, f"{ATOM}summary")
    if summary is None or not summary.strip():
        return Skipped(source, line, f"entry {arxiv} has no <summary> (abstract)")
    names = [n.text or "" for n in entry.findall(f"{ATOM}author/{ATOM}name")]
    return make_record(
        source,
        line,
        title=_text(entry, f"{ATOM}title"),
        abstract=summary,
        url=f"https://arxiv.org/abs/{arxiv.removeprefix('arXiv:')}",
        date=None,
        authors=authors(names),
        identifiers=ids.unique(arxiv, ids.doi(_text(entry, f"{ARXIV_ATOM}doi"))),
        published=_text(entry, f"{ATOM}published"),
    )


def _oai_record(source: str, line: int, record: Element) -> Record | Skipped:
    metadata = record.find(f"{OAI}metadata")
    if metadata is None or len(metadata) == 0:
        return Skipped(source, line, "record without <metadata>")
    body = metadata[0]
    if body.tag == f"{ARXIV_OAI}arXiv":
        return _arxiv_format(source, line, body)
    if body.tag == f"{OAI_DC}dc":
        return _dublin_core(source, line, body, record)
    return Skipped(source, line, f"metadata format <{_local(body.tag)}> is not arXiv or oai_dc")


def _arxiv_format(source: str, line: int, body: Element) -> Record | Skipped:
    arxiv = ids.arxiv_id(_text(body, f"{ARXIV_OAI}id"))
    if arxiv is None:
        return Skipped(source, line, f"record <id> is not an arXiv id: {_text(body, f'{ARXIV_OAI}id')!r}")
    names = []
    for author in body.findall(f"{ARXIV_OAI}authors/{ARXIV_OAI}author"):
        parts = [_text(author, f"{ARXIV_OAI}{p}") for p in ("forenames", "keyname", "suffix")]
        names.append(" ".join(p.strip() for p in parts if p and p.strip()))
    return make_record(
        source,
        line,
        title=_text(body, f"{ARXIV_OAI}title"),
        abstract=_text(body, f"{ARXIV_OAI}abstract"),
        url=f"https://arxiv.org/abs/{arxiv.removeprefix('arXiv:')}",
        authors=authors(names),
        identifiers=ids.unique(arxiv, ids.doi(_text(body, f"{ARXIV_OAI}doi"))),
        published=_text(body, f"{ARXIV_OAI}created"),
    )


def _dublin_core(source: str, line: int, body: Element, record: Element) -> Record | Skipped:
    identifiers = [e.text or "" for e in body.findall(f"{DC}identifier")]
    header_id = _text(record, f"{OAI}header/{OAI}identifier")
    arxiv = next((a for a in map(ids.arxiv_id, [*identifiers, header_id]) if a), None)
    dois = [ids.doi(i) for i in identifiers]
    descriptions = [e.text or "" for e in body.findall(f"{DC}description")]
    abstract = next((d for d in descriptions if d.strip() and not d.strip().startswith("Comment:")), None)
    url = next((i.strip() for i in identifiers if i.strip().startswith(("http://", "https://"))), None)
    dates = [e.text for e in body.findall(f"{DC}date") if e.text]
    return make_record(
        source,
        line,
        title=_text(body, f"{DC}title"),
        abstract=abstract,
        url=url,
        authors=authors([e.text or "" for e in body.findall(f"{DC}creator")]),
        identifiers=ids.unique(arxiv, *dois),
        published=min(dates) if dates else None,
    )
