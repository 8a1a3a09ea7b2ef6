"""Document-level method -> task links (kg.extract.links): what a paper proposes is used for its tasks.

The sentences are from published abstracts outside the bundled corpus (BERT, Devlin et al. 2019; LLaVA,
Liu et al. 2023; and a benchmark paper's "we present X, a benchmark").
"""

from __future__ import annotations

import pytest

from kg.extract.entities import EntityOptions, extract_entities
from kg.extract.links import proposal_links, with_proposals
from kg.extract.vocabulary import load_vocabulary
from kg.model import Entity, EntityType, LinkEvidence, Mention, MethodTaskLink, Paper, Phrase, Relation

BERT = Paper(
    "bert",
    "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
    "We introduce a new language representation model called BERT, which stands for Bidirectional Encoder "
    "Representations from Transformers. BERT is conceptually simple and empirically powerful. It obtains new "
    "state-of-the-art results on eleven natural language processing tasks, including pushing SQuAD v1.1 "
    "question answering Test F1 to 93.2.",
)
#: the phrases and tagger votes the per-paper step gives such a paper: the method and a task sentences apart
RANKED = [
    Phrase("BERT", 0.6, BERT.title, "tagger"),
    Phrase("question answering", 0.5, BERT.abstract.split(". ")[2], "tagger"),
]
VOTES = {"BERT": "Method", "question answering": "Task"}


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


def _extract(vocab, paper, ranked, votes, options=None, pairs=None):
    options = options or EntityOptions()
    return extract_entities(
        [paper], {paper.key: ranked}, vocab, None, options, {paper.key: votes}, {paper.key: pairs or []}, 0.75
    )


def _labels(ex):
    label = {e.id: e.label for e in ex.entities}
    return {(label[k.method], label[k.task]): k for k in ex.links}


def test_the_proposed_method_is_linked_to_a_task_sentences_away(vocab):
    # no sentence names both, so the sentence-level classifier has no pair; the title names the proposal
    links = _labels(_extract(vocab, BERT, RANKED, VOTES))
    link = links["BERT", "question answering"]
    assert link.evidence == (LinkEvidence.PROPOSAL,)
    assert link.papers == ("bert",) and link.score is None and link.sentence == BERT.title
    assert not _labels(_extract(vocab, BERT, RANKED, VOTES, EntityOptions(proposal_scope=None)))
    # in the title scope the task must be named in the title, and here it is not
    assert not _labels(_extract(vocab, BERT, RANKED, VOTES, EntityOptions(proposal_scope="title")))


def test_a_classifier_pair_and_a_proposal_make_one_link_with_both_kinds(vocab):
    sent = RANKED[1].sentence
    ex = _extract(vocab, BERT, RANKED, VOTES, pairs=[("BERT", "question answering", 0.9, sent)])
    link = _labels(ex)["BERT", "question answering"]
    assert link.evidence == (LinkEvidence.CLASSIFIER, LinkEvidence.PROPOSAL)
    assert (link.score, link.sentence) == (0.9, sent)  # the classifier's score and sentence


def test_a_name_not_proposed_by_the_authors_or_data_is_not_linked():
    method, task = Entity("m", "LLaVA", EntityType.METHOD), Entity("t", "visual question answering", EntityType.TASK)
    llava = Paper(
        "a",
        "Improved Baselines",
        "We evaluate a multimodal model called LLaVA on visual question answering.",
    )
    bench = Paper("b", "Benchmarks", "We present LLaVA, a benchmark of visual question answering tasks.")
    proposing = Paper("c", "Visual Instruction Tuning", "We present LLaVA, a large multimodal model.")
    mentions = []
    for p in (llava, bench, proposing):
        sentence = p.abstract
        mentions.append(Mention(p.key, "m", Relation.PROPOSES_METHOD, 0.0, sentence, "LLaVA", "proposal"))
        mentions.append(Mention(p.key, "t", Relation.ADDRESSES_TASK, 0.5, sentence, task.label, "tagger"))
    found = proposal_links([llava, bench, proposing], (method, task), mentions, "all")
    # "called X" alone names an existing model as often as a new one; "X, a benchmark" is data
    assert [pl.paper for pl in found] == ["c"]


