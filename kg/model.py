"""Records passed between pipeline stages.

Every stage takes and returns these frozen dataclasses; no stage passes dicts of dicts.

    corpus      -> Paper (with its Listing records)
    keyphrases  -> Phrase (per paper)
    entities    -> Entity, Mention
    graph       -> networkx.MultiDiGraph built from the three above

Examples
--------
>>> p = Paper(key="2401.00001", title="LoRA", abstract="We adapt.", identifier="2401.00001")
>>> p.label
'LoRA'
>>> Paper(key="t-1", title="", abstract="An abstract-only record.").label
't-1'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class EntityType(StrEnum):
    """The type of an entity; values equal the ontology class local names (``str()`` gives the value)."""

    METHOD = "Method"
    TASK = "Task"
    HARDWARE = "Hardware"
    DATASET = "Dataset"  # a named dataset, corpus or benchmark
    KEYPHRASE = "Keyphrase"  # salient phrase that is none of the three (untyped)


class Relation(StrEnum):
    """Links in the graph; values equal the ontology property local names (``str()`` gives the value)."""

    USES_METHOD = "usesMethod"
    PROPOSES_METHOD = "proposesMethod"
    ADDRESSES_TASK = "addressesTask"
    USES_HARDWARE = "usesHardware"
    USES_DATASET = "usesDataset"
    HAS_KEYPHRASE = "hasKeyphrase"
    APPLIED_TO = "appliedTo"  # Method -> Task, derived across papers
    BROADER = "broader"  # entity -> broader vocabulary concept (skos:broader)
    CREATOR = "creator"  # paper -> person, an author (dcterms:creator)


#: the paper -> entity relation used for each entity type
RELATION_FOR_TYPE = {
    EntityType.METHOD: Relation.USES_METHOD,
    EntityType.TASK: Relation.ADDRESSES_TASK,
    EntityType.HARDWARE: Relation.USES_HARDWARE,
    EntityType.DATASET: Relation.USES_DATASET,
    EntityType.KEYPHRASE: Relation.HAS_KEYPHRASE,
}


@dataclass(frozen=True)
class Listing:
    """One appearance of a paper in an input: the file, the 1-based line and the listing date."""

    source: str
    line: int
    date: str | None = None


@dataclass(frozen=True)
class Paper:
    """A deduplicated paper.

    ``key`` is stable across runs: the input ``id`` when given, else its arXiv id, DOI, OpenAlex or
    Semantic Scholar id, else a hash of the normalized title (or of the abstract for abstract-only
    records). ``listings`` records every input it came from. ``identifiers`` are the normalized ids its
    sources gave (``arXiv:2106.09685``, ``doi:10.1109/cvpr.2016.90``, ``openalex:W...``, ``s2:...``,
    ``s2corpus:...``), ``authors`` display names in author order, ``published`` its publication date
    (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``).
    """

    key: str
    title: str
    abstract: str
    identifier: str | None = None
    url: str | None = None
    listings: tuple[Listing, ...] = ()
    authors: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    published: str | None = None

    @property
    def label(self) -> str:
        return self.title or self.key

    @property
    def text(self) -> str:
        """Title and abstract as one text (what extraction reads)."""
        if self.title:
            sep = " " if self.title.rstrip()[-1:] in ".?!:" else ". "
            return self.title.rstrip() + sep + self.abstract
        return self.abstract


@dataclass(frozen=True)
class Phrase:
    """A candidate phrase found in a paper, with its KeyBERT score (0.0 when not ranked).

    ``source`` says which extractor found it: ``keybert``, ``hardware``, ``title`` or ``proposal``.
    """

    text: str
    score: float
    sentence: str
    source: str = "keybert"


@dataclass(frozen=True)
class Entity:
    """A canonical entity: one node, with every surface form as an alternative label.

    ``id`` is its IRI; ``broader`` holds the IRIs of broader vocabulary concepts.
    """

    id: str
    label: str
    type: EntityType
    alt_labels: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()
    in_vocabulary: bool = False


@dataclass(frozen=True)
class Mention:
    """A paper -> entity link with its evidence (KeyBERT score, sentence, surface form)."""

    paper: str  # Paper.key
    entity: str  # Entity.id
    relation: Relation
    score: float
    sentence: str
    surface: str
    source: str = "keybert"


class LinkEvidence(StrEnum):
    """What a method -> task link rests on (values are the ``kg:evidenceKind`` literals)."""

    CLASSIFIER = "classifier"  # the relation classifier scored a mention pair (kg.extract.relations)
    PROPOSAL = "proposal"  # the paper proposes the method for the task (kg.extract.links)


@dataclass(frozen=True)
class MethodTaskLink:
    """A Method -> Task association supported by the papers that link both."""

    method: str  # Entity.id
    task: str  # Entity.id
    papers: tuple[str, ...] = field(default=())  # Paper.key values
    score: float | None = None  # the relation classifier's best probability (None: none scored the pair)
    sentence: str = ""  # the sentence that gave it (the classifier's best, else the proposal's)
    evidence: tuple[LinkEvidence, ...] = ()  # its kinds of evidence, sorted (none: co-occurrence)

    @property
    def support(self) -> int:
        return len(self.papers)
