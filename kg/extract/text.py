"""Text utilities shared by the extraction stages: sentences, tokens and the phrase chunker.

The chunker is rule-based (spaCy's English pipelines are not on PyPI, and third-party re-uploads are a
supply-chain risk): a candidate phrase is a maximal run of content words that never crosses punctuation,
stop words, verbs, determiners or other function words. Names such as ``Llama-3.1-70B`` or ``GPT-4o`` are
single tokens, so they stay intact.

Examples
--------
>>> [c.text for c in chunk("We fine-tune Llama-3.1-70B with low-rank adaptation on 8 A100 GPUs.")]
['fine-tune Llama-3.1-70B', 'low-rank adaptation', 'A100 GPUs']
>>> [c.text for c in chunk("Processing NLP, LLMs decoding efficiently at runtime.")]
['Processing NLP', 'LLMs decoding', 'runtime']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lemminflect import getAllLemmas

from kg.extract.normalize import label_key

_SENT_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_ABBREV = re.compile(r"\b(?:e\.g|i\.e|et al|etc|vs|cf|Fig|Eq|Sec|approx|resp|No)\.$", re.I)

#: a token: a word with inner hyphens, dots between digits, apostrophes, '+' or '#' (C++, C#)
TOKEN = re.compile(
    r"\b(?:e\.g|i\.e|cf|et al)\.|[A-Za-z0-9](?:[A-Za-z0-9+#]|[-'’](?=[A-Za-z0-9])|\.(?=\d))*|[^\sA-Za-z0-9]"
)

STOP_WORDS = frozenset(
    """a an the this that these those such its it it's their there they them we our us you your he she his her
    i me my of for and or nor but with without within in into onto on at by from to via per as than then so
    thus hence however therefore moreover furthermore also yet still both either neither each every all any
    some many much more most less least few fewer several various other others another same own which who whom
    whose what when where why how while whereas whether if although though because since until unless upon
    over under between among across through throughout during before after above below about against along
    around beyond toward towards despite versus vs not no only just even very well can could may might must
    shall should will would do does did done doing be is are was were been being am has have had having
    one two three four five six seven eight nine ten first second third new novel existing recent current
    previous prior further additional different diverse key main overall simple strong effective efficiently
    significantly substantially notably especially particularly respectively directly widely largely highly
    often typically usually generally commonly here e.g i.e etc et al up out down off again already always never
    approximately nearly almost around roughly about toward whereby wherein thereby herein based using used
    given including include includes included due able unable like unlike present presents show shows
    conduct conducts exhibit exhibits aim aims need needs focus focuses offer offers release releases allow
    allows enable enables lead leads remain remains make makes take takes yield yields""".split()
)

#: adjectives and participles that make a phrase vaguer, dropped from the left edge of a chunk
WEAK_MODIFIERS = frozenset(
    """novel new existing recent current previous prior proposed further additional different diverse key main
    overall simple strong effective efficient improved better best superior competitive comprehensive
    extensive remarkable impressive significant substantial promising powerful robust popular standard
    traditional conventional typical common general specific particular unified single multiple numerous
    various several many few broad wide high low large small great state-of-the-art sota advanced modern
    emerging innovative original entire whole full complete lightweight practical scalable flexible
    generalizable strong-performing leading prominent widely-used well-known underlying respective corresponding
    challenging difficult complex critical crucial important essential fundamental major minor notable
    considerable little growing increasing much""".split()
)

#: words that are never an entity on their own, nor the whole of one
GENERIC = frozenset(
    """method approach model framework performance result system technique paradigm strategy mechanism
    module pipeline solution work paper study task problem setting scenario experiment evaluation analysis
    baseline benchmark dataset data datum set way process procedure step stage component part type kind
    number amount variety range level degree term aspect factor feature property quality capability ability
    advantage challenge issue limitation gap improvement gain cost efficiency effectiveness accuracy score
    metric time size scale parameter resource application domain field area community researcher user human
    people practitioner insight finding observation contribution code source implementation tool library
    platform version variant design idea concept principle theory perspective direction future trend state
    art state-of-the-art sota field end fact case example instance detail experiment experimental extensive
    comprehensive significant substantial order magnitude terms bunch lot""".split()
)


@lru_cache(maxsize=200_000)
def is_generic(phrase: str) -> bool:
    """True when every word of the phrase is generic (``model``, ``novel approach``, ``results``).

    >>> is_generic("proposed framework"), is_generic("diffusion model")
    (True, False)
    """
    words = label_key(phrase).split()
    if words in (["attention"], ["interest"]):  # "received considerable attention"
        return True
    return all(w in GENERIC or w in WEAK_MODIFIERS or w in STOP_WORDS for w in words)


_VERB_SUFFIX_OK = ("ing",)  # gerunds stay: fine-tuning, pipelining, training, decoding
_DETERMINERS = frozenset("a an the this these that those our their its each every".split())


@dataclass(frozen=True)
class Chunk:
    """A candidate phrase: its text and character span in the source text."""

    text: str
    start: int
    end: int


def sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``.

    >>> t = "We use LoRA, e.g. for QA. It works!"
    >>> [t[s:e] for s, e in sentences(t)]
    ['We use LoRA, e.g. for QA.', 'It works!']
    """
    spans, start = [], 0
    for m in _SENT_END.finditer(text):
        if _ABBREV.search(text[start : m.start()]):
            continue
        spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text.rstrip())))
    return [(s, e) for s, e in spans if e > s]


