"""Find every hardware mention in a paper's full text (title and abstract), independently of KeyBERT.

Papers rarely rank their hardware among their top keyphrases ("trained on 8 A100 GPUs" is a detail, not a
topic), so hardware is found by scanning the whole text. Three sources of candidates:

1. **Gazetteer**: every label of every ``kg:Hardware`` concept of the vocabulary. Matching is by tokens
   (letters and digits), so it respects word boundaries ("CPU" never matches inside "vCPU"), lets spaces and
   hyphens vary ("TPU v4", "TPU-v4", "TPUv4"; "RTX 2080 Ti", "2080Ti"), reads a final plural ("GPUs",
   "A100s", "edge devices"), and checks case where case carries meaning: a label word written with capitals
   (``GPU``, ``A100``, ``Ascend``) matches only as written or in capitals (``NVIDIA`` also as ``Nvidia``),
   so "ascend" the verb is not the Huawei chip; lower-case label words match in any case.
2. **Model numbers**: regular expressions for vendor model numbers that the vocabulary does not list
   ("Tesla P40 GPU", "RTX 3060", "TPU v6", "Ascend 310P", "Jetson Thor", "MI300A", "Snapdragon 8 Gen 3",
   "Xeon Gold 6248", "LPDDR5X"). Each gets a canonical label; when that label is not a vocabulary concept
   the mention keeps the IRI of its family (GPU, TPU, Huawei Ascend, ...) in ``broader``.
3. **Context**: a model mention swallows its vendor and series on the left and its memory size, form
   factor and class noun on the right ("NVIDIA Tesla V100 32GB GPUs" is one V100 mention, not also a GPU
   mention). Labels that are ambiguous on their own (short model numbers such as "T4" or "L4", "SSD",
   "server", "phone", "SoC") count only next to a vendor or class noun, or in a sentence that mentions other
   hardware. A product name followed by a hyphen and a capital is part of another name ("Cerebras-GPT",
   "CloudMatrix-Infer"). Hierarchy-only labels ("processor", "memory and storage") are never matched alone.

Where candidates overlap, the longest span wins ("A100 GPUs" is an A100, not also a GPU), then the one
backed by a vocabulary concept; a "GPU" elsewhere in the text is reported on its own. Words that are not
hardware by themselves are never matched: "memory", "hardware", "device", "edge", "mobile", "on-device",
"accelerate". Mentions come back in text order, each with the sentence that contains it
(:func:`kg.extract.text.sentences`).

Examples
--------
>>> from kg.extract.vocabulary import load_vocabulary
>>> vocab = load_vocabulary()
>>> text = "We train on 8 NVIDIA A100 80GB GPUs and run inference on consumer GPUs or a single GPU."
>>> [(m.surface, m.label) for m in find_hardware(text, vocab)]
[('NVIDIA A100 80GB GPUs', 'A100'), ('consumer GPUs', 'consumer GPU'), ('GPU', 'GPU')]
>>> m = find_hardware("Evaluated on a Tesla P40 GPU.", vocab)[0]
>>> m.label, m.concept is None, vocab.concepts[m.broader[0]].pref_label
('P40', True, 'NVIDIA GPU')
>>> find_hardware("We accelerate memory-efficient inference for edge cases on-device.", vocab)
[]
"""

from __future__ import annotations

import bisect
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from itertools import product

from kg.extract.normalize import label_key
from kg.extract.text import sentences
from kg.extract.vocabulary import Concept, Vocabulary
from kg.model import EntityType

__all__ = ["HardwareMention", "HardwareScanner", "alias_kind", "find_hardware"]


@dataclass(frozen=True)
class HardwareMention:
    """One hardware mention: ``text[start:end] == surface``.

    ``concept`` is the IRI of the vocabulary concept, or None for a model number the vocabulary does not
    list; ``label`` is the canonical label (the concept's prefLabel, or the normalized model name);
    ``broader`` holds the IRIs of broader vocabulary concepts (the family of an unlisted model).
    """

    surface: str
    start: int
    end: int
    concept: str | None
    label: str
    sentence: str
    broader: tuple[str, ...] = ()


