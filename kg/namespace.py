"""IRIs of paper-kg: the ontology terms and the one place where resource IRIs are minted.

The ontology namespace is ``https://w3id.org/paper-kg/ontology#`` (prefix ``kg:``), defined in
``ontology/kg.ttl``. :class:`KG` lists its terms as an rdflib ``DefinedNamespace`` so that a typo is
an error, not a silent new IRI; ``tests/test_ontology.py`` checks the list against the Turtle file.

Examples
--------
>>> str(KG.Paper)
'https://w3id.org/paper-kg/ontology#Paper'
>>> paper_iri("2401.00001")
'https://w3id.org/paper-kg/paper/2401.00001'
>>> entity_iri("Method", "Low-Rank Adaptation")
'https://w3id.org/paper-kg/entity/method/low-rank-adaptation'
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from rdflib import Namespace
from rdflib.namespace import DefinedNamespace

BASE = "https://w3id.org/paper-kg/"

#: where the ontology, shapes and vocabulary live: package data (``kg/ontology`` links to the repository's
#: ``ontology/``, and a wheel ships a copy)
ONTOLOGY_DIR = Path(str(resources.files("kg") / "ontology"))


class KG(DefinedNamespace):
    """Classes and properties of the paper-kg ontology (``ontology/kg.ttl``)."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # classes
    Paper: object
    Entity: object
    Method: object
    Task: object
    Hardware: object
    Dataset: object
    Keyphrase: object
    Listing: object
    Mention: object
    MethodTaskLink: object
    # paper -> entity
    mentions: object
    usesMethod: object
    proposesMethod: object
    addressesTask: object
    usesHardware: object
    usesDataset: object
    hasKeyphrase: object
    # method -> task
    appliedTo: object
    # listings
    listing: object
    sourceFile: object
    sourceLine: object
    listingDate: object
    # qualified links (provenance)
    hasMention: object
    mentionedEntity: object
    relation: object
    score: object
    evidence: object
    surfaceForm: object
    extractor: object
    extractorVersion: object
    hasMethodTaskLink: object
    linkMethod: object
    linkTask: object
    supportCount: object
    supportingPaper: object
    evidenceKind: object


VOCAB = Namespace(BASE + "vocab/")
PAPER = Namespace(BASE + "paper/")
ENTITY = Namespace(BASE + "entity/")
MENTION = Namespace(BASE + "mention/")
LINK = Namespace(BASE + "link/")
LISTING = Namespace(BASE + "listing/")
PERSON = Namespace(BASE + "person/")


def slug(text: str) -> str:
    """Lower-case, hyphen-separated IRI-safe slug of a label.

    >>> slug("GPT-4o (OpenAI)")
    'gpt-4o-openai'
    >>> slug("Llama-3.1-70B")
    'llama-3.1-70b'
    """
    s = re.sub(r"[^\w.+]+", "-", text.lower()).strip("-.")
    return quote(s or "x", safe="-._~+")


@functools.lru_cache(maxsize=200_000)  # a build mints each IRI many times (graph, links, page)
def paper_iri(key: str) -> str:
    return str(PAPER[quote(key, safe="-._~")])


@functools.lru_cache(maxsize=200_000)
def entity_iri(type_name: str, label: str) -> str:
    return str(ENTITY[f"{type_name.lower()}/{slug(label)}"])


def person_iri(name: str) -> str:
    """The IRI of a person, from a name: case, accents kept, punctuation and spacing ignored, so
    "Edward J. Hu" and "Edward J Hu" are one person (names are not disambiguated further).

    >>> person_iri("Edward J. Hu") == person_iri("edward j hu")
    True
    >>> person_iri("Christopher Ré")
    'https://w3id.org/paper-kg/person/christopher-r%C3%A9'
    """
    key = "-".join(re.sub(r"[^\w]+", " ", name.casefold()).split())
    return str(PERSON[quote(key or "x", safe="-._~")])


def vocab_iri(local: str) -> str:
    return str(VOCAB[local])


def mention_iri(paper_key: str, n: int) -> str:
    return str(MENTION[f"{quote(paper_key, safe='-._~')}/{n}"])


def listing_iri(paper_key: str, n: int) -> str:
    return str(LISTING[f"{quote(paper_key, safe='-._~')}/{n}"])


def link_iri(method_iri: str, task_iri: str) -> str:
    def tail(iri: str) -> str:
        return iri.removeprefix(BASE).replace("/", ".")

    return str(LINK[f"{tail(method_iri)}--{tail(task_iri)}"])
