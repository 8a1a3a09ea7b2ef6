"""SPARQL over exports: the named query library, parameters, formatting, the ``kg query`` command.

Most tests run on ``tests/data/mini_graph.ttl`` (a hand-written export whose answers are known); the
``bundled`` tests run on a build of the bundled corpus when the ``bundled_exports`` fixture exists.
"""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kg.cli import main
from kg.errors import InputError
from kg.query import (
    STORES,
    NamedQuery,
    QuerySyntaxError,
    UpdateRefused,
    format_result,
    get_query,
    list_queries,
    load_graph,
    parse_params,
    run_query,
    sparql_string,
    substitute,
)

MINI = Path(__file__).parent / "data" / "mini_graph.ttl"
PAPER = "https://w3id.org/paper-kg/paper/"
QUERY_NAMES = [q.name for q in list_queries()]
# columns that are GROUP_CONCATs: their order inside one value is not defined by SPARQL
CONCAT_COLUMNS = {"altLabels": " | ", "papers": " "}

_graphs: dict[tuple[str, str], Graph] = {}


def graph_of(path: Path, store: str = "memory") -> Graph:
    """Each (file, store) is loaded once per test session."""
    key = (str(path), store)
    if key not in _graphs:
        _graphs[key] = load_graph(path, store)
    return _graphs[key]


def rows(graph: Graph, name: str, **params: str) -> list[dict[str, object]]:
    """A named query's rows as dicts of Python values (str for IRIs, None for unbound)."""
    q = get_query(name)
    result = run_query(graph, q.render(**params), q.source)
    return [{str(v): _value(t) for v, t in zip(result.vars, row, strict=True)} for row in result]


def _value(term: object) -> object:
    if term is None:
        return None
    if isinstance(term, Literal) and isinstance(term.value, int | float | Decimal) and not isinstance(term.value, bool):
        return float(term.value)
    return str(term)


def _normalized(table: list[dict[str, object]]) -> list[tuple]:
    out = []
    for row in table:
        cells = []
        for col, value in sorted(row.items()):
            if col in CONCAT_COLUMNS and isinstance(value, str):
                value = " ".join(sorted(value.split(CONCAT_COLUMNS[col])))
            cells.append((col, "" if value is None else value))
        out.append(tuple(cells))
    return sorted(out, key=repr)


def ids(table: list[dict[str, object]], column: str = "paper") -> set[str]:
    return {str(r[column]).removeprefix(PAPER) for r in table}


@pytest.fixture(scope="module")
def mini() -> Graph:
    return graph_of(MINI)


# ------------------------------------------------------------------ the library


def test_library_has_at_least_twelve_described_queries_with_prefixes():
    assert len(QUERY_NAMES) >= 12
    for q in list_queries():
        first_comment = next(line for line in q.text.splitlines() if line.startswith("#"))
        assert first_comment.startswith("# description: "), q.name
        assert q.description and "\n" not in q.description
        assert "PREFIX kg:" in q.text, q.name
    asked_for = {
        "methods-for-task",
        "tasks-for-method",
        "papers-with-hardware",
        "hardware-for-method",
        "top-methods",
        "top-hardware",
        "co-used-methods",
        "proposed-methods",
        "peft-papers",
        "why-linked",
        "listings-per-date",
        "entity-aliases",
        "untyped-papers",
        "method-task-support",
    }
    assert set(asked_for) <= set(QUERY_NAMES)


def test_unknown_query_name_lists_the_known_ones():
    with pytest.raises(InputError, match="methods-for-task"):
        get_query("no-such-query")


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_every_named_query_answers_on_the_mini_graph_and_oxigraph_agrees(name):
    memory = rows(graph_of(MINI, "memory"), name)
    oxigraph = rows(graph_of(MINI, "oxigraph"), name)
    assert memory, f"{name} found nothing with its default parameters"
    assert _normalized(memory) == _normalized(oxigraph)


# ------------------------------------------------------------------ answers on the mini graph


def _abstracts(graph: Graph) -> dict[str, str]:
    q = "SELECT ?p ?a WHERE { ?p a kg:Paper ; dcterms:abstract ?a }"
    return {str(r.p).removeprefix(PAPER): str(r.a) for r in run_query(graph, q)}


