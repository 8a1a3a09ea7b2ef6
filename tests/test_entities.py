"""Proposals and canonicalization: phrases become Entity and Mention records, on bundled-corpus phrases."""

from __future__ import annotations

import pytest

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
