"""The method / task / hardware vocabulary: SKOS concepts in ``ontology/vocab-*.ttl``.

Each concept is a ``skos:Concept`` typed ``kg:Method``, ``kg:Task`` or ``kg:Hardware``, with a
``skos:prefLabel``, any number of ``skos:altLabel`` and ``skos:broader`` links. Loaded once, passed to
the stages that need it.

Examples
--------
>>> vocab = load_vocabulary()
>>> c = vocab.lookup("LoRA")
>>> c.pref_label, c.type.value
('low-rank adaptation', 'Method')
>>> vocab.lookup("A100 GPUs").type.value
'Hardware'
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, URIRef
from rdflib.namespace import SKOS

from kg.extract.normalize import label_key
from kg.model import EntityType
from kg.namespace import KG, ONTOLOGY_DIR
from kg.rdfterms import parse_turtle


def vocabulary_files() -> tuple[Path, ...]:
    """The vocabulary's Turtle files (``ontology/vocab-*.ttl``), sorted."""
    return tuple(sorted(ONTOLOGY_DIR.glob("vocab-*.ttl")))


_TYPE, _CONCEPT, _PREF, _ALT, _BROADER = RDF.type, SKOS.Concept, SKOS.prefLabel, SKOS.altLabel, SKOS.broader
_TYPES = {KG.Method: EntityType.METHOD, KG.Task: EntityType.TASK, KG.Hardware: EntityType.HARDWARE}


@dataclass(frozen=True)
class Concept:
    """One vocabulary concept."""

    iri: str
    type: EntityType
    pref_label: str
    alt_labels: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.pref_label, *self.alt_labels)


class Vocabulary:
    """Concepts indexed by normalized label (:func:`kg.extract.normalize.label_key`)."""

    def __init__(self, concepts: Iterable[Concept]):
        self.concepts: dict[str, Concept] = {c.iri: c for c in concepts}
        self._by_key: dict[str, Concept] = {}
        # prefLabels win over altLabels when two concepts share a key
        for c in sorted(self.concepts.values(), key=lambda c: c.iri):
            self._by_key.setdefault(label_key(c.pref_label), c)
        for c in sorted(self.concepts.values(), key=lambda c: c.iri):
            for alt in c.alt_labels:
                self._by_key.setdefault(label_key(alt), c)

    def __len__(self) -> int:
        return len(self.concepts)

    def __iter__(self) -> Iterator[Concept]:
        return iter(self.concepts.values())

    def lookup(self, phrase: str) -> Concept | None:
        """The concept one of whose labels has the same key as ``phrase``, or None."""
        return self._by_key.get(label_key(phrase))

    def lookup_key(self, key: str) -> Concept | None:
        return self._by_key.get(key)

    def keys(self) -> Iterable[str]:
        return self._by_key.keys()

    def ancestors(self, iri: str) -> list[str]:
        """IRIs of all broader concepts, nearest first, each once (cycles are ignored).

        >>> v = load_vocabulary()
        >>> v.concepts[v.ancestors(v.lookup("LoRA").iri)[0]].pref_label
        'parameter-efficient fine-tuning'
        """
        out: list[str] = []
        frontier = list(self.concepts[iri].broader) if iri in self.concepts else []
        while frontier:
            nxt = frontier.pop(0)
            if nxt in out or nxt == iri or nxt not in self.concepts:
                continue
            out.append(nxt)
            frontier.extend(self.concepts[nxt].broader)
        return out


def load_vocabulary(paths: Iterable[str | Path] | None = None) -> Vocabulary:
    """Read the SKOS vocabulary from Turtle files (default: :func:`vocabulary_files`)."""
    about: dict[URIRef, dict[URIRef, list]] = defaultdict(lambda: defaultdict(list))
    for path in vocabulary_files() if paths is None else paths:
        for s, p, o in parse_turtle(path):
            about[s][p].append(o)
    concepts = []
    for s in sorted(s for s, props in about.items() if _CONCEPT in props[_TYPE]):
        props = about[s]
        types = [_TYPES[t] for t in dict.fromkeys(props[_TYPE]) if t in _TYPES]
        if len(types) != 1:
            raise ValueError(f"concept {s} must have exactly one of kg:Method/Task/Hardware, has {types}")
        if not props[_PREF]:
            raise ValueError(f"concept {s} has no skos:prefLabel")
        concepts.append(
            Concept(
                iri=str(s),
                type=types[0],
                pref_label=str(props[_PREF][0]),
                alt_labels=tuple(sorted(str(a) for a in props[_ALT])),
                broader=tuple(sorted(str(b) for b in props[_BROADER] if isinstance(b, URIRef))),
            )
        )
    return Vocabulary(concepts)
