"""The method and task vocabulary (``ontology/vocab-methods.ttl``, ``ontology/vocab-tasks.ttl``).

Structural invariants of the two files (types, scheme membership, IRIs, broader links, top concepts, label
keys) and lookups of real phrases. Fast: rdflib only, no model.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SKOS

from kg.extract.classify import is_generic
from kg.extract.normalize import label_key
from kg.extract.vocabulary import load_vocabulary, vocabulary_files
from kg.model import EntityType
from kg.namespace import KG, ONTOLOGY_DIR, VOCAB, slug

#: the files of this vocabulary and the one type each may hold
OWN_FILES = {"vocab-methods.ttl": KG.Method, "vocab-tasks.ttl": KG.Task}
HARDWARE_FILE = ONTOLOGY_DIR / "vocab-hardware.ttl"
SCHEME = VOCAB.scheme
ENTITY_TYPES = (KG.Method, KG.Task, KG.Hardware)

needs_hardware = pytest.mark.skipif(not HARDWARE_FILE.exists(), reason="no ontology/vocab-hardware.ttl yet")


def _parse(*paths) -> Graph:
    g = Graph()
    for path in paths:
        g.parse(str(path), format="turtle")
    return g


@pytest.fixture(scope="module")
def own() -> dict[str, Graph]:
    """Each file of this vocabulary, parsed on its own."""
    return {name: _parse(ONTOLOGY_DIR / name) for name in OWN_FILES}


@pytest.fixture(scope="module")
def own_graph(own) -> Graph:
    g = Graph()
    for part in own.values():
        g += part
    return g


@pytest.fixture(scope="module")
def all_graph() -> Graph:
    """Every ``vocab-*.ttl`` file, as :func:`kg.extract.vocabulary.load_vocabulary` reads them."""
    return _parse(*vocabulary_files())


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


def _concepts(g: Graph) -> list[URIRef]:
    return sorted(set(g.subjects(RDF.type, SKOS.Concept)))


# ---------------------------------------------------------------- structure


@pytest.mark.parametrize("name", sorted(OWN_FILES))
def test_every_concept_has_the_type_of_its_file(own, name):
    g = own[name]
    concepts = _concepts(g)
    assert len(concepts) > 100
    for c in concepts:
        types = [t for t in g.objects(c, RDF.type) if t in ENTITY_TYPES]
        assert types == [OWN_FILES[name]], (c, types)


def test_concepts_are_in_the_scheme_with_one_english_pref_label(own_graph):
    for c in _concepts(own_graph):
        assert (c, SKOS.inScheme, SCHEME) in own_graph, c
        prefs = list(own_graph.objects(c, SKOS.prefLabel))
        assert len(prefs) == 1 and prefs[0].language == "en", (c, prefs)
        assert all(a.language == "en" for a in own_graph.objects(c, SKOS.altLabel)), c


def test_local_name_is_the_slug_of_the_pref_label(own_graph):
    for c in _concepts(own_graph):
        pref = str(own_graph.value(c, SKOS.prefLabel))
        assert str(c) == str(VOCAB[slug(pref)]), (c, pref)


def test_no_concept_is_defined_in_two_files(own):
    a, b = (set(_concepts(g)) for g in own.values())
    assert not a & b


def test_broader_targets_exist_and_share_the_type(own_graph, all_graph):
    known = set(_concepts(all_graph))
    for c in _concepts(own_graph):
        for b in own_graph.objects(c, SKOS.broader):
            assert b in known, (c, b)
            assert b != c, c
            c_type = {t for t in all_graph.objects(c, RDF.type) if t in ENTITY_TYPES}
            b_type = {t for t in all_graph.objects(b, RDF.type) if t in ENTITY_TYPES}
            assert c_type == b_type, (c, b)


def test_broader_has_no_cycles(all_graph):
    broader = defaultdict(set)
    for s, o in all_graph.subject_objects(SKOS.broader):
        broader[s].add(o)
    done: set = set()

    def visit(node, path):
        if node in path:
            raise AssertionError(f"cycle through {node}: {path}")
        if node in done:
            return
        for b in broader.get(node, ()):
            visit(b, path | {node})
        done.add(node)

    for node in list(broader):
        visit(node, frozenset())


def test_top_concepts_are_exactly_the_roots(own_graph):
    for c in _concepts(own_graph):
        is_root = own_graph.value(c, SKOS.broader) is None
        assert ((c, SKOS.topConceptOf, SCHEME) in own_graph) == is_root, c
        assert ((SCHEME, SKOS.hasTopConcept, c) in own_graph) == is_root, c


def test_hierarchy_is_shallow_but_not_flat(vocab, own_graph):
    """Longest chain of broader links from a concept up to a top concept."""

    def depth(iri: str) -> int:
        return max((1 + depth(b) for b in vocab.concepts[iri].broader), default=0)

    depths = [depth(str(c)) for c in _concepts(own_graph)]
    assert max(depths) <= 6
    assert sum(d >= 2 for d in depths) > len(depths) // 2


# ---------------------------------------------------------------- labels


def test_no_two_concepts_share_a_label_key(own_graph):
    owner: dict[str, URIRef] = {}
    for c in _concepts(own_graph):
        for label in [*own_graph.objects(c, SKOS.prefLabel), *own_graph.objects(c, SKOS.altLabel)]:
            key = label_key(str(label))
            assert key, (c, label)
            assert owner.setdefault(key, c) == c, f"{label!r} of {c} has the key of a label of {owner[key]}"


@needs_hardware
def test_no_label_key_is_shared_with_hardware(own_graph):
    hw = _parse(HARDWARE_FILE)
    hw_keys = {label_key(str(lab)) for p in (SKOS.prefLabel, SKOS.altLabel) for lab in hw.objects(None, p)}
    clash = {
        str(lab)
        for p in (SKOS.prefLabel, SKOS.altLabel)
        for lab in own_graph.objects(None, p)
        if label_key(str(lab)) in hw_keys
    }
    assert not clash


def test_no_label_is_generic(own_graph):
    """A label made only of generic words could never be matched (kg.extract.classify.is_generic)."""
    generic = [
        str(lab) for p in (SKOS.prefLabel, SKOS.altLabel) for lab in own_graph.objects(None, p) if is_generic(str(lab))
    ]
    assert not generic


@pytest.mark.parametrize(
    "word",
    [
        "method",
        "approach",
        "model",
        "framework",
        "performance",
        "results",
        "system",
        "data",
        "dataset",
        "benchmark",
        "task",
        "technique",
        "network",
        "learning",
        "training",
        "inference",
        "algorithm",
        "architecture",
    ],
)
def test_generic_words_are_not_concepts(vocab, word):
    assert vocab.lookup(word) is None


@pytest.mark.parametrize("name", ["MMLU", "ImageNet", "GLUE", "SQuAD", "COCO", "GSM8K", "HumanEval", "BEIR"])
def test_datasets_and_benchmarks_are_not_concepts(vocab, name):
    assert vocab.lookup(name) is None


# ---------------------------------------------------------------- lookups of real phrases


@pytest.mark.parametrize(
    "phrase, pref, type_",
    [
        ("LLMs", "large language model", "Method"),
        ("Large Language Models", "large language model", "Method"),
        ("LoRA", "low-rank adaptation", "Method"),
        ("Low-Rank Adaptation", "low-rank adaptation", "Method"),
        ("low-rank adapters", "low-rank adaptation", "Method"),
        ("PEFT", "parameter-efficient fine-tuning", "Method"),
        ("RLHF", "reinforcement learning from human feedback", "Method"),
        ("DPO", "direct preference optimization", "Method"),
        ("GRPO", "group relative policy optimization", "Method"),
        ("chain-of-thought", "chain-of-thought prompting", "Method"),
        ("CoT", "chain-of-thought prompting", "Method"),
        ("Mixture-of-Experts", "mixture of experts", "Method"),
        ("MoE", "mixture of experts", "Method"),
        ("MLLMs", "multimodal large language model", "Method"),
        ("large multimodal models", "multimodal large language model", "Method"),
        ("vision-language models", "vision-language model", "Method"),
        ("KV cache", "KV cache", "Method"),
        ("speculative decoding", "speculative decoding", "Method"),
        ("pipeline parallelism", "pipeline parallelism", "Method"),
        ("grouped-query attention", "grouped-query attention", "Method"),
        ("post-training quantization", "post-training quantization", "Method"),
        ("knowledge distillation", "knowledge distillation", "Method"),
        ("retrieval-augmented generation", "retrieval-augmented generation", "Method"),
        ("diffusion models", "diffusion model", "Method"),
        ("Stable Diffusion", "Stable Diffusion", "Method"),
        ("Llama-2", "Llama 2", "Method"),
        ("LLaMA 2", "Llama 2", "Method"),
        ("GPT-4o", "GPT-4o", "Method"),
        ("Gemini-2.5-Pro", "Gemini 2.5 Pro", "Method"),  # a variant: its own concept, under Gemini
        ("Claude-3.7-Sonnet", "Claude 3.7 Sonnet", "Method"),
        ("Deepseek-R1", "DeepSeek-R1", "Method"),
        ("Transformers", "transformer", "Method"),
        ("ViT", "vision transformer", "Method"),
        ("SAM", "Segment Anything Model", "Method"),
        ("question-answering", "question answering", "Task"),
        ("Question Answering", "question answering", "Task"),
        ("QA", "question answering", "Task"),
        ("machine translation", "machine translation", "Task"),
        ("NMT", "neural machine translation", "Task"),
        ("text-to-image generation", "text-to-image generation", "Task"),
        ("ASR", "automatic speech recognition", "Task"),
        ("speech recognition", "automatic speech recognition", "Task"),
        ("TTS", "text-to-speech", "Task"),
        ("VQA", "visual question answering", "Task"),
        ("image captioning", "image captioning", "Task"),
        ("code generation", "code generation", "Task"),
        ("mathematical reasoning", "mathematical reasoning", "Task"),
        ("semantic segmentation", "semantic segmentation", "Task"),
        ("monocular depth estimation", "monocular depth estimation", "Task"),
        ("long-context modeling", "long-context modeling", "Task"),
        ("LLM inference", "LLM inference", "Task"),
        ("LLM serving", "LLM serving", "Task"),
        ("recommender systems", "recommendation", "Task"),
        ("instruction following", "instruction following", "Task"),
    ],
)
def test_lookup_of_real_phrases(vocab, phrase, pref, type_):
    c = vocab.lookup(phrase)
    assert c is not None, phrase
    assert (c.pref_label, c.type.value) == (pref, type_)


def test_acronym_and_long_form_are_one_concept(vocab):
    for short, long in [
        ("LoRA", "Low-Rank Adaptation"),
        ("RAG", "retrieval augmented generation"),
        ("SFT", "supervised fine-tuning"),
        ("ICL", "in-context learning"),
        ("NER", "named entity recognition"),
        ("MT", "machine translation"),
    ]:
        assert vocab.lookup(short) is vocab.lookup(long), (short, long)


def test_named_models_sit_under_their_family(vocab):
    def ancestors(phrase):
        return {vocab.concepts[a].pref_label for a in vocab.ancestors(vocab.lookup(phrase).iri)}

    assert {"Llama", "large language model", "language model"} <= ancestors("Llama 3")
    assert {"GPT", "large language model"} <= ancestors("GPT-4")
    assert "Gemini" in ancestors("Gemini-2.5-Pro") and "Claude" in ancestors("Claude-3.7-Sonnet")
    assert {"latent diffusion model", "diffusion model", "generative model"} <= ancestors("SDXL")
    assert "parameter-efficient fine-tuning" in ancestors("QLoRA")
    assert "quantization" in ancestors("QLoRA")
    assert "natural language processing" in ancestors("abstractive summarization")
    assert "computer vision" in ancestors("text-to-image generation")


def test_lora_nearest_ancestor_is_peft(vocab):
    lora = vocab.lookup("LoRA")
    assert lora.type is EntityType.METHOD
    assert vocab.concepts[vocab.ancestors(lora.iri)[0]].pref_label == "parameter-efficient fine-tuning"


@needs_hardware
def test_hardware_phrases_stay_hardware(vocab):
    c = vocab.lookup("A100 GPUs")
    assert c is not None and c.type is EntityType.HARDWARE
