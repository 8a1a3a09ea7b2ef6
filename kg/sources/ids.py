"""Normalized paper identifiers, so the same paper from two sources gets the same id strings.

Each id is ``scheme:value``:

``arXiv:2106.09685``
    an arXiv id without its version (old-style ids keep their archive: ``arXiv:hep-th/9901001``);
    arXiv's own DOIs (``10.48550/arXiv.2106.09685``) become arXiv ids.
``doi:10.1109/cvpr.2016.90``
    a DOI without resolver prefix, lower-cased (DOIs are case-insensitive).
``openalex:W2194775991``, ``s2:<40 hex digits>``, ``s2corpus:<number>``
    an OpenAlex work, a Semantic Scholar paper id and corpus id.

Examples
--------
>>> arxiv_id("http://arxiv.org/abs/2106.09685v2"), arxiv_id("oai:arXiv.org:hep-th/9901001")
('arXiv:2106.09685', 'arXiv:hep-th/9901001')
>>> doi("https://doi.org/10.1109/CVPR.2016.90"), doi("10.48550/arXiv.2106.09685")
('doi:10.1109/cvpr.2016.90', 'arXiv:2106.09685')
>>> openalex_id("https://openalex.org/W2194775991")
'openalex:W2194775991'
>>> arxiv_id("not an id") is None
True
"""

from __future__ import annotations

import re

_ARXIV = re.compile(
    r"(?:^|[/:\s])((?:\d{4}\.\d{4,5})|(?:[a-z][a-z.-]*[a-z](?:\.[A-Z]{2})?/\d{7}))(?:v\d+)?/?\Z", re.IGNORECASE
)
_DOI = re.compile(r"10\.\d{4,9}/\S+\Z")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(.+)\Z", re.IGNORECASE)
_OPENALEX = re.compile(r"(?:^|/)(W\d+)\Z", re.IGNORECASE)
_S2_PAPER = re.compile(r"(?:^|/)([0-9a-f]{40})\Z")
#: schemes whose values identify one paper: two different values of one scheme are two papers
SCHEMES = ("arXiv", "doi", "openalex", "s2", "s2corpus")


def arxiv_id(text: object) -> str | None:
    """``arXiv:ID`` from an id, an ``arXiv:`` or ``oai:arXiv.org:`` id, or an abs/pdf URL; else None."""
    if not isinstance(text, str):
        return None
    text = text.strip().removesuffix(".pdf")
    m = _ARXIV.search(" " + text)
    if m is None:
        return None
    value = m.group(1)
    if "/" in value:
        archive, number = value.split("/")
        value = f"{archive.lower()}/{number}"
    return f"arXiv:{value}"


def doi(text: object) -> str | None:
    """``doi:10.x/y`` (lower-cased) from a DOI or a doi.org URL; an arXiv DOI gives ``arXiv:ID``."""
    if not isinstance(text, str):
        return None
    value = _DOI_PREFIX.sub("", text.strip())
    if not _DOI.match(value):
        return None
    m = _ARXIV_DOI.match(value)
    if m is not None:
        return arxiv_id(m.group(1))
    return "doi:" + value.lower()


def openalex_id(text: object) -> str | None:
    """``openalex:W...`` from a work id or its URL."""
    if not isinstance(text, str):
        return None
    m = _OPENALEX.search(text.strip())
    return f"openalex:W{m.group(1)[1:]}" if m else None


def s2_id(text: object) -> str | None:
    """``s2:<sha>`` from a Semantic Scholar paper id (40 hex digits) or its URL."""
    if not isinstance(text, str):
        return None
    m = _S2_PAPER.search(text.strip())
    return f"s2:{m.group(1)}" if m else None


def s2_corpus_id(value: object) -> str | None:
    """``s2corpus:N`` from a corpus id (an int or a string of digits)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isascii() and value.strip().isdigit()):
        return f"s2corpus:{int(value)}"
    return None


def scheme(identifier: str) -> str:
    """The scheme of a normalized id: ``scheme("arXiv:2106.09685") == "arXiv"``."""
    return identifier.split(":", 1)[0]


def unique(*ids: str | None) -> tuple[str, ...]:
    """The given ids without None and repeats, sorted."""
    return tuple(sorted({i for i in ids if i}))
