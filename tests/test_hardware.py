"""The full-text hardware scanner and the hardware vocabulary, on real and invented phrases."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract.hardware import HardwareScanner, alias_kind, find_hardware
from kg.extract.vocabulary import load_vocabulary
from kg.model import EntityType
from kg.namespace import slug, vocab_iri


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


def found(text: str, vocab) -> list[tuple[str, str]]:
    """(surface, canonical label) of every mention, in text order."""
    return [(m.surface, m.label) for m in find_hardware(text, vocab)]


def labels(text: str, vocab) -> list[str]:
    return [m.label for m in find_hardware(text, vocab)]


# --- the vocabulary -----------------------------------------------------------------------------------------


def test_hardware_concepts_are_well_formed(vocab):
    hardware = [c for c in vocab if c.type is EntityType.HARDWARE]
    assert len(hardware) > 150
    for c in hardware:
        assert c.iri == vocab_iri(slug(c.pref_label)), c.iri  # local name = slug(prefLabel)
        assert all(b in vocab.concepts for b in c.broader), c.iri
    roots = {c.pref_label for c in hardware if not c.broader}
    assert roots == {"processor", "memory and storage", "interconnect", "computing device", "computing system"}


def test_hierarchy_reaches_the_roots(vocab):
    def ancestors(label: str) -> list[str]:
        return [vocab.concepts[i].pref_label for i in vocab.ancestors(vocab.lookup(label).iri)]

    assert ancestors("A100")[:2] == ["Ampere GPU", "datacenter GPU"]
    assert "GPU" in ancestors("RTX 4090") and "processor" in ancestors("RTX 4090")
    assert "TPU" in ancestors("TPU v4")
    assert "memory and storage" in ancestors("HBM")
    assert "interconnect" in ancestors("NVLink")
    assert "computing device" in ancestors("smartphone")
    assert "computing system" in ancestors("CloudMatrix384")


def test_lookup_finds_hardware_by_any_label(vocab):
    for phrase, pref in [
        ("A100 GPUs", "A100"),
        ("NVIDIA H100 GPU", "H100"),
        ("TPU v4 chips", "TPU v4"),
        ("smartphones", "mobile phone"),
        ("Huawei CloudMatrix384", "CloudMatrix384"),
        ("NVMe SSDs", "NVMe"),
        ("high-bandwidth memory", "HBM"),
    ]:
        c = vocab.lookup(phrase)
        assert c is not None and c.type is EntityType.HARDWARE and c.pref_label == pref, phrase


# --- what is found ------------------------------------------------------------------------------------------


def test_model_number_swallows_vendor_memory_and_class_noun(vocab):
    assert found("The model was trained on 8 NVIDIA A100 80GB GPUs for a week.", vocab) == [
        ("NVIDIA A100 80GB GPUs", "A100")
    ]
    assert found("Training took 2 weeks on 64 V100s (32GB).", vocab) == [("V100s (32GB)", "V100")]
    assert found("on a single A100-40GB GPU in just 16 hours", vocab) == [("A100-40GB GPU", "A100")]
    assert found("NVIDIA A100 GPU and INTEL Gaudi2 HPU", vocab) == [
        ("NVIDIA A100 GPU", "A100"),
        ("INTEL Gaudi2 HPU", "Gaudi2"),
    ]
    assert found("on a single NVIDIA DGX-2 node", vocab) == [("NVIDIA DGX-2 node", "DGX-2")]


def test_generic_gpu_only_where_it_stands_alone(vocab):
    text = "We train on 4 H100 GPUs, but inference fits on a single GPU with 24 GB of VRAM."
    assert found(text, vocab) == [("H100 GPUs", "H100"), ("GPU", "GPU"), ("VRAM", "GPU memory")]
    assert labels("GPU-friendly kernels for multi-GPU systems; 40 TFlops/GPU", vocab) == ["GPU", "GPU", "GPU"]


def test_consumer_gpus_and_consumer_models(vocab):
    text = "runs on consumer GPUs such as the RTX 4090"
    assert found(text, vocab) == [("consumer GPUs", "consumer GPU"), ("RTX 4090", "RTX 4090")]
    text = "LLaMA 7B on consumer-level GPUs like the NVIDIA RTX 4090"
    assert labels(text, vocab) == ["consumer GPU", "RTX 4090"]
    assert labels("on a single NVIDIA 4090 GPU", vocab) == ["RTX 4090"]
    assert labels("trained with only eight RTX 3090.", vocab) == ["RTX 3090"]
    assert labels("faster inference on 2080Ti.", vocab) == ["RTX 2080 Ti"]
    assert labels("over 50% of A6000 peak", vocab) == ["RTX A6000"]


def test_the_hardware_vocabulary_keeps_synonyms_and_makes_family_members_concepts(vocab):
    # a memory size is no synonym: not an altLabel, but the scanner still counts the mention as the model
    a100 = vocab.lookup("A100")
    assert "A100 80GB" not in a100.alt_labels and "NVIDIA A100" in a100.alt_labels
    assert found("on 4 A100 80GB GPUs", vocab) == [("A100 80GB GPUs", "A100")]
    # a member of a family is its own concept under the family, found by its own name
    nano = vocab.lookup("Jetson Orin Nano")
    assert nano.pref_label == "Jetson Orin Nano" and nano.broader == (vocab.lookup("Jetson Orin").iri,)
    assert labels("deployed on a Jetson Orin Nano board", vocab) == ["Jetson Orin Nano"]
    assert alias_kind("V100", "NVIDIA Tesla V100 GPU") == "synonym"
    assert alias_kind("H100", "H100 SXM") == "variant" and alias_kind("TPU Pod", "TPU slice") is None


def test_device_classes(vocab):
    assert labels("The model is deployed on mobile phones and edge devices.", vocab) == ["mobile phone", "edge device"]
    # a narrower class is its own concept under the broader one (the vocabulary's alias audit), not an alias of it
    mentions = find_hardware("memory-limited devices such as laptops and smartphones", vocab)
    assert [m.label for m in mentions] == ["memory-limited device", "laptop", "mobile phone"]
    narrower = vocab.concepts[mentions[0].concept]
    assert [vocab.concepts[b].pref_label for b in narrower.broader] == ["resource-constrained device"]
    text = "Microcontroller units (MCUs) compute the prediction on an ARM Cortex-M4f device."
    assert labels(text, vocab) == ["microcontroller", "microcontroller", "Arm Cortex-M4F"]


def test_accelerators_tpus_npus_and_systems(vocab):
    assert found("We trained PaLM on 6144 TPU v4 chips across multiple TPU Pods.", vocab) == [
        ("TPU v4 chips", "TPU v4"),
        ("TPU Pods", "TPU Pod"),
    ]
    assert labels("TPU v4 pods and TPUv5e chips", vocab) == ["TPU v4", "TPU v5e"]
    text = "Serving LLMs on Huawei CloudMatrix384: 384 Ascend 910C NPUs and 192 Kunpeng CPUs."
    assert found(text, vocab) == [
        ("Huawei CloudMatrix384", "CloudMatrix384"),
        ("Ascend 910C NPUs", "Ascend 910C"),
        ("Kunpeng CPUs", "Kunpeng"),
    ]
    assert labels("pipelining layers on separate accelerators", vocab) == ["hardware accelerator"]
    assert labels("sparsity-aware neural network accelerators", vocab) == ["AI accelerator"]
    assert labels("tensor cores on modern GPUs", vocab) == ["tensor core", "GPU"]


def test_memory_storage_and_interconnect(vocab):
    assert labels("Decoding is bound by HBM bandwidth.", vocab) == ["HBM"]
    assert found("offloading to NVMe SSDs and CPU memory", vocab) == [
        ("NVMe SSDs", "NVMe"),
        ("CPU memory", "CPU memory"),
    ]
    assert labels("leverages GPU, CPU, and NVMe memory", vocab) == ["GPU", "CPU", "NVMe"]
    assert labels("H800 GPUs connected with NVLink and InfiniBand", vocab) == ["H800", "NVLink", "InfiniBand"]
    assert labels("Breaking the GPU Memory Wall", vocab) == ["GPU memory"]


def test_unlisted_models_get_a_family(vocab):
    for text, label, family in [
        ("on NVIDIA TESLA P40 GPU", "P40", "NVIDIA GPU"),
        ("a single RTX 3060", "RTX 3060", "consumer GPU"),
        ("Cloud TPU v6 pods", "TPU v6", "TPU"),
        ("a Snapdragon 8 Gen 3 phone", "Snapdragon 8 Gen 3", "Snapdragon"),
        ("AMD MI300A APUs", "MI300A", "AMD GPU"),
        ("with LPDDR5X memory", "LPDDR5X", "DRAM"),
    ]:
        m = find_hardware(text, vocab)[0]
        assert (m.label, m.concept) == (label, None), text
        assert [vocab.concepts[b].pref_label for b in m.broader] == [family], text


def test_short_model_numbers_need_context(vocab):
    assert labels("We run on a T4 GPU, an NVIDIA L4 and an A10G next to A100s.", vocab) == ["T4", "L4", "A10", "A100"]
    assert labels("Tasks T1-T4 are harder than L4 autonomy levels.", vocab) == []
    assert labels("The SSD detector runs at 59 FPS.", vocab) == []
    assert labels("We compare with the Recognize Anything Model (RAM).", vocab) == []
    assert labels("MCP servers expose tools; the server aggregates client updates.", vocab) == []
    assert labels("OPT-175B on a single server with consumer GPUs", vocab) == ["server", "consumer GPU"]


# --- what is not found --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "We accelerate inference and handle edge cases.",
        "A memory-efficient design with low memory bandwidth and a memory wall.",
        "The device of choice is on-device inference for mobile apps.",
        "The edge of the graph connects each node in the cluster.",
        "Each cluster corresponds to a particular distribution.",
        "It descends and ascends the loss landscape.",
        "A vCPU-free design; the PC1 and PC2 axes of PCA.",
        "Modern hardware and hardware-efficient training.",
        "Data from a particle accelerator.",
        "Cerebras-GPT models and the CloudMatrix-Infer system.",
        "Xavier initialization and Orin-style layers.",
        "The Hopper environment of MuJoCo and the Turing test.",
        "Frontier models such as GPT-4 on the Pascal VOC benchmark.",
        "the communicate-descend-ascend-communicate manner",
        "Neuromorphic processing exploits sparsity.",
    ],
)
def test_no_false_positives(text, vocab):
    assert find_hardware(text, vocab) == []


# --- API ----------------------------------------------------------------------------------------------------


def test_mentions_carry_offsets_sentence_and_concept(vocab):
    text = "We propose X. It runs on two A100 GPUs. Code is public."
    (m,) = find_hardware(text, vocab)
    assert text[m.start : m.end] == m.surface == "A100 GPUs"
    assert m.sentence == "It runs on two A100 GPUs."
    assert m.concept == vocab_iri("a100")
    assert m.broader == vocab.concepts[vocab_iri("a100")].broader


def test_mentions_come_in_text_order_and_repeat(vocab):
    ms = find_hardware("GPU, CPU and GPU again; TPU.", vocab)
    assert [m.label for m in ms] == ["GPU", "CPU", "GPU", "TPU"]
    assert [m.start for m in ms] == sorted(m.start for m in ms)


def test_scanner_is_built_once_per_vocabulary(vocab):
    from kg.extract.hardware import _SCANNERS

    find_hardware("GPU", vocab)
    scanner = _SCANNERS[vocab]
    find_hardware("CPU", vocab)
    assert _SCANNERS[vocab] is scanner


def test_bad_arguments_say_what_was_expected(vocab):
    with pytest.raises(TypeError, match="text must be a str"):
        find_hardware(None, vocab)
    with pytest.raises(TypeError, match="vocabulary must be"):
        HardwareScanner({})


_WORDS = st.sampled_from(
    [
        "GPU",
        "GPUs",
        "A100",
        "80GB",
        "NVIDIA",
        "TPU",
        "v4",
        "RTX",
        "4090",
        "Ti",
        "edge",
        "devices",
        "-",
        " ",
        ".",
        "(",
        ")",
        "x",
        "8",
        "Ascend",
        "910B",
        "memory",
        "HBM3e",
        "Gaudi2",
        "HPU",
        "İ",
        "ß",
        "é",
        "\n",
        "DGX",
        "2",
        "servers",
        "SSD",
        "T4",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=200), st.lists(_WORDS, max_size=40).map("".join), st.lists(_WORDS, max_size=30).map(" ".join)
    )
)
def test_never_crashes_and_spans_are_exact(text):
    ms = find_hardware(text, _VOCAB)
    for m in ms:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.surface
        assert m.label
    assert all(a.end <= b.start for a, b in zip(ms, ms[1:], strict=False))  # ordered, not overlapping


_VOCAB = load_vocabulary()
