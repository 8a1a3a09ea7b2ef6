"""Build-speed benchmark: how close is a build to the price of embedding the text once?

For the bundled corpus it measures, in one run and with the same model:
  (a) the embedding floor: seconds to embed every distinct paper's text once (no cache);
  (b) a cold build (empty embedding cache), (c) a warm rebuild (nothing changed), and (d) an incremental
      build with one new paper, with per-stage seconds and (e) peak RSS of each build;
then the scale curve: cold builds of synthetic corpora made by recombining sentences of the bundled
abstracts into new abstracts (new text, so the cache cannot help), seconds per paper and peak RSS.

Each build runs in its own process so its peak RSS is its own. Model loading is reported apart (it is the
same fixed cost for the floor and the build).

Usage:
    python bench/run.py [--sizes 2000 5000 20000] [--write bench/results.md]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _one(args: argparse.Namespace) -> None:
    """Child process: one measurement, printed as JSON on the last line."""
    sys.path.insert(0, str(ROOT))
    from kg.corpus import default_corpus_dir, read_corpus
    from kg.embed import CachedEmbedder, SentenceTransformerEmbedder
    from kg.pipeline import BuildOptions, build

    inputs = [Path(p) for p in args.inputs] or [default_corpus_dir()]
    t = time.perf_counter()
    inner = SentenceTransformerEmbedder(device=args.device)
    load_s = time.perf_counter() - t
    result: dict = {"model_load_s": load_s}
    if args.mode == "floor":
        papers = read_corpus(inputs, on_warning=lambda m: None).papers
        t = time.perf_counter()
        inner.embed([p.text for p in papers])
        result.update(seconds=time.perf_counter() - t, papers=len(papers))
    else:
        embedder = CachedEmbedder(inner, Path(args.cache))
        opts = BuildOptions(out_dir=Path(args.out), progress=False)
        t = time.perf_counter()
        report = build(inputs, opts, embedder=embedder)
        result.update(
            seconds=time.perf_counter() - t - report.stage_seconds.get("model", 0.0),
            papers=len(report.corpus.papers),
            stages=report.stage_seconds,
            embedded=report.embedded,
            cache_hits=report.cache_hits,
        )
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def run_child(mode: str, inputs: list[Path], cache: Path, out: Path, device: str = "cpu") -> dict:
    cmd = [sys.executable, __file__, "--one", mode, "--cache", str(cache), "--out", str(out),
           "--device", device, *map(str, inputs)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def synthetic_corpus(n: int, path: Path, seed: int = 0) -> Path:
    """``n`` papers whose abstracts recombine sentences of the bundled abstracts (new text each time)."""
    sys.path.insert(0, str(ROOT))
    from kg.corpus import default_corpus_dir, read_corpus
    from kg.text import sentences

    papers = read_corpus([default_corpus_dir()], on_warning=lambda m: None).papers
    pool = [p.abstract[s:e] for p in papers for s, e in sentences(p.abstract)]
    titles = [p.title for p in papers if p.title]
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            k = rng.randint(5, 9)
            abstract = " ".join(rng.choice(pool) for _ in range(k))
            words = rng.choice(titles).split() + rng.choice(titles).split()
            rng.shuffle(words)
            f.write(json.dumps({"id": f"syn-{n}-{i}", "title": " ".join(words[:10]), "abstract": abstract}) + "\n")
    return path


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--one", choices=["floor", "build"], dest="mode")
    p.add_argument("--cache")
    p.add_argument("--out")
    p.add_argument("--device", default="cpu")
    p.add_argument("inputs", nargs="*")
    p.add_argument("--sizes", type=int, nargs="*", default=[2000, 5000, 20000])
    p.add_argument("--write", default=str(ROOT / "bench" / "results.md"))
    args = p.parse_args()
    if args.mode:
        _one(args)
        return

    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    rows = []
    floor = run_child("floor", [], work / "unused", work / "unused")
    cold = run_child("build", [], work / "cache", work / "out-cold")
    warm = run_child("build", [], work / "cache", work / "out-warm")
    extra = work / "plus-one.jsonl"
    extra.write_text(json.dumps({"id": "bench-new-paper", "title": "Sparse Mixture-of-Experts Serving on Edge TPUs",
                                 "abstract": "We route tokens to experts on an Edge TPU and measure latency."}) + "\n")
    from kg.corpus import default_corpus_dir  # noqa: E402  (ROOT is on sys.path now)

    plus_one = run_child("build", [default_corpus_dir(), extra], work / "cache", work / "out-plus")
    a = floor["seconds"]
    lines = [
        "# Build benchmark",
        "",
        f"Machine: {os.cpu_count()} cores; model all-MiniLM-L6-v2 on CPU; model load {floor['model_load_s']:.1f}s "
        "(excluded below, the same for the floor and the builds).",
        "",
        "## Bundled corpus",
        "",
        "| measurement | seconds | ratio to floor | embedded texts | peak RSS MB |",
        "|---|---|---|---|---|",
        f"| (a) embedding floor: {floor['papers']} abstracts once | {a:.1f} | 1.00 | {floor['papers']} | "
        f"{floor['peak_rss_mb']:.0f} |",
    ]
    for name, r in (("(b) cold build", cold), ("(c) warm rebuild", warm), ("(+1) one new paper", plus_one)):
        lines.append(f"| {name} | {r['seconds']:.1f} | {r['seconds'] / a:.2f} | {r['embedded']} | "
                     f"{r['peak_rss_mb']:.0f} |")
    lines += ["", "(d) per-stage seconds:", "", "| stage | cold | warm |", "|---|---|---|"]
    for stage in cold["stages"]:
        lines.append(f"| {stage} | {cold['stages'][stage]:.2f} | {warm['stages'].get(stage, 0):.2f} |")
    lines += ["", "## Scale curve (synthetic corpora, cold cache)", "",
              "| papers | seconds | s/paper | embedded texts | peak RSS MB |", "|---|---|---|---|---|"]
    for n in args.sizes:
        corpus = synthetic_corpus(n, work / f"syn-{n}.jsonl")
        r = run_child("build", [corpus], work / f"cache-{n}", work / f"out-{n}")
        rows.append((n, r))
        lines.append(f"| {n} | {r['seconds']:.1f} | {r['seconds'] / n:.4f} | {r['embedded']} | "
                     f"{r['peak_rss_mb']:.0f} |")
        print(lines[-1], flush=True)
    if len(rows) >= 2:
        lines.append("")
        lines.append(f"s/paper at {rows[-1][0]} / s/paper at {rows[0][0]}: "
                     f"{(rows[-1][1]['seconds'] / rows[-1][0]) / (rows[0][1]['seconds'] / rows[0][0]):.2f}")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
