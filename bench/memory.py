"""Where a build's memory goes: RSS, USS and PSS of the build and of each child, by pipeline step.

Runs one build (the real model on CPU, like bench/scale.py's builds) in a child process, and samples it and
its children (the forked export workers) every 0.2 s with psutil; the build marks the pipeline step it is in
(map, stored inputs, entities, graph, exports). Prints, per step, the peak RSS of the build process and of
its largest child, their peak USS (memory no other process shares) and the peak of the sum of every
process's PSS (the memory the whole build holds, shared pages counted once), then the ``ru_maxrss`` of the
build and of its largest child, which is what bench/scale.py reports as peak RSS.

A forked worker's RSS counts every page it still shares with the build: it starts as the build's RSS at the
fork. So the largest worker's RSS is the figure to hold under a target, not a part to add to the build's.

``--restamp`` first re-stamps the out dir's stored per-paper results (``.kg-papers.sqlite``, copied from an
earlier build of the same papers) with this code's stage fingerprint, so the build only reads them back and
runs the reduce (the entity inputs are made again if the extraction code changed).

Usage:
    python bench/memory.py OUT INPUT... [--cache DIR] [--restamp] [--log samples.jsonl]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

#: pipeline functions whose calls mark the step the build is in: (module, attribute, step)
STEPS = (
    ("kg.pipeline", "map_papers", "map"),
    ("kg.pipeline", "stored_results", "read results"),
    ("kg.paper_results", "ResultStore.entity_inputs", "entity inputs"),
    ("kg.pipeline", "extract_entities", "entities"),
    ("kg.pipeline", "build_graph", "graph"),
    ("kg.pipeline", "write_exports", "exports"),
)


def sample(proc: subprocess.Popen, marker: Path, out) -> None:
    """Until ``proc`` ends, every 0.2 s: one JSON line ``[seconds, step, [[pid, rss, uss, pss], ...]]`` (MB)
    for ``proc`` and its children, ``step`` read from ``marker``."""
    import psutil

    root, t0, step = psutil.Process(proc.pid), time.perf_counter(), "start"
    while proc.poll() is None:
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        rows = []
        for q in procs:
            try:
                m = q.memory_full_info()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            rows.append([q.pid, *(round(x / 2**20) for x in (m.rss, m.uss, m.pss))])
        step = (marker.read_text(encoding="utf-8") if marker.exists() else "") or step  # "": mid-write
        if rows:
            out.write(json.dumps([round(time.perf_counter() - t0, 2), step, rows]) + "\n")
        time.sleep(0.2)


def _mark_steps(marker: Path) -> None:
    """Have each function of :data:`STEPS` write its step into ``marker`` when called and when done."""
    import importlib

    for module, name, label in STEPS:
        owner = importlib.import_module(module)
        *path, attr = name.split(".")
        for part in path:
            owner = getattr(owner, part)
        function = getattr(owner, attr)

        @functools.wraps(function)
        def marked(*args, _function=function, _label=label, **kw):
            marker.write_text(_label, encoding="utf-8")
            try:
                return _function(*args, **kw)
            finally:
                marker.write_text(f"after {_label}", encoding="utf-8")

        setattr(owner, attr, marked)


def _restamp(out: Path, embedder) -> None:
    from kg.extract.keyphrases import RankingOptions
    from kg.extract.tagged import TaggedStage
    from kg.extract.tokens import resolve_precision

    stage = TaggedStage(RankingOptions(), device="cpu", embedder=embedder, precision=resolve_precision("auto"))
    with sqlite3.connect(out / ".kg-papers.sqlite") as db:
        db.execute("UPDATE meta SET value = ? WHERE name = 'fingerprint'", (stage.fingerprint(),))


def child(args: argparse.Namespace) -> None:
    """The build; it writes the step it is in into ``args.log + ".step"`` for the sampling parent."""
    from kg.extract.embed import CachedEmbedder, SentenceTransformerEmbedder
    from kg.pipeline import BuildOptions, build

    marker = Path(f"{args.log}.step")
    marker.write_text("model", encoding="utf-8")
    _mark_steps(marker)
    inner = SentenceTransformerEmbedder(device="cpu")
    inner.model  # noqa: B018 - loaded before the build, as bench/scale.py does
    embedder = CachedEmbedder(inner, Path(args.cache))
    if args.restamp:
        _restamp(Path(args.out), embedder)
    marker.write_text("build", encoding="utf-8")
    t = time.perf_counter()
    report = build([Path(p) for p in args.inputs], BuildOptions(out_dir=Path(args.out), progress=False), embedder)
    seconds = time.perf_counter() - t
    build_rss, worker_rss = (
        r.ru_maxrss / 1024 for r in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )
    result = {"seconds": seconds, "stages": report.stage_seconds, "extracted": report.extracted}
    print(json.dumps({**result, "build_maxrss_mb": build_rss, "worker_maxrss_mb": worker_rss}))


def summary(log: Path, result: dict) -> list[str]:
    """Per step: peak RSS and USS of the build and of its largest child, peak sum of PSS."""
    rows = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    root = rows[0][2][0][0]
    peaks: dict[str, list[float]] = {}
    for t, step, procs in rows:
        p = peaks.setdefault(step, [t, t, 0, 0, 0, 0, 0])
        p[1] = t
        for pid, rss, uss, _ in procs:
            i = 2 if pid == root else 4
            p[i], p[i + 1] = max(p[i], rss), max(p[i + 1], uss)
        p[6] = max(p[6], sum(q[3] for q in procs))
    lines = [
        "| step | seconds | build RSS | build USS | largest child RSS | child USS | sum of PSS |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {step} | {a:.0f}-{b:.0f} | {r} | {u} | {cr} | {cu} | {s} |"
        for step, (a, b, r, u, cr, cu, s) in peaks.items()
    ]
    lines.append(
        f"ru_maxrss: build {result['build_maxrss_mb']:.0f} MB, largest child {result['worker_maxrss_mb']:.0f} MB "
        f"(the build's peak RSS: {max(result['build_maxrss_mb'], result['worker_maxrss_mb']):.0f} MB); "
        f"{result['seconds']:.0f} s, stages " + ", ".join(f"{k} {v:.0f}" for k, v in result["stages"].items())
    )
    return lines


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("inputs", nargs="+")
    p.add_argument("--cache", help="embedding cache dir (default: a new one)")
    p.add_argument("--restamp", action="store_true", help="re-stamp OUT's stored results: a reduce-only build")
    p.add_argument("--log", help="where the samples go (default: a temporary file)")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args)
        return
    args.cache = args.cache or tempfile.mkdtemp(prefix="kg-memory-cache-")
    args.log = args.log or tempfile.mktemp(prefix="kg-memory-", suffix=".jsonl")
    cmd = [sys.executable, __file__, "--child", "--cache", args.cache, "--log", args.log, args.out, *args.inputs]
    Path(f"{args.log}.step").unlink(missing_ok=True)
    with (
        open(args.log, "w", encoding="utf-8") as log,
        tempfile.TemporaryFile("w+") as stdout,
        tempfile.TemporaryFile("w+") as stderr,
    ):
        proc = subprocess.Popen(
            cmd + (["--restamp"] if args.restamp else []), stdout=stdout, stderr=stderr, text=True, cwd=ROOT
        )
        sample(proc, Path(f"{args.log}.step"), log)
        if proc.wait() != 0:
            stderr.seek(0)
            raise SystemExit(f"build failed:\n{stderr.read()[-3000:]}")
        stdout.seek(0)
        result = json.loads(stdout.read().strip().splitlines()[-1])
    print("\n".join(summary(Path(args.log), result)))
    print(f"samples: {args.log}", file=sys.stderr)


if __name__ == "__main__":
    main()