# --- tokens ---------------------------------------------------------------------------------------------

#: letters and digits; "4.0" stays one token; the "8x" of "8xA800" is split off the model name
_TOKEN = re.compile(r"\d+[x×](?=[A-Z])|[^\W_]+(?:\.\d+)*")
#: what may separate two tokens inside one mention: spaces or one hyphen
_JOIN = re.compile(r"\s+|[-‐‑]")

#: labels kept for the hierarchy and for lookups, too vague to count as a mention on their own
_NOT_SCANNED = frozenset(
    label_key(s)
    for s in (
        "processor",
        "processing unit",
        "memory and storage",
        "computing system",
        "computer system",
        "compute system",
        "computing device",
        "compute device",
        "hardware device",
    )
)
#: labels that count only with a vendor or class noun attached, or with other hardware in the sentence
_NEEDS_CONTEXT = frozenset(label_key(s) for s in ("server", "SSD", "RAM", "phone", "SoC", "PIM", "MLU", "Cambricon"))
#: short model numbers ("T4", "L4", "A10", "H20", "L40S") are task, level or layer names as often as GPUs
_SHORT_MODEL = re.compile(r"[A-Z]{1,2}\d{1,2}[A-Z]?")
#: a word right before a label that makes it something else ("particle accelerator")
_NOT_AFTER = {label_key("accelerator"): re.compile(r"(?i)\b(?:particle|linear|startup|business)\s+\Z")}

# what a product name takes into its span: vendor and series on the left ("NVIDIA Tesla V100"); memory size,
# form factor and one class noun on the right ("A100-SXM4-80GB GPUs", "Gaudi2 HPU", "DGX-2 node")
_VENDOR = (
    r"(?:NVIDIA|Nvidia|NVidia|AMD|Intel|INTEL|Google|Huawei|HUAWEI|Qualcomm|Apple|Habana|Samsung|"
    r"MediaTek|AWS|Mellanox)"
)
_SERIES = r"(?:Tesla|TESLA|GeForce|Quadro|Instinct|Cloud|Radeon)"
_LEFT = re.compile(rf"(?<![\w-])(?:{_VENDOR}\s+{_SERIES}\s+|{_VENDOR}\s+|{_SERIES}\s+)\Z")
_SPEC = (
    r"[\s-]*\(?\d+(?:\.\d+)?\s?(?:GB|GiB|TB|G)\b\)?"
    r"|[\s-]+(?:SXM\d?|PCIe|NVL\d*|HBM\d?[eE]?|Tensor\s+Cores?)\b"
)
_CLASS_NOUN = (
    r"(?:GPU|HPU|NPU|TPU|CPU|IPU|FPGA|SoC|graphics\s+card|chip|card|accelerator|processor|device|"
    r"module|board|node|box|server|machine|superchip|supernode|instance)(?:e?s)?\b"
)
_RIGHT = re.compile(rf"(?:{_SPEC})*(?:[\s-]+{_CLASS_NOUN})?")
#: a hyphen and a capital right after a product name: the name of something else ("CloudMatrix-Infer")
_COMPOUND = re.compile(r"[-‐‑][A-Z]")


def alias_kind(name: str, alias: str) -> str | None:
    """How the scanner's context rule relates ``alias`` to the hardware label ``name``.

    ``"synonym"``: the name with its vendor or series in front and a class noun after, what the scanner
    reads as the same product ("NVIDIA Tesla V100 GPU" for "V100"); ``"variant"``: it also carries a memory
    size or form factor ("A100 80GB", "H100 SXM"), which the scanner folds into the model's mention on
    purpose (hardware is counted by model) but which is not another name for it; None otherwise.

    >>> alias_kind("V100", "NVIDIA Tesla V100 GPU"), alias_kind("A100", "A100 80GB"), alias_kind("TPU Pod", "TPU slice")
    ('synonym', 'variant', None)
    """
    m = re.fullmatch(
        rf"(?:{_VENDOR}\s+{_SERIES}\s+|{_VENDOR}\s+|{_SERIES}\s+)?{re.escape(name)}((?:{_SPEC})*)"
        rf"(?:[\s-]+{_CLASS_NOUN})?",
        alias,
        re.I,
    )
    if m is None or alias == name:
        return None
    return "variant" if m.group(1) else "synonym"


