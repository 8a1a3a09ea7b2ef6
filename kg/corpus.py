"""Read paper listings -> deduplicated :class:`~kg.model.Paper` records (the first pipeline stage).

Each file's format is chosen from its content, then its extension (:func:`kg.sources.sniff.detect`).
This module reads our own three formats below; the paper sources people already have (arXiv Atom and
OAI-PMH, Hugging Face papers JSON, OpenAlex, Semantic Scholar, CSL-JSON, BibTeX, RIS) are read by
:mod:`kg.sources`, and :data:`READERS` maps every format name to its reader.

``.txt``
    A Hugging Face "Daily Papers" page dump: non-empty lines separated by blank lines. Optional header lines
    (``new``, ``Subscribe``, ``Daily Papers``, ...), then a listing date line such as ``Sep 9`` (month and
    day, no year), then title line / abstract line pairs. A date line may recur to start a new date section;
    every listing keeps the date of its section.
``.jsonl``
    One JSON object per line with ``abstract`` (required) and optional ``id``, ``title``, ``date`` and
    ``url``; other keys are ignored, blank lines too. A record without a title is abstract-only.
``.csv``
    A header row naming the same columns (any order, any case; extra columns ignored), then one record per
    row; quoted fields may span lines. Parsing is strict: a quote that is never closed, or text after a
    closing quote, makes its record malformed (reported at the record's first line), and reading resumes
    at the next line, so one broken quote costs one record, not the rest of the file.

Every file must be UTF-8 (a byte order mark is accepted, so are CRLF line endings). A file that cannot be
read as a whole (missing, not a regular file, such as a FIFO or a device, empty, binary, not UTF-8,
of no known format, a CSV without an ``abstract`` column), and a directory that cannot be listed, raise
:class:`~kg.errors.InputError`. A malformed record (bad JSON, a missing abstract, a field of
the wrong type, a dump title without its abstract) is skipped with a warning, or raises under
``strict=True``.

Records are deduplicated across files and formats: two records are one paper when they share an
identifier (input ``id``, arXiv id, DOI, OpenAlex or Semantic Scholar id, normalized by
:mod:`kg.sources.ids`), else when their normalized titles (:func:`title_key`; abstracts, for records
without a title) are equal and their identifiers do not contradict (two different DOIs). A paper keeps
the first non-empty value of each field, every identifier, and one :class:`~kg.model.Listing` per
record it came from. A paper that no source gives an abstract is reported and skipped.

Not supported: other encodings, old Mac (CR-only) line endings, our fields in ``.json`` arrays, compressed
files, fuzzy matching of near-identical titles, and recovery from a broken CSV quote that pairs with a later
quoted field starting with a comma (the lines in between then read as one record).

Examples
--------
>>> import json, tempfile
>>> from pathlib import Path
>>> d = Path(tempfile.mkdtemp())
>>> rows = [{"id": "2401.1", "title": "LoRA", "abstract": "We adapt.", "date": "Jan 2"},
...         {"id": "2401.1", "title": "LoRA (v2)", "abstract": "We adapt more."},
...         {"abstract": "A record without a title."}]
>>> _ = (d / "papers.jsonl").write_text("\\n".join(json.dumps(r) for r in rows))
>>> corpus = read_corpus([d])
>>> corpus.records_read, len(corpus.papers), corpus.duplicates_merged
(3, 2, 1)
>>> lora = next(p for p in corpus.papers if p.key == "2401.1")
>>> lora.title, [(li.line, li.date) for li in lora.listings]
('LoRA', [(1, 'Jan 2'), (2, None)])
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import os
import re
import string
import unicodedata
import warnings
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from kg.errors import InputError
from kg.model import Listing, Paper
from kg.sources import arxiv, bibtex, csl, huggingface, ids, openalex, ris, semanticscholar, sniff
from kg.sources.base import Record, Skipped
from kg.sources.base import check_regular as _check_regular
from kg.sources.base import clean as _clean
from kg.sources.base import has_surrogate as _has_surrogate
from kg.sources.base import iter_lines as _lines

#: extensions a directory walk picks up; a file named explicitly is read whatever its name
EXTENSIONS = sniff.EXTENSIONS

_HEADER_LINES = frozenset(
    {
        "new",
        "Get trending papers in your email inbox!",
        "Subscribe",
        "Daily Papers",
        "byAK and the research community",
    }
)
_MONTHS = (
    "Jan|January|Feb|February|Mar|March|Apr|April|May|Jun|June|Jul|July|Aug|August"
    "|Sep|Sept|September|Oct|October|Nov|November|Dec|December"
)
_DATE_LINE = re.compile(rf"(?:{_MONTHS})\.?\s+\d{{1,2}}(?:,?\s+\d{{4}})?")
_FIELDS = ("id", "title", "abstract", "date", "url")
_ASCII_PUNCT = str.maketrans(string.punctuation, " " * len(string.punctuation))


@dataclass(frozen=True)
class Corpus:
    """The deduplicated papers of one or more inputs, with what reading them did.

    ``papers`` are sorted by key; ``records_read`` counts well-formed records (skipped ones are in
    ``skipped``), so ``duplicates_merged == records_read - len(papers)``; ``files`` are the files read,
    in reading order, and ``formats`` the format of each (a key of :data:`READERS`);
    ``merged_across_formats`` counts papers assembled from records of two or more formats.
    """

    papers: tuple[Paper, ...]
    records_read: int
    duplicates_merged: int
    skipped: tuple[Skipped, ...]
    files: tuple[str, ...]
    formats: tuple[str, ...] = ()
    merged_across_formats: int = 0

    def summary(self) -> str:
        """What reading found, for ``kg build --dry-run``: files per format, records, papers, duplicates."""
        per_format = Counter(self.formats)
        lines = [
            f"{len(self.files)} input file(s): "
            + ", ".join(f"{n} {READERS[f][0]}" for f, n in sorted(per_format.items()))
        ]
        lines += [f"  {path}  [{READERS[fmt][0]}]" for path, fmt in zip(self.files, self.formats, strict=True)]
        lines.append(
            f"records read: {self.records_read}  distinct papers: {len(self.papers)}  duplicates merged: "
            f"{self.duplicates_merged} ({self.merged_across_formats} papers from two or more formats)  "
            f"records skipped: {len(self.skipped)}"
        )
        return "\n".join(lines)


def default_corpus_dir() -> Path:
    """The bundled corpus: ``data/daily_papers`` beside the ``kg`` package.

    Examples
    --------
    >>> default_corpus_dir().parts[-2:]
    ('data', 'daily_papers')
    """
    return Path(str(resources.files("kg") / "data" / "daily_papers"))


def title_key(text: str) -> str:
    """Normalized identity key of a title (or abstract): NFKC, case-folded, punctuation dropped,
    whitespace collapsed. Unlike :func:`kg.extract.normalize.label_key` it keeps plurals, so titles that differ
    by one word's number stay distinct papers.

    Examples
    --------
    >>> title_key("  LoRA:  Low-Rank   Adaptation ")
    'lora low rank adaptation'
    >>> title_key("ＬｏＲＡ — low‐rank adaptation!") == title_key("LoRA: Low-Rank Adaptation")
    True
    >>> title_key("Transformers for C++") == title_key("Transformer for C")
    False
    """
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    if text.isascii():
        text = text.translate(_ASCII_PUNCT)
    else:
        text = "".join(" " if unicodedata.category(ch)[0] == "P" else ch for ch in text)
    return " ".join(text.split())


def paper_key(record: Record) -> str:
    """The stable key of the paper a record (or a merged record) belongs to: its input id, else its arXiv
    id, DOI, OpenAlex or Semantic Scholar id, else ``t-`` and 12 hex digits of the SHA-1 of its
    normalized title (of its abstract when it has no title).

    Examples
    --------
    >>> paper_key(Record("a.jsonl", 1, "LoRA", "We adapt.", identifier="2401.1"))
    '2401.1'
    >>> paper_key(Record("a.txt", 9, "LoRA!", "x")) == paper_key(Record("b.csv", 2, "lora", "y"))
    True
    >>> paper_key(Record("a.bib", 3, "LoRA", "", identifiers=("arXiv:2106.09685", "doi:10.1/x")))
    '2106.09685'
    """
    if record.identifier is not None:
        return record.identifier
    for scheme in ids.SCHEMES:
        found = sorted(i for i in record.identifiers if ids.scheme(i) == scheme)
        if found:
            return found[0].removeprefix("arXiv:")
    text = title_key(record.title) or title_key(record.abstract) or record.title or record.abstract
    return "t-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


#: format name -> (what it is, reader); the three formats of this module first
READERS: dict[str, tuple[str, Callable[[Path], Iterator[Record | Skipped]]]] = {}


def read_corpus(
    paths: Sequence[str | os.PathLike],
    *,
    strict: bool = False,
    on_warning: Callable[[str], None] | None = None,
) -> Corpus:
    """Read every input under ``paths`` into one deduplicated corpus.

    Parameters
    ----------
    paths
        Files and directories, walked recursively in sorted order for files with one of the :data:`EXTENSIONS`
        (hidden entries ignored; unknown content skipped with a warning); a file named explicitly may have
        any name. The format comes from the content (:func:`kg.sources.sniff.detect`); a file is read once.
    strict
        Raise :class:`~kg.errors.InputError` at the first malformed record instead of skipping it.
    on_warning
        Called with ``"{path}:{line}: {reason}; record skipped"`` for each skipped record; by default the
        message is issued with :func:`warnings.warn`.

    Returns
    -------
    Corpus
        Papers sorted by key, each with a listing per record in input order.

    Raises
    ------
    InputError
        A path is missing or unreadable, a file is not a regular file (a FIFO, a device), empty, binary,
        not UTF-8 or of no known format, a directory cannot be listed or holds no input files, or (with
        ``strict``) a record is malformed.

    Examples
    --------
    >>> corpus = read_corpus([default_corpus_dir()])
    >>> corpus.records_read, len(corpus.papers), corpus.duplicates_merged, len(corpus.skipped)
    (437, 394, 43, 0)
    >>> corpus.papers == tuple(sorted(corpus.papers, key=lambda p: p.key))
    True
    """
    if isinstance(paths, (str, bytes, os.PathLike)):
        raise TypeError(f"paths must be a sequence of paths, got a single path {paths!r}; wrap it in a list")
    if not paths:
        raise ValueError("paths is empty: give at least one input file or directory")
    warn = on_warning if on_warning is not None else _warn
    files = _input_files([Path(p) for p in paths], warn)

    skipped: list[Skipped] = []
    skip = functools.partial(_skip_record, strict, warn, skipped)
    papers, records_read, across = _assemble(_read_all(files, skip), skip)
    return Corpus(
        papers=tuple(sorted(papers, key=lambda p: p.key)),
        records_read=records_read,
        duplicates_merged=records_read - len(papers),
        skipped=tuple(skipped),
        files=tuple(str(p) for p, _ in files),
        formats=tuple(fmt for _, fmt in files),
        merged_across_formats=across,
    )


def _skip_record(strict: bool, warn: Callable[[str], None], skipped: list[Skipped], item: Skipped) -> None:
    """Report a malformed record and keep it in ``skipped``; under ``strict`` it is an error instead."""
    if strict:
        raise InputError(item.path, item.reason, line=item.line)
    warn(f"{item.path}:{item.line}: {item.reason}; record skipped")
    skipped.append(item)


def _read_all(files: Sequence[tuple[Path, str]], skip: Callable[[Skipped], None]) -> _Merger:
    """Every record of ``files`` in a merger; malformed ones go to ``skip``."""
    merger = _Merger()
    for path, fmt in files:
        for item in READERS[fmt][1](path):
            if isinstance(item, Skipped):
                skip(item)
            else:
                merger.add(item, fmt)
    return merger


def _assemble(merger: _Merger, skip: Callable[[Skipped], None]) -> tuple[list[Paper], int, int]:
    """One paper per merged group with an abstract somewhere; returns (papers, records read, groups across formats)."""
    papers: list[Paper] = []
    records_read = across = 0
    for group in merger.groups():
        if not any(r.abstract for r in group):
            for r in group:
                skip(Skipped(r.source, r.line, "no abstract, in this record or another source of the same paper"))
            continue
        papers.append(_paper(group))
        records_read += len(group)
        across += len({merger.formats[id(r)] for r in group}) > 1
    return _unique_keys(papers), records_read, across


def iter_records(path: str | os.PathLike) -> Iterator[Record | Skipped]:
    """Stream the records of one input file, in file order, choosing the parser by content and extension.

    Malformed records come out as :class:`Skipped`; file-level problems raise
    :class:`~kg.errors.InputError` (possibly after earlier records were yielded).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> f = Path(tempfile.mkdtemp()) / "dump.txt"
    >>> _ = f.write_text("Daily Papers\\n\\nSep 9\\n\\nLoRA\\n\\nWe adapt.\\n\\nAn orphan title\\n")
    >>> for item in iter_records(f):
    ...     print(item.line, getattr(item, "reason", None) or (item.date, item.title))
    5 ('Sep 9', 'LoRA')
    9 title without an abstract
    """
    path = Path(path)
    yield from READERS[_format(path)][1](path)


# --- inputs -------------------------------------------------------------------------------------------


def _warn(message: str) -> None:
    warnings.warn(message, stacklevel=3)


def _format(path: Path) -> str:
    fmt = sniff.detect(path)
    if fmt is None:
        raise InputError(
            path,
            "unknown input format: not a daily-papers dump, JSONL, CSV, arXiv Atom or OAI-PMH, "
            "Hugging Face, OpenAlex, Semantic Scholar, CSL-JSON, BibTeX or RIS file",
        )
    return fmt


def _input_files(paths: list[Path], warn: Callable[[str], None]) -> list[tuple[Path, str]]:
    """Expand directories, check every path up front and find its format, drop files reached twice."""
    files: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            found = []
            for f in _walk(path):
                fmt = sniff.detect(f)
                if fmt is None:
                    warn(f"{f}: not a known input format; file skipped")
                else:
                    found.append((f, fmt))
            if not found:
                raise InputError(path, "directory holds no input files (" + ", ".join(EXTENSIONS) + ")")
            files.extend(found)
        elif path.exists():
            _check_regular(path, os.stat(path).st_mode)  # before sniffing: opening a FIFO could block
            files.append((path, _format(path)))
        else:
            raise InputError(path, "no such file or directory")
    seen: set[Path] = set()
    unique = []
    for f, fmt in files:
        real = f.resolve()
        if real not in seen:
            seen.add(real)
            unique.append((f, fmt))
    return unique


def _walk(root: Path) -> list[Path]:
    """The input files under ``root``; a directory that cannot be listed is an error, not a silent gap."""
    found = []
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        found.extend(
            Path(dirpath, f) for f in filenames if not f.startswith(".") and Path(f).suffix.lower() in EXTENSIONS
        )
    if errors:
        e = errors[0]
        raise InputError(e.filename or root, f"cannot read directory: {e.strerror or e}")
    for path in found:
        try:
            _check_regular(path, os.stat(path).st_mode)
        except OSError as e:
            raise InputError(path, f"cannot read: {e.strerror or e}") from None
    return sorted(found, key=lambda p: p.relative_to(root).parts)


# --- deduplication across records and sources ---------------------------------------------------------


class _Merger:
    """Groups records that describe one paper, in reading order.

    Two records are one paper when they share an identifier (an input ``id``, arXiv id, DOI, OpenAlex
    or Semantic Scholar id), else when their normalized titles (abstracts, for records without a title)
    are equal and their identifiers do not contradict (two different DOIs are two papers). A record
    whose identifiers join two groups merges them.
    """

    def __init__(self) -> None:
        self._groups: list[list[Record] | None] = []
        self._ids: list[set[str]] = []
        self._by_id: dict[str, int] = {}
        self._by_text: dict[str, list[int]] = {}
        self.formats: dict[int, str] = {}  # id(record) -> its file's format
        self._order: dict[int, int] = {}

    def add(self, record: Record, fmt: str) -> None:
        self.formats[id(record)] = fmt
        self._order[id(record)] = len(self._order)
        strong = _match_ids(record)
        hits = sorted({self._by_id[i] for i in strong if i in self._by_id})
        text = _text_key(record)
        if not hits:
            hits = [g for g in self._by_text.get(text, ()) if not _contradict(self._ids[g], strong)][:1]
        if not hits:
            self._groups.append([])
            self._ids.append(set())
            hits = [len(self._groups) - 1]
        target = hits[0]
        for other in hits[1:]:
            self._move(other, target)
        self._groups[target].append(record)  # type: ignore[union-attr]
        self._ids[target] |= strong
        for i in strong:
            self._by_id[i] = target
        if target not in self._by_text.setdefault(text, []):
            self._by_text[text].append(target)

    def _move(self, source: int, target: int) -> None:
        self._groups[target].extend(self._groups[source])  # type: ignore[union-attr, arg-type]
        self._groups[target].sort(key=lambda r: self._order[id(r)])  # type: ignore[union-attr]
        self._groups[source] = None
        self._ids[target] |= self._ids[source]
        for i in self._ids[source]:
            self._by_id[i] = target
        for members in self._by_text.values():
            if source in members:
                members[members.index(source)] = target
                members[:] = list(dict.fromkeys(members))

    def groups(self) -> list[list[Record]]:
        return [g for g in self._groups if g is not None]


def _match_ids(record: Record) -> set[str]:
    """The identifiers a record is matched by: its normalized ids and its input id (as ``id:...``, and as
    an arXiv id or DOI when it is one)."""
    out = set(record.identifiers)
    if record.identifier is not None:
        out.add("id:" + record.identifier)
        out.update(i for i in (ids.arxiv_id(record.identifier), ids.doi(record.identifier)) if i)
    return out


def _contradict(a: set[str], b: set[str]) -> bool:
    """Whether two id sets name different papers: some scheme has values in both and none in common."""
    schemes = {ids.scheme(i) for i in a} & {ids.scheme(i) for i in b}
    return any(not {i for i in a if ids.scheme(i) == s} & {i for i in b if ids.scheme(i) == s} for s in schemes)


def _text_key(record: Record) -> str:
    return title_key(record.title) or title_key(record.abstract) or record.title or record.abstract


def _paper(group: list[Record]) -> Paper:
    """One paper from its records: the first non-empty value of each field, every identifier, a listing
    per record."""

    def first(values):  # noqa: ANN001, ANN202
        return next((v for v in values if v), None)

    identifiers = tuple(sorted({i for r in group for i in r.identifiers}))
    merged = Record(
        source=group[0].source,
        line=group[0].line,
        title=first(r.title for r in group) or "",
        abstract=first(r.abstract for r in group) or "",
        identifier=first(r.identifier for r in group),
        url=first(r.url for r in group),
        authors=first(r.authors for r in group) or (),
        identifiers=identifiers,
        published=first(r.published for r in group),
    )
    return Paper(
        key=paper_key(merged),
        title=merged.title,
        abstract=merged.abstract,
        identifier=merged.identifier,
        url=merged.url,
        listings=tuple(Listing(r.source, r.line, r.date) for r in group),
        authors=merged.authors,
        identifiers=identifiers,
        published=merged.published,
    )


def _unique_keys(papers: list[Paper]) -> list[Paper]:
    """Papers whose keys collide (two papers with one title but different DOIs) get ``~2``, ``~3`` ..."""
    seen: Counter[str] = Counter()
    out = []
    for p in papers:
        seen[p.key] += 1
        out.append(p if seen[p.key] == 1 else replace(p, key=f"{p.key}~{seen[p.key]}"))
    return out


def _record(source: str, line: int, fields: dict[str, object]) -> Record | Skipped:
    """Validate the raw fields of one record (strings, or None where absent)."""
    values: dict[str, str | None] = {}
    for name in _FIELDS:
        value = fields.get(name)
        if name == "id" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is not None and not isinstance(value, str):
            return Skipped(source, line, f"{name!r} must be a string, got {type(value).__name__}")
        if value is not None and _has_surrogate(value):
            return Skipped(source, line, f"{name!r} holds a lone surrogate, not valid Unicode text")
        values[name] = _clean(value)
    if values["abstract"] is None:
        reason = "missing abstract" if fields.get("abstract") is None else "empty abstract"
        return Skipped(source, line, reason)
    return Record(
        source=source,
        line=line,
        title=" ".join((values["title"] or "").split()),
        abstract=values["abstract"],
        identifier=values["id"],
        url=values["url"],
        date=values["date"],
    )


# --- the three formats ------------------------------------------------------------------------------


def _read_dump(path: Path) -> Iterator[Record | Skipped]:
    source = str(path)
    date: str | None = None
    title: tuple[int, str] | None = None  # (line, text) waiting for its abstract
    listings = 0
    for number, raw in _lines(path):
        text = raw.strip()
        if not text:
            continue
        is_date = _DATE_LINE.fullmatch(text) is not None
        if title is None:
            if text in _HEADER_LINES:
                continue
            if is_date:
                date = " ".join(text.split())
                continue
            title = (number, text)
        elif is_date:
            # a new date section began before this title got its abstract
            yield Skipped(source, title[0], "title without an abstract")
            title, date = None, " ".join(text.split())
            listings += 1
        else:
            yield _record(source, title[0], {"title": title[1], "abstract": text, "date": date})
            title = None
            listings += 1
    if title is not None:
        yield Skipped(source, title[0], "title without an abstract")
        listings += 1
    if not listings:
        raise InputError(path, "no paper listings, only header and date lines")


def _read_jsonl(path: Path) -> Iterator[Record | Skipped]:
    source = str(path)
    for number, raw in _lines(path):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError) as e:
            if isinstance(e, json.JSONDecodeError):
                reason = f"{e.msg} at column {e.colno}"  # the line is the record's
            else:
                reason = str(e) or type(e).__name__
            yield Skipped(source, number, f"bad JSON: {reason}")
            continue
        if not isinstance(obj, dict):
            yield Skipped(source, number, f"not a JSON object but {type(obj).__name__}")
            continue
        yield _record(source, number, obj)


class _RewindableLines:
    """The decoded lines of a file, fed to :class:`csv.reader`, that can hand out again the lines of the
    record being parsed: after a broken record the parse resumes at the line after the record's first."""

    def __init__(self, lines: Iterator[tuple[int, str]]):
        self._source = lines
        self._pending: deque[tuple[int, str]] = deque()
        self.record: list[tuple[int, str]] = []  # (number, text) of the lines of the current record
        self.last = 0  # number of the last line handed out

    def __iter__(self) -> _RewindableLines:
        return self

    def __next__(self) -> str:
        number, text = self._pending.popleft() if self._pending else next(self._source)
        self.record.append((number, text))
        self.last = number
        return text

    def start(self) -> int:
        """Begin a new record; returns the number its first line will have."""
        self.record = []
        return self._pending[0][0] if self._pending else self.last + 1

    def rewind(self) -> None:
        """Hand out the current record's lines again, all but the first."""
        self._pending.extendleft(reversed(self.record[1:]))
        self.record = []


