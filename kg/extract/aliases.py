"""Which alternative labels are true synonyms of a name, and which phrases can be names at all.

An alias names the same thing as its entity's name, written another way. The kinds accepted
(:func:`synonym_kind`):

``inflection``
    case, hyphens, plural/singular: the same :func:`kg.extract.normalize.label_key`
    ("Low-Rank Adaptations" / "low-rank adaptation");
``spelling``
    the same letters once spaces and hyphens are gone, with British spellings read as American
    ("fine-tuning" / "finetuning", "quantisation" / "quantization");
``word order``
    the same words in another order, prepositions aside ("pruning for LLMs" / "LLM pruning");
``acronym``
    one label is the acronym of the other: every word of the long form opens with the next letter of
    the short form, and may supply the letters after it ("LoRA" / "low-rank adaptation",
    "RLHF" / "reinforcement learning from human feedback", "ViT" / "vision transformer");
``generic head``
    the name plus a word that only says what kind of thing it is ("transformer" / "Transformer
    architecture", "question answering" / "question answering task"; after a proper name also "model"
    or, for hardware, "GPU": "Whisper model", "A100 GPUs");
``maker``
    the name with its maker in front ("H100" / "NVIDIA H100", "ChatGPT" / "OpenAI ChatGPT").

Anything else is not an alias: a variant ("DyLoRA", "vanilla LoRA", "BLOOMZ" for "BLOOM") is its own
entity whose ``skos:broader`` is the family, and a different concept is a different entity. A phrase with
a verb ("COAT addresses", "train local adapters") is never a name (:func:`has_verb`), and neither is a phrase
without a noun head (:func:`has_noun_head`: "open-source", "autoregressive", "pre-trained") or with a
possessive ("FlexLLM's co-serving", :func:`has_possessive`).

Examples
--------
>>> synonym_kind("low-rank adaptation", "LoRA"), synonym_kind("BLOOM", "BLOOMZ")
('acronym', None)
>>> synonym_kind("low-rank adaptation", "vanilla LoRA"), synonym_kind("neural architecture search", "DARTS")
(None, None)
>>> synonym_kind("pruning for LLMs", "LLM pruning"), synonym_kind("fine-tuning", "finetuning")
('word order', 'spelling')
>>> has_verb("COAT addresses"), has_verb("train local low-rank adapters"), has_verb("transfer learning")
(True, True, False)
>>> has_noun_head("open-source"), has_noun_head("autoregressive"), has_noun_head("fine-tuning")
(False, False, True)
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from functools import lru_cache

from lemminflect import getAllLemmas

from kg.extract.normalize import acronym_singular, is_name, keeps_case, label_key, singular
from kg.extract.text import is_verb

__all__ = [
    "GENERIC_HEADS",
    "MAKERS",
    "NAME_HEADS",
    "clause_subject",
    "has_noun_head",
    "has_possessive",
    "has_verb",
    "is_synonym",
    "merge_synonyms",
    "synonym_kind",
    "synonym_keys",
]

#: head words that only say what kind of thing a name is ("Transformer architecture" is the transformer);
#: "model", "network", "system" or "family" are not here: "language model" is not "language"
GENERIC_HEADS = frozenset(
    "method approach technique algorithm architecture framework task problem paradigm mechanism scheme".split()
)
#: head words that only say what kind of thing a proper name is ("Whisper model", "A100 GPU")
NAME_HEADS = frozenset("model gpu chip card processor accelerator optimizer series".split())
#: makers whose name may precede a product's name without making it another thing
MAKERS = frozenset(
    "nvidia amd intel google apple meta openai anthropic microsoft deepmind huawei qualcomm arm ibm".split()
)
#: words that join the parts of a name without adding meaning ("X for Y" is "Y X")
_LINKS = frozenset("of for in on with to from by as at the a an and via".split())
#: finite verb forms common in abstracts that also read as nouns ("addresses", "serves", "play"); after the
#: first word of a phrase they are the verb of a clause, not the head of a name
_FINITE_VERBS = frozenset(
    """addresses serves serve play plays applied applies achieves outperforms improves improve reduces reduce
    leverages leverage exploits uses employs employ requires require supports provides provide introduces
    demonstrates demonstrate performs perform operates suffers suffer relies rely struggles struggle fails
    fail works helps help learns generates generate produces produce captures capture scales remains
    enables enable allows allow achieve outperform exhibits shows show mitigates mitigate""".split()
)
#: verbs that open an infinitive or imperative clause ("train local adapters", "exploit multi-task learning")
_LEADING_VERBS = frozenset(
    """train exploit use apply learn improve reduce leverage enhance mitigate address enable achieve
    generate capture incorporate integrate combine adapt extend propose introduce develop""".split()
)
#: endings of deverbal and abstract nouns: a one-word hyphenated compound with one is a noun ("fine-tuning",
#: "self-attention", "super-resolution"); without one it is a premodifier ("open-source", "long-context")
_NOUN_ENDINGS = tuple("ing tion sion ment ance ence ure sis ism ity ness er or".split())
#: endings of adjectives and participles, for words no dictionary knows ("autoregressive", "compositional")
_ADJ_ENDINGS = tuple("ive al ous ic able ible ful less ed".split())
_POSSESSIVE = re.compile(r"\w['’]s?(?=\s|$)")
_DIRECTIONAL = re.compile(r"(?<=\w)[-‐‑]to[-‐‑](?=\w)", re.I)
_BRITISH = (
    (re.compile(r"is(e|es|ed|ing|ation|ations|er|ers)\b"), r"iz\1"),
    (re.compile(r"lling\b"), "ling"),
    (re.compile(r"lled\b"), "led"),
    (re.compile(r"\b(de|of)fence\b"), r"\1fense"),
    (re.compile(r"our\b"), "or"),
)


@lru_cache(maxsize=200_000)
def has_verb(phrase: str) -> bool:
    """True when the phrase reads as a clause, not a name: a word that can only be a verb, a finite verb
    after the first word, or an opening verb before a modifier.

    >>> has_verb("ComPEFT applied"), has_verb("knowledge distillation play"), has_verb("LLM agents")
    (True, True, False)
    """
    words = phrase.split()
    # a participle before another word modifies it ("supervised fine-tuning", "retrieval augmented generation")
    # (a capitalized word is a name: "Ascend 910B", "Gemini Flash")
    if any(
        is_verb(w) and w[:1].islower() and not (i < len(words) - 1 and w.endswith(("ed", "en")))
        for i, w in enumerate(words)
    ):
        return True
    if any(w.lower() in _FINITE_VERBS for w in words[1:]):
        return True
    if _plural_subject(words) is not None:
        return True
    # "train set", "search space" are names; "train local adapters" is not: a modifier follows the verb
    return len(words) > 2 and words[0].lower() in _LEADING_VERBS and _is_modifier(words[1])


#: words that join a phrase's parts: a plural before one of them is no subject ("tokens per second")
_JOINERS = frozenset(
    "of for in on with to from by as at the a an and or via per than into over across between within vs".split()
)


def _plural_subject(words: list[str]) -> int | None:
    """The position of a plural common noun followed by a word that is no joiner, if any: an English compound
    takes its modifier in the singular ("strategy selection", not "strategies selection"), so the plural ends
    a noun phrase and what follows is its verb ("continual learning strategies match", "tasks requiring deep
    reasoning", "JAVELIN processes questions"). A plural inside an "of" or "and" part ("mixture of experts
    layer") and a noun that only looks plural ("robotics", "series", "analysis") are none; a capitalized word
    after the plural starts a name, not a verb.

    >>> _plural_subject("continual learning strategies match".split()), _plural_subject("strategy match".split())
    (2, None)
    >>> _plural_subject("mixture of experts layer".split()), _plural_subject("tokens per second".split())
    (None, None)
    """
    for i, w in enumerate(words[:-1]):
        if not (w.isalpha() and w.islower() and w.endswith("s")) or w.endswith(("ics", "ss", "us", "is")):
            continue
        if i and words[i - 1].lower() in ("of", "and", "or"):
            continue
        after = words[i + 1]
        if after.lower() in _JOINERS or not after[:1].islower() or not _can_be_verb(after):
            continue
        noun = getAllLemmas(w).get("NOUN")
        if noun and noun[0] != w:
            return i
    return None


def clause_subject(phrase: str) -> str:
    """The subject of a phrase that reads as a clause whose subject ends in a plural (:func:`_plural_subject`):
    the name is the noun phrase before the verb ("continual learning strategies match" -> "continual learning
    strategies"), or the name before its verb ("JAVELIN processes questions" -> "JAVELIN"); "" when the
    plural opens the phrase, a verb with its object ("supports forget-free continual learning", "impacts
    training") or a bare kind ("tasks requiring deep reasoning"); any other phrase unchanged.

    >>> clause_subject("GPU clusters ranging"), clause_subject("impacts training")
    ('GPU clusters', '')
    >>> clause_subject("JAVELIN processes questions"), clause_subject("BERT models achieve")
    ('JAVELIN', 'BERT models')
    >>> clause_subject("mixture of experts layer"), clause_subject("user models themselves")
    ('mixture of experts layer', 'user models themselves')
    """
    words = phrase.split()
    end = _plural_subject(words)
    if end is None:
        return phrase
    if end and keeps_case(words[end - 1]) and _can_be_verb(words[end]) and not _is_verb_form(words[end + 1]):
        return " ".join(words[:end])  # a name, its verb and the verb's object ("JAVELIN processes questions")
    return " ".join(words[: end + 1]) if end else ""


def _can_be_verb(word: str) -> bool:
    """A word the dictionary reads as a verb, or does not know (a pronoun, "themselves", is no verb)."""
    lemmas = getAllLemmas(word.lower())
    return not lemmas or "VERB" in lemmas


def _is_verb_form(word: str) -> bool:
    """A participle or a word that can only be a verb: what follows a subject, not an object."""
    return word.lower().endswith(("ing", "ed")) or is_verb(word)


@lru_cache(maxsize=100_000)
def has_noun_head(phrase: str) -> bool:
    """True when the phrase ends in a word that can head a noun phrase: a name (``LoRA``, ``A100``), a
    word the dictionary knows as a noun, an ``-ing`` form, or an unknown word without an adjective ending.
    A phrase of one hyphenated word is a noun only when its last part has a noun ending ("fine-tuning",
    "self-attention"); else it is a compound premodifier ("open-source", "long-context", "plug-and-play").

    >>> has_noun_head("adaptive"), has_noun_head("sparse"), has_noun_head("continual"), has_noun_head("pre-trained")
    (False, False, False, False)
    >>> has_noun_head("semantic parsing"), has_noun_head("GPT-4o"), has_noun_head("compositional tasks")
    (True, True, True)
    >>> has_noun_head("long-context"), has_noun_head("super-resolution"), has_noun_head("transformer-based")
    (False, True, False)
    """
    words = phrase.split()
    if not words:
        return False
    if keeps_case(words[-1]):
        return True
    parts = [p for p in re.split(r"[-‐‑]", words[-1].lower()) if p]
    if not parts:
        return False
    if len(words) == 1 and len(parts) > 1:
        return parts[-1].endswith(_NOUN_ENDINGS)
    return _can_be_noun(parts[-1])


def _can_be_noun(word: str) -> bool:
    if word.endswith("ing") or not word.isalpha():
        return True
    lemmas = getAllLemmas(word)
    if lemmas:
        return "NOUN" in lemmas or "PROPN" in lemmas
    return not word.endswith(_ADJ_ENDINGS)


@lru_cache(maxsize=100_000)
def has_possessive(phrase: str) -> bool:
    """True when the phrase has a possessive whose owner is a thing, so it names the owner's property, not
    a thing ("FlexLLM's co-serving", "LLMs' context", "scale's robustness"); a person's name as the owner
    makes an eponym, which is a name ("Zipf's law", "Bayes' rule").

    >>> has_possessive("FlexLLM's co-serving"), has_possessive("LLMs’ context"), has_possessive("scale's robustness")
    (True, True, True)
    >>> has_possessive("Zipf's law"), has_possessive("Bayes' rule"), has_possessive("O'Brien")
    (False, False, False)
    """
    for m in _POSSESSIVE.finditer(phrase):
        owner = phrase[: m.start() + 1].split()[-1]
        if is_name(owner) or owner.islower():
            return True
    return False


def _is_modifier(word: str) -> bool:
    w = word.lower()
    if "-" in w:
        return True
    lemmas = getAllLemmas(w)
    return "ADJ" in lemmas or "DET" in lemmas


def _spelling(key: str) -> str:
    for pattern, repl in _BRITISH:
        key = pattern.sub(repl, key)
    return key.replace(" ", "")


def _content_words(key: str) -> list[str]:
    return sorted(singular(w) for w in key.split() if w not in _LINKS)


@lru_cache(maxsize=200_000)
def synonym_keys(label: str) -> tuple[str, str]:
    """Keys two true synonyms share one of (besides acronyms): spelling, and words in any order.

    >>> synonym_keys("Fine-Tuning of LLMs"), synonym_keys("image-to-text retrieval")
    (('finetuningofllm', 'fine llm tuning'), ('imagetotextretrieval', 'image2text retrieval'))
    """
    key = label_key(label)
    # a directional compound keeps its order: "image-to-text retrieval" is not "text-to-image retrieval",
    # nor "image-text retrieval" (both directions)
    ordered = label_key(_DIRECTIONAL.sub("2", label)) if _DIRECTIONAL.search(label) else key
    return _spelling(key), " ".join(_content_words(_spelling_words(ordered)))


def _spelling_words(key: str) -> str:
    return " ".join(_spelling(w) for w in key.split())


@lru_cache(maxsize=100_000)
def is_acronym_of(short: str, long: str) -> bool:
    """``short`` abbreviates ``long``: every word of the long form (link words may be skipped) opens with
    the next letter of the short form and may supply more letters from inside it.

    >>> is_acronym_of("LoRA", "low-rank adaptation"), is_acronym_of("DyLoRA", "low-rank adaptation")
    (True, False)
    >>> is_acronym_of("MLM", "language model"), is_acronym_of("MoE", "mixture of experts")
    (False, True)
    >>> is_acronym_of("GPT", "generative pre-trained transformer"), is_acronym_of("KV cache", "key-value cache")
    (True, True)
    >>> is_acronym_of("T2I", "text-to-image generation"), is_acronym_of("T2I", "text-to-image")
    (False, True)
    >>> is_acronym_of("GPT4o", "GPT-4o-mini"), is_acronym_of("SpeechLM", "speech LLM")
    (False, False)
    >>> is_acronym_of("3DGS", "3D Gaussian splatting"), is_acronym_of("ZeRO++", "Zero Redundancy Optimizer")
    (True, False)
    >>> is_acronym_of("LLM", "larger LLMs"), is_acronym_of("DETR", "DEtection TRansformer")
    (False, True)
    """
    short_words, long_words = short.split(), long.lower().split()
    # a shared last word: "KV cache" / "key-value cache"
    while len(short_words) > 1 and long_words and label_key(short_words[-1]) == label_key(long_words[-1]):
        short_words, long_words = short_words[:-1], long_words[:-1]
    if len(short_words) != 1 or not any(c.isupper() for c in short_words[0]):
        return False
    # "ZeRO++" is a variant of ZeRO, not its expansion
    if short_words[0].endswith("+"):
        return False
    # a name in the long form is spelled out in the short form, whole or by its capitals ("3DGS" / "3D Gaussian
    # splatting", "DETR" / "DEtection TRansformer"), never shortened ("SpeechLM" / "speech LLM", "LLM" /
    # "larger LLMs"), and the hyphen parts of a name are words of their own ("GPT4o" / "GPT-4o-mini")
    original = long.split()[: len(long_words)]
    long_words = [
        part for w, o in zip(long_words, original, strict=True) for part in (_parts(w) if _has_name_part(o) else [w])
    ]
    names = {p.lower(): _name_keys(p) for o in original for p in _parts(o) if is_name(p)}
    # "Swin-T" or "BERT-large" repeat a word of the other label: a variant, not an abbreviation
    if set(re.split(r"[-_/]", short_words[0].lower())) & set(re.split(r"[\s\-_/]+", " ".join(long_words))):
        return False
    letters = re.sub(r"[^a-z0-9]", "", acronym_singular(short_words[0]).lower())
    if "2" in letters:  # "T2I": text-to-image
        long_words = [re.sub(r"(?<![a-z])to(?![a-z])", "2", w) for w in long_words]
    # a hyphenated compound is one word that may supply letters from each part ("pre-trained", "low-rank")
    words = tuple((w, names.get(w, ())) for w in long_words if re.search(r"[a-z0-9]", w))
    if len(letters) < 2 or len(words) + (sum(w.count("-") for w, _ in words)) < 2:
        return False
    return _abbreviates(letters, words)


def _parts(word: str) -> list[str]:
    return [p for p in re.split(r"[-‐‑]", word) if p]


def _has_name_part(word: str) -> bool:
    return any(is_name(p) for p in _parts(word))


def _name_keys(name: str) -> tuple[str, ...]:
    """The letters a name gives an acronym: all of them, or its capitals and digits ("DEtection": "de")."""
    keys = (name, re.sub(r"[^A-Z0-9]", "", name))
    return tuple(dict.fromkeys(k for k in (re.sub(r"[^a-z0-9]", "", k.lower()) for k in keys) if k))


def _abbreviates(letters: str, words: tuple[tuple[str, tuple[str, ...]], ...]) -> bool:
    if not words:
        return not letters
    (word, name_keys), rest = words[0], words[1:]
    if word in _LINKS and _abbreviates(letters, rest):
        return True
    if name_keys:  # a name supplies exactly its letters or its capitals
        return any(letters.startswith(k) and _abbreviates(letters[len(k) :], rest) for k in name_keys)
    if not letters or letters[0] != word[0]:
        return False
    # the word supplies its first letter and then any subsequence of its other letters
    for n in range(1, len(letters) + 1):
        if n > 1 and not _is_subsequence(letters[1:n], word[1:]):
            break
        if _abbreviates(letters[n:], rest):
            return True
    return False


def _is_subsequence(sub: str, word: str) -> bool:
    it = iter(word)
    return all(c in it for c in sub)


# cached: the entity step compares each phrase with its concept's labels in every paper that uses it
@lru_cache(maxsize=200_000)
def synonym_kind(name: str, alias: str) -> str | None:
    """The kind of synonym ``alias`` is of ``name`` (see the module docstring), or None."""
    if has_verb(alias) or has_verb(name):
        return None
    key_n, key_a = label_key(name), label_key(alias)
    if not key_n or not key_a:
        return None
    if key_n == key_a:
        return "inflection"
    spell_n, order_n = synonym_keys(name)
    spell_a, order_a = synonym_keys(alias)
    if spell_n == spell_a:
        return "spelling"
    if order_n == order_a:
        return "word order"
    if is_acronym_of(alias, name) or is_acronym_of(name, alias):
        return "acronym"
    if _core(name) == _core(alias):
        return "maker" if _core(name, heads=False) == _core(alias, heads=False) else "generic head"
    return None


def _core(label: str, heads: bool = True) -> str:
    """The label without a leading maker and, when ``heads``, without trailing kind words."""
    words = label_key(label).split()
    if len(words) > 1 and words[0] in MAKERS:
        words = words[1:]
    proper = label[:1].isupper() or keeps_case(label.split()[0])
    kinds = GENERIC_HEADS | (NAME_HEADS if proper else frozenset())
    while heads and len(words) > 1 and words[-1] in kinds:
        words = words[:-1]
    return _spelling(" ".join(words))


def is_synonym(name: str, alias: str) -> bool:
    """True when ``alias`` is a true synonym of ``name`` (:func:`synonym_kind` is not None)."""
    return synonym_kind(name, alias) is not None


def merge_synonyms(names: Mapping[str, str], fixed: Collection[str] = ()) -> dict[str, str]:
    """Which entities of one type are the same thing: ``{id: id it merges into}`` for the ids that merge.

    ``names`` maps entity ids to their labels, most used first (its order decides which one survives);
    two entities merge when their labels share a spelling key or a word-order key (:func:`synonym_keys`),
    directly or through a third. Ids in ``fixed`` (vocabulary concepts) survive their group and are never
    merged into each other.

    >>> merge_synonyms({"a": "LLM pruning", "b": "pruning of LLMs", "c": "LLM prompting", "d": "Fine-Tuning",
    ...                 "e": "finetuning"}, fixed={"e"})
    {'b': 'a', 'd': 'e'}
    """
    ids = list(names)
    order = {i: n for n, i in enumerate(ids)}
    parent = {i: i for i in ids}

    def find(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, str] = {}
    for i in ids:
        for key in dict.fromkeys(f"{n}:{k}" for n, k in enumerate(synonym_keys(names[i]))):
            if key in first:
                a, b = find(first[key]), find(i)
                if a != b and not (a in fixed and b in fixed):
                    # the fixed one, else the earlier one, survives
                    keep, drop = (b, a) if b in fixed or (a not in fixed and order[b] < order[a]) else (a, b)
                    parent[drop] = keep
            else:
                first[key] = i
    return {i: find(i) for i in ids if find(i) != i}
