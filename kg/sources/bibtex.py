"""BibTeX (and BibLaTeX) files, as Zotero, Mendeley and Google Scholar export them; parsed by bibtexparser 2.

Each entry gives ``title``, ``abstract``, ``author`` (``Last, First and ...``), ``year``/``month`` or
``date``, ``doi``, ``url`` and, for arXiv preprints, ``eprint`` with ``archivePrefix = {arXiv}`` (or
a ``journal = {arXiv preprint arXiv:...}``). LaTeX accents and braces are decoded (``{\\"o}`` -> ``ö``).
``@string`` macros are resolved; ``@comment`` and ``@preamble`` blocks are ignored. A block that does
not parse (an unclosed brace or quote, a duplicate key) is reported as ``file:line`` where it starts,
and skipped; bibtexparser resumes at the next ``@``.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> f = Path(tempfile.mkdtemp()) / "lib.bib"
>>> _ = f.write_text('''@article{hu2021,
...   title = {{LoRA}: Low-Rank Adaptation},
...   author = {Hu, Edward J. and Shen, Yelong},
...   year = 2021, eprint = {2106.09685}, archivePrefix = {arXiv},
...   abstract = {We adapt.}}
... ''')
>>> r = next(read(f))
>>> r.title, r.authors, r.identifiers, r.published
('LoRA: Low-Rank Adaptation', ('Edward J. Hu', 'Yelong Shen'), ('arXiv:2106.09685',), '2021')
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from kg.sources import ids
from kg.sources.base import Record, Skipped, authors, iso_date, make_record, read_text

_MONTHS = {
    m: i
    for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}


def read(path: Path) -> Iterator[Record | Skipped]:
    """Records of a BibTeX file, one per entry, in file order; failed blocks as :class:`Skipped`."""
    import bibtexparser
    from bibtexparser import middlewares

    text = read_text(path)
    logger = logging.getLogger("bibtexparser")
    level, logger.level = logger.level, logging.CRITICAL  # failed blocks are reported below, with their line
    try:
        library = bibtexparser.parse_string(
            text, append_middleware=[middlewares.LatexDecodingMiddleware(), middlewares.SeparateCoAuthors()]
        )
    finally:
        logger.setLevel(level)
    source = str(path)
    items: list[tuple[int, Record | Skipped]] = []
    for block in library.failed_blocks:
        first = block.raw.strip().splitlines()[0] if block.raw.strip() else ""
        items.append((block.start_line + 1, Skipped(source, block.start_line + 1, _failure(block, first))))
    for entry in library.entries:
        items.append((entry.start_line + 1, _entry(source, entry.start_line + 1, entry)))
    if not items:
        from kg.errors import InputError

        raise InputError(path, "no BibTeX entries (@article{...}, @misc{...}, ...)")
    for _, item in sorted(items, key=lambda pair: pair[0]):
        yield item


def _failure(block, first_line: str) -> str:  # noqa: ANN001 (a bibtexparser block)
    kind = type(block).__name__
    if kind == "DuplicateBlockKeyBlock":
        return f"duplicate entry key {block.key!r}"
    if kind == "DuplicateFieldKeyBlock":
        return f"entry {block.key!r} has a field twice ({', '.join(sorted(block.duplicate_keys))})"
    return f"malformed BibTeX entry (an unclosed brace or quote?): {first_line[:60]}"


def _field(entry, name: str) -> object:  # noqa: ANN001
    field = entry.fields_dict.get(name) or next((f for k, f in entry.fields_dict.items() if k.lower() == name), None)
    return None if field is None else field.value


def _entry(source: str, line: int, entry) -> Record | Skipped:  # noqa: ANN001 (a bibtexparser Entry)
    names = _field(entry, "author") or []
    if isinstance(names, str):
        names = [names]
    eprint, prefix = _field(entry, "eprint"), _field(entry, "archiveprefix") or _field(entry, "eprinttype")
    arxiv = None
    if isinstance(eprint, str) and (not isinstance(prefix, str) or prefix.strip().lower() == "arxiv"):
        arxiv = ids.arxiv_id(eprint)
    for other in (_field(entry, "journal"), _field(entry, "url")):
        if arxiv is None and isinstance(other, str) and "arxiv" in other.lower():
            arxiv = ids.arxiv_id(other.rsplit(" ", 1)[-1])
    return make_record(
        source,
        line,
        title=_field(entry, "title"),
        abstract=_field(entry, "abstract"),
        url=_field(entry, "url"),
        authors=authors(names),
        identifiers=ids.unique(ids.doi(_field(entry, "doi")), arxiv),
        published=_published(entry),
    )


def _published(entry) -> str | None:  # noqa: ANN001
    date = iso_date(_field(entry, "date"))
    if date is not None:
        return date
    year, month = _field(entry, "year"), _field(entry, "month")
    if not isinstance(year, str) or iso_date(year) is None:
        return None
    if isinstance(month, str):
        m = _MONTHS.get(month.strip().lower()[:3]) or (int(month) if month.strip().isdigit() else None)
        if m and 1 <= m <= 12:
            return f"{year.strip()}-{m:02d}"
    return iso_date(year)
