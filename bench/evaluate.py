"""``make eval``: build graphs from the gold files in ``../shared/bench`` and score them with its scorer.

For each gold file, ``to_input.py`` turns it into builder input, :func:`kg.pipeline.build` builds it with
the project's defaults, and ``score.py`` prints P/R/F1 per type (relaxed match). The gold files stay where
they are: nothing is copied into the project.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg.errors import InputError
from kg.namespace import ONTOLOGY_DIR

GOLD_FILES = ("seeds_dev.jsonl", "scierc_dev.jsonl")


def run_eval(bench_dir: Path, work: Path | None = None, embedder=None, extractor: str | None = None) -> int:
    """Build and score every gold file with ``extractor`` (default: each of them in turn, the build's default
    first); print the score tables and wall times. Returns an exit code."""
    from kg.pipeline import EXTRACTORS, BuildOptions, build

    for name in (*GOLD_FILES, "to_input.py", "score.py"):
        if not (bench_dir / name).exists():
            raise InputError(str(bench_dir / name), "not found (is ../shared/bench beside the project?)")
    work = work or Path(tempfile.mkdtemp(prefix="kg-eval-"))
    ontology = sorted(str(p) for p in ONTOLOGY_DIR.glob("*.ttl"))
    default = BuildOptions.extractor
    extractors = [extractor] if extractor else [default, *(e for e in EXTRACTORS if e != default)]
    for name, gold in [(e, g) for e in extractors for g in GOLD_FILES]:
        t0 = time.perf_counter()
        inp = work / gold.replace(".jsonl", ".input.jsonl")
        with open(inp, "w", encoding="utf-8") as f:
            subprocess.run(
                [sys.executable, str(bench_dir / "to_input.py"), str(bench_dir / gold)], stdout=f, check=True
            )
        out = work / name / gold.replace(".jsonl", "")
        build([inp], BuildOptions(out_dir=out, progress=False, html_max_nodes=None, extractor=name), embedder=embedder)
        seconds = time.perf_counter() - t0
        score = subprocess.run(
            [sys.executable, str(bench_dir / "score.py"), str(bench_dir / gold), str(out / "graph.ttl"), *ontology],
            capture_output=True,
            text=True,
            check=True,
        )
        print(f"== {gold}, --extractor {name}  (build + score {seconds:.1f}s, graph in {out})")
        print(score.stdout.rstrip())
    return 0


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(description="score extraction against the gold files in ../shared/bench")
    p.add_argument(
        "--bench-dir", default="../shared/bench", help="folder of the gold files and scorer (default: %(default)s)"
    )
    p.add_argument("--work", default=None, help="keep the built graphs here (default: a new temporary folder)")
    p.add_argument(
        "--extractor",
        choices=["rules", "tagger"],
        default=None,
        help="score only this extractor (default: each, the build's default first)",
    )
    args = p.parse_args(argv)
    try:
        return run_eval(Path(args.bench_dir), Path(args.work) if args.work else None, extractor=args.extractor)
    except InputError as e:
        print(f"evaluate: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
