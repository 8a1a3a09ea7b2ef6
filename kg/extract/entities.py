"""Turn ranked phrases into canonical, typed entities and the mentions that link papers to them.

Steps:

1. acronyms: Schwartz-Hearst definitions across the corpus (:mod:`kg.extract.acronyms`), so ``LoRA`` and
   ``Low-Rank Adaptation`` are one entity with both labels;
2. typing: :class:`kg.extract.classify.Classifier` (vocabulary, head rules, names, embedding prototypes);
3. proposals: the ``Name`` of a ``Name: subtitle`` title and the name after "we propose / introduce" are
   linked with ``kg:proposesMethod``;
4. hardware: every hardware mention of the full text (:mod:`kg.extract.hardware`), ranked or not;
5. canonicalization: one entity per vocabulary concept, else per normalized label
   (:func:`kg.extract.normalize.label_key`) and type; a phrase found under a concept that is not a true
   synonym of it (a variant: "vanilla LoRA") is its own entity, ``skos:broader`` the concept, and a phrase
   with a verb is none;
6. synonyms: entities whose labels are spelling or word-order variants merge, and only true synonyms
   (:mod:`kg.extract.aliases`) become alternative labels.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lemminflect import getAllLemmas

from kg.extract.acronyms import find_definitions, most_frequent_long_forms
from kg.extract.aliases import clause_subject, has_noun_head, has_possessive, has_verb, is_synonym, merge_synonyms
from kg.extract.classify import (
    ARTIFACT_HEADS,
    GENERIC_TAILS,
    TASK_KINDS,
    Classifier,
    Typing,
    is_generic,
    strip_generic_tail,
)
from kg.extract.datasets import data_names
from kg.extract.embed import Embedder
from kg.extract.hardware import HardwareMention, find_hardware
from kg.extract.links import SCOPES, near_best_per_task, proposal_links, with_proposals
from kg.extract.normalize import acronym_singular, display_label, is_name, keeps_case, label_key
from kg.extract.text import TOKEN, WEAK_MODIFIERS, has_words, sentence_at
from kg.extract.vocabulary import Vocabulary
from kg.model import (
    RELATION_FOR_TYPE,
    Entity,
    EntityType,
    LinkEvidence,
    Mention,
    MethodTaskLink,
    Paper,
    Phrase,
    Relation,
)
from kg.namespace import entity_iri
from kg.params import check_choice, check_range

__all__ = ["EntityOptions", "Extraction", "PaperInputs", "extract_entities", "paper_inputs", "proposed_names"]

_TITLE_NAME = re.compile(r"^\s*([^:]{2,40}?)\s*:\s+\S")
_NOT_A_NAME = re.compile(r"^(?:survey|position|review|tutorial|towards?|beyond|on|a|an|the|why|how|what|when)\b", re.I)
_CAPITALIZED_RUN = re.compile(r"[A-Z][\w-]*(?:(?:\s+(?:of|for|and|the|in|on|with|to))*\s+[A-Z][\w-]*){0,5}")
#: English words capitalized and joined by hyphens, as in a title-cased name: no name on their own
_TITLE_CASED_COMPOUND = re.compile(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)+")
_PROPOSE = re.compile(
    r"\b(?:we|this (?:paper|work)|here,? we)\s+(?:propose|introduce|present|develop|design|build|release|"
    r"call|name|dub)s?\b|(?<!so-)(?<!so )\b(?:called|named|dubbed|termed)\b",
    re.I,
)


@dataclass(frozen=True)
class EntityOptions:
    """How deep into a paper's ranked phrases to read, and how sure a link must be.

    Phrases typed by the vocabulary or as names are linked when their KeyBERT score reaches
    ``vocabulary_min_score``; phrases typed by head rules or embedding prototypes only when they are among
    the paper's ``top_k`` best candidates (generic phrases are not candidates, so they take no place) and
    score at least ``min_score``; at most ``max_keyphrases`` untyped keyphrases
    scoring ``keyphrase_min_score`` are kept per paper.
    """

    min_score: float = 0.25
    top_k: int = 15
    vocabulary_min_score: float = 0.1
    max_keyphrases: int = 3
    keyphrase_min_score: float = 0.35
    #: with the tagger: phrases the tagger leaves untyped are typed by the rules (True) or stay untyped keyphrases
    rules_fill_in: bool = True
    #: with the tagger: ``top_k`` for phrases the tagger or the rules type (its candidates are more numerous)
    tagger_top_k: int = 10
    #: with the tagger: the relation probability a method -> task link needs (None: the weights' threshold,
    #: chosen by cross-validation on SciERC train, bench/relations_cv.py, not on the dev sets)
    link_min_score: float | None = None
    #: with the tagger: the tasks a method the paper proposes is linked to (:mod:`kg.extract.links`):
    #: "all" of the paper's, those of the "title", of the title or the "proposal" sentence; None: no such links
    proposal_scope: str | None = "all"
    #: with the tagger: of a task phrase's pairs over the threshold, keep those scored within this margin of
    #: its best (None: all); chosen by cross-validation on SciERC train (bench/relations_cv.py, task-best-.1)
    link_task_margin: float | None = 0.1

    def __post_init__(self) -> None:
        check_range("min_score", self.min_score, low=-1.0, high=1.0)  # a cosine similarity
        check_range("max_keyphrases", self.max_keyphrases, low=0)
        if self.link_task_margin is not None:
            check_range("link_task_margin", self.link_task_margin, low=0.0, high=1.0)
        if self.proposal_scope is not None:
            check_choice("proposal_scope", self.proposal_scope, SCOPES)


@dataclass(frozen=True)
class Extraction:
    """The entities stage's output."""

    entities: tuple[Entity, ...]
    mentions: tuple[Mention, ...]
    links: tuple[MethodTaskLink, ...] | None = None  # from evidence; None: the graph derives co-occurrence


