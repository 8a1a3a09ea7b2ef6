"""The learned per-paper extractor: one forward pass, tagged spans, KeyBERT salience, evidence pairs.

For each paper, on its own (a pure function of the paper's title and abstract, the model and the weights):

1. the text runs through the encoder once (:class:`kg.extract.tokens.TokenEncoder`);
2. the tagger (:mod:`kg.extract.tagger`) marks Method, Task and Material spans;
3. candidates are the tagger's spans and the rule chunker's phrases (:func:`kg.extract.keyphrases.candidates`),
   one per normalized label: the tagger finds names the rules miss, the vocabulary and the rules keep the
   phrases the tagger, trained on 2018 abstracts, does not know;
4. KeyBERT ranks the candidates by the similarity of each one's span vector (pooled from the same forward
   pass over every occurrence) to the paper's vector (``candidates=``, ``doc_embeddings=``,
   ``word_embeddings=``): no phrase is embedded on its own;
5. each candidate gets the tagger's vote: the type of the tagged spans that cover most of its occurrences
   (ties and untagged occurrences leave it to the rules, :mod:`kg.extract.classify`);
6. the relation classifier (:mod:`kg.extract.relations`) scores every Method x Task mention pair (typed by
   the vote, else by the vocabulary and rules that read the phrase alone); the best score per pair of
   phrases is kept with its sentence, for the links (:func:`kg.extract.entities.evidence_links`).

Examples
--------
>>> is_dataset_name("CoNLL-2003 corpus"), is_dataset_name("ImageNet"), is_dataset_name("noisy images")
(True, True, False)
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from kg.extract.embed import release_freed_memory
from kg.extract.keyphrases import RankingOptions, candidates
from kg.extract.normalize import is_name, label_key
from kg.extract.relations import RelationModel
from kg.extract.tagger import WEIGHTS, SpanTagger, Tagged
from kg.extract.text import STOP_WORDS, is_generic, sentences
from kg.extract.tokens import Encoded, TokenEncoder, words_of
from kg.model import Paper, Phrase

__all__ = ["TaggedStage", "is_dataset_name"]

_DATA_HEAD = re.compile(r"\b(?:dataset|data set|corpus|corpora|benchmark|treebank|suite)s?$", re.I)


def is_dataset_name(phrase: str) -> bool:
    """A Material span that names a dataset: a name (``ImageNet``, ``CoNLL-2003``) or a phrase headed by
    dataset / corpus / benchmark that contains a name; plain data ("noisy images") is not one."""
    words = phrase.split()
    return bool(words) and (
        is_name(phrase) and len(words) <= 3 or bool(_DATA_HEAD.search(phrase)) and any(is_name(w) for w in words)
    )


@dataclass(frozen=True)
class _Mention:
    start: int  # word offsets, end exclusive
    end: int
    text: str


def _find(low: Sequence[str], phrase: str, at: dict[str, list[int]] | None = None) -> list[tuple[int, int]]:
    """Word spans where ``phrase``'s words occur in ``low``, the text's words in lower case (lowered once per
    paper, not once per phrase: it was a tenth of the per-paper work); ``at``: each word's positions in
    ``low`` (:func:`_positions`), so a phrase is looked for only where its first word is."""
    target = [w.lower() for w, _, _ in words_of(phrase)]
    n = len(target)
    if not n:
        return []
    first = target[0]
    starts = range(len(low)) if at is None else at.get(first, ())
    return [(i, i + n) for i in starts if i + n <= len(low) and low[i] == first and low[i : i + n] == target]


def _positions(low: Sequence[str]) -> dict[str, list[int]]:
    """Each word's positions in ``low``, in order."""
    at: dict[str, list[int]] = {}
    for i, w in enumerate(low):
        at.setdefault(w, []).append(i)
    return at


