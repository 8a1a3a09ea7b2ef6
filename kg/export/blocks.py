"""Streamed exports that copy the unchanged blocks of the previous export instead of making them again.

An RDF export is a head, one block of text per graph node (in sorted node order) and a tail
(:mod:`kg.export.rdf`). A node's block depends only on the node, its attributes, its out-edges, the
ontology and the code, so a daily build that adds a few papers to a large graph leaves almost every
block as it was. :func:`write_blocks` keys each block by a digest of what it depends on, and when the
previous export of the same file has a block with that key it copies its bytes instead of making the
triples and rendering them again. The file is the same, byte for byte, either way.

Index format, version 1: a JSON file ``.NAME.blocks`` beside the export ``NAME``::

    {"checked": false, "format": 1, "salt": "...", "sha256": "<digest of the export>",
     "blocks": {"<key>": [offset, length]}}

``salt`` covers everything outside the node that shapes a block: the package's code, the ontology and
vocabulary files, the rdflib version and the caller's own salt (the format, the extractor version). An
index whose salt or format differs, or whose export no longer has the recorded SHA-256 (edited,
replaced, half-written), is ignored: every block is made again. A block whose key is missing is made
again. So a stale index costs time, never a different file.

``checked`` (absent in older indexes: false) is set by :func:`mark_checked` once the export has been read back
(:mod:`kg.export.check`); :func:`unchecked_documents` lets the next build's check read back only the blocks
that are not byte-for-byte blocks of such a checked export.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> out = Path(tempfile.mkdtemp()) / "x.txt"
>>> blocks = [("a", lambda: "A\\n"), ("b", lambda: "B\\n")]
>>> write_blocks(out, blocks, salt="s", previous=out)
0
>>> write_blocks(out, [("a", lambda: "A\\n"), ("c", lambda: "C\\n")], salt="s", previous=out)
1
>>> out.read_text()
'A\\nC\\n'
"""

from __future__ import annotations

import functools
import hashlib
import json
import mmap
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO

from kg.fileio import atomic_write
from kg.namespace import ONTOLOGY_DIR

FORMAT_VERSION = 1

#: a block: its key (any string; "" for none) and a function that renders it
Block = tuple[str, Callable[[], str]]


def index_path(path: str | os.PathLike) -> Path:
    """Where the block index of the export ``path`` lives: ``.NAME.blocks`` beside it."""
    path = Path(path)
    return path.with_name(f".{path.name}.blocks")


def block_key(*parts: object) -> str:
    """A digest of ``repr(parts)``: equal for equal node data (strings, numbers, tuples, dicts in the
    same order), different for different data; a different order of the same data only misses."""
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@functools.lru_cache(maxsize=1)
def code_salt() -> str:
    """A digest of the package's Python code, the ontology and vocabulary files and rdflib's version."""
    from importlib.metadata import version

    h = hashlib.sha256(version("rdflib").encode())
    package = Path(__file__).resolve().parent.parent
    for root, pattern in ((package, "*.py"), (ONTOLOGY_DIR, "*.ttl")):
        for f in sorted(root.rglob(pattern)):
            h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def write_blocks(
    path: str | os.PathLike,
    blocks: Iterable[Block],
    *,
    salt: str,
    head: str = "",
    tail: str = "",
    first_sep: str = "",
    sep: str = "",
    previous: str | os.PathLike | None = None,
) -> int:
    """Write ``head``, every non-empty block (``first_sep`` before the first, ``sep`` before the others)
    and ``tail`` to ``path``, atomically. With ``previous`` (an earlier export of the same file, which may
    be ``path`` itself or not exist), blocks whose key its index holds are copied from it, and the new
    index is written beside ``path``. Returns how many blocks were copied.
    """
    path = Path(path)
    salt = hashlib.sha256(f"{FORMAT_VERSION}\0{code_salt()}\0{salt}".encode()).hexdigest()
    copied = 0
    index: dict[str, list[int]] = {}
    digest = hashlib.sha256()
    with ExitStack() as stack:
        old_blocks = _open_previous(Path(previous), salt, stack) if previous is not None else None
        f = stack.enter_context(atomic_write(path, "wb"))
        offset, pending = 0, []

        def put(data: bytes, flush: bool = False) -> None:
            nonlocal offset
            pending.append(data)
            offset += len(data)
            if flush or len(pending) >= 4096:  # a write and a hash per chunk, not per block
                chunk = b"".join(pending)
                f.write(chunk)
                digest.update(chunk)
                pending.clear()

        put(head.encode())
        separator = first_sep.encode()
        for key, render in blocks:
            old = old_blocks[0].get(key) if old_blocks and key else None
            if old is not None:
                data = old_blocks[1][old[0] : old[0] + old[1]]
                copied += 1
            else:
                data = render().encode("utf-8", "surrogatepass")
            if not data:
                continue
            put(separator)
            separator = sep.encode()
            if key:
                index[key] = [offset, len(data)]
            put(data)
        put(tail.encode(), flush=True)
    if previous is not None:
        meta = {"checked": False, "format": FORMAT_VERSION, "salt": salt, "sha256": digest.hexdigest(), "blocks": index}
        with atomic_write(index_path(path)) as out:
            out.write(json.dumps(meta))  # json.dumps runs in C, json.dump to a file in Python
    return copied