@dataclass(frozen=True)
class PaperInputs:
    """What the entity step reads from one paper alone: a function of its title and abstract, the
    vocabulary and this package's extraction code, no option and no other paper. An incremental build keeps
    them between builds (:mod:`kg.paper_results`, fingerprinted by :func:`inputs_fingerprint`), so the
    corpus-wide step only combines them instead of scanning every paper's text again."""

    definitions: tuple[tuple[str, str], ...]  # :func:`kg.extract.acronyms.find_definitions` of its text
    proposals: tuple[tuple[str, str], ...]  # :func:`proposed_names`
    hardware: tuple[HardwareMention, ...]  # :func:`kg.extract.hardware.find_hardware` of its text
    url_words: frozenset[str]  # :func:`_url_words` of its text
    data_names: frozenset[str] = frozenset()  # :func:`kg.extract.datasets.data_names` of its text


def paper_inputs(paper: Paper, vocabulary: Vocabulary) -> PaperInputs:
    """The :class:`PaperInputs` of ``paper``."""
    return PaperInputs(
        tuple(find_definitions(paper.text)),
        tuple(proposed_names(paper)),
        tuple(find_hardware(paper.text, vocabulary)),
        _url_words(paper.text),
        frozenset(data_names(paper.text)),
    )


def inputs_fingerprint(vocabulary: Vocabulary) -> str:
    """SHA-256 over what :func:`paper_inputs` depends on besides the paper: the vocabulary's concepts, the
    extraction code (every ``kg/extract/*.py``, this module's rules included) and the library versions."""
    from kg.extract.per_paper import stage_fingerprint

    return stage_fingerprint("entity-inputs", sorted(vocabulary.concepts.items()))


def proposed_names(paper: Paper) -> list[tuple[str, str]]:
    """Names the paper introduces, with the sentence: the ``Name`` of ``Name: subtitle`` and names right
    after "we propose / introduce / present" or "called / dubbed".

    >>> p = Paper("p", "GPipe: Efficient Training", "To scale, we introduce GPipe, a pipeline library.")
    >>> [n for n, _ in proposed_names(p)]
    ['GPipe']
    >>> proposed_names(Paper("q", "A Survey: Things", "We present a survey."))
    []
    """
    out: list[tuple[str, str]] = []
    if paper.title:
        m = _TITLE_NAME.match(paper.title)
        if m:
            name = m.group(1).strip()
            if len(name.split()) <= 4 and not _NOT_A_NAME.match(name) and (is_name(name) or len(name.split()) == 1):
                out.append((name, paper.title))
    for m in _PROPOSE.finditer(paper.abstract):
        following = paper.abstract[m.end() : m.end() + 120]
        for tok in TOKEN.finditer(following):
            word = tok.group()
            if word in {",", "(", "\u201c", '"', "'"} or word.lower() in {"a", "an", "the", "novel", "new"}:
                continue
            if _TITLE_CASED_COMPOUND.fullmatch(word):
                # capitalized English words joined by hyphens open a title-cased name ("Parameter-Inverted
                # Image Pyramid Networks", not "Parameter-Inverted") or are one ("Quote-Tuning")
                run = _CAPITALIZED_RUN.match(following, tok.start())
                out.append((run.group() if run else word, sentence_at(paper.abstract, m.start())))
            elif is_name(word) or keeps_case(word):
                out.append((word, sentence_at(paper.abstract, m.start())))
            elif word[:1].isupper() and word.lower() not in {"we", "it", "this", "in", "to"}:
                # an English word opens a name of several capitalized words ("Adaptive Distribution
                # Hierarchical Model"); on its own ("Sparse", "Mixture") it is a fragment of one
                run = _CAPITALIZED_RUN.match(following, tok.start())
                if run and len(run.group().split()) > 1:
                    out.append((run.group(), sentence_at(paper.abstract, m.start())))
            break
    seen, uniq = set(), []
    for name, sent in out:
        if label_key(name) not in seen and not is_generic(name):
            seen.add(label_key(name))
            uniq.append((name, sent))
    return uniq


