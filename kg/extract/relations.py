"""Method -> Task links from evidence: a logistic regression over mention pairs of one paper.

For a Method mention ``m`` and a Task mention ``t`` of the same text, the features (:func:`pair_features`)
are the two span vectors (pooled from the paper's one forward pass, :class:`kg.extract.tokens.Encoded`),
their product, the mean vector of the words between them, and a few numbers: the log word distance,
whether they share a sentence, which comes first, how many tagged spans lie between, and cue words
between them (``for``, ``to``, ``on``, ``using`` ...). The classifier is trained on SciERC's USED-FOR
relations from a Method to a Task, widened by coreference (:mod:`kg.extract.scierc`, ``make train``);
its weights live in the tagger's weights file.

Inference is numpy only: :meth:`RelationModel.score` gives the probability that ``m`` is used for ``t``.
"""

from __future__ import annotations

from collections.abc import Sequence

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


def _sentence_index(sentences: Sequence[tuple[int, int]], word: int) -> int:
    for k, (s, e) in enumerate(sentences):
        if s <= word < e:
            return k
    return -1


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
    mv, tv = encoded.span_vector(*method), encoded.span_vector(*task)
    first, second = (method, task) if method[0] < task[0] else (task, method)
    lo, hi = first[1], second[0]
    between = encoded.span_vector(lo, hi) if hi > lo else np.zeros_like(mv)
    distance = max(hi - lo, 0)
    inside = {w.lower() for w in words[lo:hi]}
    sent_m, sent_t = _sentence_index(sentences, method[0]), _sentence_index(sentences, task[0])
    extra = [
        np.log1p(distance),
        float(sent_m == sent_t),
        float(method[0] < task[0]),
        np.log1p(sum(1 for s, e in spans if s >= lo and e <= hi)),
        float(distance == 0),
        *(float(c in inside) for c in CUES),
        *(float(w in inside) for w in vocab),
        *(_pattern_features(words, method, task, sent_m, sent_t) if patterns else ()),
    ]
    return np.concatenate([mv, tv, mv * tv, between, np.asarray(extra, dtype=np.float32)]).astype(np.float32)


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

    def score(self, features: np.ndarray) -> np.ndarray:
        """Probabilities for rows of :func:`pair_features`."""
        z = ((np.atleast_2d(features) - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))
