"""The one label normalizer: case, hyphen, plural and punctuation variants of a phrase share a key.

``label_key`` decides identity across the whole corpus: two phrases are the same entity when their keys
are equal (acronyms and other true synonyms are joined later, in :mod:`kg.extract.aliases`). A key is
case-folded; each of its words is a word of the phrase or the dictionary lemma of one (lemminflect): a
plural is folded only when the dictionary knows the word is a noun plural ("technologies", "losses"), or
when an unknown word ends in a plain plural "s" ("LLMs", "datasets", "A100s"). Words that only look
plural ("loss", "asynchronous", "analysis") are left alone.

``display_label`` keeps the case of names ("LoRA", "GPT-4o", "Tutel") and lower-cases ordinary words
("Image Classification" -> "image classification").

Examples
--------
>>> label_key("Low-Rank Adaptations")
'low rank adaptation'
>>> label_key("LLMs") == label_key("LLM") == label_key("llm")
True
>>> label_key("Llama-3.1-70B")
'llama 3.1 70b'
>>> label_key("GPUs"), label_key("strategies"), label_key("class"), label_key("loss")
('gpu', 'strategy', 'class', 'loss')
>>> label_key("asynchronous"), label_key("AI technologies"), label_key("Mixtures of Experts")
('asynchronous', 'ai technology', 'mixture of expert')
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from lemminflect import getAllLemmas

_DASHES = re.compile(r"[-‐‑‒–—_/]")
_JUNK = re.compile(r"[^\w\s.+#]")
_LOOSE_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")
_ACRONYM_PLURAL = re.compile(r"^([A-Z][A-Z0-9]+)s$")
# words whose final "s" is not a plural, whatever a dictionary says ("flops" is not the plural of "flop")
_NOT_PLURAL = frozenset(
    """bias lens series species ethics physics robotics news analysis basis thesis diagnosis synthesis axis
    corpus focus virus status consensus mathematics linguistics genomics statistics dynamics kinematics
    graphics electronics semantics pragmatics optics mechanics economics aerodynamics logistics always across
    atlas chaos bus plus gas mps flops tops iops ms ops""".split()
)
# endings of unknown words that are not a plain plural "s" (Latin/Greek singulars, adjectives)
_NOT_PLAIN_PLURAL = ("ss", "us", "is", "os", "as", "ys")
# endings of derived English nouns and adjectives: an unknown word with one is jargon, not a name
_WORD_ENDINGS = tuple("ing tion sion izer iser ness ment ity ance ence able ible ive ous al ic ed ers er".split())
#: the words after which the word before is a head noun too ("mixtures of experts")
_HEAD_BEFORE = frozenset({"of", "for"})


@lru_cache(maxsize=200_000)
def singular(word: str) -> str:
    """Singular of one lower-case word; leaves non-plurals alone and never invents a word.

    >>> singular("models"), singular("strategies"), singular("bias"), singular("transformers")
    ('model', 'strategy', 'bias', 'transformer')
    >>> singular("loss"), singular("asynchronous"), singular("datasets"), singular("hypotheses")
    ('loss', 'asynchronous', 'dataset', 'hypothesis')
    """
    if len(word) <= 3 or not word.endswith("s") or word.endswith("ss") or word in _NOT_PLURAL:
        return word
    if not word.isalpha():
        # model numbers: "a100s", "4090s" -> "a100", "4090"
        return word[:-1] if re.fullmatch(r"[a-z]*\d+s", word) else word
    lemmas = getAllLemmas(word)
    if lemmas:
        # a dictionary word: its noun lemma, unless it is already one ("data", "physics")
        nouns = lemmas.get("NOUN", ())
        return word if not nouns or word in nouns else nouns[0]
    # an unknown word (jargon, a name): only a plain plural "s" is dropped
    return word if word.endswith(_NOT_PLAIN_PLURAL) else word[:-1]


def acronym_singular(word: str) -> str:
    """An acronym without its plural "s" ("LLMs" -> "LLM"); any other word unchanged ("Mamba", "loss").

    >>> acronym_singular("LLMs"), acronym_singular("GPUs"), acronym_singular("loss"), acronym_singular("Ss")
    ('LLM', 'GPU', 'loss', 'Ss')
    """
    m = _ACRONYM_PLURAL.match(word)
    return m.group(1) if m else word


# cached: the entity step keys the same few phrases over and over (a tenth of it, uncached)
@lru_cache(maxsize=200_000)
def label_key(text: str) -> str:
    """Normalized identity key of a phrase (see module docstring)."""
    text = unicodedata.normalize("NFKC", text).strip()
    words = [acronym_singular(w) for w in _DASHES.sub(" ", text).split()]
    s = _JUNK.sub(" ", " ".join(words).lower())
    s = _LOOSE_DOT.sub(" ", s)
    toks = s.split()
    upper = {w.lower() for w in words if w.isupper() and len(w) > 1}
    for i, tok in enumerate(toks):
        # the head noun is the last word, and the word before "of"/"for" ("mixtures of experts");
        # an upper-case word is an acronym whose S is a letter ("DARTS", "SOTAS" would be a plural of SOTA)
        if (i == len(toks) - 1 or toks[i + 1] in _HEAD_BEFORE) and tok not in upper:
            toks[i] = singular(tok)
    return " ".join(toks)


def display_label(surface_forms: list[str]) -> str:
    """Pick the label to show for an entity from its surface forms: the most frequent, each word
    lower-cased unless it is a name (:func:`keeps_case`).

    >>> display_label(["Pipeline Parallelism", "pipeline parallelism", "pipeline parallelism"])
    'pipeline parallelism'
    >>> display_label(["LoRA", "LoRA"]), display_label(["Tutel"]), display_label(["Adam optimizer"])
    ('LoRA', 'Tutel', 'Adam optimizer')
    >>> display_label(["Adam Optimizer"]), display_label(["GPipe Pipeline Parallelism"])
    ('adam optimizer', 'GPipe pipeline parallelism')
    >>> display_label(["Retrieval-Augmented Meta Learning"])
    'retrieval-augmented meta learning'

    """
    counts: dict[str, int] = {}
    for s in surface_forms:
        counts[s] = counts.get(s, 0) + 1
    best = sorted(counts, key=lambda s: (-counts[s], s))[0]
    words = best.split(" ")
    # in a Title Case phrase a capital says nothing, so only inner capitals and digits mark a name there
    title_case = len(words) > 1 and all(w[:1].isupper() for w in words if w[:1].isalpha())
    return " ".join(w if _named(w) or (not title_case and keeps_case(w)) else w.lower() for w in words)


def _named(word: str) -> bool:
    # by hyphen-part, so "Retrieval-Augmented" is two capitalized words, not a name like "GPT-4o"
    return any(re.search(r".[A-Z]|\d", p) for p in _DASHES.split(word) if p)


@lru_cache(maxsize=200_000)
def is_name(phrase: str) -> bool:
    """A phrase that keeps its case: any word with an inner capital or a digit (LoRA, GPT-4o, A100, BERT).

    >>> is_name("LoRA"), is_name("Image Classification"), is_name("Llama-3.1-70B"), is_name("BERT")
    (True, False, True, True)
    """
    return any(re.search(r".[A-Z]|\d", w) for w in phrase.split())


@lru_cache(maxsize=200_000)
def keeps_case(word: str) -> bool:
    """A word shown as written: a name by :func:`is_name` (in any hyphen-part), or a capitalized word
    that is no English word (``Tutel``, ``Adam``), while ``Transformer``, ``Fine-Tuning`` or
    ``Tokenizer`` (an unknown word with a common noun ending) are words.

    >>> keeps_case("GPT-4o"), keeps_case("Tutel"), keeps_case("Transformer"), keeps_case("Fine-Tuning")
    (True, True, False, False)
    >>> keeps_case("Tokenizer"), keeps_case("Pretraining")
    (False, False)
    """
    parts = [p for p in _DASHES.split(word) if p]
    if any(re.search(r".[A-Z]|\d", p) for p in parts):
        return True
    return any(_unknown_capitalized(p) for p in parts)


def _unknown_capitalized(word: str) -> bool:
    low = word.lower()
    return word[0].isupper() and word.isalpha() and not low.endswith(_WORD_ENDINGS) and not getAllLemmas(low)