class _Builder:
    """Collects surface forms per canonical entity and the best mention per (paper, entity)."""

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        self.surfaces: dict[str, list[str]] = defaultdict(list)
        self.types: dict[str, EntityType] = {}
        self.concepts: dict[str, str | None] = {}
        self.mentions: dict[tuple[str, str, Relation], Mention] = {}
        self.broader: dict[str, set[str]] = defaultdict(set)  # of minted entities (vocabulary ones have theirs)

    def add(
        self,
        paper: Paper,
        typing: Typing,
        canonical: str,
        surface: str,
        phrase: Phrase,
        relation: Relation | None = None,
        broader: Sequence[str] = (),
    ) -> None:
        if typing.type is not EntityType.HARDWARE:
            if has_verb(canonical) or has_possessive(canonical):
                return  # a clause ("COAT addresses") or a property ("FlexLLM's co-serving") is never a name
            concept = typing.concept
            if concept is not None and not any(is_synonym(label, canonical) for label in concept.labels):
                # a variant ("vanilla LoRA", "multilingual neural machine translation"): its own entity,
                # narrower than the concept it was found under
                typing, broader = Typing(typing.type, None, typing.rule), (concept.iri,)
        if typing.concept is not None:
            eid = typing.concept.iri
            self.concepts[eid] = eid
        else:
            eid = entity_iri(typing.type.value, label_key(canonical))
            self.concepts.setdefault(eid, None)
            self.broader[eid].update(b for b in broader if b in self.vocabulary.concepts)
        self.types.setdefault(eid, typing.type)
        # a surface form is an alias only when it is a true synonym of the canonical phrase
        if canonical == surface or is_synonym(canonical, surface):
            self.surfaces[eid].append(surface)
        if canonical != surface:
            self.surfaces[eid].append(canonical)
        rel = relation or RELATION_FOR_TYPE[self.types[eid]]
        key = (paper.key, eid, rel)
        old = self.mentions.get(key)
        if old is None or phrase.score > old.score:
            self.mentions[key] = Mention(paper.key, eid, rel, phrase.score, phrase.sentence, surface, phrase.source)

    def merge_synonyms(self) -> int:
        """Merge entities of one type whose labels are true synonyms (:func:`kg.extract.aliases.merge_synonyms`):
        minted ones into each other or into a vocabulary concept. Returns the number of merges."""
        names: dict[EntityType, dict[str, str]] = defaultdict(dict)
        for eid in sorted(self.surfaces, key=lambda e: (-len(self.surfaces[e]), e)):  # the most used survives
            concept = self.vocabulary.concepts.get(self.concepts.get(eid) or "")
            if self.types[eid] is not EntityType.HARDWARE:
                names[self.types[eid]][eid] = concept.pref_label if concept else display_label(self.surfaces[eid])
        fixed = {eid for eid, c in self.concepts.items() if c is not None}
        target = {old: new for group in names.values() for old, new in merge_synonyms(group, fixed).items()}
        for old, new in target.items():
            self.surfaces[new].extend(self.surfaces.pop(old))
            self.broader[new].update(self.broader.pop(old, ()))
            self.types.pop(old), self.concepts.pop(old)
        for key in [k for k in self.mentions if k[1] in target]:
            m = self.mentions.pop(key)
            new_key = (key[0], target[key[1]], key[2])
            moved = Mention(m.paper, new_key[1], m.relation, m.score, m.sentence, m.surface, m.source)
            if new_key not in self.mentions or moved.score > self.mentions[new_key].score:
                self.mentions[new_key] = moved
        return len(target)

    def build(self, short_forms: Mapping[str, str]) -> Extraction:
        entities: dict[str, Entity] = {}
        long_to_short = defaultdict(set)
        for sf, lf in short_forms.items():
            long_to_short[label_key(lf)].add(sf)
        for eid, forms in self.surfaces.items():
            concept = self.vocabulary.concepts.get(self.concepts.get(eid) or "")
            label = concept.pref_label if concept else display_label(forms)
            alts = set(forms) | set(concept.alt_labels if concept else ())
            for f in list(alts):
                # an acronym defined in the corpus, if it abbreviates this entity and not a longer name
                alts |= {sf for sf in long_to_short.get(label_key(f), ()) if is_synonym(f, sf)}
            alts = {a for a in alts if a.lower() != label.lower()}  # a case variant adds nothing
            # drop case/plural duplicates of another label, keeping one spelling per key
            by_key: dict[str, str] = {}
            for a in sorted(alts):
                by_key.setdefault(a if is_name(a) else label_key(a), a)
            broader = tuple(
                sorted(
                    b
                    for b in (concept.broader if concept else self.broader.get(eid, ()))
                    if b in self.vocabulary.concepts
                )
            )
            entities[eid] = Entity(
                eid, label, self.types[eid], tuple(sorted(by_key.values())), broader, concept is not None
            )
        # broader vocabulary concepts, so the hierarchy is browsable and queryable
        for eid in list(entities):
            e = entities[eid]
            needed = [] if e.in_vocabulary else list(e.broader)  # a minted entity's own broader concepts
            for start in [eid] if e.in_vocabulary else e.broader:
                needed += self.vocabulary.ancestors(start)
            for anc in needed:
                if anc not in entities:
                    c = self.vocabulary.concepts[anc]
                    entities[anc] = Entity(anc, c.pref_label, c.type, c.alt_labels, c.broader, True)
        mentions = tuple(sorted(self.mentions.values(), key=lambda m: (m.paper, m.entity, m.relation.value)))
        return Extraction(tuple(entities[k] for k in sorted(entities)), mentions)


