"""Build-speed benchmark: how close is a build to the price of embedding the text once?

For the bundled corpus it measures, in one run and with the same model:
  (a) the embedding floor: seconds to embed every distinct paper's text once (no cache);
  (b) a cold build (empty embedding cache, no earlier exports);
  (c) a warm rebuild with nothing changed (``kg build`` again: the exports are found up to date);
  (c') the same forced (``kg build --force``): every stage re-runs on the stored per-paper results
      (the rules extractor: every vector comes from the embedding cache);
  (+1) an incremental build with one new paper;
with (d) per-stage seconds, (e) peak RSS, and the texts and tokens the model ran on, for each (through the
token encoder, one forward pass per paper, and through the sentence embedder, texts embedded on their own);
then the scale curve: cold builds of synthetic corpora made by recombining sentences of the bundled
abstracts into new abstracts (new text, so the cache cannot help), seconds per paper and peak RSS.

Each build runs in its own process so its peak RSS is its own. Model loading is reported apart (it is the
same fixed cost for the floor and the builds that need the model; builds whose texts are all cached never
load it).

Usage:
    python bench/run.py [--sizes 2000 5000 20000] [--extractor tagger|rules] [--write bench/results.md]
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
    from kg.extract.embed import CachedEmbedder, SentenceTransformerEmbedder
    from kg.pipeline import BuildOptions, build

    inputs = [Path(p) for p in args.inputs] or [default_corpus_dir()]
    inner = SentenceTransformerEmbedder(device=args.device)
    if args.preload:
        inner.model  # noqa: B018 - load now, so the load is timed apart from the work
    result: dict = {"model_load_s": inner.load_seconds}
    if args.mode in ("floor", "floor-bfloat16"):
        if args.mode == "floor-bfloat16":  # the floor in the token encoder's format, where it runs bfloat16
            import torch

            inner.model.to(torch.bfloat16)
        papers = read_corpus(inputs, on_warning=lambda m: None).papers
        t = time.perf_counter()
        inner.embed([p.text for p in papers])
        result.update(seconds=time.perf_counter() - t, papers=len(papers), max_tokens=inner.model.max_seq_length)
    else:
        embedder = CachedEmbedder(inner, Path(args.cache))
        opts = BuildOptions(
            out_dir=Path(args.out),
            progress=False,
            force=args.force,
            **({"extractor": args.extractor} if args.extractor else {}),
        )
        t = time.perf_counter()
        report = build(inputs, opts, embedder=embedder)
        result.update(
            seconds=time.perf_counter() - t - (0.0 if args.preload else inner.load_seconds),
            papers=len(report.corpus.papers),
            stages=report.stage_seconds,
            embedded=report.embedded,
            cache_hits=report.cache_hits,
            up_to_date=report.up_to_date,
            model_load_s=inner.load_seconds,
        )
    encoder = inner.token_encoder()  # the build's token encoder (one per model): its counters are the build's
    result.update(
        encoder_precision=encoder.dtype_name,
        texts=inner.texts_embedded + encoder.texts_encoded,
        tokens=inner.tokens_embedded + encoder.pieces_encoded,
        model_seconds=inner.embed_seconds + encoder.seconds,
        embedded_texts=inner.texts_embedded,
        embedded_tokens=inner.tokens_embedded,
        embed_seconds=inner.embed_seconds,
        encoded_texts=encoder.texts_encoded,
        encoded_tokens=encoder.pieces_encoded,
        encode_seconds=encoder.seconds,
    )
    # The export writers are forked children. A child's RSS counts the pages it still shares with the
    # build process, so the larger of the two is reported, and each is kept in the raw JSON.
    result["rss_self_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["rss_workers_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result["peak_rss_mb"] = max(result["rss_self_mb"], result["rss_workers_mb"])
    print(json.dumps(result))


def run_child(
    mode: str,
    inputs: list[Path],
    cache: Path,
    out: Path,
    device: str = "cpu",
    *,
    preload: bool = True,
    force: bool = False,
    extractor: str | None = None,
) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--one",
        mode,
        "--cache",
        str(cache),
        "--out",
        str(out),
        "--device",
        device,
        *map(str, inputs),
    ]
    cmd += ["--extractor", extractor] if extractor else []
    cmd += ["--preload"] if preload else []
    cmd += ["--force"] if force else []
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"{mode} {'/'.join(map(str, inputs)) or 'bundled'}: {result['seconds']:.1f}s", file=sys.stderr)
    return result


def _profile(floor: dict, cold: dict) -> list[str]:
    """Where the cold build's time goes, from the measurements (no hand-written numbers)."""
    a, model_s = floor["seconds"], cold["model_seconds"]
    rest = cold["seconds"] - model_s
    return [
        f"- The model ran on {cold['texts']:,} texts, {cold['tokens']:,} tokens: "
        f"{cold['tokens'] / floor['tokens']:.2f}x the floor's {floor['tokens']:,}. Through the token encoder (one "
        f"forward pass per paper, over the whole title and abstract, where the floor's sentence embedder stops at "
        f"the model's {floor['max_tokens']} tokens): "
        f"{cold['encoded_texts']:,} texts, {cold['encoded_tokens']:,} tokens, {cold['encode_seconds']:.1f} s. "
        f"Through the sentence embedder (texts embedded on their own: candidate phrases, vocabulary labels, "
        f"phrases to type): {cold['embedded_texts']:,} texts, {cold['embedded_tokens']:,} tokens, "
        f"{cold['embed_seconds']:.1f} s.",
        f"- Time in the model: {model_s:.1f} s of {cold['seconds']:.1f} s, {model_s / a:.2f}x the floor "
        f"({cold['tokens'] / max(model_s, 1e-9):,.0f} tokens/s here, {floor['tokens'] / a:,.0f} in the floor).",
        f"- Everything else (chunking, tagging, KeyBERT's bookkeeping, relation scoring, typing, merging, graph, "
        f"the five exports): {rest:.1f} s, {rest / a:.2f}x the floor on its own. Stages: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in cold["stages"].items() if v >= 0.05)
        + ".",
    ]