def _open_previous(
    path: Path, salt: str, stack: ExitStack, checked: bool = False
) -> tuple[dict[str, list[int]], mmap.mmap] | None:
    """The previous export's index and its bytes, when the index matches ``salt`` and the file (and, with
    ``checked``, says the export was read back); else None."""
    try:
        meta = json.loads(index_path(path).read_text(encoding="utf-8"))
        if not (isinstance(meta, dict) and meta.get("format") == FORMAT_VERSION and meta.get("salt") == salt):
            return None
        if checked and meta.get("checked") is not True:
            return None
        f = stack.enter_context(open(path, "rb"))  # noqa: SIM115 - the ExitStack closes it after the mmap
        if hashlib.file_digest(f, "sha256").hexdigest() != meta.get("sha256"):
            return None
        data = stack.enter_context(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
        size = len(data)
        blocks = {
            k: v
            for k, v in meta["blocks"].items()
            if isinstance(v, list) and len(v) == 2 and 0 <= v[0] <= v[0] + v[1] <= size
        }
        return blocks, data
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def checked_digest(path: str | os.PathLike) -> str | None:
    """The SHA-256 of the export ``path`` that its block index records, when the index says the export was
    read back (:func:`mark_checked`: the read-back compared the file with that digest first); else None.
    Lets a build record a checked export's digest without hashing the file once more."""
    try:
        meta = json.loads(index_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(meta, dict) and meta.get("checked") is True and isinstance(meta.get("sha256"), str):
        return meta["sha256"]
    return None


def mark_checked(path: str | os.PathLike) -> None:
    """Record in the block index of ``path`` (if any) that the export was read back whole or through
    :func:`unchecked_documents`. Only :mod:`kg.export.check` calls it, after the read-back passed."""
    try:
        text = index_path(path).read_text(encoding="utf-8")
    except OSError:
        return
    unchecked = '{"checked": false, '
    if text.startswith(unchecked):  # as write_blocks writes it: no need to parse and encode it again
        text = '{"checked": true, ' + text[len(unchecked) :]
    else:
        try:
            meta = json.loads(text)
        except ValueError:
            return
        if not isinstance(meta, dict):
            return
        text = json.dumps({**meta, "checked": True})
    with atomic_write(index_path(path)) as out:
        out.write(text)


#: the most bytes of blocks one read-back document holds: a reader that keeps a whole document in memory
#: (JSON-LD's, GraphML's) holds a few times this, not a few times the export (GBs at 20,000 papers)
CHECK_CHUNK_BYTES = 16 << 20


def unchecked_documents(
    path: str | os.PathLike, previous: str | os.PathLike | None, chunk_bytes: int = CHECK_CHUNK_BYTES
) -> Iterator[bytes] | None:
    """The documents the read-back of the export ``path`` has to parse, given the ``previous`` export it
    copied blocks from: each is its head, a run of at most ``chunk_bytes`` of blocks (one block at least) and
    its tail, joined by the file's own separators; the runs hold every block that is not a copy of a block of
    the previous export (every block when there is no checked previous export of the same head and tail), in
    file order, and there is one document at least. None: parse the whole file (no index, or a layout this
    function does not know).

    Why parsing these proves the whole file parses: the formats written with blocks compose block by block
    (Turtle and N-Triples are sequences of statements and each block is whole statements; JSON-LD's
    ``@graph`` is an array and each block is whole node objects, with ``sep`` between them; GraphML's blocks
    are whole elements under the head's key declarations), so the file parses when each run does under the
    same head, separator and tail. A block left out has the same bytes as a block of the previous export,
    with the same salt (code, format, ontology), head, separator and tail, and that whole export passed this
    read-back: its index says so (only :func:`mark_checked` sets ``checked``, after the check), and the
    index's SHA-256 is the file's. The file itself is compared with the SHA-256 its writer recorded, so a
    file damaged after it was written raises ``ValueError`` instead of passing unread.
    """
    path = Path(path)
    try:
        meta = json.loads(index_path(path).read_text(encoding="utf-8"))
        spans = sorted((v[0], v[1]) for v in meta["blocks"].values())
        with open(path, "rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
    except (OSError, ValueError, TypeError, KeyError, IndexError):
        return None
    if digest != meta.get("sha256"):
        raise ValueError("the file is not the one its writer recorded in its block index (damaged after writing?)")
    if not spans or any(a + n > b for (a, n), (b, _) in zip(spans, spans[1:], strict=False)):
        return None
    with open(path, "rb", buffering=_READ_BUFFER) as f:
        if len({_read(f, a + n, b - a - n) for (a, n), (b, _) in zip(spans, spans[1:], strict=False)}) > 1:
            return None  # blocks not separated by one separator: not the layout this proof is about
    return _documents(path, meta, spans, previous, chunk_bytes)


#: the check reads the export through a buffer, in file order, not through a memory map: a mapped file's
#: pages count in the process's RSS (a 650 MB N-Triples file would add 650 MB to an export worker's)
_READ_BUFFER = 1 << 20


def _read(f: BinaryIO, offset: int, length: int) -> bytes:
    f.seek(offset)  # forward, mostly inside the buffer: reading blocks in file order is one sequential read
    return f.read(length)


def _documents(
    path: Path, meta: dict, spans: list[tuple[int, int]], previous: str | os.PathLike | None, chunk_bytes: int
) -> Iterator[bytes]:
    """The documents :func:`unchecked_documents` describes, made one at a time, reading the file in order."""
    with ExitStack() as stack:
        f = stack.enter_context(open(path, "rb", buffering=_READ_BUFFER))
        end = spans[-1][0] + spans[-1][1]
        head, tail = _read(f, 0, spans[0][0]), _read(f, end, os.fstat(f.fileno()).st_size - end)
        sep = _read(f, spans[0][0] + spans[0][1], spans[1][0] - spans[0][0] - spans[0][1]) if len(spans) > 1 else b""
        old = None if previous is None else _open_previous(Path(previous), meta.get("salt", ""), stack, checked=True)
        if old is not None:
            old_spans = sorted(old[0].values())
            same_frame = old_spans and old[1][: old_spans[0][0]] == head
            if not same_frame or old[1][old_spans[-1][0] + old_spans[-1][1] :] != tail:
                old = None
        run: list[bytes] = []
        size, made = 0, 0
        for key, (offset, length) in sorted(meta["blocks"].items(), key=lambda kv: kv[1][0]):
            block = _read(f, offset, length)
            was = old[0].get(key) if old is not None else None
            if was is not None and old[1][was[0] : was[0] + was[1]] == block:
                continue  # a block of the checked previous export, byte for byte
            if run and size + length > chunk_bytes:
                yield head + sep.join(run) + tail
                run, size, made = [], 0, made + 1
            run.append(block)
            size += length
        if run or not made:
            yield head + sep.join(run) + tail
