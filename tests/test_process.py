"""Export workers die with their build: ``kill -9`` of a build leaves no process of it alive."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.process import fork_pool, inherited

ROOT = Path(__file__).resolve().parent.parent

# a real build (the stand-in embedder) whose Turtle writer hangs, so the kill lands during the exports
BUILD_STUCK_IN_EXPORTS = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, "tests")
from conftest import TrigramEmbedder
import kg.export.rdf
from kg.pipeline import BuildOptions, build

def stuck(graph, path, **kwargs):  # kwargs: the previous export (kg.export.blocks)
    print("exporting", flush=True)
    time.sleep(600)

kg.export.rdf.write_turtle = stuck
corpus = Path(sys.argv[1]) / "papers.jsonl"
corpus.write_text(json.dumps({"id": "p1", "title": "LoRA", "abstract": "We use LoRA on A100 GPUs."}) + "\\n")
build([corpus], BuildOptions(out_dir=Path(sys.argv[1]) / "out", progress=False), embedder=TrigramEmbedder())
"""


def children(pid: int) -> list[int]:
    """Live (not zombie) processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            state, ppid = stat.rsplit(")", 1)[1].split()[:2]
            if int(ppid) == pid and state != "Z":
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists() or sys.platform != "linux", reason="needs Linux /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_build_leaves_no_export_worker_alive(tmp_path, sig):
    build = subprocess.Popen(
        [sys.executable, "-c", BUILD_STUCK_IN_EXPORTS, str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    workers: list[int] = []
    try:
        assert build.stdout.readline() == "exporting\n"
        workers = children(build.pid)
        assert len(workers) == 2
        build.send_signal(sig)
        build.wait(10)
        deadline = time.monotonic() + 10
        while any(map(alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in workers if alive(pid)]
    finally:
        build.kill()
        build.wait()
        for pid in workers:  # leave nothing behind, even when the test failed
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert list((tmp_path / "out").glob(".staging-*"))  # left behind; the next build removes it (test_pipeline)


def test_workers_are_forked_from_here_and_hold_what_they_inherited():
    graph = {"nodes": list(range(1000))}
    with fork_pool(2, inherit=graph) as pool:
        assert {pool.submit(os.getppid).result() for _ in range(4)} == {os.getpid()}
        assert pool.submit(inherited).result() == graph