def test_the_titles_name_comes_first():
    paper = Paper(
        "p",
        "GroupMamba: Parameter-Efficient Group Visual State Space Model",
        "To address this, we introduce a Modulated Group Mamba layer. We evaluate on image classification.",
    )
    ents = (
        Entity("g", "GroupMamba", EntityType.METHOD),
        Entity("l", "modulated group mamba layer", EntityType.METHOD),
        Entity("t", "image classification", EntityType.TASK),
    )
    layer_sentence = "To address this, we introduce a Modulated Group Mamba layer."
    mentions = (
        Mention("p", "g", Relation.PROPOSES_METHOD, 0.0, paper.title, "GroupMamba", "proposal"),
        Mention("p", "l", Relation.PROPOSES_METHOD, 0.0, layer_sentence, "Modulated Group Mamba layer", "proposal"),
        Mention("p", "t", Relation.ADDRESSES_TASK, 0.5, "We evaluate on image classification.", "image classification"),
    )
    # a component the abstract introduces is part of the titled method, not what the paper is for
    assert [(pl.method, pl.task) for pl in proposal_links([paper], ents, mentions, "all")] == [("g", "t")]
    both = proposal_links([paper], ents, mentions, "all", methods="any")
    assert [(pl.method, pl.task) for pl in both] == [("g", "t"), ("l", "t")]


def test_proposals_over_papers_are_one_link_with_every_supporting_paper():
    from kg.extract.links import ProposalLink

    classifier = (MethodTaskLink("m", "t", ("p2",), 0.8, "We use M for T.", (LinkEvidence.CLASSIFIER,)),)
    merged = with_proposals(
        classifier,
        [
            ProposalLink("p3", "m", "t", "M: for T"),
            ProposalLink("p1", "m", "t", "M2: for T"),
            ProposalLink("p1", "m", "u", "M"),
        ],
    )
    assert [(k.task, k.papers, k.score, k.sentence, k.evidence) for k in merged] == [
        ("t", ("p1", "p2", "p3"), 0.8, "We use M for T.", (LinkEvidence.CLASSIFIER, LinkEvidence.PROPOSAL)),
        ("u", ("p1",), None, "M", (LinkEvidence.PROPOSAL,)),
    ]


def test_a_bad_scope_names_the_option():
    with pytest.raises(ValueError, match="--proposal-scope"):
        EntityOptions(proposal_scope="abstract")


def test_the_evidence_kind_reaches_every_export(vocab, tmp_path):
    from rdflib import Literal

    from kg.export.graphml import read_graphml, write_graphml
    from kg.export.rdf import to_rdf
    from kg.graph import build_graph
    from kg.namespace import KG
    from kg.query.validate import validate

    ex = _extract(vocab, BERT, RANKED, VOTES)
    graph = build_graph([BERT], ex.entities, ex.mentions, links=ex.links)
    rdf = to_rdf(graph)
    (link,) = rdf.subjects(KG.linkMethod, None)
    assert set(rdf.objects(link, KG.evidenceKind)) == {Literal("proposal")}
    assert rdf.value(link, KG.evidence) == Literal(BERT.title) and rdf.value(link, KG.score) is None
    assert validate(rdf).conforms
    write_graphml(graph, tmp_path / "g.graphml")
    edges = [d for *_, d in read_graphml(tmp_path / "g.graphml").edges(data=True) if "evidence_kinds" in d]
    assert [d["evidence_kinds"] for d in edges] == [("proposal",)]