def sentence_at(text: str, pos: int) -> str:
    """The sentence of ``text`` that contains character ``pos``.

    >>> sentence_at("One. Two has LoRA. Three.", 14)
    'Two has LoRA.'
    """
    for s, e in sentences(text):
        if s <= pos < e:
            return text[s:e]
    return text.strip()


@lru_cache(maxsize=100_000)
def has_words(text: str, words: str) -> bool:
    r"""Whether ``words`` occurs in ``text`` with no word character right before or after it: what
    ``re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text)`` tells, without compiling a pattern per phrase
    (a build meets tens of thousands of phrases; compiling them was most of the entity step).

    >>> has_words("low-resource machine translation", "machine translation"), has_words("translations", "translation")
    (True, False)
    """
    start = text.find(words)
    while start >= 0:
        end = start + len(words)
        if not (start and _is_word_char(text[start - 1])) and not (end < len(text) and _is_word_char(text[end])):
            return True
        start = text.find(words, start + 1)
    return False


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what re's \w matches in a str pattern


@lru_cache(maxsize=100_000)
def is_verb(word: str) -> bool:
    """A word whose only reading is a finite verb or participle (not a noun or adjective).

    >>> is_verb("achieves"), is_verb("proposed"), is_verb("training"), is_verb("model"), is_verb("efficient")
    (True, True, False, False, False)
    """
    w = word.lower()
    if w.endswith(_VERB_SUFFIX_OK) or "-" in w or not w.isalpha():
        return False
    lemmas = getAllLemmas(w)
    if not lemmas:
        # unknown words: past-tense/3rd-person forms are verbs, the rest (names, jargon) are not
        return False
    return "VERB" in lemmas and "NOUN" not in lemmas and "ADJ" not in lemmas and "PROPN" not in lemmas


@lru_cache(maxsize=100_000)
def _verbal_gerund(word: str) -> bool:
    w = word.lower()
    if not (w.endswith("ing") and w.isalpha()):
        return False
    lemmas = getAllLemmas(w)
    return bool(lemmas) and "NOUN" not in lemmas


@lru_cache(maxsize=200_000)  # a pure function of the token, asked for every token of every sentence
def _is_content(tok: str) -> bool:
    if not (tok[0].isalnum()):
        return False
    low = tok.lower()
    if low in STOP_WORDS:
        return False
    if low in {"e.g.", "i.e.", "cf.", "et al."}:
        return False
    # bare numbers, ranges and multipliers: 3.5, 8-11B, 25x, 40%
    if len(tok) == 1 or re.fullmatch(r"[\d.,\-]+[A-Za-z]?", tok) or re.fullmatch(r"\d+(?:\.\d+)?(?:%|[xX×])", tok):
        return False
    if low.endswith("ly") and len(low) > 4 and low not in {"family", "anomaly", "assembly", "supply", "reply"}:
        return False
    return not is_verb(tok)


def chunk(text: str, max_words: int = 5) -> list[Chunk]:
    """Candidate phrases of ``text``: maximal runs of content tokens (see module docstring).

    Runs longer than ``max_words`` are cut to their last ``max_words`` words (the head is last in English
    noun phrases). Weak modifiers ("novel", "efficient") are dropped from the left edge.
    """
    out: list[Chunk] = []
    run: list[re.Match] = []
    before = ""  # the token just before the current run

    def flush() -> None:
        # "reducing computational cost": a verb-only gerund that opens a longer run is a verb,
        # unless a determiner makes it a modifier ("a novel pruning framework")
        determined = before in _DETERMINERS or before in WEAK_MODIFIERS
        while run and (
            run[0].group().lower() in WEAK_MODIFIERS
            or (len(run) > 1 and not determined and _verbal_gerund(run[0].group()))
        ):
            determined = determined or run[0].group().lower() in WEAK_MODIFIERS
            run.pop(0)
        if run:
            keep = run[-max_words:]
            out.append(Chunk(text[keep[0].start() : keep[-1].end()], keep[0].start(), keep[-1].end()))
        run.clear()

    for m in TOKEN.finditer(text):
        tok = m.group()
        if _is_content(tok):
            run.append(m)
        else:
            flush()
            before = tok.lower()
    flush()
    return out


def sub_phrases(phrase: str, min_words: int = 1) -> list[str]:
    """Right-anchored sub-phrases (same head word), longest first, without the phrase itself.

    >>> sub_phrases("multilingual neural machine translation")
    ['neural machine translation', 'machine translation', 'translation']
    """
    words = phrase.split()
    return [" ".join(words[i:]) for i in range(1, len(words)) if len(words) - i >= min_words]