def extract_entities(
    papers: Sequence[Paper],
    ranked: Mapping[str, Sequence[Phrase]],
    vocabulary: Vocabulary,
    embedder: Embedder | None = None,
    options: EntityOptions = EntityOptions(),
    votes: Mapping[str, Mapping[str, str]] | None = None,
    pairs: Mapping[str, Sequence[tuple[str, str, float, str]]] | None = None,
    link_threshold: float = 0.5,
    inputs: Mapping[str, PaperInputs] | None = None,
) -> Extraction:
    """Canonical entities and paper -> entity mentions for ``papers`` (see the module docstring).

    ``votes`` (per paper key, phrase -> the tagger's type) turn on the tagger's typing, :func:`tagger_typing`;
    ``pairs`` (per paper key, the tagger stage's scored phrase pairs) give the method -> task links,
    :func:`evidence_links`, and with them the document-level links of what a paper proposes to its tasks
    (:mod:`kg.extract.links`, ``options.proposal_scope``). ``inputs`` (per paper key) are the papers'
    :class:`PaperInputs` found earlier; those of a paper not in it are found here.
    """
    found = inputs or {}
    inputs = {p.key: found.get(p.key) or paper_inputs(p, vocabulary) for p in papers}
    short_forms = most_frequent_long_forms(inputs[p.key].definitions for p in papers)
    classifier = Classifier(vocabulary, embedder)
    builder = _Builder(vocabulary)

    # type every distinct canonical phrase once (by :func:`_typed_phrase`)
    texts = {p.text for ps in ranked.values() for p in ps}  # each distinct text once: papers share most phrases
    canonical = {text: _canonical_phrase(text, short_forms, vocabulary) for text in texts}
    phrases = sorted({_typed_phrase(c) for c in canonical.values() if c})
    typings = dict(zip(phrases, classifier.classify_many(phrases), strict=True))

    top_k = options.top_k if votes is None else options.tagger_top_k
    for paper in papers:
        local = dict(inputs[paper.key].definitions)  # this paper's own definitions win
        local_sf = {sf: lf for lf, sf in local.items()}
        n_keyphrases = 0
        urls_only = inputs[paper.key].url_words
        data = {label_key(name) for name in inputs[paper.key].data_names}
        goals = _title_goals(paper.title)
        purposes = _purposes(paper.abstract)
        hardware_words = {w.lower() for hw in inputs[paper.key].hardware for w in hw.surface.split()}
        for position, ph in enumerate(ranked.get(paper.key, ())):
            canon = _mention_label(ph, local_sf.get(ph.text), canonical, short_forms, vocabulary, votes is not None)
            if canon is None:
                continue  # "MoE tasks": named after a method, not a task one can name
            typing = typings.get(_typed_phrase(canon)) or classifier.classify(_typed_phrase(canon))
            vote = None if votes is None else votes.get(paper.key, {}).get(ph.text, "")
            if vote is not None:
                typing = tagger_typing(typing, vote, options.rules_fill_in, ph.text)
            if typing is not None and typing.rule != "vocabulary" and label_key(ph.text) in data:
                typing = Typing(EntityType.DATASET, None, "name")  # "semantic segmentation on ADE20K"
            # the title's goal, or a Method phrase where the abstract says what something is for, is a task
            goal = typing is not None and _in_goal(ph.text, goals)
            if goal or typing is not None and typing.type is EntityType.METHOD and _in_goal(ph.text, purposes):
                typing = _title_goal_typing(typing, canon, ph.text, short_forms)
            if typing is None or typing.type is EntityType.HARDWARE:
                continue  # hardware comes from the full-text scan below
            if typing.concept is None and _hardware_unit(canon, hardware_words):
                continue  # "GPU hours", "8xA800 GPU machines": compute, found by the hardware scan
            if _not_a_name(canon, ph.text, typing, bool(vote), short_forms, urls_only):
                continue
            if typing.type is EntityType.KEYPHRASE:
                if n_keyphrases >= options.max_keyphrases or ph.score < options.keyphrase_min_score:
                    continue
                n_keyphrases += 1
            elif typing.rule in ("vocabulary", "name", "title"):
                if ph.score < options.vocabulary_min_score:
                    continue
            elif position >= (options.top_k if typing.rule == _AGREED else top_k) or ph.score < options.min_score:
                continue
            builder.add(paper, typing, canon, ph.text, ph)
        _add_proposals_and_hardware(builder, classifier, paper, vocabulary, inputs[paper.key])
    builder.merge_synonyms()
    extraction = builder.build(short_forms)
    if pairs is None:
        return extraction
    links = evidence_links(extraction, pairs, link_threshold, options.link_task_margin)
    if options.proposal_scope is not None:
        found = proposal_links(papers, extraction.entities, extraction.mentions, options.proposal_scope)
        links = with_proposals(links, found)
    return Extraction(extraction.entities, extraction.mentions, links)


def _canonical_phrase(surface: str, short_forms: Mapping[str, str], vocabulary: Vocabulary) -> str | None:
    """The label a surface form is filed under: its long form if it is a defined acronym, without a kind
    word ("question answering task") unless what is left is no name on its own ("open-source frameworks"
    is not "open-source") and no vocabulary label. None for tasks named after a method or a bare name
    ("MoE tasks", "VL tasks", "fine-tuning tasks"): neither the method nor a task one can name, and for a
    phrase of quotes alone."""
    full = short_forms.get(surface) or short_forms.get(acronym_singular(surface)) or surface
    # a phrase can span a line break ("Transformer\narchitecture"), and a term can be defined in quotes
    # ('we term as "Multimodal Generalization" (MMG)'): neither the break nor the quotes are part of the name
    full = " ".join(full.split()).strip('"“”').strip()
    # a span that runs on into its verb ("continual learning strategies match") names its subject
    full = clause_subject(full)
    if not full:
        return None  # only quotes and spaces, or a verb and its object: nothing to name
    stripped = strip_generic_tail(full)
    if stripped == full:
        return full
    known = vocabulary.lookup_key(label_key(stripped))
    named_after_other = (
        known.type is not EntityType.TASK if known else len(stripped.split()) == 1 and keeps_case(stripped)
    )
    if named_after_other and label_key(full.split()[len(stripped.split())]) in TASK_KINDS:
        return None
    return stripped if known or _is_name_alone(stripped, short_forms) else full


