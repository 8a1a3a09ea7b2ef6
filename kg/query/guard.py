"""The checks a query text passes before any parser or store sees it.

A query may only read the loaded export. Three SPARQL features would reach beyond it, so they are refused:

* ``SERVICE`` (also ``SERVICE SILENT``): both stores send an HTTP request to the IRI and return the answer,
  which turns an endpoint into a proxy into its host's network (SSRF);
* ``FROM`` / ``FROM NAMED``: rdflib loads the named IRI (a URL or a local file) into the dataset;
* ``LOAD``: an update that fetches a URL (updates are refused anyway; this says why earlier).

Two limits keep a parser from crashing on a hostile text: the length in characters, and the nesting depth
of ``{ ( [`` brackets. rdflib's recursive-descent parser spends about 40 Python frames per level and
Oxigraph's segfaults between 2,000 and 3,000 levels, so the depth is counted here, in one linear pass.

The scan is a tokenizer, not a substring search: string literals (all four quote forms), IRIs ``<...>`` and
``# comments`` are skipped whole, so ``"SERVICE"`` in a literal is fine, while a keyword hidden by case
(``sErViCe``), by a Unicode look-alike that the parsers upper-case to ASCII (``ſERVICE``), by a ``\\u0053``
escape (both parsers expand them before parsing), by a comment before it or by a missing space
(``trueSERVICE<...>``) is caught. It errs on the side of refusing: any bare word that contains a refused
keyword is refused, unless it is a variable (``?service``) or the local part of a prefixed name
(``schema:Service``), which every SPARQL tokenizer reads as one token.

Examples
--------
>>> check_query('SELECT * WHERE { ?s ?p "SERVICE <http://x> {}" } # FROM <http://y>')
>>> def refusal(text):
...     try:
...         check_query(text)
...     except QueryRefused as exc:
...         return str(exc)[:57]
>>> refusal("SELECT * WHERE { sErViCe silent <http://127.0.0.1/> { ?s ?p ?o } }")
'<query>:1: query refused: SERVICE would send a request to'
>>> refusal("SELECT * WHERE " + "{" * 100 + "}" * 100)
'<query>: query refused: brackets nested 100 deep, more th'
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from kg.errors import InputError

T = TypeVar("T")

DEFAULT_MAX_QUERY_CHARS = 100_000
DEFAULT_MAX_DEPTH = 64
#: above this, Oxigraph's parser can overflow its stack (it segfaulted at 3,000 levels; 2,000 passed)
MAX_DEPTH_CEILING = 1_000

_WHY = {
    "SERVICE": "SERVICE would send a request to another server; queries never make outbound requests",
    "FROM": "FROM / FROM NAMED would load a graph from a URL or file; queries read the loaded export only",
    "LOAD": "LOAD fetches data from a URL; the graph is read-only and nothing is fetched",
}
_REFUSED = tuple(_WHY)
#: what ``allow_service`` (``kg query --allow-service``) lets a local user run
REMOTE_KEYWORDS = ("SERVICE", "FROM")

# skipped whole: long strings first, then short ones (no raw line break), IRIs (the IRIREF production),
# comments, and a backslash escape outside strings (PN_LOCAL_ESC, as in ex:a\#b, which is not a comment)
_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r"""|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*'|<[^<>"{}|^`\\\x00-\x20]*>|\#[^\n\r]*|\\.""",
    re.DOTALL,
)
_WORD = re.compile(r"\w+")
_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})")
_OPEN, _CLOSE = "{([", "})]"


class QueryRefused(InputError):
    """The query text reaches beyond the loaded graph, or is too big or too deeply nested to parse safely.

    ``keyword`` is the refused keyword (``SERVICE``, ``FROM``, ``LOAD``), None for a limit.
    """

    def __init__(self, path: str, message: str, line: int | None = None, keyword: str | None = None):
        super().__init__(path, message, line)
        self.keyword = keyword


@dataclass(frozen=True)
class QueryLimits:
    """What :func:`check_query` allows.

    ``allow_service`` lets ``SERVICE`` and ``FROM`` through (outbound requests): only for a local user who
    asks for it (``kg query --allow-service``); ``kg serve`` never sets it. ``LOAD`` is always refused.
    """

    max_chars: int = DEFAULT_MAX_QUERY_CHARS
    max_depth: int = DEFAULT_MAX_DEPTH
    allow_service: bool = False


DEFAULT_LIMITS = QueryLimits()


