"""The whole build (kg.pipeline and ``kg build``): exports, up-to-date detection, atomicity, CLI errors.

A small deterministic embedder (``trigram_embedder``, character trigram hashing) stands in for the model,
so these run in seconds; the real model's build is covered by the users of the ``bundled_build`` fixture.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from kg import cli, pipeline
from kg.corpus import read_corpus
from kg.errors import ExportError
from kg.extract.embed import CachedEmbedder
from kg.pipeline import EXPORT_FILES, MANIFEST, NOT_OUTPUT_SHAPING, BuildOptions, build, fingerprint

ROOT = Path(__file__).resolve().parent.parent
PAPERS = [
    {
        "id": "2401.00001",
        "title": "LoRA for Speech Recognition",
        "abstract": "We apply low-rank adaptation (LoRA) to automatic speech recognition on 8 A100 GPUs.",
    },
    {
        "id": "2401.00002",
        "title": "Speculative Decoding at Scale",
        "abstract": "Speculative decoding speeds up large language model inference on a single H100 GPU.",
    },
    {
        "id": "2401.00003",
        "title": "GPipe: Pipeline Parallelism",
        "abstract": "We introduce GPipe, a scheduling library for pipeline parallelism in image classification.",
    },
]


def write_jsonl(path: Path, papers: list[dict]) -> Path:
    path.write_text("".join(json.dumps(p) + "\n" for p in papers), encoding="utf-8")
    return path


def snapshot(out: Path) -> dict[str, tuple[int, bytes]]:
    return {name: ((out / name).stat().st_mtime_ns, (out / name).read_bytes()) for name in EXPORT_FILES}


@pytest.fixture
def corpus(tmp_path):
    return write_jsonl(tmp_path / "papers.jsonl", PAPERS)


def test_build_writes_every_export_and_a_manifest(corpus, tmp_path, trigram_embedder):
    out = tmp_path / "out"
    report = build([corpus], BuildOptions(out_dir=out, progress=False), embedder=trigram_embedder())
    assert not report.up_to_date
    assert sorted(p.name for p in report.outputs) == sorted(EXPORT_FILES)
    manifest = json.loads((out / MANIFEST).read_text())
    for name in EXPORT_FILES:
        assert manifest["files"][name] == hashlib.sha256((out / name).read_bytes()).hexdigest()
    assert manifest["summary"]["links"] == report.links > 0
    assert not list(out.glob(".staging-*"))


def test_the_manifest_takes_checked_digests_from_the_block_indexes_and_never_a_stale_one(
    corpus, tmp_path, trigram_embedder
):
    from kg.export.blocks import checked_digest, index_path

    out = tmp_path / "out"
    build(
        [write_jsonl(tmp_path / "two.jsonl", PAPERS[:2])],
        BuildOptions(out_dir=out, progress=False),
        embedder=trigram_embedder(),
    )
    # an index the next build's page writer does not write, claiming a digest the page will not have
    index_path(out / "graph.html").write_text(json.dumps({"checked": True, "sha256": "0" * 64}))
    build([corpus], BuildOptions(out_dir=out, progress=False), embedder=trigram_embedder())
    manifest = json.loads((out / MANIFEST).read_text())
    for name in EXPORT_FILES:
        assert manifest["files"][name] == hashlib.sha256((out / name).read_bytes()).hexdigest()
    assert not index_path(out / "graph.html").exists()
    assert checked_digest(out / "graph.nt") == manifest["files"]["graph.nt"]  # read from the index, checked


def test_unchanged_rebuild_is_up_to_date_and_touches_nothing(corpus, tmp_path, trigram_embedder):
    out = tmp_path / "out"
    first = build([corpus], BuildOptions(out_dir=out, progress=False), embedder=trigram_embedder())
    before = snapshot(out)
    embedder = trigram_embedder()
    again = build([corpus], BuildOptions(out_dir=out, progress=False), embedder=embedder)
    assert again.up_to_date
    assert embedder.calls == 0  # nothing embedded, no stage ran
    assert snapshot(out) == before
    assert (again.links, again.entities_per_type) == (first.links, first.entities_per_type)
    assert "up to date" in again.summary()


def test_forced_rebuild_reruns_and_gives_identical_bytes(corpus, tmp_path, trigram_embedder):
    out = tmp_path / "out"
    build([corpus], BuildOptions(out_dir=out, progress=False), embedder=trigram_embedder())
    before = {name: data for name, (_, data) in snapshot(out).items()}
    embedder = trigram_embedder()
    report = build([corpus], BuildOptions(out_dir=out, progress=False, force=True), embedder=embedder)
    # every stage ran again, on the per-paper results the first build stored (no forward pass needed)
    assert not report.up_to_date and report.reused == len(PAPERS) and embedder.calls == 0
    assert {name: data for name, (_, data) in snapshot(out).items()} == before


@pytest.mark.parametrize("change", ["new paper", "edited abstract", "options", "export tampered", "export gone"])
def test_any_change_triggers_a_rebuild(corpus, tmp_path, change, trigram_embedder):
    out = tmp_path / "out"
    build([corpus], BuildOptions(out_dir=out, progress=False), embedder=trigram_embedder())
    options = BuildOptions(out_dir=out, progress=False)
    if change == "new paper":
        write_jsonl(corpus, [*PAPERS, {"id": "2401.00004", "title": "Flash Attention", "abstract": "Fast attention."}])
    elif change == "edited abstract":
        write_jsonl(corpus, [PAPERS[0], PAPERS[1], {**PAPERS[2], "abstract": "We use GPipe on TPU v4 pods."}])
    elif change == "options":
        options = BuildOptions(out_dir=out, progress=False, html_max_nodes=5)
    elif change == "export tampered":
        with open(out / "graph.ttl", "a", encoding="utf-8") as f:
            f.write("# edited by hand\n")
    else:
        (out / "graph.graphml").unlink()
    report = build([corpus], options, embedder=trigram_embedder())
    assert not report.up_to_date
    assert all((out / name).exists() for name in EXPORT_FILES)
    if change == "new paper":
        assert "2401.00004" in (out / "graph.nt").read_text()


def test_a_failed_export_leaves_earlier_exports_and_forces_the_next_build(
    corpus, tmp_path, monkeypatch, trigram_embedder
):
    out = tmp_path / "out"
    build([corpus], BuildOptions(out_dir=out, progress=False), embedder=trigram_embedder())
    before = snapshot(out)
    write_jsonl(corpus, [*PAPERS, {"id": "2401.00009", "title": "Mamba", "abstract": "State space models."}])

    import kg.export.html

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(kg.export.html, "write_html", broken)
    with pytest.raises(OSError, match="disk full"):
        build([corpus], BuildOptions(out_dir=out, progress=False), embedder=trigram_embedder())
    assert snapshot(out) == before  # every earlier export untouched
    assert not list(out.glob(".staging-*"))
    monkeypatch.undo()
    write_jsonl(corpus, PAPERS)  # back to the exported input: the manifest was dropped, so it rebuilds
    assert not build([corpus], BuildOptions(out_dir=out, progress=False), embedder=trigram_embedder()).up_to_date


def test_an_export_that_does_not_read_back_fails_the_build_and_keeps_the_old_exports(
    corpus, tmp_path, monkeypatch, trigram_embedder
):
    out = tmp_path / "out"
    build([corpus], BuildOptions(out_dir=out, progress=False), embedder=trigram_embedder())
    before = snapshot(out)
    write_jsonl(corpus, [*PAPERS, {"id": "2401.00009", "title": "Mamba", "abstract": "State space models."}])

    import kg.export.graphml

    def invalid_xml(graph, path, previous=None):  # what the GraphML writer wrote for a title holding a form feed
        Path(path).write_text('<?xml version="1.0"?>\n<graphml><node id="\x0c"/></graphml>\n', encoding="utf-8")

    monkeypatch.setattr(kg.export.graphml, "write_graphml", invalid_xml)
    with pytest.raises(ExportError, match=r"graph\.graphml:2: not readable GraphML"):
        build([corpus], BuildOptions(out_dir=out, progress=False), embedder=trigram_embedder())
    assert snapshot(out) == before
    assert not list(out.glob(".staging-*"))


def test_leftovers_of_a_killed_build_are_removed_by_the_next(corpus, tmp_path, trigram_embedder):
    out = tmp_path / "out"
    stale = out / ".staging-k1ll3d"
    (stale / "graph.ttl").parent.mkdir(parents=True)
    (stale / "graph.ttl").write_text("half a graph", encoding="utf-8")
    (out / f".{MANIFEST}.x1y2.tmp").write_text("{", encoding="utf-8")
    build([corpus], BuildOptions(out_dir=out, progress=False), embedder=trigram_embedder())
    assert not list(out.glob(".staging-*")) and not list(out.glob(f".{MANIFEST}.*"))
    assert (out / MANIFEST).exists() and (out / "graph.ttl").exists()


HOLD_LOCK = """
import sys, time
from kg.fileio import directory_lock
with directory_lock(sys.argv[1], sys.argv[2]):
    print("locked", flush=True)
    time.sleep(float(sys.argv[3]))