def _mention_label(
    ph: Phrase,
    long_form: str | None,
    canonical: Mapping[str, str | None],
    short_forms: Mapping[str, str],
    vocabulary: Vocabulary,
    tagged: bool,
) -> str | None:
    """The label a ranked phrase is filed under: its canonical phrase (``canonical``, :func:`_canonical_phrase`),
    that of the long form the paper defines for it, or, for a tagger span that stops at its verb
    (:func:`_before_its_verb`: "TokenSelect builds upon"), that of what comes before the verb. Only with the
    tagger: with the rules extractor's chunks that merged a duplicate into its entity and cost seeds_dev
    Method P .742 -> .741."""
    if long_form is not None:
        return _canonical_phrase(long_form, short_forms, vocabulary)
    canon = canonical[ph.text]
    if tagged and canon and (subject := _before_its_verb(ph.text, ph.sentence)):
        return _canonical_phrase(subject, short_forms, vocabulary)
    if canon and (obj := _after_its_verb(ph.text, ph.sentence)):
        return _canonical_phrase(obj, short_forms, vocabulary)
    return canon


#: words after which the next word is a verb: subject pronouns and modals
_BEFORE_A_VERB = frozenset("we they i you can could will would may might must should shall".split())


def _after_its_verb(surface: str, sentence: str) -> str | None:
    """The span without its first word when the sentence has a subject pronoun or a modal right before it, so
    that word is the verb and the rest its object ("We train RankGen using ..." -> "RankGen", "they fit
    language modeling loss"); None otherwise.

    >>> _after_its_verb("train RankGen", "We train RankGen using contrastive learning.")
    'RankGen'
    >>> _after_its_verb("train RankGen", "The train RankGen uses.") is None
    True
    """
    words = surface.split()
    at = sentence.find(surface)
    if len(words) < 2 or at <= 0 or not words[0].islower():
        return None
    before = sentence[:at].split()
    if not before or before[-1].lower() not in _BEFORE_A_VERB:
        return None
    return " ".join(words[1:])


def _before_its_verb(surface: str, sentence: str) -> str | None:
    """The span without its last word when that word is a verb: an "-s" form followed in the sentence by a
    determiner, a pronoun or a particle, which a noun is not ("TokenSelect builds upon the observation",
    "MoR forms a new Pareto frontier", "CSP treats the attributes"); None when the span ends in a noun.

    >>> _before_its_verb("TokenSelect builds", "TokenSelect builds upon the observation of sparsity.")
    'TokenSelect'
    >>> _before_its_verb("LoRA weights", "We merge the LoRA weights into the model.") is None
    True
    """
    words = surface.split()
    last = words[-1] if len(words) > 1 else ""
    if not (last.islower() and last.isalpha() and last.endswith("s") and not last.endswith("ss")):
        return None
    at = sentence.find(surface)
    after = sentence[at + len(surface) :].split(maxsplit=1) if at >= 0 else []
    if not after or after[0].lower() not in _AFTER_A_VERB or "VERB" not in getAllLemmas(last):
        return None
    return " ".join(words[:-1])


#: words that follow a verb, never a noun phrase's head: determiners, object pronouns, particles
_AFTER_A_VERB = frozenset("the a an its their our his her this these those them it us upon up".split())


@functools.lru_cache(maxsize=200_000)
def _typed_phrase(canon: str) -> str:
    """The phrase a label is typed by: without its kind word ("graph-based technique" is typed as
    "graph-based", so the tagger's and the vocabulary's types apply), unless the kind word is a task's."""
    return canon if label_key(canon.split()[-1]) in TASK_KINDS else strip_generic_tail(canon)


def _not_a_name(
    canon: str, surface: str, typing: Typing, tagged: bool, short_forms: Mapping[str, str], url_words: frozenset[str]
) -> bool:
    """True for a phrase that names nothing: a minted label that is a modifier or an undefined fragment
    ("autoregressive", "VL"), unless the tagger typed the span (dropping those cost SciERC dev Method recall
    .647 -> .632: its annotators mark such spans), or a phrase made only of the words of a link in the text
    ("duguodong7" of a GitHub address). A quantity ("1.1B", "3D", "8-10times", "40%", "6-billion-parameter")
    names nothing, tagged or not, and a quality alone ("robustness", "factuality") names no task: the task is
    what it is a quality of ("adversarial robustness" stays)."""
    if _QUANTITY.fullmatch(canon):
        return True
    if typing.type is EntityType.TASK and _QUALITY.fullmatch(canon):
        return True
    if typing.concept is None and not tagged and not _is_name_alone(canon, short_forms):
        return True
    if typing.type is EntityType.TASK and typing.concept is None and _modifier_alone(canon):
        return True
    # methods and tasks only: data is named by such heads and sizes ("GLUE benchmark", "1B-token corpus")
    if typing.type in _NAMED_BY_HEAD and _sized_generic_or_data(canon, typing.concept is not None):
        return True
    return bool(url_words) and set(re.split(r"[\s_-]+", surface.lower())) <= url_words


#: a number with at most a unit or a multiplier after it: a size, a speed-up, a percentage, a dimension
_QUANTITY = re.compile(
    r"[~≈<>]?\s*\d[\d.,]*(?:\s*[-–~]\s*\d[\d.,]*)?[\s-]*"
    r"(?:times|x|×|%|percent|[kmbt]|bn|billion|million|thousand|[kmgt]b|d|bit|bits|k tokens)?"
    r"(?:[\s-]*(?:parameters?|params|tokens?|layers?|hours?|samples?|examples?|images?|steps?|epochs?))?",
    re.I,
)


