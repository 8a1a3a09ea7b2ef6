"""Engines (kg.engine): a Dask local cluster builds the bytes the in-process engine builds, survives a
killed worker, and reports workers that keep dying or a scheduler that cannot be reached.

Worker processes unpickle the test embedders by value (cloudpickle), since they cannot import test modules.
"""

from __future__ import annotations

import json
import os
import pickle
import socket
import sys
from pathlib import Path

import cloudpickle
import dask
import pytest

from kg import cli, pipeline
from kg.corpus import default_corpus_dir, read_corpus
from kg.engine_dask import DaskEngine
from kg.errors import EngineError
from kg.extract.embed import CachedEmbedder
from kg.extract.per_paper import PaperStage
from kg.pipeline import EXPORT_FILES, BuildOptions, build


@pytest.fixture(scope="module")
def papers():
    return read_corpus([default_corpus_dir()]).papers[:16]


@pytest.fixture
def corpus(papers, tmp_path):
    rows = [{"id": p.key, "title": p.title, "abstract": p.abstract} for p in papers]
    path = tmp_path / "papers.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def by_value(trigram_embedder):
    """Lets worker processes unpickle classes of the test modules."""
    modules = [sys.modules[trigram_embedder.__module__], sys.modules[__name__]]
    for m in modules:
        cloudpickle.register_pickle_by_value(m)
    yield
    for m in modules:
        cloudpickle.unregister_pickle_by_value(m)


def exports(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in EXPORT_FILES}


def on_worker() -> bool:
    from distributed import get_worker

    try:
        get_worker()
    except ValueError:
        return False
    return True


def dying(base: type, marker: Path | None):
    """An embedder whose worker process exits on its first embedding or encoding call (when ``marker`` does
    not exist yet), or on every call (``marker`` None). In the build's own process it never dies."""

    def die_on_a_worker() -> None:
        if on_worker() and (marker is None or not marker.exists()):
            if marker is not None:
                marker.touch()
            os._exit(1)

    class Dying(base):
        def _embed(self, texts):
            die_on_a_worker()
            return super()._embed(texts)

        def token_encoder(self, precision="auto"):
            encoder = super().token_encoder(precision)
            encode = encoder.encode

            def dying_encode(texts, words=None):
                die_on_a_worker()
                return encode(texts, words)

            encoder.encode = dying_encode
            return encoder

    return Dying()


def options(out: Path, **kw) -> BuildOptions:
    return BuildOptions(out_dir=out, progress=False, **kw)


@pytest.mark.parametrize("extractor", ["tagger", "rules"])  # the default first
def test_a_local_cluster_builds_the_bytes_of_the_in_process_engine(
    corpus, tmp_path, trigram_embedder, by_value, extractor
):
    here = build([corpus], options(tmp_path / "here", extractor=extractor), embedder=trigram_embedder())
    cached = CachedEmbedder(trigram_embedder(), tmp_path / "cache")  # workers unpickle it, reopen the file
    on_dask = options(tmp_path / "dask", engine="dask", scheduler="local:2", extractor=extractor)
    dask_report = build([corpus], on_dask, embedder=cached)
    assert dask_report.extracted == here.extracted == 16
    assert exports(tmp_path / "dask") == exports(tmp_path / "here")


def test_a_killed_worker_is_survived(corpus, tmp_path, trigram_embedder, by_value):
    build([corpus], options(tmp_path / "here"), embedder=trigram_embedder())
    marker = tmp_path / "died-once"
    report = build(
        [corpus],
        options(tmp_path / "dask", engine="dask", scheduler="local:2"),
        embedder=dying(trigram_embedder, marker),
    )
    assert marker.exists()  # a worker did die mid-build
    assert report.extracted == 16
    assert exports(tmp_path / "dask") == exports(tmp_path / "here")


def test_workers_that_keep_dying_fail_clearly_and_keep_the_old_exports(
    papers, corpus, tmp_path, trigram_embedder, by_value, capsys, monkeypatch
):
    out = tmp_path / "out"
    build([corpus], options(out), embedder=trigram_embedder())
    before = exports(out)
    more = tmp_path / "more.jsonl"
    more.write_text(json.dumps({"id": "new-1", "title": "Mamba", "abstract": "State space models."}) + "\n")
    monkeypatch.setattr(pipeline, "load_embedder", lambda *a, **k: dying(trigram_embedder, None))
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        code = cli.main(
            ["build", str(corpus), str(more), "--out", str(out), "-q", "--engine", "dask", "--scheduler", "local:1"]
        )
    assert code == 2
    err = capsys.readouterr().err
    assert "dask (local:1): a worker died on every try" in err and "earlier exports are untouched" in err
    assert exports(out) == before
    assert not list(out.glob(".staging-*")) and not list(out.glob(".*.tmp"))


def test_an_unreachable_scheduler_is_an_error_naming_it(papers, trigram_embedder):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{s.getsockname()[1]}"
    engine = DaskEngine(address, connect_timeout=2)
    with pytest.raises(EngineError, match=f"{address}: cannot reach the Dask scheduler"):
        engine.map(PaperStage(trigram_embedder()), papers[:2], lambda part, results: None)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scheduler", "local:2"], "--scheduler needs --engine dask"),
        (["--engine", "dask", "--scheduler", "localhost:8786"], "expected local:N or tcp://HOST:PORT"),
    ],
)
def test_cli_rejects_a_bad_engine_setting(args, message, corpus, tmp_path, capsys):
    assert cli.main(["build", str(corpus), "--out", str(tmp_path / "out"), "-q", *args]) == 2
    assert message in capsys.readouterr().err


def test_a_cached_embedder_pickles_and_serves_another_thread(tmp_path, trigram_embedder):
    from concurrent.futures import ThreadPoolExecutor

    cached = CachedEmbedder(trigram_embedder(), tmp_path)
    first = cached.embed(["low-rank adaptation"])
    copy = pickle.loads(pickle.dumps(cached))
    with ThreadPoolExecutor(1) as pool:  # SQLite connections are per thread
        again = pool.submit(copy.embed, ["low-rank adaptation"]).result()
    assert (again == first).all() and copy.hits == 1  # the copy read it from the cache file