def _target(name: str, measured: str, met: bool) -> str:
    return f"| {name} | {measured} | {'yes' if met else '**no**'} |"


def synthetic_corpus(n: int, path: Path, seed: int = 0) -> Path:
    """``n`` papers whose abstracts recombine sentences of the bundled abstracts (new text each time)."""
    sys.path.insert(0, str(ROOT))
    from kg.corpus import default_corpus_dir, read_corpus
    from kg.extract.text import sentences

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
    p.add_argument("--one", choices=["floor", "floor-bfloat16", "build"], dest="mode")
    p.add_argument("--cache")
    p.add_argument("--out")
    p.add_argument("--device", default="cpu")
    p.add_argument("--preload", action="store_true", help="(child) load the model before timing")
    p.add_argument("--force", action="store_true", help="(child) kg build --force")
    p.add_argument("inputs", nargs="*")
    p.add_argument("--sizes", type=int, nargs="*", default=[2000, 5000, 20000])
    p.add_argument(
        "--extractor",
        default=None,
        choices=["tagger", "rules"],
        help="the extractor to build with (default: kg build's)",
    )
    p.add_argument("--write", default=str(ROOT / "bench" / "results.md"))
    args = p.parse_args()
    if args.mode:
        _one(args)
        return

    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    load_at_start = os.getloadavg()
    rows = []
    floor = run_child("floor", [], work / "unused", work / "unused")
    ext = {"extractor": args.extractor}
    cold = run_child("build", [], work / "cache", work / "out", **ext)
    # where the token encoder runs in bfloat16 (kg.extract.tokens.auto_precision), the floor is measured in
    # float32 as always, and again in bfloat16: the build's ratio to each is reported
    floor16 = None
    if cold["encoder_precision"] == "bfloat16" and cold["encoded_texts"]:
        floor16 = run_child("floor-bfloat16", [], work / "unused", work / "unused")
    warm = run_child("build", [], work / "cache", work / "out", preload=False, **ext)
    forced = run_child("build", [], work / "cache", work / "out", preload=False, force=True, **ext)
    extra = work / "plus-one.jsonl"
    extra.write_text(
        json.dumps(
            {
                "id": "bench-new-paper",
                "title": "Sparse Mixture-of-Experts Serving on Edge TPUs",
                "abstract": "We route tokens to experts on an Edge TPU and measure latency.",
            }
        )
        + "\n"
    )
    from kg.corpus import default_corpus_dir  # noqa: E402  (ROOT is on sys.path now)

    plus_one = run_child("build", [default_corpus_dir(), extra], work / "cache", work / "out", preload=False, **ext)
    a = floor["seconds"]
    sys.path.insert(0, str(ROOT))
    from kg.pipeline import BuildOptions

    extractor = args.extractor or BuildOptions.extractor
    load = os.getloadavg()
    lines = [
        "# Build benchmark",
        "",
        f"`make bench` (`python bench/run.py`), `--extractor {extractor}`. Machine: {os.cpu_count()} cores, load "
        f"average {load_at_start[0]:.1f} at the start and {load[0]:.1f} at the end (other jobs share the cores: "
        "compare ratios within one run); model all-MiniLM-L6-v2 on CPU. "
        "Seconds exclude loading the model (torch import and weights), shown apart: the floor and the cold "
        "builds load it before timing; builds that need no forward pass (every paper's result stored, every "
        "vector cached) never load it. They include importing KeyBERT, which imports sentence-transformers and "
        "torch when they are not loaded yet.",
        "",
        "## Bundled corpus",
        "",
        "| measurement | seconds | ratio to floor | model load s (not in seconds) | texts through the model | "
        "tokens through the model | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| (a) embedding floor: {floor['papers']} papers' text once | {a:.1f} | 1.00 | "
        f"{floor['model_load_s']:.1f} | {floor['texts']} | {floor['tokens']:,} | {floor['peak_rss_mb']:.0f} |",
    ]
    if floor16:
        lines.append(
            f"| (a') the same floor with the model in bfloat16 (the token encoder's format on this CPU; not the "
            f"target's floor) | {floor16['seconds']:.1f} | {floor16['seconds'] / a:.2f} | "
            f"{floor16['model_load_s']:.1f} | {floor16['texts']} | {floor16['tokens']:,} | "
            f"{floor16['peak_rss_mb']:.0f} |"
        )
    runs = (
        ("(b) cold build", cold),
        ("(c) warm rebuild, nothing changed (up to date)", warm),
        ("(c') warm rebuild, forced (`--force`: per-paper results stored, vectors cached)", forced),
        ("(+1) one new paper", plus_one),
    )
    for name, r in runs:
        lines.append(
            f"| {name} | {r['seconds']:.1f} | {r['seconds'] / a:.2f} | "
            f"{r['model_load_s']:.1f} | {r['texts']} | {r['tokens']:,} | {r['peak_rss_mb']:.0f} |"
        )
    lines += [
        "",
        "(d) per-stage seconds:",
        "",
        "| stage | cold | warm | warm forced | +1 |",
        "|---|---:|---:|---:|---:|",
    ]
    stages = list(dict.fromkeys([*cold["stages"], *warm["stages"]]))
    for stage in stages:
        lines.append(
            f"| {stage} | "
            + " | ".join(f"{r['stages'].get(stage, 0):.2f}" for r in (cold, warm, forced, plus_one))
            + " |"
        )
    lines += [
        "",
        "## Scale curve (synthetic corpora, cold cache)",
        "",
        "| papers | seconds | s/paper | texts through the model | tokens | peak RSS MB (build / largest export "
        "worker) | slowest stages |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for n in args.sizes:
        corpus = synthetic_corpus(n, work / f"syn-{n}.jsonl")
        r = run_child("build", [corpus], work / f"cache-{n}", work / f"out-{n}", **ext)
        rows.append((n, r))
        slow = sorted(r["stages"].items(), key=lambda kv: -kv[1])[:3]
        lines.append(
            f"| {n} | {r['seconds']:.1f} | {r['seconds'] / n:.4f} | {r['texts']} | {r['tokens']:,} | "
            f"{r['peak_rss_mb']:.0f} ({r['rss_self_mb']:.0f} / {r['rss_workers_mb']:.0f}) | "
            + ", ".join(f"{k} {v:.0f}s" for k, v in slow)
            + " |"
        )
        print(lines[-1], flush=True)
    from kg.extract.keyphrases import candidates
    from kg.model import Paper

    new = json.loads(extra.read_text())
    # the rules embed the paper's text and its candidate phrases; the tagger runs one forward pass over its text
    new_texts = 1 if extractor == "tagger" else 1 + len(candidates(Paper("new", new["title"], new["abstract"])))
    lines += [
        "",
        "## Targets",
        "",
        "| target | measured | met |",
        "|---|---|---|",
        _target("cold build <= 1.5x the floor", f"{cold['seconds'] / a:.2f}x", cold["seconds"] / a <= 1.5),
        _target(
            "warm rebuild, nothing changed, <= 0.1x the floor",
            f"{warm['seconds'] / a:.3f}x",
            warm["seconds"] / a <= 0.1,
        ),
        _target(
            "  (forced warm rebuild, for reference)", f"{forced['seconds'] / a:.2f}x", forced["seconds"] / a <= 0.1
        ),
        _target(
            "one new paper runs only its own text through the model",
            f"{plus_one['texts']} texts; the "
            f"paper has {new_texts} ({'its text' if new_texts == 1 else 'its text and candidate phrases'})",
            plus_one["texts"] <= new_texts,
        ),
    ]
    if len(rows) >= 2:
        (n0, r0), (n1, r1) = rows[0], rows[-1]
        ratio = (r1["seconds"] / n1) / (r0["seconds"] / n0)
        lines.append(_target(f"s/paper at {n1:,} <= 1.3x s/paper at {n0:,}", f"{ratio:.2f}x", ratio <= 1.3))
        lines.append(
            _target(
                f"peak RSS at {n1:,} papers < 3 GiB",
                f"{r1['peak_rss_mb'] / 1024:.2f} GiB",
                r1["peak_rss_mb"] < 3 * 1024,
            )
        )
    lines += ["", "## Profile of the cold build", "", *_profile(floor, cold)]
    if floor16:
        lines.append(
            f"- The token encoder ran in bfloat16 (this CPU multiplies it natively). Against the floor in bfloat16 "
            f"(a', {floor16['seconds']:.1f} s) the cold build is {cold['seconds'] / floor16['seconds']:.2f}x, "
            f"its time in the model {cold['model_seconds'] / floor16['seconds']:.2f}x."
        )
    text = "\n".join(lines) + "\n"
    print(text)
    (work / "raw.json").write_text(
        json.dumps(
            {"floor": floor, "cold": cold, "warm": warm, "forced": forced, "plus_one": plus_one, "sizes": rows},
            indent=1,
        )
    )
    print(f"raw measurements: {work / 'raw.json'}", file=sys.stderr)
    if args.write:
        # bench/scale.py's section (incremental and distributed builds) is kept
        old = Path(args.write).read_text(encoding="utf-8") if Path(args.write).exists() else ""
        marker = "<!-- bench/scale.py: begin -->"
        kept = "\n" + old[old.index(marker) :] if marker in old else ""
        Path(args.write).write_text(text + kept, encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