def _modifier_alone(phrase: str) -> bool:
    """True for one lower-case word that can only modify a noun ("linear", "parameter-free",
    "quantization-aware"): no task, tagged or not (the tagger tags such spans where the noun after them is
    generic: "parameter-free approaches"). A name or an acronym is no modifier. Methods keep theirs when
    tagged: SciERC's annotators mark "graph-based" of "graph-based technique" (dropping them cost scierc_dev
    Method recall .687 -> .672).

    >>> _modifier_alone("adapter-based"), _modifier_alone("multimodal"), _modifier_alone("retrieval")
    (True, True, False)
    """
    return " " not in phrase and not keeps_case(phrase) and not has_noun_head(phrase)


#: a count with a multiplier opening a phrase: the size of one model, run or context ("1.5B reasoning model",
#: "8B-parameter mamba", "128K-long contexts"), not a kind of method or task; "3D" or "2D" is no count
_SIZED = re.compile(r"\d[\d.,]*\s?[KMBT](?:[-‐](?:parameters?|params|long|token|tokens|scale))?\s", re.I)


#: modifiers that say how a model was obtained or how big it is, not what kind of model it is
_PROVENANCE = frozenset(
    "pre-trained pretrained off-the-shelf open-source closed-source open large-scale larger-scale small-scale".split()
)


def _sized_generic_or_data(phrase: str, in_vocabulary: bool) -> bool:
    """The size of one model (:data:`_SIZED`, "1.5B reasoning model" even when found under a concept), or,
    outside the vocabulary, a model of no kind (:func:`_generic_kind`) or data or a document
    (:func:`_data_headed`): no method or task."""
    if _SIZED.match(phrase):
        return True
    return not in_vocabulary and (_generic_kind(phrase) or _data_headed(phrase))


def _generic_kind(phrase: str) -> bool:
    """True for "model" or "network" with only modifiers of provenance, size or praise ("pre-trained models",
    "off-the-shelf pre-trained model", "large-scale pre-trained models"): every model is one of those."""
    words = phrase.lower().split()  # with their hyphens: "pre-trained", not "pre trained"
    return (
        len(words) > 1
        and label_key(words[-1]) in ("model", "network")
        and all(w in _PROVENANCE or w in WEAK_MODIFIERS for w in words[:-1])
    )


#: the types whose names the rules on sizes, provenance and data heads read
_NAMED_BY_HEAD = frozenset({EntityType.METHOD, EntityType.TASK})
#: head nouns of data and documents: a phrase they head names data or a text, not a method or a task
_DATA_HEADS = frozenset("data dataset benchmark corpus report survey".split())


def _data_headed(phrase: str) -> bool:
    """True when the phrase's head noun (the last word before "of" / "for", else the last word) names data
    or a document ("reasoning benchmarks", "text retrieval benchmark", "Qwen3 technical report", "seismic
    data"); "assessment of data" is headed by "assessment".

    >>> _data_headed("long video understanding benchmarks"), _data_headed("assessment of data")
    (True, False)
    """
    words = label_key(phrase).split()
    head = next((words[i - 1] for i, w in enumerate(words) if i and w in ("of", "for")), words[-1])
    return len(words) > 1 and head in _DATA_HEADS


#: one word naming a quality ("robustness", "factuality", "interpretability")
_QUALITY = re.compile(r"[a-z]+(?:ness|ity)", re.I)


def _is_name_alone(phrase: str, short_forms: Mapping[str, str]) -> bool:
    """A phrase that can name something on its own: it has a noun head (:func:`kg.extract.aliases.has_noun_head`);
    an acronym stands for its long form, so one defined as a modifier ("VL" of "vision-language") is none, nor
    is a two-letter acronym the corpus never defines."""
    short = acronym_singular(phrase)
    if short in short_forms:
        return has_noun_head(short_forms[short])
    if re.fullmatch(r"[A-Z][A-Z0-9]", short):
        return False
    return has_noun_head(phrase)


_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.[a-z]+|\b[\w.-]+\.(?:com|org|io|net)/\S*", re.I)


def _url_words(text: str) -> frozenset[str]:
    """The words and word runs that occur in ``text`` only inside links and e-mail addresses, lower-cased."""
    links = _URL.findall(text)
    if not links:
        return frozenset()
    rest = _URL.sub(" ", text).lower()
    words = {w.lower() for link in links for w in re.findall(r"[A-Za-z][A-Za-z0-9]*", link)}
    return frozenset(w for w in words if not re.search(rf"\b{re.escape(w)}\b", rest))


def _add_proposals_and_hardware(
    builder: _Builder, classifier: Classifier, paper: Paper, vocabulary: Vocabulary, inputs: PaperInputs
) -> None:
    """Add the methods ``paper`` proposes by name and the hardware its full text mentions (``inputs``)."""
    for name, sent in inputs.proposals:
        typing = classifier.classify(name)
        if typing is None:
            continue
        if typing.type is not EntityType.METHOD:
            typing = Typing(EntityType.METHOD, None, "proposal")
        builder.add(paper, typing, name, name, Phrase(name, 0.0, sent, "proposal"), Relation.PROPOSES_METHOD)
    for hw in inputs.hardware:
        concept = vocabulary.concepts.get(hw.concept) if hw.concept else None
        typing = Typing(EntityType.HARDWARE, concept, "hardware")
        builder.add(
            paper, typing, hw.label, hw.surface, Phrase(hw.surface, 0.0, hw.sentence, "hardware"), broader=hw.broader
        )


