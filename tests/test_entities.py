"""Typing rules, proposals and canonicalization, with real phrases from the bundled corpus."""

from __future__ import annotations

import pytest

from kg.extract.classify import Classifier, is_generic, strip_generic_tail
from kg.extract.entities import EntityOptions, extract_entities, proposed_names
from kg.extract.vocabulary import load_vocabulary
from kg.model import EntityType, Paper, Phrase, Relation


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


@pytest.fixture(scope="module")
def clf(vocab):
    return Classifier(vocab)


@pytest.mark.parametrize(
    "phrase, expected",
    [
        ("text-to-image generation", "Task"),
        ("automatic speech recognition", "Task"),
        ("short-answer question-answering", "Task"),
        ("Multilingual Neural Machine Translation", "Task"),
        ("monocular depth estimation", "Task"),
        ("grouped-query attention", "Method"),
        ("Sensitivity-Guided Distillation", "Method"),
        ("INT4 weight quantisation", "Method"),
        ("pipeline parallelism", "Method"),
        ("Low-Rank Adaptation", "Method"),
        ("LoRA", "Method"),
        ("Qwen2-72B", "Method"),
        ("HierarchicalPrune", "Method"),
        ("chain-of-thought", "Method"),
    ],
)
def test_types_of_corpus_phrases(clf, phrase, expected):
    t = clf.classify(phrase)
    assert t is not None and t.type.value == expected, (phrase, t)


@pytest.mark.parametrize("phrase", ["method", "approach", "proposed framework", "performance", "results",
                                    "novel model", "experimental results"])
def test_generic_words_are_never_entities(clf, phrase):
    assert is_generic(phrase)
    assert clf.classify(phrase) is None


@pytest.mark.parametrize("phrase", ["ImageNet-2012", "HealthSearchQA", "GLUE benchmark", "MMLU"])
def test_dataset_names_are_not_methods(clf, phrase):
    t = clf.classify(phrase)
    assert t is None or t.type is not EntityType.METHOD, (phrase, t)


def test_generic_tails_are_dropped():
    assert strip_generic_tail("pipeline parallelism library") == "pipeline parallelism"
    assert strip_generic_tail("distribution adaptation module") == "distribution adaptation"
    assert strip_generic_tail("diffusion model") == "diffusion model"


def test_vocabulary_backoff_keeps_the_head(clf):
    c = clf.lookup("representative vision-language models")
    assert c is not None and c.type is EntityType.METHOD
    assert clf.lookup("astronomy") is None


def test_proposed_names_from_title_and_sentences():
    p = Paper("p", "HierarchicalPrune: Position-Aware Compression for Large-Scale Diffusion Models",
              "In this paper, we propose HierarchicalPrune, a novel compression framework.")
    assert [n for n, _ in proposed_names(p)] == ["HierarchicalPrune"]
    p = Paper("q", "Unlock Predictable Scaling from Emergent Abilities", "We introduce a new metric.")
    assert proposed_names(p) == []
    p = Paper("r", "Scaling laws", "We present a method, called SpQR, that compresses weights.")
    assert [n for n, _ in proposed_names(p)] == ["SpQR"]
    # "so-called X" names something that already exists
    p = Paper("s", "Rank search", "Adapters add trainable modules (so-called LoRA blocks) to the model.")
    assert proposed_names(p) == []


def test_extraction_merges_acronyms_and_variants(vocab):
    papers = [
        Paper("a", "Fast Adapters", "We study Low-Rank Adaptation (LoRA) of large models. LoRA is cheap."),
        Paper("b", "Tuning", "Low-rank adaptations outperform full fine-tuning on A100 GPUs."),
    ]
    ranked = {
        "a": [Phrase("Low-Rank Adaptation", 0.6, "We study Low-Rank Adaptation (LoRA) of large models."),
              Phrase("LoRA", 0.5, "LoRA is cheap.")],
        "b": [Phrase("Low-rank adaptations", 0.6, papers[1].abstract)],
    }
    ex = extract_entities(papers, ranked, vocab, None, EntityOptions())
    lora = [e for e in ex.entities if e.label == "low-rank adaptation"]
    assert len(lora) == 1
    assert "LoRA" in lora[0].alt_labels
    linked = {(m.paper, m.entity) for m in ex.mentions}
    assert ("a", lora[0].id) in linked and ("b", lora[0].id) in linked
    # hardware is scanned from the full text even though KeyBERT did not rank it
    hw = [m for m in ex.mentions if m.relation is Relation.USES_HARDWARE]
    assert [m.paper for m in hw] == ["b"]
    # the broader concept is present so the hierarchy can be browsed
    assert lora[0].broader and all(b in {e.id for e in ex.entities} for b in lora[0].broader)