@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("name", ["A100", "a100", "NVIDIA A100", "A100 GPUs"])
def test_papers_with_hardware_a100_are_exactly_the_abstracts_that_say_a100(name, store):
    graph = graph_of(MINI, store)
    expected = {key for key, abstract in _abstracts(graph).items() if "A100" in abstract}
    assert expected == {"2401.00001", "2401.00003"}
    assert ids(rows(graph, "papers-with-hardware", hardware=name)) == expected


def test_papers_with_hardware_includes_narrower_hardware(mini):
    table = rows(mini, "papers-with-hardware", hardware="GPU")
    assert ids(table) == {"2401.00001", "2401.00002", "2401.00003"}
    assert {r["hardware"] for r in table} == {"A100", "H100", "consumer GPU"}


@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("name", ["MLQA", "mlqa benchmark"])
def test_papers_using_dataset_by_any_label(name, store):
    table = rows(graph_of(MINI, store), "papers-using-dataset", dataset=name)
    assert ids(table) == {"2401.00003"}
    assert table[0]["dataset"] == "MLQA benchmark" and "MLQA" in table[0]["evidence"]


def test_methods_for_task_by_any_label(mini):
    table = rows(mini, "methods-for-task", task="question answering")
    counts = {r["methodLabel"]: r["papers"] for r in table}
    assert counts == {
        "low-rank adaptation": 2,
        "LoRA-QA": 1,
        "Llama-3.1-70B": 1,
        "adapter": 1,
        "Transformer": 1,
        "MTLoRA": 1,
    }
    assert table[0]["methodLabel"] == "low-rank adaptation"  # most papers first
    assert rows(mini, "methods-for-task", task="qa") == table  # altLabel, any case
    assert rows(mini, "methods-for-task", task="no such task") == []


def test_tasks_and_hardware_for_a_method(mini):
    tasks = {r["taskLabel"]: r["papers"] for r in rows(mini, "tasks-for-method", method="LoRA")}
    assert tasks == {"question answering": 2, "machine translation": 1}  # MTLoRA is narrower than LoRA
    hardware = rows(mini, "hardware-for-method", method="adapters")
    assert {r["hardwareLabel"] for r in hardware} == {"A100", "H100"}


def test_papers_for_method_shows_use_and_proposal(mini):
    table = rows(mini, "papers-for-method", method="lora")
    assert {(r["paper"].removeprefix(PAPER), r["method"], r["relation"].rsplit("#")[1]) for r in table} == {
        ("2401.00001", "low-rank adaptation", "usesMethod"),
        ("2401.00006", "low-rank adaptation", "usesMethod"),
        ("2401.00006", "MTLoRA", "proposesMethod"),
    }


def test_top_methods_and_hardware(mini):
    top = rows(mini, "top-methods")
    assert [r["papers"] for r in top] == sorted((r["papers"] for r in top), reverse=True)
    assert {r["label"] for r in top if r["papers"] == 2} == {"low-rank adaptation", "Transformer"}
    assert len(rows(mini, "top-methods", limit="1")) == 1
    hardware = {r["label"]: r["papers"] for r in rows(mini, "top-hardware")}
    assert hardware == {"A100": 2, "edge device": 2, "H100": 1, "consumer GPU": 1}


def test_co_used_methods_are_unordered_pairs_with_counts(mini):
    pairs = {frozenset((r["labelA"], r["labelB"])): r["papers"] for r in rows(mini, "co-used-methods")}
    assert pairs[frozenset(("adapter", "Transformer"))] == 1
    assert pairs[frozenset(("MTLoRA", "low-rank adaptation"))] == 1
    assert frozenset(("adapter", "low-rank adaptation")) not in pairs
    assert all(len(p) == 2 for p in pairs) and len(pairs) == 6


def test_proposed_methods_with_evidence(mini):
    table = rows(mini, "proposed-methods")
    assert {(r["paper"].removeprefix(PAPER), r["methodLabel"]) for r in table} == {
        ("2401.00001", "LoRA-QA"),
        ("2401.00006", "MTLoRA"),
    }
    assert all("propose" in r["evidence"] for r in table)