#: the rule of a phrase the tagger and the head rule type alike: read as deep as the rules read (``top_k``)
_AGREED = "tagger+head"


def tagger_typing(typing: Typing | None, vote: str, rules_fill_in: bool = True, phrase: str = "") -> Typing | None:
    """The type of a phrase when the tagger has voted: the vocabulary's concept wins (canonical names);
    else the tagger's Method or Task, with three exceptions where the phrase's own form is stronger
    evidence:

    - a name (``FuseLLM``) the tagger reads as a Method stays a name, linked like the vocabulary's phrases
      at any rank (the tagger's own phrases only among the paper's first ``tagger_top_k``);
    - a phrase headed by an artifact noun (``ARTIFACT_HEADS``: "language understanding system") is a Method
      even when the tagger reads it as the task it serves;
    - a phrase whose head noun gives it the type the tagger gives it ("module-aware adaptive compression")
      is read as deep into the ranking as the head rule reads (``top_k``).

    A phrase it reads as data (Material) is a Dataset when it names one
    (:func:`kg.extract.tagged.is_dataset_name`), else no entity type; a phrase it leaves untagged keeps the
    rules' type when ``rules_fill_in``, else stays an untyped keyphrase.

    >>> name = Typing(EntityType.METHOD, None, "name")
    >>> tagger_typing(name, "Material", phrase="noisy speech").type.value
    'Keyphrase'
    >>> tagger_typing(name, "Material", phrase="ImageNet").type.value
    'Dataset'
    >>> tagger_typing(name, "Method", phrase="FuseLLM") is name
    True
    >>> tagger_typing(name, "Task", phrase="language understanding system").type.value
    'Method'
    """
    from kg.extract.tagged import is_dataset_name

    if typing is None or typing.rule == "vocabulary" or typing.type is EntityType.HARDWARE:
        return typing
    if vote == "Method" and typing.rule in ("name", "data-name"):
        return typing  # a name stays a name, and data or a score ("ImageNet-2012", "box AP") no Method
    if vote == "Task" and _artifact_headed(phrase):
        return Typing(EntityType.METHOD, None, "tagger")
    if vote in ("Method", "Task") and typing.rule == "head" and typing.type.value == vote:
        return Typing(typing.type, None, _AGREED)
    if vote in ("Method", "Task"):
        return Typing(EntityType(vote), None, "tagger")
    if vote == "Material" and is_dataset_name(phrase):
        return Typing(EntityType.DATASET, None, "tagger")
    if vote == "Material" or not rules_fill_in:
        return Typing(EntityType.KEYPHRASE, None, "tagger")
    return typing


_GOAL_SPLIT = re.compile(r"\s+(?:using|via|with|by|through|from)\s+", re.I)


def _title_goal_typing(typing: Typing, canon: str, surface: str, short_forms: Mapping[str, str]) -> Typing:
    """The type of a phrase found where the title names the paper's goal (:func:`_title_goals`): a Task when
    the rest of the pipeline calls it a Method or leaves a phrase of several words untyped ("Lightening
    Parameter-Efficient Fine-Tuning via Early Pruning": the paper's task is parameter-efficient fine-tuning),
    linked at any rank; a name or a thing built ("for Large Language Models", "for GPT-4") keeps its type."""
    if any(keeps_case(w) for w in canon.split()) or _artifact_headed(canon):
        return typing  # by hyphen-part: "Parameter-Efficient Fine-Tuning" is words, "GPT-4" a name
    if label_key(surface.split()[-1]) in GENERIC_TAILS - TASK_KINDS:
        return typing  # "A Multi-Agent Collaboration Framework with ...": a framework is the means
    if typing.type is EntityType.METHOD or (
        typing.type is EntityType.KEYPHRASE and len(canon.split()) > 1 and _is_name_alone(canon, short_forms)
    ):
        return Typing(EntityType.TASK, None, "title")
    return typing


def _title_goals(title: str) -> list[str]:
    """The parts of a title that name what the paper does, lower-cased: what follows "for", else what comes
    before "using" / "via" / "with" / "by" / "through" / "from" (the means come after). A "Name:" prefix is
    the proposal (:func:`proposed_names`), not the goal.

    >>> _title_goals("Light-PEFT: Lightening Parameter-Efficient Fine-Tuning via Early Pruning")
    ['lightening parameter-efficient fine-tuning']
    >>> _title_goals("AdaptDHM: Adaptive Distribution Hierarchical Model for Multi-Domain CTR Prediction")
    ['multi-domain ctr prediction']
    >>> _title_goals("Knowledge Grafting of Large Language Models")
    []
    >>> _title_goals("PROP: Pre-training with Representative Words Prediction for Ad-hoc Retrieval")
    ['ad-hoc retrieval']
    """
    if not title:
        return []
    body = title.split(":", 1)[1] if ":" in title else title
    out = []
    for part in re.split(r"\s+--\s+|[?!]", body):
        if re.search(r"\bfor\b", part, re.I):  # the last "for": "Searching for X for Language Modeling"
            out.append(_GOAL_SPLIT.split(re.split(r"\bfor\b", part, flags=re.I)[-1])[0])
        elif len(means := _GOAL_SPLIT.split(part)) > 1:
            out.append(means[0])
    return [g.strip().lower() for g in out if g.strip()]


#: what a hardware word heads when the phrase counts or hosts compute, not a method
_HARDWARE_UNITS = frozenset("hour day machine node server cluster card".split())


