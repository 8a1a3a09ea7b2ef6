"""Method -> Task links from evidence: a logistic regression over mention pairs of one paper.

For a Method mention ``m`` and a Task mention ``t`` of the same text, the features (:func:`pair_features`)
are the two span vectors (pooled from the paper's one forward pass, :class:`kg.extract.tokens.Encoded`),
their product, the mean vector of the words between them, and a few numbers: the log word distance,
whether they share a sentence, which comes first, how many tagged spans lie between, and cue words
between them (``for``, ``to``, ``on``, ``using`` ...). The classifier is trained on SciERC's USED-FOR
relations from a Method to a Task, widened by coreference (:mod:`kg.extract.scierc`, ``make train``);
its weights live in the tagger's weights file.

The vectors are 1,536 of the features and SciERC train has 3,866 gold pairs, so the fit penalizes them
hard and the few numbers above lightly (they are standardized 30x larger before an L2 fit with a small
``C``); that, and the threshold, were chosen by 5-fold cross-validation on SciERC train
(``bench/relations_cv.py``), not on the dev sets. Two more feature groups can be switched on when training
(learned words between the mentions, short patterns like "X for Y"); neither helped in that comparison, so
the shipped model uses neither.

Inference is numpy only: :meth:`RelationModel.score` gives the probability that ``m`` is used for ``t``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from kg.extract.tokens import Encoded

__all__ = ["CUES", "RelationModel", "pair_features"]

#: words between two mentions that signal use (lower case)
CUES = ("for", "to", "in", "on", "using", "with", "by", "of", "via", "apply", "applied", "use", "used", "based")


#: cue words of a short, same-sentence pattern: "X for Y" (method first), "Y using X" (task first)
_FOR = frozenset({"for", "to", "towards", "toward"})
_USING = frozenset({"using", "with", "via", "by", "through", "use", "uses", "employing", "leveraging", "applying"})
_NEAR = 4  # words between, at most, for a pattern


def _pattern_features(
    words: Sequence[str], method: tuple[int, int], task: tuple[int, int], sent_m: int, sent_t: int
) -> list[float]:
    """Syntactic-ish cues of one pair: sentences apart, span lengths, "X for Y", "Y using X", "X-based Y",
    and a short list or apposition ("X , Y", "X and Y": more often a conjunction than a use)."""
    method_first = method[0] < task[0]
    lo, hi = (method[1], task[0]) if method_first else (task[1], method[0])
    inside = [w.lower() for w in words[lo:hi]]
    near = sent_m == sent_t and 0 <= hi - lo <= _NEAR
    return [
        float(np.log1p(abs(sent_m - sent_t))),
        float(np.log1p(method[1] - method[0])),
        float(np.log1p(task[1] - task[0])),
        float(near and method_first and bool(_FOR.intersection(inside))),
        float(near and not method_first and bool(_USING.intersection(inside))),
        float(near and method_first and any(w.endswith("based") for w in inside)),
        float(near and bool(inside) and set(inside) <= {",", "and", "or", "(", ")", "-", "such", "as", "e.g."}),
        float(near and not inside),
    ]


def pair_features(
    encoded: Encoded,
    words: Sequence[str],
    sentences: Sequence[tuple[int, int]],
    method: tuple[int, int],
    task: tuple[int, int],
    spans: Sequence[tuple[int, int]],
    vocab: Sequence[str] = (),
    patterns: bool = False,
) -> np.ndarray:
    """The feature vector of one (method span, task span) pair; spans are word offsets, end exclusive.

    ``sentences`` are word-offset spans of the sentences, ``spans`` every tagged span of the text;
    ``vocab`` the words (lower case) whose presence between the two is a feature, learned from the
    training pairs (:func:`kg.extract.train.pair_words`), after the fixed :data:`CUES`; ``patterns`` adds
    the short-pattern cues of :func:`_pattern_features`.
    """
    return pair_feature_matrix(encoded, words, sentences, [(method, task)], spans, vocab, patterns)[0]


def pair_feature_matrix(
    encoded: Encoded,
    words: Sequence[str],
    sentences: Sequence[tuple[int, int]],
    pairs: Sequence[tuple[tuple[int, int], tuple[int, int]]],
    spans: Sequence[tuple[int, int]],
    vocab: Sequence[str] = (),
    patterns: bool = False,
    vector: Callable[[int, int], np.ndarray] | None = None,
) -> np.ndarray:
    """One row of :func:`pair_features` per ``(method, task)`` pair of one text, computed together.

    A paper has hundreds of pairs over a few dozen spans: each span's vector is pooled once (``vector``,
    default :meth:`Encoded.span_vector`; pass a memoized one to share it with other steps), and the
    sentence, span-count and cue features are read from per-word tables rather than word by word.
    """
    vector = vector or encoded.span_vector
    dim, cues = encoded.states.shape[1], (*CUES, *vocab)
    out = np.zeros((len(pairs), 4 * dim + 5 + len(cues) + 8 * patterns), dtype=np.float32)
    if not len(pairs):
        return out
    ends = np.array(pairs, dtype=np.int64).reshape(-1, 4)  # method start, end, task start, end
    method_first = ends[:, 0] < ends[:, 2]
    lo = np.where(method_first, ends[:, 1], ends[:, 3])
    hi = np.where(method_first, ends[:, 2], ends[:, 0])
    # each distinct span's vector once, as a row of ``table``; then the pairs' rows are gathered at once
    # (the same products, element by element, as pair by pair)
    row: dict[tuple[int, int], int] = {}
    index = np.array([row.setdefault(tuple(span), len(row)) for pair in pairs for span in pair]).reshape(-1, 2)
    gaps = [
        (k, row.setdefault((a, b), len(row)))
        for k, (a, b) in enumerate(zip(lo.tolist(), hi.tolist(), strict=True))
        if b > a
    ]
    table = np.vstack([vector(*span) for span in row])
    mv, tv = table[index[:, 0]], table[index[:, 1]]
    out[:, :dim], out[:, dim : 2 * dim], out[:, 2 * dim : 3 * dim] = mv, tv, mv * tv
    if gaps:
        which, rows = np.array(gaps).T
        out[which, 3 * dim : 4 * dim] = table[rows]
    n = len(words)
    sentence_of = np.full(n + 1, -1, dtype=np.int64)  # each word's sentence (the first that holds it), or -1
    for k, (s, e) in reversed(list(enumerate(sentences))):
        sentence_of[max(s, 0) : max(e, 0)] = k
    sent_m, sent_t = sentence_of[np.minimum(ends[:, 0], n)], sentence_of[np.minimum(ends[:, 2], n)]
    span_ends = np.array(spans, dtype=np.int64).reshape(-1, 2)
    between = ((span_ends[None, :, 0] >= lo[:, None]) & (span_ends[None, :, 1] <= hi[:, None])).sum(axis=1)
    cue_counts = np.zeros((n + 1, len(cues)), dtype=np.int64)  # each cue's count among words[:i]
    columns: dict[str, list[int]] = {}
    for j, c in enumerate(cues):
        columns.setdefault(c, []).append(j)
    is_cue = np.zeros((n, len(cues)), dtype=np.int64)
    for i, w in enumerate(words):
        for j in columns.get(w.lower(), ()):
            is_cue[i, j] = 1
    cue_counts[1:] = np.cumsum(is_cue, axis=0)
    distance = np.maximum(hi - lo, 0)
    extra = out[:, 4 * dim :]
    extra[:, 0] = np.log1p(distance.astype(np.float64))
    extra[:, 1] = sent_m == sent_t
    extra[:, 2] = method_first
    extra[:, 3] = np.log1p(between.astype(np.float64))
    extra[:, 4] = distance == 0
    extra[:, 5 : 5 + len(cues)] = (cue_counts[np.maximum(hi, lo)] - cue_counts[lo]) > 0
    if patterns:
        for k, (m, t) in enumerate(pairs):
            extra[k, 5 + len(cues) :] = _pattern_features(words, m, t, int(sent_m[k]), int(sent_t[k]))
    return out


class RelationModel:
    """Logistic regression weights (``coef``, ``intercept``, standardization ``mean``/``scale``), the
    learned between-words ``vocab`` its features read (:func:`pair_features`) and the decision
    ``threshold`` chosen by cross-validation on SciERC train (``bench/relations_cv.py``)."""

    def __init__(
        self,
        coef: np.ndarray,
        intercept: float,
        mean: np.ndarray,
        scale: np.ndarray,
        threshold: float,
        vocab: Sequence[str] = (),
        patterns: bool = False,
    ):
        self.coef, self.intercept = coef.astype(np.float32), float(intercept)
        self.mean, self.scale = mean.astype(np.float32), scale.astype(np.float32)
        self.threshold = float(threshold)
        self.vocab, self.patterns = tuple(vocab), bool(patterns)

    @classmethod
    def from_params(cls, params: dict[str, np.ndarray]) -> RelationModel:
        return cls(
            params["rel_coef"],
            float(params["rel_intercept"]),
            params["rel_mean"],
            params["rel_scale"],
            float(params["rel_threshold"]),
            tuple(str(w) for w in params.get("rel_vocab", ())),  # weights from before the vocabulary have none
            bool(params.get("rel_patterns", False)),
        )

    def params(self) -> dict[str, np.ndarray]:
        return {
            "rel_coef": self.coef,
            "rel_intercept": np.float32(self.intercept),
            "rel_mean": self.mean,
            "rel_scale": self.scale,
            "rel_threshold": np.float32(self.threshold),
            "rel_vocab": np.asarray(self.vocab, dtype=str),
            "rel_patterns": np.bool_(self.patterns),
        }

    def features(self, encoded: Encoded, words, sentences, method, task, spans) -> np.ndarray:
        """:func:`pair_features` with this model's vocabulary."""
        return pair_features(encoded, words, sentences, method, task, spans, self.vocab, self.patterns)

    def feature_matrix(self, encoded: Encoded, words, sentences, pairs, spans, vector=None) -> np.ndarray:
        """:func:`pair_feature_matrix` with this model's vocabulary (``vector``: a memoized span pooling)."""
        return pair_feature_matrix(encoded, words, sentences, pairs, spans, self.vocab, self.patterns, vector)

    def score(self, features: np.ndarray) -> np.ndarray:
        """Probabilities for rows of :func:`pair_features`."""
        z = ((np.atleast_2d(features) - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))
