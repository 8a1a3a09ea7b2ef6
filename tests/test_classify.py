"""Typing of phrases (vocabulary, head rules, generic words), with real phrases from the bundled corpus."""

from __future__ import annotations

import pytest

from kg.extract.classify import Classifier, is_generic, strip_generic_tail
from kg.extract.vocabulary import load_vocabulary
from kg.model import EntityType


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


@pytest.mark.parametrize(
    "phrase",
    ["method", "approach", "proposed framework", "performance", "results", "novel model", "experimental results"],
)
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