@pytest.mark.parametrize(
    "concept",
    [
        "parameter-efficient fine-tuning",
        "PEFT",
        "vocab:parameter-efficient-fine-tuning",
        "parameter-efficient-fine-tuning",
        "https://w3id.org/paper-kg/vocab/parameter-efficient-fine-tuning",
    ],
)
def test_peft_papers_through_broader_star(mini, concept):
    table = rows(mini, "peft-papers", concept=concept)
    assert ids(table) == {"2401.00001", "2401.00002", "2401.00003", "2401.00006"}
    # LoRA, prefix tuning and adapters are one step down; MTLoRA two (MTLoRA -> LoRA -> PEFT)
    assert {r["methodLabel"] for r in table} == {"low-rank adaptation", "prefix tuning", "adapter", "MTLoRA"}


def test_peft_papers_for_another_concept(mini):
    assert ids(rows(mini, "peft-papers", concept="model compression")) == {"2401.00004"}


def test_why_linked_gives_the_evidence_sentence_with_the_surface_form(mini):
    (row,) = rows(mini, "why-linked", paper="LoRA-QA", entity="LoRA")
    assert row["relation"].endswith("#usesMethod")
    assert row["extractor"] == "keybert" and row["score"] == pytest.approx(0.6214)
    assert row["surfaceForm"] == "LoRA" and "LoRA" in row["evidence"]
    assert row["extractorVersion"].startswith("paper-kg")
    # by identifier; narrower entities count (MTLoRA under LoRA)
    table = rows(mini, "why-linked", paper="2401.00006", entity="low-rank adaptation")
    assert {r["entityLabel"] for r in table} == {"low-rank adaptation", "MTLoRA"}
    assert all(r["surfaceForm"] in r["evidence"] for r in table)


def test_listings_per_date_in_calendar_order(mini):
    table = rows(mini, "listings-per-date")
    assert [(r["date"], r["listings"], r["papers"]) for r in table] == [
        ("Mar 14", 2, 2),
        ("Sep 9", 3, 3),
        ("Sep 10", 2, 2),
    ]


def test_entity_aliases(mini):
    everything = {r["prefLabel"]: r for r in rows(mini, "entity-aliases")}
    assert set(everything["low-rank adaptation"]["altLabels"].split(" | ")) == {"LoRA", "low-rank adapters"}
    assert "LoRA-QA" not in everything  # no alternative label
    (one,) = rows(mini, "entity-aliases", entity="lora")
    assert one["prefLabel"] == "low-rank adaptation" and one["type"].endswith("#Method")
    (bare,) = rows(mini, "entity-aliases", entity="LoRA-QA")
    assert bare["altLabels"] == ""


def test_untyped_papers(mini):
    (row,) = rows(mini, "untyped-papers")
    assert row["paper"] == PAPER + "t-5f3a9c0b" and row["keyphrases"] == 2


def test_method_task_support(mini):
    table = rows(mini, "method-task-support")
    assert len(table) == 11
    top = table[0]
    assert (top["methodLabel"], top["taskLabel"]) == ("low-rank adaptation", "question answering")
    assert top["support"] == 2
    assert sorted(top["papers"].split()) == ["2401.00001", "2401.00006"]
    assert all(len(r["papers"].split()) == r["support"] for r in table)
    assert len(rows(mini, "method-task-support", min_support="2")) == 1


def test_method_task_evidence_lists_links_by_kind(mini):
    (row,) = rows(mini, "method-task-evidence")
    assert (row["methodLabel"], row["taskLabel"]) == ("prefix tuning", "machine translation")
    assert (row["byClassifier"], row["byProposal"]) == ("true", "true")
    assert float(row["score"]) == 0.91 and row["evidence"].startswith("Prefix tuning adapts")
    assert rows(mini, "method-task-evidence", kind="classifier") == [row]
    assert rows(mini, "method-task-evidence", kind="co-occurrence") == []


def test_concept_hierarchy_and_summary(mini):
    tree = {r["label"]: r["broader"] for r in rows(mini, "concept-hierarchy")}
    assert tree["MTLoRA"] == "low-rank adaptation"
    assert tree["adapter"] == "parameter-efficient fine-tuning"
    summary = {re.split("[#/]", r["class"])[-1]: r for r in rows(mini, "graph-summary")}
    assert summary["Paper"]["count"] == 6 and summary["Mention"]["count"] == 25
    assert summary["Paper"]["inPapers"] == 6
    assert summary["Person"]["count"] == summary["Person"]["inPapers"] == 3


