"""An on-disk Oxigraph store of an export, for graphs that outgrow memory (``kg load``, ``--store DIR``).

``kg load [EXPORT] --store DIR`` bulk-loads ``EXPORT/graph.nt`` (or an ``.nt`` file) into a RocksDB-backed
Oxigraph store in ``DIR``, streaming: the graph is never held in memory. ``kg query --store DIR`` and
``kg serve --store DIR`` then open it read-only and answer from disk.

A later load (after an incremental build) applies only the difference: the lines of the new ``graph.nt``
that the last loaded copy (``DIR/.kg-loaded.nt``) lacks are added, and lines it no longer has are removed,
so the store always equals the latest export. N-Triples put one triple per line and the exports contain
no blank nodes, so lines are triples. ``DIR/.kg-store.json`` records the format and a ``complete`` flag,
set false before the store is changed and true after: a load that was interrupted is redone from scratch
by the next one.

Not supported: loading while a ``kg serve`` or ``kg query`` has the store open (Oxigraph's read-only mode
does not allow a concurrent writer), named graphs, and blank nodes in incremental loads (a graph with blank
nodes is loaded from scratch each time).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> d = Path(tempfile.mkdtemp())
>>> nt = d / "graph.nt"
>>> _ = nt.write_text('<urn:a> <urn:p> "1" .\\n<urn:a> <urn:p> "2" .\\n')
>>> load_store(nt, d / "store").summary()
'loaded 2 triples (from scratch) into ...'
>>> _ = nt.write_text('<urn:a> <urn:p> "2" .\\n<urn:a> <urn:p> "3" .\\n')
>>> load_store(nt, d / "store").summary()
'loaded 2 triples (+1 added, -1 removed) into ...'
>>> sorted(str(r[0]) for r in open_store(d / "store").query("SELECT ?o WHERE { ?s ?p ?o }"))
['2', '3']
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.fileio import atomic_path, atomic_write
from kg.rdfterms import graph_file

META = ".kg-store.json"
LOADED = ".kg-loaded.nt"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class LoadReport:
    """What ``kg load`` did."""

    store: Path
    triples: int
    added: int
    removed: int
    from_scratch: bool
    seconds: float

    def summary(self) -> str:
        how = "from scratch" if self.from_scratch else f"+{self.added} added, -{self.removed} removed"
        return f"loaded {self.triples} triples ({how}) into {self.store} in {self.seconds:.1f}s"


def _source(export: Path) -> Path:
    path = graph_file(export, "graph.nt")
    if path.suffix != ".nt" or not path.is_file():
        raise InputError(path, "no N-Triples export here (kg load reads graph.nt; build one with `kg build`)")
    return path


def _meta(store_dir: Path) -> dict | None:
    """The store's metadata, or None when ``store_dir`` holds no kg store."""
    try:
        data = json.loads((store_dir / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_meta(store_dir: Path, source: Path, complete: bool) -> None:
    with atomic_write(store_dir / META) as f:
        json.dump({"format": FORMAT_VERSION, "source": str(source), "complete": complete}, f, sort_keys=True)


def _digests(path: Path) -> set[bytes]:
    with open(path, "rb") as f:
        return {hashlib.blake2b(line, digest_size=16).digest() for line in f if line.strip()}


def _lines_not_in(path: Path, digests: set[bytes]) -> Iterator[bytes]:
    with open(path, "rb") as f:
        for line in f:
            if line.strip() and hashlib.blake2b(line, digest_size=16).digest() not in digests:
                yield line if line.endswith(b"\n") else line + b"\n"


def _fresh(store_dir: Path, source: Path):  # -> pyoxigraph.Store
    """An empty store in ``store_dir``; refuses to wipe a directory that is not a kg store."""
    import pyoxigraph as ox

    if store_dir.exists():
        if _meta(store_dir) is None and any(store_dir.iterdir()):
            raise InputError(store_dir, "exists and is not a kg store; give an empty or new directory")
        shutil.rmtree(store_dir)
    store_dir.mkdir(parents=True)
    _write_meta(store_dir, source, complete=False)
    return ox.Store(str(store_dir))


def load_store(export: Path, store_dir: Path) -> LoadReport:
    """Load ``export`` (an export directory or its ``graph.nt``) into the on-disk store ``store_dir``:
    the difference from the last load, or everything when there is none (see the module docstring)."""
    import pyoxigraph as ox

    started = time.perf_counter()
    source = _source(Path(export))
    store_dir = Path(store_dir)
    meta = _meta(store_dir)
    loaded = store_dir / LOADED
    incremental = bool(meta and meta.get("complete") and meta.get("format") == FORMAT_VERSION and loaded.is_file())
    if incremental and b"_:" in source.read_bytes():
        incremental = False  # blank node labels are not stable across exports
    added = removed = 0
    if incremental:
        _write_meta(store_dir, source, complete=False)
        store = ox.Store(str(store_dir))
        new = b"".join(_lines_not_in(source, _digests(loaded)))
        gone = b"".join(_lines_not_in(loaded, _digests(source)))
        for triple in ox.parse(gone, format=ox.RdfFormat.N_TRIPLES):
            store.remove(ox.Quad(triple.subject, triple.predicate, triple.object))
        if new:
            store.bulk_load(new, format=ox.RdfFormat.N_TRIPLES)
        added, removed = new.count(b"\n"), gone.count(b"\n")
    else:
        store = _fresh(store_dir, source)
        store.bulk_load(path=str(source), format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    triples = len(store)
    del store  # closes the database before the store is marked complete
    with atomic_path(loaded) as tmp:
        shutil.copyfile(source, tmp)
    _write_meta(store_dir, source, complete=True)
    return LoadReport(store_dir, triples, added, removed, not incremental, time.perf_counter() - started)


def is_store(path: Path) -> bool:
    """Whether ``path`` is a directory holding a kg store (complete or not)."""
    return Path(path).is_dir() and _meta(Path(path)) is not None


def open_store(store_dir: Path):  # -> rdflib.Graph
    """The store in ``store_dir``, opened read-only, as an rdflib ``Graph`` (answered by Oxigraph from disk).

    Raises
    ------
    InputError
        ``store_dir`` is not a store made by ``kg load``, or its last load did not finish.
    """
    import pyoxigraph as ox
    from oxrdflib import OxigraphStore
    from rdflib import Graph
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    store_dir = Path(store_dir)
    meta = _meta(store_dir)
    if meta is None:
        raise InputError(store_dir, "not a kg store (make one with `kg load EXPORT --store DIR`)")
    if not meta.get("complete"):
        raise InputError(store_dir, "the last `kg load` into this store did not finish; run it again")
    try:
        store = ox.Store.read_only(str(store_dir))
    except OSError as exc:
        raise InputError(store_dir, f"cannot open the store: {exc}") from None
    return Graph(store=OxigraphStore(store=store), identifier=DATASET_DEFAULT_GRAPH_ID)
