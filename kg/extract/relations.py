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
) -> np.ndarray:
    """The feature vector of one (method span, task span) pair; spans are word offsets, end exclusive.

    ``sentences`` are word-offset spans of the sentences, ``spans`` every tagged span of the text.
    """
    mv, tv = encoded.span_vector(*method), encoded.span_vector(*task)
    first, second = (method, task) if method[0] < task[0] else (task, method)
    lo, hi = first[1], second[0]
    between = encoded.span_vector(lo, hi) if hi > lo else np.zeros_like(mv)
    distance = max(hi - lo, 0)
    inside = {w.lower() for w in words[lo:hi]}
    extra = [
        np.log1p(distance),
        float(_sentence_index(sentences, method[0]) == _sentence_index(sentences, task[0])),
        float(method[0] < task[0]),
        np.log1p(sum(1 for s, e in spans if s >= lo and e <= hi)),
        float(distance == 0),
        *(float(c in inside) for c in CUES),
    ]
    return np.concatenate([mv, tv, mv * tv, between, np.asarray(extra, dtype=np.float32)]).astype(np.float32)


class RelationModel:
    """Logistic regression weights (``coef``, ``intercept``, standardization ``mean``/``scale``) and the
    decision ``threshold`` chosen on the development sets."""

    def __init__(self, coef: np.ndarray, intercept: float, mean: np.ndarray, scale: np.ndarray, threshold: float):
        self.coef, self.intercept = coef.astype(np.float32), float(intercept)
        self.mean, self.scale = mean.astype(np.float32), scale.astype(np.float32)
        self.threshold = float(threshold)

    @classmethod
    def from_params(cls, params: dict[str, np.ndarray]) -> RelationModel:
        return cls(
            params["rel_coef"],
            float(params["rel_intercept"]),
            params["rel_mean"],
            params["rel_scale"],
            float(params["rel_threshold"]),
        )

    def params(self) -> dict[str, np.ndarray]:
        return {
            "rel_coef": self.coef,
            "rel_intercept": np.float32(self.intercept),
            "rel_mean": self.mean,
            "rel_scale": self.scale,
            "rel_threshold": np.float32(self.threshold),
        }

    def score(self, features: np.ndarray) -> np.ndarray:
        """Probabilities for rows of :func:`pair_features`."""
        z = ((np.atleast_2d(features) - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))