def test_summary_counts_what_the_legend_counts(small_graph):
    """graph-summary's inPapers column is graph.html's legend; the vocabulary shows only in count."""
    from kg.export.html import node_counts
    from kg.export.rdf import to_rdf

    summary = {re.split("[#/]", r["class"])[-1]: r for r in rows(to_rdf(small_graph), "graph-summary")}
    legend = node_counts(small_graph)
    for kind, counts in legend.items():
        assert summary[kind]["inPapers"] == counts["inPapers"], kind
        assert summary[kind]["count"] >= counts["nodes"], kind  # the export holds the whole vocabulary


def test_the_mini_graph_keeps_the_contract_for_links(mini):
    """Every supporting paper of a method-task link links both the method and the task."""
    bad = run_query(
        mini,
        """SELECT ?link ?paper WHERE {
             ?link kg:linkMethod ?m ; kg:linkTask ?t ; kg:supportingPaper ?paper .
             FILTER NOT EXISTS { ?paper kg:usesMethod|kg:proposesMethod ?m ; kg:addressesTask ?t } }""",
    )
    assert list(bad) == []


# ------------------------------------------------------------------ parameters


@pytest.mark.parametrize(
    "value",
    [
        'say "hi"',
        "back\\slash",
        'ends with \\"',
        "line\nbreak\r\ttab",
        '") } ; DROP ALL #',
        "$task",
        "ünï ✓",
        "",
    ],
)
@pytest.mark.parametrize("store", STORES)
def test_param_values_come_back_unchanged(value, store):
    q = NamedQuery.from_text("echo", "# description: echo\n# param: x\nSELECT ($x AS ?v) WHERE {}\n")
    (row,) = list(run_query(graph_of(MINI, store), q.render(x=value)))
    assert str(row.v) == value


def test_param_cannot_inject_sparql(mini):
    hostile = 'question answering")) || true || (("'
    assert rows(mini, "methods-for-task", task=hostile) == []
    assert rows(mini, "papers-with-hardware", hardware='A100" || "1" = "1') == []


def test_substitute_leaves_strings_iris_comments_and_other_variables_alone():
    text = 'SELECT ?x $y WHERE { <http://e/$x> ?p "$x" . BIND($x AS ?z) } # $x\n$xy'
    expected = 'SELECT ?x $y WHERE { <http://e/$x> ?p "$x" . BIND("v" AS ?z) } # $x\n$xy'
    assert substitute(text, {"x": '"v"'}) == expected
    assert sparql_string('a"b\\c') == '"a\\"b\\\\c"'


def test_param_errors():
    q = get_query("top-methods")
    with pytest.raises(InputError, match="unknown parameter task"):
        q.render(task="x")
    with pytest.raises(InputError, match="whole number"):
        q.render(limit="1 } DROP ALL")
    for not_ascii_digits in ("²", "١٢", "⑤"):  # str.isdigit() says yes to these; int() says no
        with pytest.raises(InputError, match="whole number"):
            q.render(limit=not_ascii_digits)
    required = NamedQuery.from_text("r", "# description: r\n# param: who\nSELECT * WHERE { ?s ?p $who }")
    with pytest.raises(InputError, match="required"):
        required.render()
    with pytest.raises(InputError, match="NAME=VALUE"):
        parse_params(["novalue"])


# ------------------------------------------------------------------ loading, running, formatting


@pytest.mark.parametrize("store", STORES)
def test_load_graph_errors_name_the_file(tmp_path, store):
    with pytest.raises(InputError, match="nope.ttl"):
        load_graph(tmp_path / "nope.ttl", store)
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix kg: <https://w3id.org/paper-kg/ontology#> .\nkg:a kg:b \n", encoding="utf-8")
    with pytest.raises(InputError, match="broken.ttl"):
        load_graph(broken, store)


def test_load_graph_of_a_directory_reads_its_graph_ttl(tmp_path):
    (tmp_path / "graph.ttl").write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    assert len(load_graph(tmp_path)) == len(graph_of(MINI))