"""


def hold_lock(out: Path, seconds: float) -> subprocess.Popen:
    """Another process holding ``out``'s build lock for ``seconds``."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(out), pipeline.LOCK, str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert holder.stdout.readline() == "locked\n"
    return holder


def test_a_build_holding_the_lock_stops_another(corpus, tmp_path, capsys, no_model):
    out = tmp_path / "out"
    holder = hold_lock(out, 60)
    try:
        started = time.monotonic()
        assert cli.main(["build", str(corpus), "--out", str(out), "-q"]) == 2
        assert time.monotonic() - started < 10  # at once, not after the holder
        err = capsys.readouterr().err
        assert f"kg: error: {out}: another build is writing here (pid {holder.pid} on " in err and "--wait" in err
        assert not (out / "graph.ttl").exists()
    finally:
        holder.kill()
        holder.wait()
    assert cli.main(["build", str(corpus), "--out", str(out), "-q"]) == 0  # released when its holder died


def test_wait_blocks_until_the_other_build_is_done(corpus, tmp_path, capsys, no_model):
    out = tmp_path / "out"
    holder = hold_lock(out, 2)
    try:
        started = time.monotonic()
        assert cli.main(["build", str(corpus), "--out", str(out), "-q", "--wait"]) == 0
        assert time.monotonic() - started > 1.5  # it built only after the holder let go
    finally:
        holder.kill()
        holder.wait()
    assert f"waiting for the other build of this directory to finish (pid {holder.pid}" in capsys.readouterr().err
    assert (out / "graph.ttl").exists()