def _read_csv(path: Path) -> Iterator[Record | Skipped]:
    # strict=True: a stray quote is an error, not a field that swallows the rest of the file; the parse
    # then resumes at the line after the broken record's first, so one bad quote costs one record
    source = str(path)
    lines = _RewindableLines(_lines(path))
    reader = csv.reader(lines, strict=True)
    columns: dict[str, int] | None = None
    rows = 0
    while True:
        start = lines.start()
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            reason = _csv_error(e, start, lines.last)
            if columns is None:
                raise InputError(path, f"bad CSV header row: {reason}", line=start) from None
            rows += 1
            yield Skipped(source, start, f"bad CSV: {reason}")
            lines.rewind()
            reader = csv.reader(lines, strict=True)
            continue
        if not any(cell.strip() for cell in row):
            continue
        if columns is None:
            columns = {}
            for i, name in enumerate(row):
                columns.setdefault(name.strip().casefold(), i)
            if "abstract" not in columns:
                raise InputError(path, "no 'abstract' column in the header row", line=start)
            continue
        rows += 1
        yield _record(
            source, start, {name: row[i] if i < len(row) else None for name, i in columns.items() if name in _FIELDS}
        )
    if columns is None:
        raise InputError(path, "no header row")
    if not rows:
        raise InputError(path, "no records after the header row")


def _csv_error(error: csv.Error, start: int, last: int) -> str:
    """What went wrong in a record that began on line ``start`` and failed on line ``last``."""
    if str(error) == "unexpected end of data":
        return "unterminated quoted field: its quote is never closed before the end of the file"
    if last != start:
        return f"{error} on line {last}; a quote opened in this record may be unterminated"
    return str(error)


READERS.update(
    {
        "daily-papers": ("daily-papers dump", _read_dump),
        "jsonl": ("JSON lines", _read_jsonl),
        "csv": ("CSV", _read_csv),
        "arxiv-atom": ("arXiv Atom feed", arxiv.read_atom),
        "oai-pmh": ("OAI-PMH response", arxiv.read_oai_pmh),
        "huggingface": ("Hugging Face papers JSON", huggingface.read),
        "openalex": ("OpenAlex JSON lines", openalex.read_jsonl),
        "openalex-json": ("OpenAlex API JSON", openalex.read_json),
        "semantic-scholar": ("Semantic Scholar JSON lines", semanticscholar.read),
        "csl-json": ("CSL-JSON", csl.read),
        "bibtex": ("BibTeX", bibtex.read),
        "ris": ("RIS", ris.read),
    }
)
