"""The on-disk store (kg.query.store, ``kg load``): the same answers as the in-memory graph for every named
query, incremental loads that equal a fresh load, and interrupted loads that are redone."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Literal

from kg import cli
from kg.corpus import default_corpus_dir, read_corpus
from kg.errors import InputError
from kg.pipeline import BuildOptions, build
from kg.query import get_query, list_queries, load_graph, run_query
from kg.query.store import META, load_store, open_store

# GROUP_CONCAT columns: SPARQL does not define the order inside one value
CONCAT_COLUMNS = {"altLabels": " | ", "papers": " "}


def answers(graph, name: str) -> list[tuple]:
    """A named query's rows (default parameters) as sorted tuples of plain values."""
    q = get_query(name)
    result = run_query(graph, q.render(), q.source)
    out = []
    for row in result:
        cells = []
        for var, term in sorted(zip(map(str, result.vars), row, strict=True)):
            if isinstance(term, Literal) and isinstance(term.value, int | float | Decimal):
                value: object = float(term.value)
            else:
                value = "" if term is None else str(term)
            if var in CONCAT_COLUMNS and isinstance(value, str):
                value = " ".join(sorted(value.split(CONCAT_COLUMNS[var])))
            cells.append((var, value))
        out.append(tuple(cells))
    return sorted(out, key=repr)


def write_papers(path: Path, papers) -> Path:
    rows = [{"id": p.key, "title": p.title, "abstract": p.abstract} for p in papers]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def builds(tmp_path_factory, trigram_embedder):
    """One small build of 10 bundled papers, then the same out dir after 4 more (incremental)."""
    papers = read_corpus([default_corpus_dir()]).papers[:14]
    tmp = tmp_path_factory.mktemp("store-builds")
    out = tmp / "out"
    build(
        [write_papers(tmp / "a.jsonl", papers[:10])],
        BuildOptions(out_dir=out, progress=False),
        embedder=trigram_embedder(),
    )
    first = (out / "graph.nt").read_bytes()
    build(
        [write_papers(tmp / "a.jsonl", papers)],
        BuildOptions(out_dir=out, progress=False),
        embedder=trigram_embedder(),
    )
    before = tmp / "before.nt"
    before.write_bytes(first)
    return before, out


@pytest.mark.parametrize("name", [q.name for q in list_queries()])
def test_every_named_query_answers_the_same_from_the_on_disk_store(builds, tmp_path, name):
    _, out = builds
    load_store(out, tmp_path / "store")
    memory = answers(load_graph(out / "graph.nt", "memory"), name)
    assert answers(open_store(tmp_path / "store"), name) == memory


def test_a_later_load_applies_only_the_difference(builds, tmp_path):
    before, out = builds
    first = load_store(before, tmp_path / "store")
    assert first.from_scratch and first.triples == len(load_graph(before, "oxigraph"))
    second = load_store(out, tmp_path / "store")
    assert not second.from_scratch and second.added > 0
    assert second.added + second.removed < second.triples  # not a reload
    fresh = load_store(out, tmp_path / "fresh")
    assert second.triples == fresh.triples == len(load_graph(out / "graph.nt", "oxigraph"))
    for name in ("graph-summary", "top-methods", "entity-aliases"):
        assert answers(open_store(tmp_path / "store"), name) == answers(open_store(tmp_path / "fresh"), name)


def test_an_interrupted_load_is_redone_and_refused_meanwhile(builds, tmp_path):
    _, out = builds
    store = tmp_path / "store"
    load_store(out, store)
    meta = json.loads((store / META).read_text())
    (store / META).write_text(json.dumps({**meta, "complete": False}))  # as a killed load leaves it
    with pytest.raises(InputError, match="did not finish"):
        open_store(store)
    report = load_store(out, store)
    assert report.from_scratch and open_store(store) is not None


def test_kg_load_and_query_from_the_cli(builds, tmp_path, capsys):
    _, out = builds
    store = tmp_path / "store"
    assert cli.main(["load", str(out), "--store", str(store)]) == 0
    assert "(from scratch) into" in capsys.readouterr().out
    assert cli.main(["query", "--name", "graph-summary", "--store", str(store), "--format", "json"]) == 0
    from_store = json.loads(capsys.readouterr().out)
    assert cli.main(["query", "--name", "graph-summary", "--graph", str(out / "graph.nt"), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == from_store


def test_a_directory_that_is_not_a_store_is_never_wiped(builds, tmp_path, capsys):
    _, out = builds
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("do not delete")
    assert cli.main(["load", str(out), "--store", str(precious)]) == 2
    assert "is not a kg store" in capsys.readouterr().err
    assert (precious / "thesis.tex").exists()
    assert cli.main(["query", "--name", "graph-summary", "--store", str(precious)]) == 2


def test_serve_workers_answer_from_the_store(builds, tmp_path):
    import asyncio

    from kg.query.serve import QueryPool, ServeOptions

    _, out = builds
    store = tmp_path / "store"
    load_store(out, store)
    pool = QueryPool(store, ServeOptions(store=str(store), workers=2))
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    try:
        pool.start()
        reply = asyncio.run(pool.execute(count, "application/sparql-results+json"))
    finally:
        pool.close()
    assert reply.status == 200
    n = json.loads(reply.body)["results"]["bindings"][0]["n"]["value"]
    assert int(n) == pool.triples == len(load_graph(out / "graph.nt", "memory"))
