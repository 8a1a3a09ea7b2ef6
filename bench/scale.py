"""Incremental and distributed builds: what adding papers costs, and what a Dask engine costs.

Measured in one run, with the real model (all-MiniLM-L6-v2 on CPU), each build in its own process:

  (i)   engine overhead: 64 tasks of 0.25 s sleep on 2 workers, Dask local cluster vs in-process
        (and Ray, when ``--ray-python`` names a Python that has ray installed);
  (ii)  the bundled corpus + 10 new papers, against the embedding floor (bench/run.py's floor);
  (iii) for each N of ``--sizes``: a cold build of N synthetic papers, then + 10 new papers into the same
        out dir (per-paper results reused), and seconds per paper;
  (iv)  for N = ``--dask-size``: the cold build again with ``--engine dask --scheduler local:2``.

Results go into the section of ``bench/results.md`` between the ``bench/scale.py`` markers (the rest of
the file is bench/run.py's).

Usage:
    python bench/scale.py [--sizes 2000 5000] [--dask-size 5000] [--big]   # --big adds 20,000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

BEGIN, END = "<!-- bench/scale.py: begin -->", "<!-- bench/scale.py: end -->"
TASKS, TASK_S, WORKERS = 64, 0.25, 2


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and its reaped children (pool writers, Dask workers).

    On a shared machine wall seconds grow with the load while CPU seconds mostly do not, so the per-paper
    comparison of cold builds across sizes is also given in CPU seconds. Not for +10 against a cold build:
    the cold build's model runs on every core, the reduce mostly on one, so its CPU seconds would flatter it.
    """
    return sum(
        u.ru_utime + u.ru_stime for u in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


def _one(args: argparse.Namespace) -> None:
    """Child process: one build, printed as JSON on the last line."""
    from kg.extract.embed import CachedEmbedder, SentenceTransformerEmbedder
    from kg.pipeline import BuildOptions, build

    inner = SentenceTransformerEmbedder(device="cpu")
    inner.model  # noqa: B018 - loaded before timing (a Dask build's workers load their own, inside the time)
    embedder = CachedEmbedder(inner, Path(args.cache))
    opts = BuildOptions(out_dir=Path(args.out), progress=False, engine=args.engine, scheduler=args.scheduler)
    cpu0, t = _cpu_seconds(), time.perf_counter()
    report = build([Path(p) for p in args.inputs], opts, embedder=embedder)
    cpu = _cpu_seconds() - cpu0
    manifest = json.loads((Path(args.out) / ".kg-build.json").read_text(encoding="utf-8"))
    print(
        json.dumps(
            {
                "files": manifest["files"],
                "seconds": time.perf_counter() - t,
                "cpu_seconds": cpu,
                "papers": len(report.corpus.papers),
                "stages": report.stage_seconds,
                "extracted": report.extracted,
                "reused": report.reused,
                "model_load_s": inner.load_seconds,
                **_peak_rss_mb(),
            }
        )
    )


def _peak_rss_mb() -> dict:
    """Peak RSS of this build process and of its largest child (a forked export worker, or a Dask worker),
    and the larger of the two, the build's peak. A forked worker's RSS counts the pages it still shares
    with the build (it starts as the build's RSS at the fork), so it is the figure to compare, not a part
    to add to the build's."""
    build, worker = (resource.getrusage(w).ru_maxrss / 1024 for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return {"peak_rss_mb": max(build, worker), "build_rss_mb": build, "worker_rss_mb": worker}


def build_child(
    inputs: list[Path], cache: Path, out: Path, engine: str = "in-process", scheduler: str | None = None
) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--one",
        "--cache",
        str(cache),
        "--out",
        str(out),
        "--engine",
        engine,
        *(["--scheduler", scheduler] if scheduler else []),
        *map(str, inputs),
    ]
    load = os.getloadavg()[0]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"build failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["load"] = [load, os.getloadavg()[0]]  # 1-minute load average before and after the build
    print(
        f"{engine} {[p.name for p in inputs]}: {result['seconds']:.1f}s "
        f"(extracted {result['extracted']}, reused {result['reused']})",
        file=sys.stderr,
        flush=True,
    )
    return result


def engine_overhead() -> dict:
    """Seconds to start a 2-worker Dask local cluster and to map 64 sleeps of 0.25 s on it; in-process."""
    from distributed import Client, LocalCluster

    t = time.perf_counter()
    for _ in range(TASKS):
        time.sleep(TASK_S)
    here = time.perf_counter() - t
    t = time.perf_counter()
    with (
        LocalCluster(n_workers=WORKERS, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        start = time.perf_counter() - t
        t = time.perf_counter()
        client.gather(client.map(time.sleep, [TASK_S] * TASKS, pure=False))
        mapped = time.perf_counter() - t
    return {"in_process_s": here, "dask_start_s": start, "dask_map_s": mapped}


_RAY = """
import json, time, ray
t = time.perf_counter(); ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
start = time.perf_counter() - t
@ray.remote
def nap(s): time.sleep(s)
t = time.perf_counter(); ray.get([nap.remote(0.25) for _ in range(64)]); mapped = time.perf_counter() - t
print(json.dumps({"ray_version": ray.__version__, "ray_start_s": start, "ray_map_s": mapped}))
"""


def ray_overhead(python: str) -> dict:
    proc = subprocess.run([python, "-c", _RAY], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        return {"ray_error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def ten_new(path: Path, seed: int) -> Path:
    """10 synthetic papers not in any other corpus of this run."""
    from run import synthetic_corpus

    lines = synthetic_corpus(10, path, seed=seed).read_text(encoding="utf-8").splitlines()
    path.write_text("".join(line.replace('"syn-10-', f'"new-{seed}-') + "\n" for line in lines), encoding="utf-8")
    return path


def measure(args: argparse.Namespace, work: Path) -> dict:
    from run import run_child, synthetic_corpus

    from kg.corpus import default_corpus_dir
    from kg.pipeline import BuildOptions

    raw: dict = {"overhead": engine_overhead(), "load_start": os.getloadavg()[0], "extractor": BuildOptions().extractor}
    if args.ray_python:
        raw["overhead"].update(ray_overhead(args.ray_python))
    print(raw["overhead"], file=sys.stderr, flush=True)
    if not args.skip_bundled:
        load = os.getloadavg()[0]
        raw["floor"] = run_child("floor", [], work / "unused", work / "unused")
        raw["floor"]["load"] = [load, os.getloadavg()[0]]
        if args.warm_cache:  # the base build is not what is measured here; the +10 after it is
            (work / "cache-bundled").mkdir()
            shutil.copyfile(args.warm_cache, work / "cache-bundled" / "embeddings.sqlite")
        base = build_child([default_corpus_dir()], work / "cache-bundled", work / "out-bundled")
        plus = build_child(
            [default_corpus_dir(), ten_new(work / "new-b.jsonl", 1)], work / "cache-bundled", work / "out-bundled"
        )
        raw["bundled"] = {"base": base, "plus10": plus}
    raw["sizes"] = {}
    for n in args.sizes:
        corpus = synthetic_corpus(n, work / f"syn-{n}.jsonl")
        cold = build_child([corpus], work / f"cache-{n}", work / f"out-{n}")
        plus = build_child([corpus, ten_new(work / f"new-{n}.jsonl", n)], work / f"cache-{n}", work / f"out-{n}")
        raw["sizes"][n] = {"cold": cold, "plus10": plus}
    if args.dask_size:
        n = args.dask_size
        corpus = synthetic_corpus(n, work / f"syn-{n}.jsonl")
        here = raw["sizes"].get(n, {}).get("cold") or build_child([corpus], work / f"cache-{n}", work / f"out-{n}")
        dask = build_child([corpus], work / f"cache-dask-{n}", work / f"out-dask-{n}", "dask", f"local:{WORKERS}")
        raw["dask"] = {"papers": n, "in_process": here, "dask": dask, "identical": here["files"] == dask["files"]}
    return raw


def _whose_peak(r: dict) -> str:
    """Which process the peak RSS is: the build or its largest export worker (runs before they were told
    apart recorded only the larger)."""
    if "build_rss_mb" not in r:
        return ""
    build, worker = r["build_rss_mb"] / 1024, r["worker_rss_mb"] / 1024
    return f" ({'build process' if build >= worker else 'export worker'}; build {build:.2f}, worker {worker:.2f})"


def _row(name: str, measured: str, met: bool | None) -> str:
    return f"| {name} | {measured} | {'n/a' if met is None else 'yes' if met else '**no**'} |"


def report(raw: dict, args: argparse.Namespace) -> list[str]:
    o = raw["overhead"]
    lines = [
        BEGIN,
        "",
        "## Incremental and distributed builds (bench/scale.py)",
        "",
        f"Produced by `{' '.join(['python bench/scale.py', *sys.argv[1:]])}` on {time.strftime('%Y-%m-%d')}, "
        f"{os.cpu_count()} cores, extractor `{raw.get('extractor', 'rules')}` (the default when measured), "
        f"load average {raw.get('load_start', float('nan')):.1f} at the start and {os.getloadavg()[0]:.1f} at the "
        "end (the machine was shared: seconds are inflated, ratios within this run are the figures to read; "
        "each row gives the load before and after its build).",
        "",
        f"(i) engine overhead, {TASKS} tasks of {TASK_S} s on {WORKERS} workers (ideal map "
        f"{TASKS * TASK_S / WORKERS:.1f} s): in-process {o['in_process_s']:.2f} s; Dask local cluster start "
        f"{o['dask_start_s']:.2f} s, map {o['dask_map_s']:.2f} s"
        + (
            f"; Ray {o['ray_version']} start {o['ray_start_s']:.2f} s, map {o['ray_map_s']:.2f} s"
            if "ray_map_s" in o
            else f"; Ray not measured in this run ({o.get('ray_error', 'no --ray-python')})"
        )
        + ".",
        "",
        "On a shared machine each process gets a share of the cores, so a 2-worker Dask build can beat "
        "the in-process one by taking more of the machine: the engine's own overhead is (i), not that ratio.",
        "",
        "| measurement | seconds | CPU seconds | papers extracted / reused | stages | load before / after |",
        "|---|---:|---:|---:|---|---|",
    ]

    def line(name: str, r: dict) -> str:
        slow = ", ".join(f"{k} {v:.1f}" for k, v in sorted(r["stages"].items(), key=lambda kv: -kv[1])[:4])
        load = " / ".join(f"{x:.1f}" for x in r.get("load", ()))
        cpu = f"{r['cpu_seconds']:.1f}" if "cpu_seconds" in r else ""
        return f"| {name} | {r['seconds']:.1f} | {cpu} | {r['extracted']} / {r['reused']} | {slow} | {load} |"

    targets = ["", "| target | measured | met |", "|---|---|---|"]
    if "bundled" in raw:
        b, floor = raw["bundled"], raw["floor"]["seconds"]
        base = "bundled build" + (" (warm embedding cache given)" if args.warm_cache else "")
        lines += [
            f"| embedding floor, bundled ({raw['floor']['papers']} texts) | {floor:.1f} | | | "
            + " | "
            + " / ".join(f"{x:.1f}" for x in raw["floor"].get("load", ()))
            + " |",
            line(base, b["base"]),
            line("bundled + 10 new papers", b["plus10"]),
        ]
        ratio = b["plus10"]["seconds"] / floor
        targets.append(_row("+10 papers on the bundled graph <= 0.3x the floor", f"{ratio:.2f}x", ratio <= 0.3))
    per_paper, cpu_per_paper = {}, {}
    for n, r in raw["sizes"].items():
        lines += [line(f"{n} synthetic papers, cold", r["cold"]), line(f"{n} + 10 new papers", r["plus10"])]
        ratio = r["plus10"]["seconds"] / r["cold"]["seconds"]
        per_paper[int(n)] = r["cold"]["seconds"] / int(n)
        if "cpu_seconds" in r["cold"]:
            cpu_per_paper[int(n)] = r["cold"]["cpu_seconds"] / int(n)
        targets.append(_row(f"+10 papers on {n} <= 5% of its cold build", f"{100 * ratio:.1f}%", ratio <= 0.05))
    if len(per_paper) >= 2:
        lo, hi = min(per_paper), max(per_paper)
        ratio = per_paper[hi] / per_paper[lo]
        targets.append(_row(f"s/paper at {hi:,} <= 1.3x s/paper at {lo:,}", f"{ratio:.2f}x", ratio <= 1.3))
        if len(cpu_per_paper) == len(per_paper):
            ratio = cpu_per_paper[hi] / cpu_per_paper[lo]
            targets.append(_row(f"s/paper in CPU seconds at {hi:,} <= 1.3x at {lo:,}", f"{ratio:.2f}x", ratio <= 1.3))
        cold = raw["sizes"][max(raw["sizes"], key=int)]["cold"]
        rss = cold["peak_rss_mb"] / 1024
        targets.append(_row(f"peak RSS at {hi:,} papers < 3 GiB", f"{rss:.2f} GiB{_whose_peak(cold)}", rss < 3))
    if "dask" in raw:
        d = raw["dask"]
        lines += [
            line(f"{d['papers']} papers, in-process", d["in_process"]),
            line(f"{d['papers']} papers, dask local:{WORKERS} (cluster start included)", d["dask"]),
        ]
        ratio = d["dask"]["seconds"] / d["in_process"]["seconds"]
        targets.append(
            _row(f"dask local:{WORKERS} on {d['papers']:,} papers <= 1.15x in-process", f"{ratio:.2f}x", ratio <= 1.15)
        )
        targets.append(_row("dask and in-process exports byte-identical", str(d["identical"]), d["identical"]))
    return [*lines, *targets, "", END]


def write_section(path: Path, section: list[str]) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + text[text.index(END) + len(END) :].lstrip("\n")
    path.write_text(text.rstrip("\n") + "\n\n" + "\n".join(section) + "\n", encoding="utf-8")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--cache")
    p.add_argument("--out")
    p.add_argument("--engine", default="in-process")
    p.add_argument("--scheduler")
    p.add_argument("inputs", nargs="*")
    p.add_argument("--sizes", type=int, nargs="*", default=[2000, 5000])
    p.add_argument("--big", action="store_true", help="add 20,000 papers to --sizes")
    p.add_argument("--dask-size", type=int, default=5000, help="papers for the Dask vs in-process build (0: skip)")
    p.add_argument("--skip-bundled", action="store_true")
    p.add_argument("--ray-python", help="a Python with ray installed, for the overhead comparison")
    p.add_argument("--warm-cache", help="an embeddings.sqlite to start the bundled base build from (copied)")
    p.add_argument("--write", default=str(ROOT / "bench" / "results.md"))
    args = p.parse_args()
    if args.one:
        _one(args)
        return
    if args.big:
        args.sizes = [*args.sizes, 20000]
    work = Path(tempfile.mkdtemp(prefix="kg-scale-"))
    raw = measure(args, work)
    (work / "raw.json").write_text(json.dumps(raw, indent=1), encoding="utf-8")
    section = report(raw, args)
    print("\n".join(section))
    print(f"raw measurements: {work / 'raw.json'}", file=sys.stderr)
    if args.write:
        write_section(Path(args.write), section)


if __name__ == "__main__":
    main()
