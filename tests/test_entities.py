"""Proposals and canonicalization: phrases become Entity and Mention records, on bundled-corpus phrases."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract.entities import EntityOptions, extract_entities, proposed_names
from kg.extract.vocabulary import load_vocabulary
from kg.model import Paper, Phrase, Relation


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


def test_proposed_names_from_title_and_sentences():
    p = Paper(
        "p",
        "HierarchicalPrune: Position-Aware Compression for Large-Scale Diffusion Models",
        "In this paper, we propose HierarchicalPrune, a novel compression framework.",
    )
    assert [n for n, _ in proposed_names(p)] == ["HierarchicalPrune"]
    p = Paper("q", "Unlock Predictable Scaling from Emergent Abilities", "We introduce a new metric.")
    assert proposed_names(p) == []
    p = Paper("r", "Scaling laws", "We present a method, called SpQR, that compresses weights.")
    assert [n for n, _ in proposed_names(p)] == ["SpQR"]
    # "so-called X" names something that already exists
    p = Paper("s", "Rank search", "Adapters add trainable modules (so-called LoRA blocks) to the model.")
    assert proposed_names(p) == []


def test_a_proposal_opening_with_a_title_cased_compound_is_the_whole_name():
    # "Sparse-Quantized" alone is a fragment of the name the sentence introduces; a compound that is the
    # whole name stays one
    p = Paper("p", "Near-lossless compression", "We propose Sparse-Quantized Representation (SpQR), a format.")
    assert [n for n, _ in proposed_names(p)] == ["Sparse-Quantized Representation"]
    p = Paper("q", "Quoting", "We introduce Quote-Tuning, which aligns models to quote their sources.")
    assert [n for n, _ in proposed_names(p)] == ["Quote-Tuning"]


def test_extraction_merges_acronyms_and_variants(vocab):
    papers = [
        Paper("a", "Fast Adapters", "We study Low-Rank Adaptation (LoRA) of large models. LoRA is cheap."),
        Paper("b", "Tuning", "Low-rank adaptations outperform full fine-tuning on A100 GPUs."),
    ]
    ranked = {
        "a": [
            Phrase("Low-Rank Adaptation", 0.6, "We study Low-Rank Adaptation (LoRA) of large models."),
            Phrase("LoRA", 0.5, "LoRA is cheap."),
        ],
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


def test_a_proposal_opening_with_an_english_word_is_the_whole_capitalized_name():
    p = Paper(
        "p",
        "AdaptDHM: Adaptive Distribution Hierarchical Model for Multi-Domain CTR Prediction",
        "We propose an elegant and flexible multi-distribution modeling paradigm, named Adaptive Distribution "
        "Hierarchical Model (AdaptDHM), which is an end-to-end optimization hierarchical structure.",
    )
    assert [n for n, _ in proposed_names(p)] == ["AdaptDHM", "Adaptive Distribution Hierarchical Model"]
    # one English word is a fragment of a longer name, never the name: "Sparse", "Mixture", "Continual"
    p = Paper("q", "Efficient inference", "We propose Sparse attention for long inputs. We present Monet, a model.")
    assert [n for n, _ in proposed_names(p)] == ["Monet"]


def _extract(vocab, abstract, phrases, votes=None):
    paper = Paper("a", "A paper", abstract)
    ranked = {"a": [Phrase(t, 0.6 - i * 0.01, abstract) for i, t in enumerate(phrases)]}
    ex = extract_entities([paper], ranked, vocab, None, EntityOptions(), votes=votes)
    linked = {m.entity for m in ex.mentions}
    return {e.label: e for e in ex.entities if e.id in linked}


def test_a_kind_word_stays_when_what_is_left_names_nothing(vocab):
    abstract = (
        "Open-source frameworks and autoregressive approaches are compared on VL tasks, MoE tasks and "
        "question answering tasks. Mixture of experts (MoE) models help."
    )
    phrases = [
        "open-source frameworks",
        "autoregressive approaches",
        "VL tasks",
        "MoE tasks",
        "question answering tasks",
    ]
    got = _extract(vocab, abstract, phrases)
    # a modifier alone names nothing: the kind word stays in the label
    assert {"open-source frameworks", "autoregressive approaches"} <= set(got)
    assert not {"open-source", "autoregressive"} & set(got)
    # tasks named after a method or a bare acronym are neither the method nor a task one can name
    assert not {"VL", "VL tasks", "MoE tasks"} & set(got)
    assert not any("MoE tasks" in e.alt_labels or "VL tasks" in e.alt_labels for e in got.values())
    # a task's kind word goes: "question answering tasks" is question answering
    assert "question answering tasks" in got["question answering"].alt_labels


def test_modifiers_possessives_and_link_words_are_not_names_unless_the_tagger_typed_them(vocab):
    abstract = (
        "We train autoregressive models with FlexLLM's co-serving approach. Code: "
        "https://github.com/duguodong7/pcb-merging."
    )
    phrases = ["autoregressive", "FlexLLM's co-serving approach", "duguodong7", "autoregressive models"]
    got = _extract(vocab, abstract, phrases)
    assert not {"autoregressive", "FlexLLM's co-serving", "duguodong7"} & set(got)
    assert "autoregressive model" in got
    # a span the tagger typed stays (SciERC annotates "linguistic" or "probability-based" spans)
    got = _extract(vocab, abstract, phrases, votes={"a": {"autoregressive": "Method"}})
    assert "autoregressive" in got


def test_a_phrase_across_a_line_break_is_filed_under_its_words(vocab):
    # listings wrap lines inside phrases; the label is the words, one space apart
    abstract = "We study the Transformer\narchitecture and question answering\ntasks."
    got = _extract(vocab, abstract, ["Transformer\narchitecture", "question answering\ntasks"])
    assert set(got) == {"transformer", "question answering"}


def test_a_quantity_is_no_entity_even_when_tagged(vocab):
    # sizes, speed-ups and dimensions (LaTeX's "\times" arrives as "times"); names with digits stay
    abstract = "T5 with 1.1B parameters runs 3.09times faster, 8-10times cheaper, in 3D and with 40% less memory."
    quantities = ["1.1B", "3.09times", "8-10times", "3D", "40%", "6-billion-parameter"]
    scores = ["box AP", "mIoU"]  # "60.0 box AP on MS COCO and 59.7 mIoU on ADE20K": at most keyphrases
    phrases = ["T5", *quantities, *scores]
    for votes in (None, {"a": {p: "Method" for p in phrases}}):
        got = _extract(vocab, abstract, phrases, votes=votes)
        assert "T5" in got
        assert not set(quantities) & set(got)
        assert all(got[s].type.value == "Keyphrase" for s in scores if s in got)


def test_a_term_defined_in_quotes_is_named_without_them(vocab):
    abstract = 'We study a problem which we term as "Multimodal Generalization" (MMG). MMG is hard.'
    got = _extract(vocab, abstract, ['"Multimodal Generalization"', "MMG", '"', "“ ”"])
    assert got and not any('"' in label or "“" in label for label in got)
    assert "" not in got


def test_the_phrase_s_own_form_outweighs_the_tagger_vote(vocab):
    # phrases from the bundled corpus (Knowledge Grafting) and SciERC dev, ranked as the tagger stage ranks them
    abstract = (
        "We compare with FuseLLM and a module-aware adaptive compression strategy; a transferable knowledge "
        "carrier is kept. The Paramax spoken language understanding system handles speech."
    )
    fillers = [f"filler phrase {w}" for w in "abcdefghijkl"]  # twelve untyped phrases ranked first
    phrases = [*fillers, "FuseLLM", "module-aware adaptive compression", "transferable knowledge carrier"]
    got = _extract(vocab, abstract, phrases, votes={"a": {p: "Method" for p in phrases[12:]}})
    # a name the tagger reads as a method is linked at any rank, like the vocabulary's phrases
    assert "FuseLLM" in got
    # the head rule agrees with the tagger: read as deep as the rules read (top_k, not tagger_top_k)
    assert "module-aware adaptive compression" in got
    # the tagger alone, past its own depth: not linked
    assert "transferable knowledge carrier" not in got
    # a system that serves a task is a Method, whatever the tagger reads in it
    system = "spoken language understanding system"
    got = _extract(vocab, abstract, [system], votes={"a": {system: "Task"}})
    assert got[system].type.value == "Method"
    # ... but an activity on such things is a task: its head is the gerund or the word before "of"
    for task in ("predicting downstream capabilities of frontier AI models", "scaling advanced AI systems"):
        got = _extract(vocab, abstract, [task], votes={"a": {task: "Task"}})
        assert got[task].type.value == "Task"


def test_a_name_the_text_uses_as_data_is_a_dataset(vocab):
    # sentences of bundled-corpus abstracts (GroupMamba, ScaLearn, Recycled Attention)
    abstract = (
        "We evaluate GroupMamba on image classification on ImageNet-1K and semantic segmentation on ADE20K. "
        "Our experiments on three benchmarks (GLUE, SuperGLUE, and HumSet) show gains. "
        "We evaluate our methods on RULER, a suite of tasks."
    )
    data = ["ADE20K", "HumSet", "RULER", "ImageNet-1K"]
    got = _extract(vocab, abstract, ["GroupMamba", *data], votes={"a": dict.fromkeys(data, "Method")})
    assert got["GroupMamba"].type.value == "Method"
    assert {got[name].type.value for name in data} == {"Dataset"}
    # the rules extractor reads the same cues
    got = _extract(vocab, abstract, ["GroupMamba", *data])
    assert {got[name].type.value for name in data} == {"Dataset"}


def test_what_the_title_names_as_its_goal_is_a_task(vocab):
    # bundled-corpus titles: the goal comes after "for" or before "via" / "using"; the means and the
    # things built ("for Large Language Models", "Transformers") keep their type
    cases = [
        ("Light-PEFT: Lightening Parameter-Efficient Fine-Tuning via Early Pruning", "Parameter-Efficient Fine-Tuning"),
        ("Scaling Laws for Data Filtering -- Data Curation cannot be Compute Agnostic", "Data Filtering"),
        ("Monet: Mixture of Monosemantic Experts for Transformers", "Transformers"),
        ("ConPET: Continual Parameter-Efficient Tuning for Large Language Models", "Large Language Models"),
        # the goal follows the last "for", whatever means come before it; a framework is a means
        (
            "LoLDU: Low-Rank Adaptation via Lower-Diag-Upper Decomposition for Parameter-Efficient Fine-Tuning",
            "Low-Rank Adaptation",
        ),
        ("PROP: Pre-training with Representative Words Prediction for Ad-hoc Retrieval", "Pre-training"),
        (
            "Document QA: A Multi-Agent Collaboration Framework with Test-Time Scaling",
            "Multi-Agent Collaboration Framework",
        ),
    ]
    types = {}
    for title, phrase in cases:
        paper = Paper("a", title, f"We study {phrase}.")
        ranked = {"a": [Phrase(phrase, 0.6, title)]}
        ex = extract_entities([paper], ranked, vocab, None, EntityOptions(), votes={"a": {phrase: "Method"}})
        linked = {m.entity for m in ex.mentions if m.relation is not Relation.PROPOSES_METHOD}
        types[phrase] = {e.type.value for e in ex.entities if e.id in linked}
    assert types == {
        "Parameter-Efficient Fine-Tuning": {"Task"},
        "Data Filtering": {"Task"},
        "Transformers": {"Method"},
        "Large Language Models": {"Method"},
        "Low-Rank Adaptation": {"Method"},
        "Pre-training": {"Method"},
        "Multi-Agent Collaboration Framework": {"Method"},
    }


def test_a_quality_alone_is_no_task(vocab):
    # vocabulary tasks met in bundled abstracts: the quality alone says nothing of what is made robust
    abstract = "We improve robustness and factuality, and study adversarial robustness."
    phrases = ["robustness", "factuality", "adversarial robustness"]
    for votes in (None, {"a": dict.fromkeys(phrases, "Task")}):
        got = _extract(vocab, abstract, phrases, votes=votes)
        assert "adversarial robustness" in got
        assert not {"robustness", "factuality"} & set(got)


def test_a_method_phrase_where_the_abstract_says_what_something_is_for_is_a_task(vocab):
    # sentences of a bundled abstract (Knowledge Grafting): what the work has applications in is its task
    abstract = (
        "Knowledge transfer is a key challenge, with applications in model compression and continual learning. "
        "We employ knowledge distillation and compare with FuseLLM; the carrier is ideal for model fusion and FuseChat."
    )
    phrases = ["model compression", "continual learning", "model fusion", "knowledge distillation", "FuseChat"]
    got = _extract(vocab, abstract, phrases)
    types = {label.lower(): e.type.value for label, e in got.items()}
    assert types["model compression"] == types["continual learning"] == types["model fusion"] == "Task"
    # outside such a stretch a method stays one, and a name is never a task
    assert types["knowledge distillation"] == types["fusechat"] == "Method"


def test_hours_and_machines_of_the_paper_s_hardware_are_no_method(vocab):
    # bundled abstracts: "at various compute budgets (GPU hours)", "on one 8xA800 GPU machine"
    abstract = "Training takes 512 GPU hours on one 8xA800 GPU machine, with GPU kernel fusion."
    phrases = ["GPU hours", "8xA800 GPU machine", "GPU kernel fusion"]
    for votes in (None, {"a": dict.fromkeys(phrases, "Method")}):
        got = _extract(vocab, abstract, phrases, votes=votes)
        assert not {"GPU hours", "8xA800 GPU machine"} & set(got)
        assert got["GPU kernel fusion"].type.value == "Method"
        assert {e.type.value for e in got.values() if "800" in e.label} == {"Hardware"}


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="ab _-é1\u0301", max_size=12),
    st.text(alphabet="ab _-é1\u0301", min_size=1, max_size=4),
)
def test_whole_word_search_agrees_with_the_regex(text, words):
    from kg.extract.text import has_words

    assert has_words(text, words) == bool(re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text))


def test_a_span_that_runs_on_into_its_verb_names_its_subject(vocab):
    # tagger spans of bundled and SciERC dev abstracts: "our continual learning strategies match ...",
    # "how JAVELIN processes questions", "the datasets supports forget-free ..." (no subject: no name)
    abstract = (
        "We find that our continual learning strategies match the re-training baseline. "
        "The demo shows how JAVELIN processes questions. It supports forget-free continual learning. "
        "Prior methods use GPU clusters ranging from 8 to 64 nodes."
    )
    phrases = [
        "continual learning strategies match",
        "JAVELIN processes questions",
        "supports forget-free continual learning",
        "GPU clusters ranging",
    ]
    got = _extract(vocab, abstract, phrases, votes={"a": dict.fromkeys(phrases, "Method")})
    assert {"continual learning", "JAVELIN"} <= set(got)
    assert not any(" match" in label or "processes" in label or "supports" in label for label in got)
    # a clause is no alias of its subject either
    assert not any("match" in a for e in got.values() for a in e.alt_labels)


def test_a_modifier_alone_is_no_task(vocab):
    # tagged Task spans of bundled abstracts ("Parameter-free Online Test-time Adaptation", "quantization-aware
    # training", "gated linear attention"); a task named by a noun stays
    phrases = ["parameter-free", "quantization-aware", "linear", "link prediction"]
    abstract = "Parameter-free adaptation, quantization-aware training and linear attention for link prediction."
    got = _extract(vocab, abstract, phrases, votes={"a": dict.fromkeys(phrases, "Task")})
    assert "link prediction" in got
    assert not {"parameter-free", "quantization-aware", "linear"} & set(got)


def test_the_size_of_one_model_is_no_method(vocab):
    # bundled abstracts: "a distilled 1.5B reasoning model", "8B-parameter Mamba", "with 128K-long contexts";
    # "3D" is a dimension, not a count: "3D scene reconstruction" stays
    phrases = ["1.5B reasoning model", "8B-parameter mamba", "128K-long contexts", "3D scene reconstruction"]
    abstract = "A 1.5B reasoning model and an 8B-parameter Mamba with 128K-long contexts do 3D scene reconstruction."
    votes = {"a": {**dict.fromkeys(phrases[:3], "Method"), phrases[3]: "Task"}}
    got = _extract(vocab, abstract, phrases, votes=votes)
    assert set(got) == {"3D scene reconstruction"}


def test_a_model_with_only_provenance_or_size_modifiers_is_no_method(vocab):
    # bundled abstracts: "recycle an off-the-shelf pre-trained model", "large-scale pre-trained models"; a
    # model named by what it models stays
    phrases = ["off-the-shelf pre-trained model", "large-scale pre-trained models", "pre-trained models"]
    phrases.append("pre-trained language model")
    abstract = "It recycles an off-the-shelf pre-trained model; large-scale pre-trained models and pre-trained models."
    got = _extract(
        vocab, abstract + " A pre-trained language model.", phrases, votes={"a": dict.fromkeys(phrases, "Method")}
    )
    assert not set(phrases[:3]) & {label.lower() for label in got}
    assert "pre-trained language model" in {label.lower() for label in got} | {
        a.lower() for e in got.values() for a in e.alt_labels
    }


def test_a_phrase_headed_by_data_or_a_document_is_no_method_or_task(vocab):
    # bundled titles and abstracts: "Qwen3 Technical Report", "across various long video understanding
    # benchmarks", "on seismic data"; what is done to data stays
    phrases = ["Qwen3 technical report", "long video understanding benchmarks", "seismic data", "data assessment"]
    abstract = "Qwen3 Technical Report. Long video understanding benchmarks on seismic data; data assessment."
    got = _extract(vocab, abstract, phrases, votes={"a": dict.fromkeys(phrases, "Task")})
    assert set(got) == {"data assessment"}


def test_data_keeps_its_data_heads(vocab):
    # the rules on data heads and sizes read methods and tasks only: a benchmark the tagger reads as data
    # ("on the GLUE benchmark") stays a Dataset
    got = _extract(
        vocab, "We evaluate on the GLUE benchmark.", ["GLUE benchmark"], votes={"a": {"GLUE benchmark": "Material"}}
    )
    assert [e.type.value for e in got.values()] == ["Dataset"]


def test_a_span_ending_in_a_verb_names_what_comes_before_it(vocab):
    # bundled abstracts: the tagger's span stops at the verb, which a determiner or particle follows
    abstract = (
        "TokenSelect builds upon the observation of sparsity. MoR forms a new Pareto frontier. "
        "We merge the LoRA weights into the model."
    )
    phrases = ["TokenSelect builds", "MoR forms", "LoRA weights"]
    got = _extract(vocab, abstract, phrases, votes={"a": dict.fromkeys(phrases, "Method")})
    assert {"TokenSelect", "MoR"} <= set(got)
    assert not {"TokenSelect builds", "MoR forms"} & set(got)
    assert "LoRA weights" in got  # a noun: what follows is a preposition


def test_a_span_opening_with_the_verb_of_we_names_its_object(vocab):
    # bundled abstracts: "We train RankGen using large-scale contrastive learning", "we study adaptive
    # computation"; after an article the same word is no verb
    abstract = "We train RankGen using contrastive learning. Here we study adaptive computation."
    phrases = ["train RankGen", "study adaptive computation"]
    got = _extract(vocab, abstract, phrases, votes={"a": dict.fromkeys(phrases, "Method")})
    assert {"RankGen", "adaptive computation"} <= set(got)
    assert not set(phrases) & set(got)