def _hardware_unit(canon: str, hardware_words: set[str]) -> bool:
    """True for a phrase that counts or hosts the hardware the paper mentions ("GPU hours", "8xA800 GPU
    machines"): a hardware word of the text followed by a unit or host head.

    >>> _hardware_unit("GPU hours", {"gpu"}), _hardware_unit("GPU kernel fusion", {"gpu"})
    (True, False)
    """
    words = label_key(canon).split()
    return len(words) > 1 and words[-1] in _HARDWARE_UNITS and any(w in hardware_words for w in words[:-1])


_PURPOSE = re.compile(
    r"\b(?:applications? (?:in|to)|(?:ideal|useful|tailored|designed) for|tasks? (?:like|such as|including))\s+"
    r"([^.;:()]{3,120})",
    re.I,
)


def _purposes(abstract: str) -> list[str]:
    """The stretches of an abstract that say what something is for, lower-cased: after "applications in",
    "ideal for", "designed for", "tasks such as". A Method phrase found in one is the paper's task there
    ("with applications in multi-task integration, model compression, and continual learning").

    >>> _purposes("It is ideal for heterogeneous model fusion and continual learning. We test it.")
    ['heterogeneous model fusion and continual learning']
    """
    return [m.group(1).lower() for m in _PURPOSE.finditer(abstract)]


def _in_goal(phrase: str, goals: list[str]) -> bool:
    """True when ``phrase`` occurs, as whole words, in one of the title's goals."""
    p = phrase.lower()
    return any(has_words(g, p) for g in goals)


def _artifact_headed(phrase: str) -> bool:
    """True when the phrase's head noun (the last word before "of" / "for", else the last word) names a thing
    built, and the phrase is no activity opening with a gerund: "language understanding system" is one,
    "predicting downstream capabilities of frontier AI models" and "scaling advanced AI systems" are not.

    >>> _artifact_headed("dependency parser"), _artifact_headed("scaling advanced AI systems")
    (True, False)
    >>> _artifact_headed("prediction of frontier AI models")
    False
    """
    words = label_key(phrase).split()
    if not words or words[0].endswith("ing") and len(words) > 1:
        return False
    head = next((words[i - 1] for i, w in enumerate(words) if i and w in ("of", "for")), words[-1])
    return head in ARTIFACT_HEADS


def evidence_links(
    extraction: Extraction,
    pairs: Mapping[str, Sequence[tuple[str, str, float, str]]],
    threshold: float,
    task_margin: float | None = None,
) -> tuple[MethodTaskLink, ...]:
    """Method -> task links from the relation classifier's pairs: a pair of phrases scoring at least
    ``threshold`` links the paper's Method entity of the first to its Task entity of the second, if its
    score is within ``task_margin`` of the best of that task phrase's pairs in the paper
    (:func:`kg.extract.links.near_best_per_task`; None: any). Each link keeps its supporting papers and its
    best score with that sentence. No pair, no link: co-occurring in a paper is not evidence."""
    by_id = {e.id: e for e in extraction.entities}
    entity_of: dict[tuple[str, str, EntityType], str] = {}
    mentions_of: dict[str, list[Mention]] = defaultdict(list)
    for m in extraction.mentions:
        entity_of.setdefault((m.paper, m.surface, by_id[m.entity].type), m.entity)
        mentions_of[m.paper].append(m)
    named = functools.partial(_named_in_paper, mentions_of, by_id, {})
    support: dict[tuple[str, str], set[str]] = defaultdict(set)
    best: dict[tuple[str, str], tuple[float, str]] = {}
    for paper, found in sorted(pairs.items()):
        # the best of a task is over every pair the per-paper step typed, as in the cross-validation: a
        # method phrase that names no entity (a part, data) still outscores the others it is near
        over = [p for p in found if p[2] >= threshold]  # first: most pairs are below it
        for method, task, score, sentence in near_best_per_task(over, task_margin):
            m = entity_of.get((paper, method, EntityType.METHOD)) or named(paper, method, EntityType.METHOD)
            t = entity_of.get((paper, task, EntityType.TASK)) or named(paper, task, EntityType.TASK)
            if m is None or t is None:
                continue
            support[m, t].add(paper)
            if (m, t) not in best or score > best[m, t][0]:
                best[m, t] = (score, sentence)
    return tuple(
        MethodTaskLink(m, t, tuple(sorted(ps)), best[m, t][0], best[m, t][1], (LinkEvidence.CLASSIFIER,))
        for (m, t), ps in sorted(support.items())
    )


def _named_in_paper(
    mentions_of: Mapping[str, Sequence[Mention]],
    by_id: Mapping[str, Entity],
    keys_of: dict[str, frozenset[str]],
    paper: str,
    phrase: str,
    kind: EntityType,
) -> str | None:
    """The entity of ``kind`` that one of ``paper``'s mentions (the first, in mention order) links to and
    that has a label (or alias) with ``phrase``'s key. A mention keeps one surface form (its best phrase's);
    a pair may name the entity by another of the paper's phrases ("PCFG" beside "probabilistic context-free
    grammar"): its labels find it too. Asked only when the surface form does not find it, so a paper's few
    mentions are scanned instead of filing every label of every mention (``keys_of``: each entity's label
    keys, filled as entities are met)."""
    key = label_key(phrase)
    for m in mentions_of.get(paper, ()):
        e = by_id[m.entity]
        if e.type is not kind:
            continue
        keys = keys_of.get(e.id)
        if keys is None:
            keys = keys_of[e.id] = frozenset(label_key(name) for name in (e.label, *e.alt_labels))
        if key in keys:
            return e.id
    return None