def test_a_task_keeps_the_methods_scored_near_its_best():
    from kg.extract.entities import Extraction, evidence_links

    sent = (
        "We show that independent classifiers outperform label sequence models for semantic role labeling, "
        "with Viterbi decoding in both."
    )
    ents = (
        Entity("ic", "independent classifiers", EntityType.METHOD),
        Entity("ls", "label sequence models", EntityType.METHOD),
        Entity("vd", "Viterbi decoding", EntityType.METHOD),
        Entity("srl", "semantic role labeling", EntityType.TASK),
    )
    mentions = tuple(Mention("p", e.id, Relation.USES_METHOD, 0.5, sent, e.label) for e in ents[:3]) + (
        Mention("p", "srl", Relation.ADDRESSES_TASK, 0.5, sent, "semantic role labeling"),
    )
    pairs = {
        "p": [
            ("independent classifiers", "semantic role labeling", 0.93, sent),
            ("label sequence models", "semantic role labeling", 0.86, sent),
            ("Viterbi decoding", "semantic role labeling", 0.80, sent),
        ]
    }
    ex = Extraction(ents, mentions)
    # Viterbi decoding is a part of both systems: the classifier scores it well over the threshold, but
    # further from the task's best than the alternatives the sentence compares
    assert [k.method for k in evidence_links(ex, pairs, 0.75, 0.1)] == ["ic", "ls"]
    assert [k.method for k in evidence_links(ex, pairs, 0.75)] == ["ic", "ls", "vd"]
    with pytest.raises(ValueError, match="--link-task-margin"):
        EntityOptions(link_task_margin=2.0)


def test_a_pair_may_name_the_entity_by_another_of_its_labels():
    from kg.extract.entities import Extraction, evidence_links

    sent = "We use a probabilistic context-free grammar (PCFG) for morphological parsing."
    ents = (
        Entity("g", "probabilistic context-free grammar", EntityType.METHOD, ("PCFG",)),
        Entity("mp", "morphological parsing", EntityType.TASK),
    )
    # the mention keeps the long form; the classifier's best pair was read at the acronym
    mentions = (
        Mention("p", "g", Relation.USES_METHOD, 0.6, sent, "probabilistic context-free grammar"),
        Mention("p", "mp", Relation.ADDRESSES_TASK, 0.5, sent, "morphological parsing"),
    )
    pairs = {"p": [("PCFG", "morphological parsing", 0.92, sent)]}
    (link,) = evidence_links(Extraction(ents, mentions), pairs, 0.75, 0.1)
    assert (link.method, link.task, link.score) == ("g", "mp", 0.92)


def test_a_label_finds_only_the_papers_own_entities_and_the_first_in_mention_order():
    from kg.extract.entities import Extraction, evidence_links

    sent = "We use PCFG for morphological parsing."
    ents = (
        Entity("a", "probabilistic context-free grammar", EntityType.METHOD, ("PCFG",)),
        Entity("b", "parse chart filtering grammar", EntityType.METHOD, ("PCFGs",)),
        Entity("mp", "morphological parsing", EntityType.TASK),
        Entity("t", "PCFG", EntityType.TASK),  # same key, another type: never the method
    )
    mentions = (
        Mention("p", "a", Relation.USES_METHOD, 0.6, sent, "probabilistic context-free grammar"),
        Mention("p", "b", Relation.USES_METHOD, 0.6, sent, "parse chart filtering grammar"),
        Mention("p", "mp", Relation.ADDRESSES_TASK, 0.5, sent, "morphological parsing"),
        Mention("q", "b", Relation.USES_METHOD, 0.6, sent, "parse chart filtering grammar"),
        Mention("q", "mp", Relation.ADDRESSES_TASK, 0.5, sent, "morphological parsing"),
        Mention("q", "t", Relation.ADDRESSES_TASK, 0.5, sent, "PCFG"),
        Mention("r", "mp", Relation.ADDRESSES_TASK, 0.5, sent, "morphological parsing"),
    )
    pair = [("PCFG", "morphological parsing", 0.9, sent)]
    links = evidence_links(Extraction(ents, mentions), {"p": pair, "q": pair, "r": pair}, 0.75)
    # p: "a" and "b" both carry the key, "a" is its first mention; q: only "b"; r: no method of that name
    assert [(k.method, k.task, k.papers) for k in links] == [("a", "mp", ("p",)), ("b", "mp", ("q",))]