def _tokens(text: str) -> list[re.Match[str]]:
    return list(_TOKEN.finditer(text))


def _plural_stems(token: str) -> list[str]:
    """Singular readings of a lower-case last token ("gpus" -> "gpu", "boxes" -> "box")."""
    out = []
    if len(token) > 2 and token.endswith("es"):
        out.append(token[:-2])
    if len(token) > 1 and token.endswith("s") and not token.endswith("ss"):
        out.append(token[:-1])
    return out


def _is_key(window: tuple[str, ...], entries: dict) -> bool:
    """Is the window, or the window with a singular last token, a key of ``entries``?"""
    if window in entries:
        return True
    last = window[-1]
    return last[-1] == "s" and ((*window[:-1], last[:-1]) in entries or (*window[:-1], last[:-2]) in entries)


def _case_ok(written: str, seen: str) -> bool:
    """Does ``seen`` (same letters, any case) match the label word ``written``?"""
    if written == seen or not any(ch.isupper() for ch in written):
        return True
    if seen == written.upper():
        return True
    return len(written) > 4 and seen in (written.capitalize(), written.title())


# --- gazetteer ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    concept: Concept
    words: tuple[str, ...]  # the label's tokens as written, for the case check
    named: bool  # a product name: takes vendor, memory size and class noun into its span
    needs_context: bool


def _variants(words: list[str]) -> list[tuple[str, ...]]:
    """Token sequences a label may appear as: a space or hyphen next to a digit may be dropped
    ("RTX 2080 Ti" / "RTX 2080Ti" / "RTX2080Ti"; "TPU v4" / "TPUv4")."""
    glue = [any(ch.isdigit() for ch in a + b) for a, b in zip(words, words[1:], strict=False)]
    out = []
    for choice in product(*[(False, True) if g else (False,) for g in glue]):
        seq = [words[0]]
        for w, glued in zip(words[1:], choice, strict=True):
            if glued:
                seq[-1] += w
            else:
                seq.append(w)
        out.append(tuple(s.lower() for s in seq))
    return out


def _is_named(label: str) -> bool:
    """A product name rather than a class of hardware: it has a digit or a capitalized word
    ("A100", "Gaudi2", "Jetson Orin", "Huawei Ascend"; not "GPU", "edge device", "NVIDIA GPU")."""
    return any(ch.isdigit() for ch in label) or any(re.fullmatch(r"[A-Z][a-z]+\w*", w) for w in label.split())


# --- model numbers ----------------------------------------------------------------------------------------

_GEFORCE = {"10": "GTX", "16": "GTX", "20": "RTX", "30": "RTX", "40": "RTX", "50": "RTX"}
#: canonical label and family label of a model-number match, or None to reject the match
_Canon = Callable[[re.Match[str]], "tuple[str, str] | None"]


def _geforce(m: re.Match[str]) -> tuple[str, str] | None:
    num, suf = m["num"], m["suf"]
    series = m.groupdict().get("series") or _GEFORCE.get(num[:2])
    if series is None:
        return None
    tail = " Ti" if suf and suf.lower() == "ti" else (" SUPER" if suf else "")
    family = "consumer GPU" if num[:2] in _GEFORCE and len(num) == 4 else "NVIDIA GPU"
    return f"{series} {num}{tail}", family


