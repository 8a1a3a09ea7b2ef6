"""The hand-judged audit sheets of bench/ are tallied per section, so one sheet keeps dated draws."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_entity_audit_tallies_each_section_and_type(tmp_path, capsys):
    sheet = tmp_path / "sheet.md"
    sheet.write_text(
        "## Before\n\n| # | type | entity | papers | context | verdict |\n|---|---|---|---|---|---|\n"
        "| 1 | Method | LoRA | 30 | x | good |\n| 2 | Method | multimodal | 1 | x | junk |\n"
        "| 3 | Task | computer vision | 11 | x | wrong-type |\n"
        "## After\n\n| 1 | Method | LoRA | 30 | x | good |\n",
        encoding="utf-8",
    )
    assert _script("entity_audit").tally(sheet) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "== Before",
        "Method: good 1 (50%), junk 1 (50%), wrong-type 0 (0%), total 2",
        "Task: good 0 (0%), junk 0 (0%), wrong-type 1 (100%), total 1",
        "== After",
        "Method: good 1 (100%), junk 0 (0%), wrong-type 0 (0%), total 1",
    ]


@pytest.mark.parametrize(
    "script, row",
    [("entity_audit", "| 1 | Task | text | 1 | x | bad |"), ("alias_audit", "| 1 | Method | a | b | maybe |")],
)
def test_an_unknown_verdict_names_the_line(tmp_path, capsys, script, row):
    sheet = tmp_path / "sheet.md"
    sheet.write_text("# Sheet\n\n" + row + "\n", encoding="utf-8")
    assert _script(script).tally(sheet) == 2
    assert f"{sheet}:3:" in capsys.readouterr().err


def test_alias_audit_tallies_each_section(tmp_path, capsys):
    sheet = tmp_path / "sheet.md"
    sheet.write_text(
        "# First\n| 1 | Method | LoRA | low-rank adaptation | synonym |\n"
        "# Second\n| 1 | Method | LLM | LSLMs | narrower |\n",
        encoding="utf-8",
    )
    assert _script("alias_audit").tally(sheet) == 0
    out = capsys.readouterr().out
    assert "== First\nsynonym       1  100.0%" in out
    assert "== Second\nsynonym       0    0.0%\nnarrower      1  100.0%" in out