@dataclass(frozen=True, eq=False)
class TaggedStage:
    """The map step of ``--extractor tagger`` (see the module docstring); pickles without its model.

    ``embedder`` (a :class:`kg.extract.embed.Embedder`) supplies the encoder
    (:meth:`~kg.extract.embed.Embedder.token_encoder`), so the build's one model serves both, and a test's
    stand-in embedder brings its stand-in encoder; without one, the bundled model is loaded on ``device``.
    ``precision`` is the encoder's number format (:data:`kg.extract.tokens.PRECISIONS`); the build passes it
    resolved (:func:`kg.extract.tokens.resolve_precision`), so workers on other CPUs run the same format.
    The embedder travels with the pickled stage (without its loaded model): a Dask worker runs the same
    kind of encoder as the build, loading its model once.
    """

    ranking: RankingOptions = RankingOptions()
    weights: str = str(WEIGHTS)
    device: str = "auto"
    embedder: object = field(default=None, repr=False, compare=False)  # whose model (or stand-in) to use
    precision: str = "auto"

    def __getstate__(self):
        return {
            "ranking": self.ranking,
            "weights": self.weights,
            "device": self.device,
            "embedder": self.embedder,
            "precision": self.precision,
        }

    def __setstate__(self, state):
        for k, v in state.items():
            object.__setattr__(self, k, v)

    @functools.cached_property
    def tagger(self) -> SpanTagger:
        return SpanTagger.load(self.weights)

    @functools.cached_property
    def relations(self) -> RelationModel:
        return RelationModel.from_params(self.tagger.params)

    @functools.cached_property
    def encoder(self) -> TokenEncoder:
        if self.embedder is None:
            return TokenEncoder(device=self.device, precision=self.precision)
        return self.embedder.token_encoder(self.precision)

    @functools.cached_property
    def _classifier(self):
        from kg.extract.classify import Classifier
        from kg.extract.vocabulary import load_vocabulary

        return Classifier(load_vocabulary())

    def _rule_type(self, phrase: str) -> str:
        """The vocabulary's or the rules' type of a phrase the tagger left untyped (no embeddings: the
        rules that read the phrase alone), so a pair like (LoRA, question answering) is still scored."""
        typing = self._classifier.classify(phrase)
        return typing.type.value if typing is not None else ""

    def fingerprint(self) -> str:
        """Changes whenever a result could: model, weights, ranking options, vocabulary, code, library versions."""
        from kg.extract.embed import MODEL_NAME
        from kg.extract.per_paper import stage_fingerprint
        from kg.extract.vocabulary import vocabulary_files

        model = MODEL_NAME if self.embedder is None else self.embedder.model_id
        # the vocabulary types the phrases the tagger leaves untyped for the pairs (:meth:`_rule_type`), so an
        # edit of ontology/vocab-*.ttl alone changes results too
        vocabulary = tuple((p.name, p.read_bytes()) for p in vocabulary_files())
        # the encoder's number format changes the vectors (kg.extract.tokens: bfloat16 where the CPU has it)
        precision = getattr(self.encoder, "dtype_name", None)
        return stage_fingerprint("tagger", model, precision, self.tagger.digest, self.ranking, vocabulary)

    @functools.cached_property
    def _keybert(self):
        from keybert import KeyBERT
        from keybert.backend import BaseEmbedder

        class NoModel(BaseEmbedder):
            """Every embedding is passed in: KeyBERT asking for one would be a bug."""

            def embed(self, documents, verbose=False):  # pragma: no cover - never called
                raise RuntimeError("KeyBERT asked for embeddings the forward pass should have given")

        return KeyBERT(model=NoModel())

    def __call__(self, papers: Sequence[Paper], progress: Callable[[int], None] | None = None):
        from kg.extract.per_paper import PaperResult

        self.tagger  # noqa: B018 (a bad weights file fails before the model loads)
        out = []
        for i in range(0, len(papers), 64):
            part = papers[i : i + 64]
            encoded = self.encoder.encode([p.text for p in part])
            # numpy's BLAS on one thread: a paper's products are small, and on shared cores a second thread
            # costs more in waiting than it saves (the same bytes either way)
            with threadpool_limits(1, user_api="blas"):
                tags = self.tagger.tag_many([enc.features for enc in encoded])  # each text's tags are its own
                out.extend(
                    PaperResult(*self.extract(paper, enc, tagged))
                    for paper, enc, tagged in zip(part, encoded, tags, strict=True)
                )
            del encoded, tags
            # what the batch's forward pass and features freed: glibc keeps it otherwise, and a build's RSS
            # rose by 600-900 MB over each partition of 512 papers (bench/memory.py)
            release_freed_memory()
            if progress:
                progress(len(part))
        return out

    def extract(self, paper: Paper, enc: Encoded, tagged: list[Tagged] | None = None):
        """Ranked phrases, tagger votes and scored (method, task) phrase pairs of one encoded paper (``tagged``:
        its tagged spans, when already made)."""
        text = paper.text
        words = [text[s:e] for s, e in enc.spans]
        tagged = self.tagger.tag(enc.features) if tagged is None else tagged
        kind_at = {}
        for t in tagged:
            for w in range(t.start, t.end):
                kind_at[w] = t.type
        cands = {label_key(c.text): c for c in candidates(paper, self.ranking.max_words)}
        tagged_text = {}
        for start, end in (part for t in tagged for part in _parts(words, t.start, t.end)):
            surface = text[enc.spans[start][0] : enc.spans[end - 1][1]]
            if label_key(surface) and not is_generic(surface):
                tagged_text.setdefault(label_key(surface), surface)
        phrases = {key: c.text for key, c in cands.items()} | {k: s for k, s in tagged_text.items() if k not in cands}
        low = [w.lower() for w in words]
        at = _positions(low)
        occurrences = {p: _find(low, p, at) for p in phrases.values()}
        occurrences = {p: o for p, o in occurrences.items() if o}
        votes = {}
        for p, occ in occurrences.items():
            count = Counter(kind_at.get(w) for s, e in occ for w in range(s, e))
            kind, n = count.most_common(1)[0]
            votes[p] = kind if kind and n * 2 > sum(count.values()) else ""
        vector = functools.cache(enc.span_vector)  # a span's vector, pooled once for ranking and pairs
        ranked = self._rank(text, enc, occurrences, vector)
        pairs = self._pairs(text, enc, words, tagged, occurrences, votes, vector)
        return tuple(ranked), tuple(sorted(votes.items())), tuple(pairs)

    def _rank(self, text: str, enc: Encoded, occurrences: dict[str, list[tuple[int, int]]], vector) -> list[Phrase]:
        from sklearn import config_context
        from sklearn.feature_extraction.text import CountVectorizer

        if not occurrences:
            return []
        names = sorted(occurrences)
        vecs = np.vstack([_mean_vector(vector, occurrences[p]) for p in names])
        vectorizer = CountVectorizer(analyzer=lambda _doc: names, lowercase=False)
        # the arrays are ours and finite: sklearn's checks of every parameter and array, on every paper's
        # call, cost as much as KeyBERT's own work (the same answers either way)
        with config_context(assume_finite=True, skip_parameter_validation=True):
            kws = self._keybert.extract_keywords(
                text,
                vectorizer=vectorizer,
                top_n=self.ranking.top_n,
                doc_embeddings=enc.doc[None, :],
                word_embeddings=vecs,
            )
        sents = sentences(text)
        return [
            Phrase(phrase, float(score), _sentence_at(text, sents, enc.spans[occurrences[phrase][0][0]][0]), "tagger")
            for phrase, score in sorted(kws, key=lambda kv: (-kv[1], kv[0]))
        ]

    def _pairs(self, text, enc, words, tagged, occurrences, votes, vector) -> list[tuple[str, str, float, str]]:
        """(method phrase, task phrase, best probability, its sentence) for phrase pairs the tagger types."""
        sents = sentences(text)
        ends = [end for _, end in enc.spans]
        word_sents = [(_word_index(ends, s), _word_index(ends, e - 1) + 1) for s, e in sents]
        spans = [(t.start, t.end) for t in tagged]
        kinds = {p: v or self._rule_type(p) for p, v in votes.items()}
        methods = [(p, o) for p, v in kinds.items() if v == "Method" for o in occurrences[p]]
        tasks = [(p, o) for p, v in kinds.items() if v == "Task" for o in occurrences[p]]
        if not methods or not tasks:
            return []
        pairs = [(m, t) for _, m in methods for _, t in tasks]
        feats = self.relations.feature_matrix(enc, words, word_sents, pairs, spans, vector)
        probs = self.relations.score(feats).tolist()  # Python floats: the loop compares them one by one
        best: dict[tuple[str, str], tuple[float, int]] = defaultdict(lambda: (-1.0, 0))
        k = 0
        for mp, m in methods:
            for tp, _t in tasks:
                if probs[k] > best[mp, tp][0]:
                    best[mp, tp] = (probs[k], m[0])
                k += 1
        sentence_of = functools.cache(lambda word: _sentence_at(text, sents, enc.spans[word][0]))
        return [(mp, tp, round(prob, 4), sentence_of(word)) for (mp, tp), (prob, word) in sorted(best.items())]


