"""What every reader of :mod:`kg.sources` shares: the records it yields and the checks on a file's text.

A reader is a function ``(path) -> Iterator[Record | Skipped]``. Well-formed entries come out as
:class:`Record`, malformed ones as :class:`Skipped` (``file:line`` and why); a file that cannot be read
as a whole raises :class:`~kg.errors.InputError`. Records are deduplicated later, in :mod:`kg.corpus`.

Examples
--------
>>> author_name("Hu, Edward J.")
'Edward J. Hu'
>>> author_name("  {von Neumann}, John ")
'John von Neumann'
>>> list(iter_json_items('[{"a": 1},\\n {"a": 2}]', "x.json"))
[(1, {'a': 1}), (2, {'a': 2})]
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kg.errors import InputError

_BOM = b"\xef\xbb\xbf"
_SNIFF_BYTES = 8192  # like git, look for NUL bytes in the first few KiB to call a file binary


@dataclass(frozen=True)
class Record:
    """One well-formed input record, before deduplication.

    ``line`` is the 1-based line where the record starts (the title line of a dump). ``identifier`` is
    the ``id`` field of our own JSONL/CSV; ``identifiers`` the normalized ids a source gives
    (``arXiv:2106.09685``, ``doi:10.1109/cvpr.2016.90``, ``openalex:W2194775991``, ``s2:...``,
    ``s2corpus:...``; see :mod:`kg.sources.ids`). ``date`` is the listing date, ``published`` the
    publication date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``). Records of the formats of
    :mod:`kg.sources` may have an empty abstract when another source of the same paper supplies it.
    """

    source: str
    line: int
    title: str
    abstract: str
    identifier: str | None = None
    url: str | None = None
    date: str | None = None
    authors: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    published: str | None = None


@dataclass(frozen=True)
class Skipped:
    """A malformed record that was left out: where it starts and why."""

    path: str
    line: int
    reason: str


def iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    """1-based line numbers and decoded lines (line endings kept), split on ``\\n`` only.

    Raises InputError for an unreadable, empty, binary or non-UTF-8 file.
    """
    with open_regular(path) as f:
        head = f.read(_SNIFF_BYTES)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(path, "UTF-16 text; save it as UTF-8")
        if b"\0" in head:
            raise InputError(
                path, "binary file (NUL bytes), not text", line=head.count(b"\n", 0, head.index(b"\0")) + 1
            )
        f.seek(0)
        content = False
        for number, raw in enumerate(f, start=1):
            if number == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
            if b"\0" in raw:
                raise InputError(path, "binary file (NUL bytes), not text", line=number)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise InputError(
                    path, f"not UTF-8 text (byte 0x{raw[e.start]:02x} at column {e.start + 1})", line=number
                ) from None
            content = content or not text.isspace()
            yield number, text
        if not content:
            raise InputError(path, "empty file")


_NOT_REGULAR = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def check_regular(path: Path, mode: int) -> None:
    """Refuse anything but a regular file: reading a FIFO or a device could block forever or never end."""
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _NOT_REGULAR if test(mode)), "not a regular file")
        raise InputError(path, f"{kind}, not a regular file; inputs must be files or directories")


def open_regular(path: Path) -> BinaryIO:
    """Open a regular file for binary reading; InputError when it cannot be read or is not a regular file."""
    try:
        # O_NONBLOCK: opening a FIFO that replaced the checked file must not wait for a writer
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from None
    try:
        check_regular(path, os.fstat(fd).st_mode)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return open(fd, "rb")


def read_text(path: Path) -> str:
    """The whole text of a UTF-8 file, with the checks of :func:`iter_lines`."""
    return "".join(text for _, text in iter_lines(path))


def iter_json_items(text: str, path: str | Path) -> Iterator[tuple[int, object]]:
    """``(line, item)`` for each item of a top-level JSON array, or ``(1, value)`` for any other value.

    Items are decoded one at a time, so each keeps the line where it starts. A syntax error raises
    :class:`~kg.errors.InputError` at its line: JSON has no way to resynchronize after one.
    """
    decoder = json.JSONDecoder()
    pos = _skip_space(text, 0)
    if not text.startswith("[", pos):
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            raise InputError(path, f"bad JSON: {e.msg} (column {e.colno})", line=e.lineno) from None
        if _skip_space(text, end) != len(text):
            line = text.count("\n", 0, end) + 1
            raise InputError(path, "bad JSON: extra data after the value", line=line)
        yield text.count("\n", 0, pos) + 1, value
        return
    pos = _skip_space(text, pos + 1)
    if text.startswith("]", pos):
        return
    while True:
        try:
            item, end = decoder.raw_decode(text, pos)
        except (json.JSONDecodeError, RecursionError) as e:
            msg = f"{e.msg} (column {e.colno})" if isinstance(e, json.JSONDecodeError) else "nested too deeply"
            raise InputError(path, f"bad JSON: {msg}", line=text.count("\n", 0, pos) + 1) from None
        yield text.count("\n", 0, pos) + 1, item
        pos = _skip_space(text, end)
        if text.startswith("]", pos):
            if _skip_space(text, pos + 1) != len(text):
                raise InputError(path, "bad JSON: extra data after the array", line=text.count("\n", 0, pos) + 1)
            return
        if not text.startswith(",", pos):
            raise InputError(
                path, "bad JSON: expected ',' or ']' after an array item", line=text.count("\n", 0, pos) + 1
            )
        pos = _skip_space(text, pos + 1)


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def clean(value: str | None) -> str | None:
    """Strip a field; None for an empty one."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def one_line(value: object) -> str:
    """A text field with its whitespace runs (line breaks included) collapsed to one space."""
    return " ".join(str(value).split()) if value is not None else ""