@dataclass(frozen=True)
class Scan:
    """What one pass over a query text found: refused keywords with their lines, and the deepest nesting."""

    keywords: tuple[tuple[str, int], ...]
    depth: int


def check_query(text: str, limits: QueryLimits = DEFAULT_LIMITS, source: str = "<query>") -> None:
    """Raise :class:`QueryRefused` unless ``text`` is within ``limits`` and uses no refused feature.

    The size is checked first (so a huge text costs nothing more), then every form the parsers may read:
    the text as given and with its ``\\uXXXX`` escapes expanded, repeatedly.
    """
    if len(text) > limits.max_chars:
        raise QueryRefused(
            source,
            f"query refused: {len(text):,} characters, more than the limit of {limits.max_chars:,}",
        )
    allowed = REMOTE_KEYWORDS if limits.allow_service else ()
    for form in _escape_forms(text):
        found = scan(form)
        if found.depth > limits.max_depth:
            raise QueryRefused(
                source,
                f"query refused: brackets nested {found.depth:,} deep, more than the limit of {limits.max_depth:,}",
            )
        for keyword, line in found.keywords:
            if keyword not in allowed:
                raise QueryRefused(source, f"query refused: {_WHY[keyword]}", line=line, keyword=keyword)


def scan(text: str) -> Scan:
    """Refused keywords (outside strings, IRIs and comments) and the bracket depth of ``text``.

    >>> scan('ASK { ?from ex:service "LOAD" } # SERVICE')
    Scan(keywords=(), depth=1)
    >>> scan("SELECT * FROM <g>\\nWHERE { [ ?p (1) ] }")
    Scan(keywords=(('FROM', 1),), depth=3)
    """
    keywords: list[tuple[str, int]] = []
    depth = deepest = 0
    pos, line = 0, 1
    for skipped in [*_SKIP.finditer(text), None]:
        end = skipped.start() if skipped else len(text)
        code = text[pos:end]
        for word in _WORD.finditer(code):
            keyword = _refused_in(word.group(), code[word.start() - 1] if word.start() else text[pos - 1 : pos])
            if keyword:
                keywords.append((keyword, line + code.count("\n", 0, word.start())))
        for ch in code:
            if ch in _OPEN:
                depth += 1
                deepest = max(deepest, depth)
            elif ch in _CLOSE:
                depth = max(0, depth - 1)
        if skipped is None:
            break
        line += code.count("\n") + skipped.group().count("\n")
        pos = skipped.end()
    return Scan(tuple(keywords), deepest)


def _refused_in(word: str, before: str) -> str | None:
    """The refused keyword inside a bare ``word`` (``before`` is the character in front of it), if any."""
    if before in ("?", "$", ":"):  # a variable, or the local part of a prefixed name: one token to a parser
        return None
    # one character at a time, as pyparsing upper-cases (so "ſ" is "S"); a character whose upper case is
    # longer stays itself, keeping positions
    upper = "".join(u if len(u := ch.upper()) == 1 else ch for ch in word)
    return next((k for k in _REFUSED if k in upper), None)


def _escape_forms(text: str) -> list[str]:
    """``text``, then each result of expanding its ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes once more."""
    forms = [text]
    while len(forms) < 8:
        expanded = _UNICODE_ESCAPE.sub(_unescape, forms[-1])
        if expanded == forms[-1]:
            break
        forms.append(expanded)
    return forms


def _unescape(m: re.Match[str]) -> str:
    code = int(m.group(1) or m.group(2), 16)
    return chr(code) if code <= sys.maxunicode else m.group(0)


# ------------------------------------------------------------------ running a parser with room to recurse

_STACK_BYTES = 64 * 1024 * 1024
_RECURSION_LIMIT = 10_000


def with_deep_stack(fn: Callable[..., T], *args: object, **kwargs: object) -> T:
    """``fn(*args, **kwargs)`` in a thread with a 64 MiB stack and a recursion limit of 10,000.

    rdflib parses and evaluates a query recursively, about 40 frames per nesting level, so Python's
    default limit of 1,000 fails at about 25 levels: well inside what :data:`DEFAULT_MAX_DEPTH` allows.
    Exceptions of ``fn`` are raised here.
    """
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, _RECURSION_LIMIT))
    old_stack = threading.stack_size(_STACK_BYTES)
    try:
        thread = threading.Thread(target=target, name="kg-query", daemon=True)
        thread.start()
    finally:
        threading.stack_size(old_stack)
    try:
        thread.join()
    finally:
        sys.setrecursionlimit(old_limit)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