_SPLIT = frozenset(",;()[]{}")


def _parts(words: Sequence[str], start: int, end: int) -> list[tuple[int, int]]:
    """A tagged span cut at commas, semicolons and brackets (a list or "large language models (LLMs" is
    more than one name), each part trimmed of edge punctuation and function words; empty parts dropped.

    >>> _parts("the large language models ( LLMs".split(), 0, 6)
    [(1, 4), (5, 6)]
    """
    out, cut = [], start
    for i in range(start, end + 1):
        if i < end and words[i] not in _SPLIT:
            continue
        s, e = cut, i
        while s < e and _edge_word(words[s]):
            s += 1
        while e > s and _edge_word(words[e - 1]):
            e -= 1
        if s < e:
            out.append((s, e))
        cut = i + 1
    return out


def _edge_word(word: str) -> bool:
    """A word a span may not start or end with: punctuation or a function word ("and", "the")."""
    return not word[:1].isalnum() or word.lower() in STOP_WORDS


def _mean_vector(vector: Callable[[int, int], np.ndarray], spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """The mean of the spans' vectors; one span's own vector as it is (``np.mean`` of one row divides by 1,
    which changes no bit, and most phrases occur once)."""
    if len(spans) == 1:
        return vector(*spans[0])
    return np.mean([vector(s, e) for s, e in spans], axis=0)


def _sentence_at(text: str, sents: Sequence[tuple[int, int]], start: int) -> str:
    """The stripped sentence of ``sents`` (character spans) that holds character ``start``, else the text."""
    return next((text[s:e] for s, e in sents if s <= start < e), text.strip()).strip()


def _word_index(ends: Sequence[int], char: int) -> int:
    """The first word whose end (``ends``: each word's end offset, increasing) is past ``char``, else the last."""
    return min(bisect.bisect_right(ends, char), len(ends) - 1)
