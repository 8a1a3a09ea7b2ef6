"""Candidate phrases per paper, ranked by KeyBERT.

Plain KeyBERT over n-grams glues words across punctuation and stop words (``processing nlp llms``). Here
the candidates come from :func:`kg.extract.text.chunk` (phrase-like runs that never cross punctuation, stop words
or verbs), less those made only of generic words, and KeyBERT only ranks them: a ``CountVectorizer`` whose
analyzer returns each paper's own candidates, so no corpus-wide n-gram vocabulary is built, and every
distinct candidate is embedded once per corpus (and cached across builds by :class:`kg.extract.embed.CachedEmbedder`).

Examples
--------
>>> from kg.model import Paper
>>> cands = candidates(Paper("p", "GPipe: Pipeline Parallelism", "We introduce GPipe, a scheduling library."))
>>> [(c.text, c.sentence) for c in cands]
[('GPipe', 'GPipe: Pipeline Parallelism.'), ('Pipeline Parallelism', 'GPipe: Pipeline Parallelism.'), \
('scheduling library', 'We introduce GPipe, a scheduling library.')]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from kg.extract.embed import Embedder
from kg.extract.normalize import label_key
from kg.extract.text import chunk, is_generic, sentences
from kg.model import Paper, Phrase
from kg.params import check_range


@dataclass(frozen=True)
class Candidate:
    """A candidate phrase of one paper: its first surface form and the sentence it occurs in."""

    text: str
    sentence: str


@dataclass(frozen=True)
class RankingOptions:
    """KeyBERT settings: ``max_words`` per candidate phrase; ``top_n`` phrases returned per paper
    (by cosine similarity to the paper; the entities stage decides how deep to read)."""

    top_n: int = 200
    max_words: int = 5

    def __post_init__(self) -> None:
        check_range("top_n", self.top_n, low=1)
        check_range("max_words", self.max_words, low=1)


def candidates(paper: Paper, max_words: int = 5) -> list[Candidate]:
    """Distinct candidate phrases of a paper (title first), one per normalized label, in text order.

    Phrases made only of generic words (``proposed framework``, ``extensive experiments``) are never
    entities (:func:`kg.extract.text.is_generic`), so they are not candidates and are never embedded.
    """
    text = paper.text
    found: dict[str, Candidate] = {}
    for s, e in sentences(text):
        sent = text[s:e]
        for c in chunk(sent, max_words=max_words):
            key = label_key(c.text)
            if key and key not in found and not is_generic(c.text):
                found[key] = Candidate(c.text, sent.strip())
    return list(found.values())


def rank(
    papers: Sequence[Paper],
    embedder: Embedder,
    options: RankingOptions = RankingOptions(),
    progress: Callable[[int], None] | None = None,
    batch: int = 512,
) -> dict[str, list[Phrase]]:
    """KeyBERT-ranked phrases per paper key (best first), with the sentence each came from."""
    from keybert import KeyBERT
    from keybert.backend import BaseEmbedder
    from sklearn.feature_extraction.text import CountVectorizer

    class Backend(BaseEmbedder):
        """KeyBERT backend over our (cached) embedder."""

        def embed(self, documents: Sequence[str], verbose: bool = False) -> np.ndarray:
            return embedder.embed(list(documents))

    kw = KeyBERT(model=Backend())
    out: dict[str, list[Phrase]] = {}
    for i in range(0, len(papers), batch):
        part = papers[i : i + batch]
        cands = [candidates(p, options.max_words) for p in part]
        docs = [p.text for p in part]
        by_doc = {d: [c.text for c in cs] for d, cs in zip(docs, cands, strict=True)}
        vectorizer = CountVectorizer(analyzer=lambda doc, by_doc=by_doc: by_doc[doc], lowercase=False)
        ranked = kw.extract_keywords(docs, vectorizer=vectorizer, top_n=options.top_n)
        if len(part) == 1 and ranked and isinstance(ranked[0], tuple):
            ranked = [ranked]
        for p, cs, kws in zip(part, cands, ranked, strict=True):
            sent = {c.text: c.sentence for c in cs}
            # ties broken by text so the order is deterministic
            kws = sorted(kws, key=lambda kv: (-kv[1], kv[0]))
            out[p.key] = [Phrase(text=t, score=float(s), sentence=sent[t]) for t, s in kws]
        if progress:
            progress(len(part))
    return out
