"""Read paper listings -> deduplicated :class:`~kg.model.Paper` records (the first pipeline stage).

Three input formats, chosen by file extension:

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
unknown extension, a CSV without an ``abstract`` column), and a directory that cannot be listed, raise
:class:`~kg.errors.InputError`. A malformed record (bad JSON, a missing abstract, a field of
the wrong type, a dump title without its abstract) is skipped with a warning, or raises under
``strict=True``.

Records are deduplicated by their input ``id``, else by their normalized title (:func:`title_key`), else,
for abstract-only records, by their normalized abstract. A paper keeps the first-seen value of each field
and one :class:`~kg.model.Listing` per record it came from.

Not supported: other encodings, old Mac (CR-only) line endings, ``.json`` arrays, compressed files,
fuzzy matching of near-identical titles, and recovery from a broken CSV quote that pairs with a later
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
import hashlib
import json
import os
import re
import stat
import string
import unicodedata
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.model import Listing, Paper

#: input file extensions and the format each one selects
FORMATS = {".txt": "daily-papers dump", ".jsonl": "JSON lines", ".csv": "CSV"}

_HEADER_LINES = frozenset({
    "new",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "Daily Papers",
    "byAK and the research community",
})
_MONTHS = ("Jan|January|Feb|February|Mar|March|Apr|April|May|Jun|June|Jul|July|Aug|August"
           "|Sep|Sept|September|Oct|October|Nov|November|Dec|December")
_DATE_LINE = re.compile(rf"(?:{_MONTHS})\.?\s+\d{{1,2}}(?:,?\s+\d{{4}})?")
_FIELDS = ("id", "title", "abstract", "date", "url")
_BOM = b"\xef\xbb\xbf"
_SNIFF_BYTES = 8192  # like git, look for NUL bytes in the first few KiB to call a file binary
_ASCII_PUNCT = str.maketrans(string.punctuation, " " * len(string.punctuation))


@dataclass(frozen=True)
class Record:
    """One well-formed input record, before deduplication.

    ``line`` is the 1-based line of the title (dumps) or of the record's first line (JSONL, CSV).
    """

    source: str
    line: int
    title: str
    abstract: str
    identifier: str | None = None
    url: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Skipped:
    """A malformed record that was left out: where it starts and why."""

    path: str
    line: int
    reason: str


@dataclass(frozen=True)
class Corpus:
    """The deduplicated papers of one or more inputs, with what reading them did.

    ``papers`` are sorted by key; ``records_read`` counts well-formed records (skipped ones are in
    ``skipped``), so ``duplicates_merged == records_read - len(papers)``; ``files`` are the files read,
    in reading order.
    """

    papers: tuple[Paper, ...]
    records_read: int
    duplicates_merged: int
    skipped: tuple[Skipped, ...]
    files: tuple[str, ...]


def default_corpus_dir() -> Path:
    """The bundled corpus: ``data/daily_papers`` beside the ``kg`` package.

    Examples
    --------
    >>> default_corpus_dir().parts[-2:]
    ('data', 'daily_papers')
    """
    return Path(__file__).resolve().parent.parent / "data" / "daily_papers"


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
    """The stable key of the paper a record belongs to: its input id, else ``t-`` and 12 hex digits of
    the SHA-1 of its normalized title (of its abstract when it has no title).

    Examples
    --------
    >>> paper_key(Record("a.jsonl", 1, "LoRA", "We adapt.", identifier="2401.1"))
    '2401.1'
    >>> paper_key(Record("a.txt", 9, "LoRA!", "x")) == paper_key(Record("b.csv", 2, "lora", "y"))
    True
    """
    if record.identifier is not None:
        return record.identifier
    text = title_key(record.title) or title_key(record.abstract) or record.title or record.abstract
    return "t-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


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
        Files and directories. A directory is walked recursively in sorted order for ``.txt``, ``.jsonl``
        and ``.csv`` files (other files and hidden entries are ignored); a file named explicitly must have
        one of these extensions. A file reached twice is read once.
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
        not UTF-8 or has an unknown extension, a directory cannot be listed or holds no input files, or
        (with ``strict``) a record is malformed.

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
    files = _input_files([Path(p) for p in paths])

    first: dict[str, Record] = {}  # key -> first record seen, updated with later non-empty fields
    listings: dict[str, list[Listing]] = {}
    skipped: list[Skipped] = []
    records_read = 0
    for path in files:
        for item in iter_records(path):
            if isinstance(item, Skipped):
                if strict:
                    raise InputError(item.path, item.reason, line=item.line)
                warn(f"{item.path}:{item.line}: {item.reason}; record skipped")
                skipped.append(item)
                continue
            records_read += 1
            key = paper_key(item)
            kept = first.get(key)
            if kept is None:
                first[key], listings[key] = item, []
            elif (not kept.title and item.title) or (kept.url is None and item.url is not None):
                first[key] = Record(kept.source, kept.line, kept.title or item.title, kept.abstract,
                                    kept.identifier, kept.url or item.url, kept.date)
            listings[key].append(Listing(item.source, item.line, item.date))

    papers = tuple(
        Paper(key=key, title=r.title, abstract=r.abstract, identifier=r.identifier, url=r.url,
              listings=tuple(listings[key]))
        for key, r in sorted(first.items())
    )
    return Corpus(
        papers=papers,
        records_read=records_read,
        duplicates_merged=records_read - len(papers),
        skipped=tuple(skipped),
        files=tuple(str(p) for p in files),
    )


def iter_records(path: str | os.PathLike) -> Iterator[Record | Skipped]:
    """Stream the records of one input file, in file order, choosing the parser by extension.

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
    kind = path.suffix.lower()
    if kind not in FORMATS:
        raise InputError(path, f"unknown input extension {path.suffix or '(none)'!r}; expected "
                               + ", ".join(FORMATS))
    if kind == ".txt":
        yield from _read_dump(path)
    elif kind == ".jsonl":
        yield from _read_jsonl(path)
    else:
        yield from _read_csv(path)


