"""The acronym finder (Schwartz-Hearst), on sentences from the bundled corpus."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kg.extract.acronyms import corpus_acronyms, find_definitions


def test_acronyms_from_corpus_sentences():
    s = (
        "Parameter-efficient transfer learning (PETL) updates few parameters. We propose dynamic "
        "architecture skipping (DAS) trained by reinforcement learning (RL)."
    )
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


@given(st.text(max_size=200))
def test_acronym_finder_never_crashes(s):
    for lf, sf in find_definitions(s):
        assert lf and sf and sf in s


def test_a_long_form_never_spans_a_comma():
    # a list of names before a parenthesis is no definition (bundled corpus: "IA" became "including LoRA,")
    text = (
        "This paper investigates full fine-tuning and various PEFT methods, including LoRA, (IA)^3, and prompt tuning."
    )
    assert find_definitions(text) == []
    assert find_definitions("We study parameter-efficient fine-tuning (PEFT), which is cheap.") == [
        ("parameter-efficient fine-tuning", "PEFT")
    ]
