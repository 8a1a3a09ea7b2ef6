"""The sentence splitter and the rule-based phrase chunker, on real phrases from the bundled corpus."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

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
    assert [t[s:e] for s, e in sentences(t)] == [
        "Models, e.g. BERT, help.",
        "Results improve by 3.5 points!",
        "Next one.",
    ]


def test_sub_phrases_keep_the_head():
    assert sub_phrases("efficient multilingual machine translation")[-1] == "translation"


@given(st.text(max_size=300))
def test_chunker_spans_match_text(s):
    for c in chunk(s):
        assert s[c.start : c.end] == c.text
        assert c.text.strip() == c.text and c.text
