"""The chunker, the normalizer and the acronym finder, on real phrases from the bundled corpus."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kg.extract.acronyms import corpus_acronyms, find_definitions
from kg.extract.normalize import label_key
from kg.extract.text import chunk, sentences, sub_phrases


def texts(s: str) -> list[str]:
    return [c.text for c in chunk(s)]


def test_chunks_never_cross_punctuation_or_stop_words():
    # plain n-gram KeyBERT produced "processing nlp llms" and "systematic reviews meta" on this corpus
    s = "natural language processing (NLP), LLMs and systematic reviews, meta-analyses of libraries."
    out = texts(s)
    assert "natural language processing" in out
    assert not any("processing NLP" in c or "reviews meta" in c for c in out)
    assert "systematic reviews" in out and "meta-analyses" in out


def test_named_models_stay_intact():
    s = "We compare Llama-3.1-70B, Qwen2-72B, LLaVA, GPT-4o and DeepSpeed-MoE on A100 GPUs with SpQR."
    out = texts(s)
    for name in ["Llama-3.1-70B", "Qwen2-72B", "LLaVA", "GPT-4o", "DeepSpeed-MoE", "A100 GPUs", "SpQR"]:
        assert name in out, (name, out)


def test_verbs_and_weak_modifiers_split_phrases():
    out = texts("AstroSage-70B achieves state-of-the-art performance; we present a novel pruning framework.")
    assert "AstroSage-70B" in out
    assert "pruning framework" in out  # "novel" dropped from the left edge
    assert not any("achieves" in c for c in out)
    out = texts("reducing computational complexity of speculative decoding")
    assert "computational complexity" in out and "speculative decoding" in out


def test_numbers_are_not_phrases():
    out = texts("latency drops 7.3x and throughput rises 1.5x with 8-11B models at 25% cost")
    assert not any(c[0].isdigit() for c in out), out


def test_sentences_respect_abbreviations():
    t = "Models, e.g. BERT, help. Results improve by 3.5 points! Next one."
    assert [t[s:e] for s, e in sentences(t)] == ["Models, e.g. BERT, help.", "Results improve by 3.5 points!",
                                                 "Next one."]


def test_sub_phrases_keep_the_head():
    assert sub_phrases("efficient multilingual machine translation")[-1] == "translation"


def test_normalizer_folds_case_plural_hyphen():
    assert label_key("Low-Rank Adaptation") == label_key("low rank adaptations") == "low rank adaptation"
    assert label_key("LLMs") == label_key("LLM")
    assert label_key("Vision-Language Models") == label_key("vision language model")
    assert label_key("A100s") == "a100"
    assert label_key("GPT-4o") != label_key("GPT-4")
    assert label_key("Gaussian Splatting") == "gaussian splatting"


def test_acronyms_from_corpus_sentences():
    s = ("Parameter-efficient transfer learning (PETL) updates few parameters. We propose dynamic "
         "architecture skipping (DAS) trained by reinforcement learning (RL).")
    assert find_definitions(s) == [
        ("Parameter-efficient transfer learning", "PETL"),
        ("dynamic architecture skipping", "DAS"),
        ("reinforcement learning", "RL"),
    ]
    # mixed case and plural short forms
    assert ("Low-Rank Adaptation", "LoRA") in find_definitions("with Low-Rank Adaptation (LoRA) blocks")
    assert ("diffusion models", "DMs") in find_definitions("text-to-image diffusion models (DMs) achieve")


def test_acronym_rejects_non_definitions():
    assert find_definitions("accuracy improves (Table 3) and (see above)") == []
    assert find_definitions("the model (GPT) is fine") == []  # letters do not spell the short form


def test_corpus_acronyms_prefer_the_most_frequent_long_form():
    docs = ["large language models (LLMs) a", "large language models (LLMs) b", "language models (LLMs) c"]
    assert corpus_acronyms(docs) == {"LLMs": "large language models"}


@given(st.text(max_size=300))
def test_chunker_spans_match_text(s):
    for c in chunk(s):
        assert s[c.start : c.end] == c.text
        assert c.text.strip() == c.text and c.text


@given(st.text(max_size=200))
def test_acronym_finder_never_crashes(s):
    for lf, sf in find_definitions(s):
        assert lf and sf and sf in s
