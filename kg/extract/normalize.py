"""The one label normalizer: case, hyphen, plural and punctuation variants of a phrase share a key.

``label_key`` decides identity across the whole corpus: two phrases are the same entity when their keys
are equal (acronyms and near-duplicates are merged later, in ``kg.extract.entities``).

Examples
--------
>>> label_key("Low-Rank Adaptations")
'low rank adaptation'
>>> label_key("LLMs") == label_key("LLM") == label_key("llm")
True
>>> label_key("Llama-3.1-70B")
'llama 3.1 70b'
>>> label_key("GPUs"), label_key("strategies"), label_key("class")
('gpu', 'strategy', 'class')
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from lemminflect import getLemma

_DASHES = re.compile(r"[-‐‑‒–—_/]")
_JUNK = re.compile(r"[^\w\s.+#]")
_LOOSE_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")
_ACRONYM_PLURAL = re.compile(r"^([A-Z][A-Z0-9]+)s$")
# words whose final "s" is not a plural
_NOT_PLURAL = {"bias", "gaussian", "lens", "series", "species", "ethics", "physics", "robotics", "news",
               "analysis", "basis", "thesis", "diagnosis", "synthesis", "axis", "corpus", "focus",
               "virus", "status", "consensus", "mathematics", "linguistics", "genomics", "statistics",
               "dynamics", "kinematics", "graphics", "electronics", "semantics", "pragmatics", "optics",
               "mechanics", "economics", "aerodynamics", "logistics", "always", "across", "atlas", "chaos",
               "bus", "plus", "gas", "mps", "flops", "tops", "iops", "ms", "ops"}


@lru_cache(maxsize=200_000)
def singular(word: str) -> str:
    """Singular of one lower-case word; leaves non-plurals alone.

    >>> singular("models"), singular("strategies"), singular("bias"), singular("transformers")
    ('model', 'strategy', 'bias', 'transformer')
    """
    if len(word) <= 3 or not word.endswith("s") or word.endswith("ss") or word in _NOT_PLURAL:
        return word
    if not word.isalpha():
        # model numbers: "a100s", "4090s" -> "a100", "4090"
        return word[:-1] if re.fullmatch(r"[a-z]*\d+s", word) else word
    lemma = getLemma(word, upos="NOUN")
    cand = lemma[0].lower() if lemma else word
    return cand if len(cand) < len(word) else word


def label_key(text: str) -> str:
    """Normalized identity key of a phrase (see module docstring)."""
    text = unicodedata.normalize("NFKC", text).strip()
    words = []
    for w in _DASHES.sub(" ", text).split():
        m = _ACRONYM_PLURAL.match(w)
        words.append(m.group(1) if m else w)
    s = _JUNK.sub(" ", " ".join(words).lower())
    s = _LOOSE_DOT.sub(" ", s)
    toks = s.split()
    if toks:
        toks[-1] = singular(toks[-1])
    return " ".join(toks)


def display_label(surface_forms: list[str]) -> str:
    """Pick the label to show for an entity from its surface forms: the most frequent, lower-cased unless
    it is a name (has a capital after the first letter, a digit, or is an acronym).

    >>> display_label(["Pipeline Parallelism", "pipeline parallelism", "pipeline parallelism"])
    'pipeline parallelism'
    >>> display_label(["LoRA", "LoRA"])
    'LoRA'
    """
    counts: dict[str, int] = {}
    for s in surface_forms:
        counts[s] = counts.get(s, 0) + 1
    best = sorted(counts, key=lambda s: (-counts[s], s))[0]
    if is_name(best):
        return best
    return best.lower()


def is_name(phrase: str) -> bool:
    """A phrase that keeps its case: any word with an inner capital or a digit (LoRA, GPT-4o, A100, BERT).

    >>> is_name("LoRA"), is_name("Image Classification"), is_name("Llama-3.1-70B"), is_name("BERT")
    (True, False, True, True)
    """
    return any(re.search(r".[A-Z]|\d", w) for w in phrase.split())