def has_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate (JSON ``\\ud800``), which is not valid Unicode text."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_BRACES = re.compile(r"[{}]")


def author_name(raw: str) -> str:
    """One display form of a person's name: ``First Last``, from ``Last, First`` or ``First Last``,
    without BibTeX braces and with whitespace collapsed. ``Last, Jr., First`` keeps the suffix."""
    name = one_line(_BRACES.sub("", raw))
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and all(parts):
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3 and all(parts):
        return f"{parts[2]} {parts[0]}, {parts[1]}"
    return name


def authors(names: object) -> tuple[str, ...]:
    """Display names of a list of names, empty ones dropped, the order kept, repeats dropped."""
    if not isinstance(names, list | tuple):
        return ()
    out = [author_name(n) for n in names if isinstance(n, str)]
    return tuple(dict.fromkeys(n for n in out if n))


_DATE = re.compile(r"(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?")


def iso_date(value: object) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` from the start of a date or timestamp (``2021-06-17T17:37Z``,
    ``2021/06/17/``, ``2021``), or from a year as a number; None when it holds no plausible date.

    >>> iso_date("2021-06-17T17:37:18Z"), iso_date("2021/6/"), iso_date(2016), iso_date("June 2021")
    ('2021-06-17', '2021-06', '2016', None)
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    m = _DATE.match(value.strip())
    if m is None or not 1000 <= int(m.group(1)) <= 2999:
        return None
    year, month, day = m.groups()
    if month is None or not 1 <= int(month) <= 12:
        return year
    if day is None or not 1 <= int(day) <= 31:
        return f"{year}-{int(month):02d}"
    return f"{year}-{int(month):02d}-{int(day):02d}"


def make_record(
    source: str,
    line: int,
    *,
    title: object,
    abstract: object,
    url: object = None,
    date: object = None,
    authors: tuple[str, ...] = (),
    identifiers: tuple[str, ...] = (),
    published: object = None,
) -> Record | Skipped:
    """A record of one of the formats of :mod:`kg.sources` from its raw values, or why it was skipped.

    Text fields must be strings (or None); whitespace in titles is collapsed. A record needs a title, an
    abstract or an identifier to be matched with another source of the same paper.
    """
    texts = {"title": title, "abstract": abstract, "url": url, "date": date}
    for name, value in texts.items():
        if value is not None and not isinstance(value, str):
            return Skipped(source, line, f"{name!r} must be a string, got {type(value).__name__}")
        if isinstance(value, str) and has_surrogate(value):
            return Skipped(source, line, f"{name!r} holds a lone surrogate, not valid Unicode text")
    if any(has_surrogate(a) for a in authors):
        return Skipped(source, line, "an author name holds a lone surrogate, not valid Unicode text")
    title_text, abstract_text = one_line(title), (clean(abstract) or "")  # type: ignore[arg-type]
    if not title_text and not abstract_text:
        return Skipped(source, line, "neither a title nor an abstract")
    return Record(
        source=source,
        line=line,
        title=title_text,
        abstract=abstract_text,
        url=clean(url),  # type: ignore[arg-type]
        date=clean(date),
        authors=authors,
        identifiers=identifiers,  # type: ignore[arg-type]
        published=iso_date(published),
    )