@pytest.mark.parametrize("store", STORES)
def test_syntax_error_and_update_are_refused(store):
    graph = graph_of(MINI, store)
    with pytest.raises(QuerySyntaxError, match="q.rq: SPARQL syntax error"):
        run_query(graph, "SELECT ?x WHERE { ?x ", source="q.rq")
    with pytest.raises(UpdateRefused, match="read-only"):
        run_query(graph, "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert (URIRef("urn:a"), None, None) not in graph


def test_format_table_csv_json(mini):
    q = get_query("top-hardware")
    table = format_result(run_query(mini, q.render()), "table")
    lines = table.splitlines()
    assert lines[0].split() == ["hardware", "label", "papers"]
    assert set(lines[1]) <= {"-", " "}
    assert "vocab:a100" in table and lines[-1] == "(4 rows)"
    assert len({len(line) for line in lines[:2]}) == 1  # header and rule aligned
    parsed = list(csv.DictReader(io.StringIO(format_result(run_query(mini, q.render()), "csv"))))
    assert parsed[0]["hardware"] == "https://w3id.org/paper-kg/vocab/a100" and parsed[0]["papers"] == "2"
    doc = json.loads(format_result(run_query(mini, q.render()), "json"))
    assert doc["head"]["vars"] == ["hardware", "label", "papers"] and len(doc["results"]["bindings"]) == 4


def test_format_ask_and_construct(mini):
    assert format_result(run_query(mini, "ASK { ?p a kg:Paper }")) == "true"
    assert format_result(run_query(mini, "ASK { ?p a kg:Nothing }"), "csv") == "false"
    assert json.loads(format_result(run_query(mini, "ASK { ?p a kg:Paper }"), "json"))["boolean"] is True
    turtle = format_result(run_query(mini, "CONSTRUCT { ?p a kg:Paper } WHERE { ?p a kg:Paper }"))
    assert len(Graph().parse(data=turtle, format="turtle")) == 6


def test_table_cuts_long_values_and_says_so(mini):
    text = format_result(run_query(mini, "SELECT ?a WHERE { ?p dcterms:abstract ?a }"), max_width=30)
    assert "…" in text and "cut at 30 characters" in text.splitlines()[-1]


# ------------------------------------------------------------------ kg query


def test_cli_named_query_table(capsys):
    argv = ["query", "--name", "methods-for-task", "--param", "task=question answering", "--graph", str(MINI)]
    code = main(argv)
    out = capsys.readouterr().out
    assert code == 0 and "low-rank adaptation" in out and out.rstrip().endswith("(6 rows)")


@pytest.mark.parametrize("store", STORES)
def test_cli_csv_and_json(capsys, store):
    args = ["query", "--name", "papers-with-hardware", "--param", "hardware=A100", "--graph", str(MINI)]
    assert main([*args, "--format", "csv", "--store", store]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert ids(table) == {"2401.00001", "2401.00003"}
    assert main([*args, "--format", "json", "--store", store]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["results"]["bindings"]) == 2


def test_cli_list(capsys):
    assert main(["query", "--list"]) == 0
    out = capsys.readouterr().out
    for q in list_queries():
        assert q.name in out and q.description in out
    assert "task='question answering'" in out


def test_cli_inline_and_file_queries(capsys, tmp_path):
    assert main(["query", "SELECT (COUNT(*) AS ?n) WHERE { ?p a kg:Paper }", "--graph", str(MINI)]) == 0
    assert "6" in capsys.readouterr().out.splitlines()[2]
    rq = tmp_path / "papers.rq"
    rq.write_text(
        "# description: papers listed on a date\n# param: date = Sep 9\n"
        "SELECT ?p WHERE { ?p kg:listing/kg:listingDate $date }\n",
        encoding="utf-8",
    )
    assert main(["query", "--file", str(rq), "--graph", str(MINI), "--param", "date=Mar 14"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("(2 rows)")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "SELECT ?x WHERE {", "--graph", str(MINI)], "<query>: SPARQL syntax error"),
        (["query", "--name", "top-methods", "--graph", "missing/graph.ttl"], "missing/graph.ttl"),
        (["query", "--name", "nope", "--graph", str(MINI)], "no such named query"),
        (["query", "--name", "top-methods", "--param", "task=x", "--graph", str(MINI)], "unknown parameter"),
        (["query", "--file", "missing.rq"], "missing.rq"),
        (["query", "DELETE WHERE { ?s ?p ?o }", "--graph", str(MINI)], "read-only"),
        (["query", "--name", "top-methods", "SELECT * {}"], "exactly one"),
        (["query"], "exactly one"),
        (["query", "--name", "top-methods", "--param", "limit=²", "--graph", str(MINI)], "whole number"),
    ],
)
def test_cli_errors_exit_2_and_say_why(capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_cli_syntax_error_in_a_file_names_the_file(capsys, tmp_path):
    rq = tmp_path / "bad.rq"
    rq.write_text("# description: broken\nSELECT ?x WHERE { ?x kg:usesMethod }\n", encoding="utf-8")
    assert main(["query", "--file", str(rq), "--graph", str(MINI)]) == 2
    err = capsys.readouterr().err
    assert f"{rq}: SPARQL syntax error" in err and "line 2" in err


# ------------------------------------------------------------------ what kg query refuses (issue 11)


@pytest.mark.parametrize("store", STORES)
def test_cli_sends_no_outbound_request(capsys, loopback_listener, outbound_queries, store):
    url, seen = loopback_listener
    for template in outbound_queries:
        assert main(["query", template.format(url=url), "--graph", str(MINI), "--store", store]) == 2
        err = capsys.readouterr().err
        assert "query refused" in err and ("--allow-service" in err) == ("LOAD" not in template)
    assert seen == []


@pytest.mark.parametrize("store", STORES)
def test_cli_allow_service_is_the_local_users_choice(capsys, loopback_listener, store):
    """The control for the test above: the listener does see the request when the user asks for it."""
    url, seen = loopback_listener
    query = f"SELECT ?x WHERE {{ SERVICE <{url}> {{ ?x ?y ?z }} }}"
    assert main(["query", query, "--graph", str(MINI), "--store", store, "--allow-service"]) == 0
    assert "remote" in capsys.readouterr().out and len(seen) == 1


@pytest.mark.parametrize("store", STORES)
def test_cli_deep_nesting_is_exit_2_and_the_limit_itself_runs(capsys, store):
    deep = "SELECT * WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000
    assert main(["query", deep, "--graph", str(MINI), "--store", store]) == 2
    assert "nested 3,000 deep" in capsys.readouterr().err
    # 64 levels (the default limit) of groups and of parentheses: rdflib needs the deep stack for these
    groups = "SELECT * WHERE " + "{" * 64 + " ?s ?p ?o " + "}" * 64 + " LIMIT 2"
    parens = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 62 + "true" + ")" * 62 + ") } LIMIT 2"
    for query in (groups, parens):
        assert main(["query", query, "--graph", str(MINI), "--store", store, "--format", "csv"]) == 0
        assert len(capsys.readouterr().out.strip().splitlines()) == 3


def test_table_output_strips_control_characters(capsys, tmp_path):
    hostile = "\x1b]0;owned\x07\x1b[2J\x1b[31mred\x9b1m\u202etxt.exe"
    nt = tmp_path / "g.nt"
    nt.write_text(f"<urn:x:p> <urn:x:title> {sparql_string(hostile)} .\n", encoding="utf-8")
    assert main(["query", "SELECT ?t WHERE { ?p ?q ?t }", "--graph", str(nt)]) == 0
    out = capsys.readouterr().out
    assert "red" in out and "txt.exe" in out
    assert not any(ch in out for ch in "\x1b\x07\x9b\u202e")
    assert main(["query", "SELECT ?t WHERE { ?p ?q ?t }", "--graph", str(nt), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"]["bindings"][0]["t"]["value"] == hostile  # data kept


# ------------------------------------------------------------------ on an export written by kg.export.rdf


@pytest.fixture
def small_export(small_graph, tmp_path) -> Path:
    """conftest's three hand-made papers, written by the real exporter (ontology and vocabulary included)."""
    rdf = pytest.importorskip("kg.export.rdf")
    path = tmp_path / "graph.ttl"
    rdf.write_turtle(small_graph, path)
    return path


def test_named_queries_on_an_export_from_the_exporter(small_export):
    memory, oxigraph = load_graph(small_export), load_graph(small_export, "oxigraph")
    for name in QUERY_NAMES:
        assert _normalized(rows(memory, name)) == _normalized(rows(oxigraph, name)), name
    assert ids(rows(memory, "papers-with-hardware", hardware="A100")) == {"p1"}
    assert ids(rows(memory, "peft-papers")) == {"p1", "p2"}
    (why,) = rows(memory, "why-linked", paper="p1", entity="LoRA")
    assert why["surfaceForm"] == "LoRA" and "LoRA" in why["evidence"]
    assert {r["methodLabel"] for r in rows(memory, "methods-for-task", task="QA")} >= {"low-rank adaptation"}


# ------------------------------------------------------------------ over the bundled corpus


@pytest.fixture
def bundled(bundled_graph_path) -> Graph:
    """The bundled export in Oxigraph (the agreement test above holds rdflib to the same answers)."""
    return graph_of(bundled_graph_path, "oxigraph")


#: queries over data the bundled graph does not carry (no authors, no publication dates; no dataset named like
#: the query's default parameter, MLQA; no paper without a typed entity): on the bundled graph they must find
#: something only once that data is there
NEEDS_DATA = {
    "methods-by-author": "?x a <http://xmlns.com/foaf/0.1/Person>",
    "methods-per-year": "?x <http://purl.org/dc/terms/issued> ?y",
    "papers-using-dataset": "?x a <https://w3id.org/paper-kg/ontology#Dataset> ; "
    "<http://www.w3.org/2004/02/skos/core#prefLabel>|<http://www.w3.org/2004/02/skos/core#altLabel> ?l "
    'FILTER(CONTAINS(LCASE(STR(?l)), "mlqa"))',
    # the tagger types something in every bundled paper (the rules left some papers with keyphrases only)
    "untyped-papers": "?x a <https://w3id.org/paper-kg/ontology#Paper> FILTER NOT EXISTS { ?x "
    "<https://w3id.org/paper-kg/ontology#usesMethod>|<https://w3id.org/paper-kg/ontology#proposesMethod>|"
    "<https://w3id.org/paper-kg/ontology#addressesTask>|<https://w3id.org/paper-kg/ontology#usesHardware> ?e }",
}


@pytest.mark.slow
@pytest.mark.parametrize("name", QUERY_NAMES)
def test_bundled_every_named_query_runs_and_oxigraph_agrees(bundled_graph_path, name):
    graph = graph_of(bundled_graph_path)
    memory = rows(graph, name)
    if name not in NEEDS_DATA or graph.query(f"ASK {{ {NEEDS_DATA[name]} }}").askAnswer:
        assert memory, f"`kg query --name {name}` finds nothing on the bundled graph with its default parameters"
    assert _normalized(memory) == _normalized(rows(graph_of(bundled_graph_path, "oxigraph"), name))


@pytest.mark.slow
def test_bundled_a100_papers_say_a100(bundled):
    table = rows(bundled, "papers-with-hardware", hardware="A100")
    assert table, "the bundled corpus has papers on A100s"
    texts = {k: v.lower() for k, v in _abstracts(bundled).items()}
    titles = {str(r["paper"]).removeprefix(PAPER): str(r["title"]).lower() for r in table}
    for key in ids(table):
        assert "a100" in texts[key] or "a100" in titles[key], key


@pytest.mark.slow
def test_bundled_top_methods_and_hardware(bundled):
    top = rows(bundled, "top-methods")
    assert top and [r["papers"] for r in top] == sorted((r["papers"] for r in top), reverse=True)
    assert rows(bundled, "top-hardware")


@pytest.mark.slow
def test_bundled_link_support_matches_supporting_papers(bundled):
    table = rows(bundled, "method-task-support")
    assert table and all(len(r["papers"].split()) == r["support"] for r in table)


@pytest.mark.slow
def test_bundled_evidence_contains_the_surface_form(bundled):
    mentions = run_query(
        bundled,
        """SELECT ?paper ?label ?surface WHERE {
             ?paper kg:hasMention ?m .
             ?m kg:mentionedEntity ?e ; kg:surfaceForm ?surface ; kg:extractor ?by .
             FILTER (?by IN ("tagger", "keybert"))  # ranked phrases, from either extractor
             ?e skos:prefLabel ?label } ORDER BY ?m LIMIT 10""",
    )
    checked = 0
    for m in mentions:
        paper_id = str(m.paper).removeprefix(PAPER)
        table = rows(bundled, "why-linked", paper=str(m.paper), entity=str(m.label))
        assert table, (paper_id, str(m.label))
        assert any(str(m.surface).lower() in r["evidence"].lower() for r in table), (paper_id, str(m.surface))
        checked += 1
    assert checked


@pytest.mark.slow
def test_bundled_untyped_papers_have_no_typed_entity(bundled):
    for r in rows(bundled, "untyped-papers"):
        typed = run_query(
            bundled,
            f"ASK {{ <{r['paper']}> kg:usesMethod|kg:proposesMethod|kg:addressesTask|kg:usesHardware ?e }}",
        )
        assert not typed.askAnswer