def exports_bytes(out: Path) -> dict[str, bytes]:
    return {name: data for name, (_, data) in snapshot(out).items()}


def test_a_damaged_cache_gives_the_same_graph(corpus, tmp_path, trigram_embedder):
    """200 random byte flips in the cache file, or vectors zeroed under valid checksums: the same exports."""
    import random

    cache = tmp_path / "cache"
    cached = CachedEmbedder(trigram_embedder(), cache)
    # the rules extractor: the tagger embeds no phrase, so only the rules path reads the embedding cache
    rules = {"progress": False, "extractor": "rules"}
    build([corpus], BuildOptions(out_dir=tmp_path / "clean", **rules), embedder=cached)
    cached.close()  # checkpoints the WAL into the file
    clean = exports_bytes(tmp_path / "clean")
    db_file = cache / "embeddings.sqlite"
    pristine = db_file.read_bytes()
    rng = random.Random(11)
    for damage in ("flips", "zeros"):
        data = bytearray(pristine)
        if damage == "flips":
            for _ in range(200):
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
            db_file.write_bytes(bytes(data))
        else:
            db_file.write_bytes(pristine)
            zero = np.zeros(cached.dim, dtype=np.float32).tobytes()
            with sqlite3.connect(db_file) as db:
                keys = [k for (k,) in db.execute("SELECT key FROM vectors")]
                db.executemany(
                    "UPDATE vectors SET v = ?, checksum = ? WHERE key = ?",
                    [(zero, cached._checksum(k, zero), k) for k in keys],
                )
            db.close()
        again = CachedEmbedder(trigram_embedder(), cache)
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            build([corpus], BuildOptions(out_dir=tmp_path / damage, **rules), embedder=again)
        again.close()
        assert exports_bytes(tmp_path / damage) == clean, damage
        assert again.misses > 0 and any("cache" in str(w.message) for w in seen), damage


def test_the_cache_serves_a_forced_rebuild(corpus, tmp_path, trigram_embedder):
    inner = trigram_embedder()
    cached = CachedEmbedder(inner, tmp_path / "cache")
    rules = {"progress": False, "extractor": "rules"}  # the path that embeds phrases, through the cache
    build([corpus], BuildOptions(out_dir=tmp_path / "a", **rules), embedder=cached)
    calls = inner.calls
    report = build([corpus], BuildOptions(out_dir=tmp_path / "a", force=True, **rules), embedder=cached)
    assert inner.calls == calls and report.embedded == 0 and report.cache_hits > 0


def test_the_default_tagger_build_embeds_no_phrase(corpus, tmp_path, trigram_embedder):
    """One forward pass per paper and nothing else: no phrase, label or prototype goes through ``embed``."""
    embedder = trigram_embedder()
    asked: list[str] = []
    embedder.embed = lambda texts: asked.extend(texts) or type(embedder).embed(embedder, texts)
    report = build([corpus], BuildOptions(out_dir=tmp_path / "out", progress=False), embedder=embedder)
    assert BuildOptions().extractor == "tagger" and report.extracted == len(PAPERS)
    assert asked == [] and embedder.calls == len(PAPERS)  # the token encoder's passes, one per paper


# --- the CLI ------------------------------------------------------------------------------------------


@pytest.fixture
def no_model(monkeypatch, trigram_embedder):
    monkeypatch.setattr(pipeline, "load_embedder", lambda *a, **k: trigram_embedder())