def _spaced(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def _cortex(m: re.Match[str]) -> tuple[str, str]:
    kind = m["kind"].upper()
    return f"Arm Cortex-{kind}{m['num']}{m['suf'].upper()}", "microcontroller" if kind in "MR" else "Arm CPU"


_GPU_NOUN_AHEAD = (
    r"(?=(?:[\s-]+\(?\d+\s?(?:GB|G)\b\)?)?(?:[\s-]+(?:PCIe|SXM\d?))?"
    r"\s+(?:GPUs?|graphics\s+cards?)\b)"
)


@dataclass(frozen=True)
class _ModelPattern:
    """A model-number pattern, the strings one of which a text must contain for it to be tried (a cheap
    filter: ``in`` is much faster than a regex scan), and the canonical and family labels of a match."""

    triggers: tuple[str, ...]
    regex: re.Pattern[str]
    canon: _Canon


def _mp(triggers: str, regex: str, canon: _Canon) -> _ModelPattern:
    return _ModelPattern(tuple(triggers.split("|")), re.compile(regex), canon)


_MODEL_PATTERNS = [
    # NVIDIA GeForce / RTX / Titan
    _mp("RTX|GTX", r"\b(?P<series>RTX|GTX)[\s-]?(?P<num>\d{3,4})(?:\s?(?P<suf>Ti|SUPER|Super))?\b", _geforce),
    _mp(
        "NVIDIA|Nvidia|GeForce",
        r"\b(?:NVIDIA|Nvidia|GeForce)\s+(?:GeForce\s+)?(?P<num>(?:10|16|20|30|40|50)\d0)(?:\s?(?P<suf>Ti))?\b",
        _geforce,
    ),
    _mp("0Ti|0 Ti", r"\b(?P<num>(?:10|16|20|30|40|50)\d0)\s?(?P<suf>Ti)\b", _geforce),
    _mp("GPU", r"\b(?P<num>(?:10|16|20|30|40|50)[5-9]0)(?:\s?(?P<suf>Ti))?(?=\s+GPUs?\b)", _geforce),
    _mp("RTX", r"\bRTX[\s-]?A(?P<num>\d{4})\b", lambda m: (f"RTX A{m['num']}", "NVIDIA GPU")),
    _mp(
        "A2000|A3000|A4000|A5000|A6000",
        r"\bA(?P<num>[2-6]000)\b" + _GPU_NOUN_AHEAD,
        lambda m: (f"RTX A{m['num']}", "NVIDIA GPU"),
    ),
    _mp("itan|ITAN", r"\b(?i:titan)\s+(?P<m>Xp|X|V|RTX|Z|Black)\b", lambda m: (f"Titan {m['m']}", "consumer GPU")),
    # NVIDIA data-center models: after the vendor or series, or before "GPU"
    _mp(
        "NVIDIA|Nvidia",
        r"\b(?:NVIDIA|Nvidia)\s+(?:(?i:tesla|quadro)\s+)?(?P<m>(?:[ABHKLMPTV]|G[BH])\d{1,4}[A-Z]?)\b",
        lambda m: (m["m"], "NVIDIA GPU"),
    ),
    _mp("esla|ESLA", r"\b(?i:tesla)\s+(?P<m>[AKMPTV]\d{1,3})\b", lambda m: (m["m"], "NVIDIA GPU")),
    _mp(
        "GPU|graphics card", r"\b(?P<m>(?:[ABHKLMPTV]|G[BH])\d{1,4}[A-Z]?)" + _GPU_NOUN_AHEAD, lambda m: (m["m"], "GPU")
    ),
    _mp(
        "DGX|HGX",
        r"\b(?:NVIDIA\s+)?(?P<k>DGX|HGX)(?:[\s-]?(?P<d>\d)\b|[\s-](?P<m>(?:[ABH]|G[BH])\d{2,3}|Station|"
        r"SuperPOD|Spark)\b)?",
        lambda m: (
            m["k"] + (f"-{m['d']}" if m["d"] else f" {m['m']}" if m["m"] else ""),
            "NVIDIA DGX" if m["k"] == "DGX" else "server",
        ),
    ),
    _mp(
        "Jetson",
        r"\bJetson\s+(?P<name>(?:AGX\s+)?[A-Z][A-Za-z0-9]+(?:\s+(?:Nano|NX))?)",
        lambda m: (_spaced(f"Jetson {m['name']}"), "Jetson"),
    ),
    # other accelerators
    _mp("TPU", r"\b(?:Cloud\s+)?TPU[\s-]?(?P<v>v\d{1,2}[a-z]?)(?:-\d+)?\b", lambda m: (f"TPU {m['v']}", "TPU")),
    _mp("TPU", r"\b(?P<v>v\d{1,2}[a-z]?)(?:-\d+)?\s+(?:Cloud\s+)?TPUs?\b", lambda m: (f"TPU {m['v']}", "TPU")),
    _mp(
        "Ascend",
        r"\b(?:Huawei\s+)?Ascend[\s-]?(?P<n>\d{3})(?P<s>[A-Z]\d?)?\b",
        lambda m: (f"Ascend {m['n']}{m['s'] or ''}", "Huawei Ascend"),
    ),
    _mp(
        "MI1|MI2|MI3|MI4|MI5",
        r"\b(?:AMD\s+)?(?:Instinct\s+)?MI(?P<n>\d{3})(?P<s>[AX]?)\b",
        lambda m: (f"MI{m['n']}{m['s']}", "AMD GPU"),
    ),
    _mp("AMD", r"\bAMD\s+(?:Instinct\s+)?MI(?P<n>\d{2})(?P<s>[AX]?)\b", lambda m: (f"MI{m['n']}{m['s']}", "AMD GPU")),
    _mp(
        "RX ",
        r"\b(?:AMD\s+)?(?:Radeon\s+)?RX\s?(?P<n>\d{3,4})(?:\s?(?P<s>XTX|XT))?\b",
        lambda m: (_spaced(f"Radeon RX {m['n']} {m['s'] or ''}"), "AMD GPU"),
    ),
    _mp(
        "Alveo|Zynq|Virtex|Kintex|Versal|ZCU|Stratix|Arria|Agilex",
        r"\b(?:(?:Xilinx|AMD|Intel)\s+)?(?:Alveo\s+U\d{2,3}|ZCU\d{3}|(?:Zynq|Virtex|Kintex|Versal|Stratix|Arria|"
        r"Agilex)(?:[\s-](?:UltraScale\+?|\d{1,2}|[A-Z]{1,3}\d{2,4}))*)",
        lambda m: (_spaced(re.sub(r"^(?:Xilinx|AMD|Intel)\s+", "", m[0])), "FPGA"),
    ),
    # CPUs
    _mp(
        "Xeon",
        r"\b(?:Intel\s+)?Xeon(?:\s+(?:Platinum|Gold|Silver|Bronze|Max|Phi|W|E[357]))?"
        r"(?:[\s-]+[A-Z]?\d{4}[A-Z]?\d?[A-Z]?)?(?:\s+v\d)?\b",
        lambda m: ("Intel " + _spaced(m[0].removeprefix("Intel")), "Intel Xeon"),
    ),
    _mp(
        "EPYC",
        r"\b(?:AMD\s+)?EPYC(?:\s+\d{4}[A-Z]?\d?)?\b",
        lambda m: ("AMD " + _spaced(m[0].removeprefix("AMD")), "AMD EPYC"),
    ),
    _mp(
        "Intel",
        r"\bIntel\s+Core\s+(?:i[3579]|Ultra\s+[579])(?:[-\s]\d{3,5}[A-Z]{0,2})?\b",
        lambda m: (_spaced(m[0]), "CPU"),
    ),
    _mp(
        "Ryzen|Threadripper",
        r"\b(?:AMD\s+)?(?:Ryzen|Threadripper)(?:\s+(?:Threadripper|PRO|AI|\d))*(?:\s+\d{3,4}[A-Z]{0,2})?\b",
        lambda m: ("AMD " + _spaced(m[0].removeprefix("AMD")), "CPU"),
    ),
    _mp(
        "Cortex",
        r"\b(?:ARM\s+|Arm\s+)?Cortex[\s-]?(?P<kind>[AMR])(?P<num>\d{1,3})(?P<suf>\+|[A-Za-z]{0,2})"
        r"\b",
        _cortex,
    ),
    # systems on chip, phones, boards
    _mp(
        "Apple|M1 |M2 |M3 |M4 |M5 |M6 ",
        r"\bApple\s+M(?P<n>[1-9])(?:\s+(?P<v>Pro|Max|Ultra))?\b|\bM(?P<n2>[1-9])\s+(?P<v2>Pro|Max|Ultra)\b",
        lambda m: (_spaced(f"Apple M{m['n'] or m['n2']} {m['v'] or m['v2'] or ''}"), "Apple silicon"),
    ),
    _mp(
        "Bionic|A17 Pro|A18 Pro|A19 Pro",
        r"\b(?:Apple\s+)?A(?P<n>1\d)\s+(?P<v>Pro|Bionic)\b",
        lambda m: (f"Apple A{m['n']} {m['v']}", "Apple silicon"),
    ),
    _mp(
        "Snapdragon",
        r"\b(?:Qualcomm\s+)?Snapdragon\s+(?P<n>8\+?\s?Gen\s?\d|\d{3}\+?|X\s+(?:Elite|Plus))",
        lambda m: (_spaced(f"Snapdragon {m['n']}"), "Snapdragon"),
    ),
    _mp(
        "Kirin|Exynos",
        r"\b(?:Huawei\s+)?Kirin\s+\d{3,4}[A-Z]?\b|\b(?:Samsung\s+)?Exynos\s+\d{3,4}\b",
        lambda m: (_spaced(m[0]), "system on chip"),
    ),
    _mp(
        "Dimensity",
        r"\b(?:MediaTek\s+)?Dimensity\s+\d{3,4}\b",
        lambda m: ("MediaTek " + _spaced(m[0].removeprefix("MediaTek")), "MediaTek Dimensity"),
    ),
    _mp("Tensor G", r"\b(?:Google\s+)?Tensor\s+G(?P<n>\d)\b", lambda m: (f"Google Tensor G{m['n']}", "system on chip")),
    _mp(
        "iPhone",
        r"\biPhone\s?(?:\d{1,2}|X[SR]?|SE)(?:\s+Pro(?:\s+Max)?|\s+Plus|\s+mini)?\b",
        lambda m: (_spaced(m[0]), "mobile phone"),
    ),
    _mp(
        "Pixel",
        r"\b(?:Google\s+)?Pixel\s+\d{1,2}a?(?:\s+(?:Pro|XL))?\b",
        lambda m: ("Google " + _spaced(m[0].removeprefix("Google")), "mobile phone"),
    ),
    _mp(
        "Galaxy",
        r"\bSamsung\s+Galaxy\s+(?:S|Note|A|Z\s?Fold|Z\s?Flip)\s?\d{1,2}\+?(?:\s+(?:Ultra|FE))?\b",
        lambda m: (_spaced(m[0]), "mobile phone"),
    ),
    _mp(
        "Raspberry",
        r"\bRaspberry\s+Pi(?:\s+(?P<n>\d|Zero|Pico))?\b",
        lambda m: (_spaced(f"Raspberry Pi {m['n'] or ''}"), "Raspberry Pi"),
    ),
    # memory generations
    _mp("DDR", r"\b(?P<k>LP|G)?DDR\d[xX]?\b", lambda m: (m[0].upper(), "GPU memory" if m["k"] == "G" else "DRAM")),
    _mp("HBM", r"\bHBM\d[eE]?\b", lambda m: (m[0][:-1] + m[0][-1].lower(), "HBM")),
]


# --- the scanner ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    concept: Concept | None
    label: str
    broader: tuple[str, ...]
    needs_context: bool

    @property
    def length(self) -> int:
        return self.end - self.start


_REJECTED = _Candidate(-1, -1, None, "", (), True)


class HardwareScanner:
    """The hardware labels of a vocabulary compiled for fast scanning; :meth:`find` scans one text.

    Build it once per vocabulary (:func:`find_hardware` does so and keeps it). Scanning walks a trie of
    label tokens (a set look-up per token) and runs only the model-number patterns whose trigger strings
    occur in the text: about a millisecond per abstract, sentence splitting included.
    """

    def __init__(self, vocabulary: Vocabulary):
        if not isinstance(vocabulary, Vocabulary):
            raise TypeError(f"vocabulary must be a kg.extract.vocabulary.Vocabulary, got {type(vocabulary).__name__}")
        self.vocabulary = vocabulary
        self._entries: dict[tuple[str, ...], list[_Entry]] = {}
        hardware = sorted((c for c in vocabulary if c.type is EntityType.HARDWARE), key=lambda c: c.iri)
        # prefLabels first, so that a prefLabel wins over another concept's altLabel with the same tokens
        labelled = [(c, c.pref_label) for c in hardware] + [(c, a) for c in hardware for a in c.alt_labels]
        for concept, label in labelled:
            key = label_key(label)
            if key in _NOT_SCANNED:
                continue
            words = [t.group() for t in _tokens(label)]
            if not words:
                continue
            entry = _Entry(
                concept,
                tuple(words),
                _is_named(concept.pref_label),
                key in _NEEDS_CONTEXT or bool(_SHORT_MODEL.fullmatch(label)),
            )
            for variant in _variants(words):
                bucket = self._entries.setdefault(variant, [])
                if all(e.concept.iri != concept.iri or e.words != entry.words for e in bucket):
                    bucket.append(entry)
        #: proper prefixes of the token sequences above: a window is worth extending while it is one
        self._prefixes = {k[:n] for k in self._entries for n in range(1, len(k))}
        #: first tokens of the labels, with the plurals of one-token labels: where a mention can start
        self._starts = {k[0] for k in self._entries} | {
            k[0] + s for k in self._entries if len(k) == 1 for s in ("s", "es")
        }
        self._families: dict[str, Concept | None] = {}

    # -- public ------------------------------------------------------------------------------------------

    def find(self, text: str) -> list[HardwareMention]:
        """Every hardware mention of ``text``, in text order (see the module docstring)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        candidates = self._gazetteer(text) + self._models(text)
        if not candidates:
            return []
        chosen = _longest_first(candidates)
        spans = sentences(text) or [(0, len(text))]
        starts = [s for s, _ in spans]
        index = [max(0, bisect.bisect_right(starts, c.start) - 1) for c in chosen]
        confirmed = {i for c, i in zip(chosen, index, strict=True) if not c.needs_context}
        return [
            HardwareMention(
                text[c.start : c.end],
                c.start,
                c.end,
                c.concept.iri if c.concept else None,
                c.label,
                text[spans[i][0] : spans[i][1]],
                c.broader,
            )
            for c, i in zip(chosen, index, strict=True)
            if i in confirmed
        ]

    # -- candidates --------------------------------------------------------------------------------------

    def _gazetteer(self, text: str) -> list[_Candidate]:
        toks = _tokens(text)
        lows = [t.group().lower() for t in toks]
        entries, prefixes, starts = self._entries, self._prefixes, self._starts
        out = []
        for i in [i for i, low in enumerate(lows) if low in starts]:
            # walk the label trie from token i; keep the longest window that is a label
            best = None
            size = 1
            while i + size <= len(toks):
                if size > 1 and not _JOIN.fullmatch(text, toks[i + size - 2].end(), toks[i + size - 1].start()):
                    break
                window = tuple(lows[i : i + size])
                if _is_key(window, entries):
                    best = self._match(text, toks, lows, i, size) or best
                if window not in prefixes:
                    break
                size += 1
            if best is not None and best.start >= 0:
                out.append(best)
        return out

    def _match(self, text: str, toks: list[re.Match[str]], lows: list[str], i: int, size: int) -> _Candidate | None:
        """The candidate for tokens ``i .. i+size-1``; None when no label matches them; a candidate with
        ``start == -1`` when one matches but the context rules it out (shorter windows are not tried)."""
        window = tuple(lows[i : i + size])
        last = toks[i + size - 1].group()
        readings = [(window, last)] + [((*window[:-1], s), last[: len(s)]) for s in _plural_stems(window[-1])]
        for key, last_seen in readings:
            entries = self._entries.get(key)
            if entries is None:
                continue
            for entry in entries:
                seen = "".join(t.group() for t in toks[i : i + size - 1]) + last_seen
                if not self._case_fits(entry.words, seen):
                    continue
                start, end = toks[i].start(), toks[i + size - 1].end()
                not_after = _NOT_AFTER.get(label_key(" ".join(entry.words)))
                if not_after is not None and not_after.search(text, 0, start):
                    return _REJECTED
                return self._candidate(text, start, end, entry.concept, entry.named, entry.needs_context)
        return None

    @staticmethod
    def _case_fits(words: tuple[str, ...], seen: str) -> bool:
        pos = 0
        for w in words:
            if not _case_ok(w, seen[pos : pos + len(w)]):
                return False
            pos += len(w)
        return pos == len(seen)

    def _models(self, text: str) -> list[_Candidate]:
        out = []
        for pattern in _MODEL_PATTERNS:
            if not any(t in text for t in pattern.triggers):
                continue
            for m in pattern.regex.finditer(text):
                names = pattern.canon(m)
                if names is None:
                    continue
                label, family = names
                concept = self._hardware_concept(label)
                c = self._candidate(text, m.start(), m.end(), concept, True, False)
                if c.start < 0:
                    continue
                if concept is None:  # a model the vocabulary does not list: keep its name and its family
                    fam = self._hardware_concept(family)
                    c = _Candidate(c.start, c.end, None, label, (fam.iri,) if fam else (), False)
                out.append(c)
        return out

    def _hardware_concept(self, label: str) -> Concept | None:
        if label not in self._families:
            c = self.vocabulary.lookup(label)
            self._families[label] = c if c is not None and c.type is EntityType.HARDWARE else None
        return self._families[label]

    def _candidate(
        self, text: str, start: int, end: int, concept: Concept | None, named: bool, needs_context: bool
    ) -> _Candidate:
        """The candidate, a product name with its vendor, memory size and class noun taken into the span;
        ``_REJECTED`` for a product name that is only the first part of another name ("Cerebras-GPT")."""
        if named:
            left = _LEFT.search(text, max(0, start - 40), start)
            right = _RIGHT.match(text, end)
            if left is not None and left.start() < start:
                start, needs_context = left.start(), False
            if right is not None and right.end() > end:
                end, needs_context = right.end(), False
            if _COMPOUND.match(text, end):
                return _REJECTED
        label = concept.pref_label if concept else ""
        return _Candidate(start, end, concept, label, concept.broader if concept else (), needs_context)


def _longest_first(candidates: list[_Candidate]) -> list[_Candidate]:
    """Non-overlapping candidates, longest span first, then vocabulary-backed, then leftmost; text order."""
    chosen: list[_Candidate] = []
    for c in sorted(candidates, key=lambda c: (-c.length, c.concept is None, c.start)):
        if all(c.end <= o.start or c.start >= o.end for o in chosen):
            chosen.append(c)
    return sorted(chosen, key=lambda c: c.start)


_SCANNERS: weakref.WeakKeyDictionary[Vocabulary, HardwareScanner] = weakref.WeakKeyDictionary()


def find_hardware(text: str, vocabulary: Vocabulary) -> list[HardwareMention]:
    """Every hardware mention of ``text``, in text order.

    The vocabulary's hardware labels are compiled once per vocabulary object (see
    :class:`HardwareScanner`) and reused for every later call with the same vocabulary.
    """
    scanner = _SCANNERS.get(vocabulary)
    if scanner is None:
        scanner = _SCANNERS[vocabulary] = HardwareScanner(vocabulary)
    return scanner.find(text)