# --- inputs -------------------------------------------------------------------------------------------


def _warn(message: str) -> None:
    warnings.warn(message, stacklevel=3)


def _input_files(paths: list[Path]) -> list[Path]:
    """Expand directories, check every path up front, drop files reached twice (same resolved path)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = _walk(path)
            if not found:
                raise InputError(path, "directory holds no input files (" + ", ".join(FORMATS) + ")")
            files.extend(found)
        elif path.exists():
            if path.suffix.lower() not in FORMATS:
                raise InputError(path, f"unknown input extension {path.suffix or '(none)'!r}; expected "
                                       + ", ".join(FORMATS))
            _check_regular(path, os.stat(path).st_mode)
            files.append(path)
        else:
            raise InputError(path, "no such file or directory")
    seen: set[Path] = set()
    unique = []
    for f in files:
        real = f.resolve()
        if real not in seen:
            seen.add(real)
            unique.append(f)
    return unique


def _walk(root: Path) -> list[Path]:
    """The input files under ``root``; a directory that cannot be listed is an error, not a silent gap."""
    found = []
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        found.extend(Path(dirpath, f) for f in filenames
                     if not f.startswith(".") and Path(f).suffix.lower() in FORMATS)
    if errors:
        e = errors[0]
        raise InputError(e.filename or root, f"cannot read directory: {e.strerror or e}")
    for path in found:
        try:
            _check_regular(path, os.stat(path).st_mode)
        except OSError as e:
            raise InputError(path, f"cannot read: {e.strerror or e}") from None
    return sorted(found, key=lambda p: p.relative_to(root).parts)


_NOT_REGULAR = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
                (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def _check_regular(path: Path, mode: int) -> None:
    """Refuse anything but a regular file: reading a FIFO or a device could block forever or never end."""
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _NOT_REGULAR if test(mode)), "not a regular file")
        raise InputError(path, f"{kind}, not a regular file; inputs must be files or directories")


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """1-based line numbers and decoded lines (line endings kept), split on ``\\n`` only.

    Raises InputError for an unreadable, empty, binary or non-UTF-8 file.
    """
    try:
        # O_NONBLOCK: opening a FIFO that replaced the checked file must not wait for a writer
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from None
    try:
        _check_regular(path, os.fstat(fd).st_mode)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    with open(fd, "rb") as f:
        head = f.read(_SNIFF_BYTES)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(path, "UTF-16 text; save it as UTF-8")
        if b"\0" in head:
            raise InputError(path, "binary file (NUL bytes), not text", line=head.count(b"\n", 0,
                                                                                   head.index(b"\0")) + 1)
        f.seek(0)
        content = False
        for number, raw in enumerate(f, start=1):
            if number == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM):]
            if b"\0" in raw:
                raise InputError(path, "binary file (NUL bytes), not text", line=number)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise InputError(path, f"not UTF-8 text (byte 0x{raw[e.start]:02x} at column {e.start + 1})",
                                 line=number) from None
            content = content or not text.isspace()
            yield number, text
        if not content:
            raise InputError(path, "empty file")


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


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


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


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
        yield _record(source, start, {name: row[i] if i < len(row) else None
                                      for name, i in columns.items() if name in _FIELDS})
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
