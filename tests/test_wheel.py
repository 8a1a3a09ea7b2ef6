"""The package installs from a wheel and builds from another directory: ontology, vocabulary, queries,
assets and the bundled corpus ship as package data (read through importlib.resources)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_and_builds_elsewhere(tmp_path):
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip"]
    subprocess.run(
        [*pip, "wheel", "-q", "--no-deps", "--no-build-isolation", str(ROOT), "-w", str(wheels)],
        check=True,
        cwd=tmp_path,
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    site = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "KG_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("PYTHONPATH", None)  # a source tree on the path would look like an installed kg to pip
    pip_install = [str(venv / "bin" / "pip"), "install", "-q", "--no-deps"]
    subprocess.run([*pip_install, *map(str, wheels.glob("*.whl"))], check=True, env=env)
    # the dependencies come from this environment (added after the install, so that pip does not see this
    # environment's editable kg); kg itself only from the wheel, found first on the path
    (site / "shared-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    work = tmp_path / "elsewhere"
    work.mkdir()
    papers = work / "papers.jsonl"
    papers.write_text(
        json.dumps(
            {
                "id": "p1",
                "title": "LoRA for question answering",
                "abstract": "We fine-tune Llama with LoRA on A100 GPUs for question answering.",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    kg = str(venv / "bin" / "kg")

    def run(*cmd: str) -> str:
        """Run a command of the installed package from the other directory; its standard output (its errors
        go to pytest's capture, shown when the test fails)."""
        return subprocess.run(cmd, cwd=work, env=env, check=True, stdout=subprocess.PIPE, text=True).stdout

    where = run(str(venv / "bin" / "python"), "-c", "import kg; print(kg.__file__)")
    assert where.startswith(str(site)), where
    run(kg, "build", str(papers), "--out", "out", "-q")
    assert "p1" in run(kg, "query", "--graph", "out", "--name", "papers-with-hardware")
    run(kg, "validate", "out/graph.ttl")
    dry = run(kg, "build", "--dry-run")
    assert "distinct papers: 394" in dry  # the bundled corpus, from the wheel
