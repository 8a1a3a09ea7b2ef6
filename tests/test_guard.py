"""The query guard: refused features found however they are written, never inside strings or comments."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.query import sparql_string
from kg.query.guard import DEFAULT_LIMITS, QueryLimits, QueryRefused, check_query, scan, with_deep_stack

TARGET = "<http://127.0.0.1:9/sparql>"


def _refusal(text: str, limits: QueryLimits = DEFAULT_LIMITS) -> str | None:
    try:
        check_query(text, limits)
    except QueryRefused as exc:
        return exc.message
    return None


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT * WHERE {{ SERVICE {TARGET} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT {TARGET} {{ ?s ?p ?o }} }}",
        f"select * where {{ sErViCe\tsilent{TARGET}{{?s ?p ?o}} }}",
        f"SELECT * WHERE {{ ?s ?p ?o # a comment\nSERVICE # another\n{TARGET} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p true SERVICE{TARGET}{{}} }}".replace("true SERVICE", "trueSERVICE"),
        f"SELECT * WHERE {{ ?s ?p 1SERVICE{TARGET}{{}} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE {TARGET} {{ ?s ?p ?o }} }}",  # both parsers expand \u escapes
        f"SELECT * WHERE {{ \\u005Cu0053ERVICE {TARGET} {{ ?s ?p ?o }} }}",  # an escaped escape
        f"SELECT * WHERE {{ ſERVICE {TARGET} {{ ?s ?p ?o }} }}",  # pyparsing upper-cases "ſ" to "S"
        f"SELECT * WHERE {{ SERVıCE {TARGET} {{ ?s ?p ?o }} }}",
        "SELECT * WHERE { SERVICEéx:a { ?s ?p ?o } }",  # keyword, then the prefixed name éx:a
        f'SELECT * WHERE {{ ?s ?p "unterminated SERVICE {TARGET} {{ ?s ?p ?o }} }}',
        f"SELECT * FROM {TARGET} WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED {TARGET} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        f"LOAD {TARGET}",
        f"load silent {TARGET} into graph <urn:g>",
    ],
)
def test_refused_however_it_is_written(query):
    message = _refusal(query)
    assert message is not None and message.startswith("query refused:")


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://x/> {}" }',
        "SELECT * WHERE { ?s ?p '''FROM <http://x/>\nLOAD <http://y/>''' }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> { }",
        "SELECT ?service ?from ?load WHERE { ?service $from ?load }",
        "PREFIX schema: <http://schema.org/> SELECT * WHERE { ?s a schema:Service ; schema:from ?x }",
        "SELECT * WHERE { <http://example.org/SERVICE/FROM/LOAD> ?p ?o }",
        'SELECT * WHERE { ?s ?p "a \\"SERVICE\\" b" }',
    ],
)
def test_strings_iris_comments_variables_and_local_names_are_fine(query):
    assert _refusal(query) is None


def test_allow_service_lets_service_and_from_through_but_never_load():
    allow = QueryLimits(allow_service=True)
    assert _refusal(f"SELECT * WHERE {{ SERVICE {TARGET} {{ ?s ?p ?o }} }}", allow) is None
    assert _refusal(f"SELECT * FROM {TARGET} WHERE {{ ?s ?p ?o }}", allow) is None
    assert "LOAD" in _refusal(f"LOAD {TARGET}", allow)
    with pytest.raises(QueryRefused) as err:
        check_query(f"SELECT * FROM {TARGET} WHERE {{ ?s ?p ?o }}")
    assert err.value.keyword == "FROM"


def test_refusal_names_the_line():
    with pytest.raises(QueryRefused) as err:
        check_query(f'SELECT * WHERE {{\n  ?s ?p """a\nb""" .\n  SERVICE {TARGET} {{ }}\n}}', source="q.rq")
    assert err.value.line == 4 and str(err.value).startswith("q.rq:4: query refused")


def test_size_and_depth_limits():
    assert "characters" in _refusal("ASK { }" + " " * 200, QueryLimits(max_chars=100))
    deep = "SELECT * WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000
    assert "nested 3,000 deep" in _refusal(deep)
    assert _refusal("SELECT * WHERE " + "{" * 64 + "}" * 64) is None
    assert "nested 65 deep" in _refusal("ASK { FILTER(" + "(" * 63 + "1" + ")" * 63 + ") }")
    assert _refusal('ASK { ?s ?p "' + "{" * 500 + '" }') is None  # brackets in a string do not count


# ------------------------------------------------------------------ properties

# each letter as itself, lower case, or a \u escape; "S" also as "ſ", which pyparsing upper-cases to "S"
_SERVICE_VARIANTS = st.tuples(
    st.sampled_from(["S", "s", "ſ", "\\u0053", "\\u0073"]),
    *(st.sampled_from([c, c.lower(), f"\\u{ord(c):04X}"]) for c in "ERVICE"),
)
_GAPS = st.lists(st.sampled_from([" ", "\t", "\n", "# note\n", "#SERVICE\n", ""]), max_size=3).map("".join)


@settings(max_examples=300, deadline=None)
@given(_SERVICE_VARIANTS, _GAPS, _GAPS, st.booleans())
def test_a_service_clause_is_refused_whatever_its_spelling(letters, before, after, silent):
    keyword = "".join(letters)
    query = f"SELECT * WHERE {{ ?s ?p ?o .{before}{keyword}{after}{' SILENT ' if silent else ''}{TARGET} {{ }} }}"
    message = _refusal(query)
    assert message is not None and "SERVICE" in message


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_inside_a_string_literal_is_fine(text):
    query = f"SELECT * WHERE {{ ?s ?p {sparql_string(text)} }}"
    assert scan(query).keywords == () and scan(query).depth == 1
    if "\\" not in text:  # \u escapes are expanded before parsing: then the guard may refuse, never miss
        assert _refusal(query, QueryLimits(max_chars=10**6)) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["{", "(", "[", "}", ")", "]", " ?x ", '"}}}"', "# )))\n", "<http://x/>"])))
def test_depth_is_the_deepest_bracket_outside_strings_and_comments(parts):
    depth = deepest = 0
    for part in parts:
        if part in ("{", "(", "["):
            depth += 1
            deepest = max(deepest, depth)
        elif part in ("}", ")", "]"):
            depth = max(0, depth - 1)
    assert scan("".join(parts)).depth == deepest


def test_with_deep_stack_returns_and_raises():
    def nest(n: int) -> int:
        return 0 if n == 0 else 1 + nest(n - 1)

    assert with_deep_stack(nest, 5_000) == 5_000  # past Python's default recursion limit of 1,000
    with pytest.raises(ZeroDivisionError):
        with_deep_stack(lambda: 1 / 0)