def test_cli_build_reports_a_malformed_record_by_file_and_line(tmp_path, capsys, no_model):
    f = tmp_path / "papers.jsonl"
    f.write_text(json.dumps(PAPERS[0]) + "\n{not json\n" + json.dumps(PAPERS[1]) + "\n", encoding="utf-8")
    assert cli.main(["build", str(f), "--out", str(tmp_path / "out"), "-q"]) == 0
    captured = capsys.readouterr()
    assert f"{f}:2:" in captured.err and "distinct papers: 2" in captured.out
    assert cli.main(["build", str(f), "--out", str(tmp_path / "strict"), "-q", "--strict"]) == 2
    assert f"{f}:2:" in capsys.readouterr().err
    assert not (tmp_path / "strict" / "graph.ttl").exists()


def test_cli_build_reports_a_broken_csv_quote_and_keeps_the_rest(tmp_path, capsys, no_model):
    f = tmp_path / "papers.csv"
    f.write_text(
        "id,title,abstract\n"
        + "".join(f'{p["id"]},{p["title"]},"{p["abstract"]}"\n' for p in PAPERS[:2])
        + '2401.00099,"Broken,An unterminated quote.\n'
        + f"{PAPERS[2]['id']},{PAPERS[2]['title']},{PAPERS[2]['abstract']}\n",
        encoding="utf-8",
    )
    assert cli.main(["build", str(f), "--out", str(tmp_path / "out"), "-q"]) == 0
    captured = capsys.readouterr()
    assert f"{f}:4: bad CSV: unterminated quoted field" in captured.err
    assert "distinct papers: 3" in captured.out and "records skipped: 1" in captured.out
    assert cli.main(["build", str(f), "--out", str(tmp_path / "strict"), "-q", "--strict"]) == 2
    assert f"{f}:4: bad CSV: unterminated quoted field" in capsys.readouterr().err


def test_a_build_that_read_no_paper_fails_and_keeps_the_exports(corpus, tmp_path, capsys, no_model):
    out = tmp_path / "out"
    assert cli.main(["build", str(corpus), "--out", str(out), "-q"]) == 0
    before = snapshot(out)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"title": "no abstract"}\n{not json\n', encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["build", str(broken), "--out", str(out), "-q", "--force"]) == 2
    err = capsys.readouterr().err
    assert "no paper to build: every record was skipped (2 malformed)" in err and f"exports in {out} are kept" in err
    assert snapshot(out) == before
    assert cli.main(["build", str(broken), "--out", str(out), "-q", "--allow-empty"]) == 0
    assert "distinct papers: 0" in capsys.readouterr().out
    assert "2401.00001" not in (out / "graph.nt").read_text()


def test_cli_build_twice_then_force(corpus, tmp_path, capsys, no_model):
    args = ["build", str(corpus), "--out", str(tmp_path / "out"), "-q"]
    assert cli.main(args) == 0
    assert "up to date" not in capsys.readouterr().out
    assert cli.main(args) == 0
    assert "up to date" in capsys.readouterr().out
    assert cli.main([*args, "--force"]) == 0
    assert "up to date" not in capsys.readouterr().out


@pytest.mark.parametrize("value", ["-1", "many"])
def test_cli_rejects_a_bad_html_max_nodes(value, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["build", "--html-max-nodes", value])
    assert exc.value.code == 2
    assert "expected a whole number >= 0" in capsys.readouterr().err


def test_exports_written_in_parallel_are_the_bytes_written_in_turn(small_graph, tmp_path):
    from kg.pipeline import write_exports

    write_exports(small_graph, tmp_path / "one", None, workers=1)
    write_exports(small_graph, tmp_path / "two", None, workers=2)
    for name in EXPORT_FILES:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def _changed(value):
    """Another valid value of a BuildOptions field."""
    if isinstance(value, bool):
        return not value
    if value is None:
        return 7
    if isinstance(value, int | float):
        return value + 1 if isinstance(value, int) else value / 2
    if dataclasses.is_dataclass(value):
        first = dataclasses.fields(value)[0]
        return dataclasses.replace(value, **{first.name: _changed(getattr(value, first.name))})
    if isinstance(value, Path):
        return value / "elsewhere"
    return {"auto": "cpu", "in-process": "dask", "rules": "tagger", "tagger": "rules"}[value]


def test_fingerprint_covers_every_output_shaping_option(tmp_path):
    src = tmp_path / "p.jsonl"
    src.write_text('{"id": "a", "title": "T", "abstract": "An abstract."}\n', encoding="utf-8")
    corpus = read_corpus([src])
    base = BuildOptions()
    before = fingerprint(corpus, base, "m")
    for f in dataclasses.fields(BuildOptions):
        value = getattr(base, f.name)
        other = {"cache_dir": Path("x"), "scheduler": "local:3", "precision": "float32"}.get(f.name, _changed(value))
        changed = dataclasses.replace(base, **{f.name: other})
        assert getattr(changed, f.name) != value, f.name
        same = fingerprint(corpus, changed, "m") == before
        assert same == (f.name in NOT_OUTPUT_SHAPING), f.name
