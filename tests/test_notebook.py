"""``notebooks/explore.ipynb`` runs top to bottom (nbclient) on the mini graph and on the bundled build."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
import rdflib
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
MINI = Path(__file__).parent / "data" / "mini_graph.ttl"


def run_notebook(graph: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Execute the notebook with KG_GRAPH=graph; return all its text output."""
    monkeypatch.setenv("KG_GRAPH", str(graph))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()
    return "\n".join(
        out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
    )


def test_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_notebook_runs_on_the_mini_graph(monkeypatch):
    text = run_notebook(MINI, monkeypatch)
    assert f"{len(rdflib.Graph().parse(MINI))} triples" in text  # the notebook's count is the file's
    assert "low-rank adaptation" in text  # methods for question answering, the PEFT tree
    assert "We fine-tune Llama-3.1-70B with LoRA" in text  # why-linked evidence
    assert "4 papers use a PEFT method" in text
    assert "most connected entities" in text


@pytest.mark.slow
def test_notebook_runs_on_the_bundled_build(bundled_graph_path, monkeypatch):
    text = run_notebook(bundled_graph_path, monkeypatch)
    assert "triples" in text and "most connected entities" in text
    assert "graph.graphml" in text  # the bundled build has its GraphML beside graph.ttl


YOUR_FIELD = ROOT / "notebooks" / "your-field.ipynb"
#: run before the notebook in the test: the trigram stand-in replaces the model (the real one takes minutes)
STAND_IN = f"""import sys
sys.path.insert(0, {str(ROOT / "tests")!r})
from conftest import TrigramEmbedder
import kg.pipeline
kg.pipeline.load_embedder = lambda *args, **kwargs: TrigramEmbedder()
"""


def test_your_field_notebook_is_stored_without_outputs():
    nb = nbformat.read(YOUR_FIELD, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_your_field_notebook_builds_queries_and_plots_a_bibtex_export(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_OUT", str(tmp_path / "my-field"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    nb = nbformat.read(YOUR_FIELD, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(STAND_IN))
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(YOUR_FIELD.parent)}}
    ).execute()
    text = "\n".join(out.get("text", "") for c in nb.cells if c.cell_type == "code" for out in c.get("outputs", []))
    assert "zotero.bib:31: malformed BibTeX entry" in text  # reported with its line, and skipped
    assert "distinct papers: 3" in text
    assert "plotted" in text and (tmp_path / "my-field" / "methods-per-year.png").stat().st_size > 1000
    assert (tmp_path / "my-field" / "graph.html").exists() and "graph page:" in text
