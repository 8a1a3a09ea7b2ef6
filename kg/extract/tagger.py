"""The span tagger: a small network over the frozen encoder's word vectors, decoded into legal BIO spans.

Two models read each word's feature vector (:attr:`kg.extract.tokens.Encoded.features`: the last two
layers of all-MiniLM-L6-v2) and give a softmax over the tags ``O``, ``B-T`` and ``I-T`` for each type T in
:data:`kg.extract.scierc.TYPES`; the tagger averages them:

- the word model: one hidden layer (ReLU), the word alone;
- the context model: one hidden layer, then a bidirectional LSTM over the text's words adds what the
  neighbouring words say (a residual: ``h + BiLSTM(h)``). The context finds span boundaries that a word
  alone cannot (whether "of" in "rate of convergence" belongs to the span), but alone it fits SciERC's
  2018 abstracts more closely than today's papers; the average keeps the word model's steadier reading.

Viterbi decoding then finds the most probable tag sequence in which every ``I-T`` follows a ``B-T`` or an
``I-T``, so spans are always well formed. A weights file without the context arrays is the word model alone.

Inference is numpy only. The weights (``kg/extract/weights/scierc-minilm.npz``) are trained on SciERC by
``make train`` (:mod:`kg.extract.train`); see ``kg/extract/weights/README.md`` for the data's citation.

Examples
--------
>>> import numpy as np
>>> tags = ("O", "B-Method", "I-Method")
>>> logp = np.log(np.array([[0.1, 0.2, 0.7], [0.1, 0.1, 0.8], [0.9, 0.05, 0.05]]))
>>> viterbi(logp, tags)  # I-Method cannot open a span: the best legal reading starts it with B-Method
[1, 2, 0]
>>> spans_of([1, 2, 0], tags)
[(0, 2, 'Method')]
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kg.errors import InputError

__all__ = ["WEIGHTS", "SpanTagger", "Tagged", "spans_of", "viterbi", "viterbi_many"]

WEIGHTS = Path(__file__).resolve().parent / "weights" / "scierc-minilm.npz"
_LANES = 16  # texts whose LSTM steps run together (:func:`_bilstm`)
_REBUILD = "rebuild it with `make train` (needs ../shared/bench/scierc), or restore it with `git checkout`"


@dataclass(frozen=True)
class Tagged:
    """A tagged span of words ``start:end`` (end exclusive), its type and mean tag probability."""

    start: int
    end: int
    type: str
    confidence: float


def viterbi(logp: np.ndarray, tags: tuple[str, ...]) -> list[int]:
    """The most probable tag sequence (indices into ``tags``) in which ``I-T`` only follows ``B-T`` / ``I-T``."""
    return viterbi_many([logp], tags)[0]


def viterbi_many(logps: Sequence[np.ndarray], tags: tuple[str, ...]) -> list[list[int]]:
    """:func:`viterbi` of each text's ``(words, tags)`` log probabilities, the texts stepped together (one
    loop over the longest text's words; the steps are elementwise sums and maxima, so each text's path is
    the one it has alone)."""
    k = len(tags)
    allowed = np.zeros((k, k), dtype=bool)  # allowed[prev, next]
    for i, a in enumerate(tags):
        for j, b in enumerate(tags):
            allowed[i, j] = not b.startswith("I-") or a[2:] == b[2:]
    start_ok = np.array([not t.startswith("I-") for t in tags])
    trans = np.where(allowed, 0.0, -np.inf)
    lengths = [len(x) for x in logps]
    n = max(lengths, default=0)
    padded = np.zeros((n, len(logps), k), dtype=np.result_type(*logps, np.float32) if logps else np.float32)
    for j, x in enumerate(logps):
        padded[: len(x), j] = x
    score = np.where(start_ok, padded[0], -np.inf) if n else np.zeros((len(logps), k))
    back = np.zeros((n, len(logps), k), dtype=np.int64)
    final = [score[j] for j in range(len(logps))]
    ends = {}
    for j, m in enumerate(lengths):
        ends.setdefault(m - 1, []).append(j)
    lanes = np.arange(len(logps))[:, None]
    for i in range(1, n):
        cand = score[:, :, None] + trans  # (texts, prev, next)
        back[i] = np.argmax(cand, axis=1)
        score = cand[lanes, back[i], np.arange(k)] + padded[i]
        for j in ends.get(i, ()):
            final[j] = score[j]
    paths = []
    for j, m in enumerate(lengths):
        if not m:
            paths.append([])
            continue
        steps = back[1:m, j].tolist()
        path = [int(np.argmax(final[j]))]
        for i in range(m - 2, -1, -1):
            path.append(steps[i][path[-1]])
        paths.append(path[::-1])
    return paths


def spans_of(path: list[int], tags: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """``(start, end, type)`` spans of a legal BIO path."""
    out: list[tuple[int, int, str]] = []
    start, kind = None, None
    for i, t in enumerate([*path, 0]):
        tag = tags[t] if i < len(path) else "O"
        if tag.startswith("I-") and kind == tag[2:]:
            continue
        if kind is not None:
            out.append((start, i, kind))
            start, kind = None, None
        if tag.startswith("B-"):
            start, kind = i, tag[2:]
    return out


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _check_lstm(params: dict[str, np.ndarray]) -> None:
    """The context model's arrays, when present, are complete and fit together (LSTM: both directions, half
    the hidden layer's width each)."""
    keys = ["ctx_w1", "ctx_b1", "ctx_w2", "ctx_b2", *(f"lstm_{d}_{k}" for d in ("fw", "bw") for k in ("ih", "hh", "b"))]
    present = [k for k in keys if k in params]
    if not present:
        return
    if len(present) != len(keys):
        raise ValueError(f"context model arrays incomplete: {sorted(set(keys) - set(present))}")
    hidden = params["ctx_w1"].shape[1]
    if params["ctx_w1"].shape[0] != params["w1"].shape[0] or params["ctx_w2"].shape != (hidden, params["w2"].shape[1]):
        raise ValueError("context model array shapes do not fit together")
    for d in ("fw", "bw"):
        shapes = (params[f"lstm_{d}_ih"].shape, params[f"lstm_{d}_hh"].shape, params[f"lstm_{d}_b"].shape)
        if shapes != ((2 * hidden, hidden), (2 * hidden, hidden // 2), (2 * hidden,)):
            raise ValueError("LSTM array shapes do not fit the hidden layer")


def _lstm_arrays(params: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Both directions' LSTM weights stacked (``(2, 4h, in)``, ``(2, 4h, h)``, ``(2, 4h)``), in float32."""
    return tuple(
        np.stack([params[f"lstm_{d}_{k}"] for d in ("fw", "bw")]).astype(np.float32) for k in ("ih", "hh", "b")
    )


def _bilstm(xs: Sequence[np.ndarray], arrays: tuple[np.ndarray, np.ndarray, np.ndarray]) -> list[np.ndarray]:
    """A torch bidirectional ``nn.LSTM`` layer (gates in torch's order: input, forget, cell, output) over
    each of the texts ``xs``; ``arrays`` from :func:`_lstm_arrays`.

    Both directions of :data:`_LANES` texts step together, so a text costs a share of one short loop over
    the longest text's words (the loop's numpy calls, not their arithmetic, were the cost). The recurrent
    product is always one ``(lanes x h) @ (h x 4h)`` matrix product per direction, whatever the number of
    texts (missing lanes are zeros): BLAS sums a row of a product of fixed shape in one order, wherever the
    row sits and whatever the other rows hold, so a text's output does not depend on the texts stepped with
    it (checked by ``tests/test_tagger.py``); every other step is elementwise."""
    w_ih, w_hh, bias = arrays
    size = w_hh.shape[2]
    inputs = np.ascontiguousarray(w_ih.reshape(-1, w_ih.shape[2]).T)  # (in, 2 * 4h): both directions' gates
    recurrent = np.ascontiguousarray(w_hh.transpose(0, 2, 1))  # (2, h, 4h)
    order = sorted(range(len(xs)), key=lambda i: len(xs[i]))  # lanes of similar length pad less
    out: list[np.ndarray] = [np.zeros((0, 2 * size), np.float32)] * len(xs)
    for first in range(0, len(xs), _LANES):
        group = order[first : first + _LANES]
        n = max(len(xs[i]) for i in group)
        gates_x = np.zeros((n, 2, _LANES, 4 * size), np.float32)
        for j, i in enumerate(group):
            g = (xs[i] @ inputs).reshape(len(xs[i]), 2, 4 * size) + bias
            gates_x[: len(g), 0, j] = g[:, 0]
            gates_x[: len(g), 1, j] = g[::-1, 1]  # the backward direction reads the words last to first
        h, c = np.zeros((2, _LANES, size), np.float32), np.zeros((2, _LANES, size), np.float32)
        states = np.zeros((n, 2, _LANES, size), np.float32)
        for t in range(n):
            g = gates_x[t] + h @ recurrent
            sig = 0.5 + 0.5 * np.tanh(0.5 * g)  # the logistic function, without overflow
            c = sig[..., size : 2 * size] * c + sig[..., :size] * np.tanh(g[..., 2 * size : 3 * size])
            h = sig[..., 3 * size :] * np.tanh(c)
            states[t] = h
        for j, i in enumerate(group):
            m = len(xs[i])
            if m:
                out[i] = np.concatenate([states[:m, 0, j], states[m - 1 :: -1, 1, j]], axis=1)
    return out


class SpanTagger:
    """The trained tagger; :meth:`load` reads the weights file."""

    def __init__(self, params: dict[str, np.ndarray], tags: tuple[str, ...], digest: str = ""):
        self.params = params
        self.tags = tags
        self.digest = digest
        # float32 copies made once (the first layers are stored as float16), not on every text
        self._f32 = {k: params[k].astype(np.float32) for k in ("w1", "w2", "ctx_w1") if k in params}
        self._lstm = _lstm_arrays(params) if "ctx_w1" in params else None

    @classmethod
    def load(cls, path: str | Path = WEIGHTS) -> SpanTagger:
        """Read the weights; a missing or unreadable file is an :class:`InputError` naming it."""
        path = Path(path)
        if not path.exists():
            raise InputError(str(path), f"tagger weights not found; {_REBUILD}")
        try:
            data = path.read_bytes()
            with np.load(path, allow_pickle=False) as npz:
                params = {k: np.asarray(npz[k]) for k in npz.files}
            tags = tuple(str(t) for t in params.pop("tags"))
            for key in ("w1", "b1", "w2", "b2", "mean", "scale"):
                if key not in params:
                    raise ValueError(f"no array {key!r}")
            if params["w2"].shape[1] != len(tags) or params["w1"].shape[1] != params["w2"].shape[0]:
                raise ValueError("array shapes do not fit together")
            _check_lstm(params)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
            raise InputError(str(path), f"tagger weights unreadable ({exc}); {_REBUILD}") from exc
        return cls(params, tags, hashlib.sha256(data).hexdigest()[:16])

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Tag probabilities per word of one text (rows sum to 1): the mean of the word model's and, when the
        weights have one, the context model's."""
        return self.probabilities_many([features])[0]

    def probabilities_many(self, features: Sequence[np.ndarray]) -> list[np.ndarray]:
        """:meth:`probabilities` of each text, the context model's LSTM stepping the texts together
        (:func:`_bilstm`); each text's rows are the ones it has alone."""
        p = self.params
        w = self._f32
        xs = [(f.astype(np.float32) - p["mean"]) / p["scale"] for f in features]
        probs = [_softmax(np.maximum(x @ w["w1"] + p["b1"], 0.0) @ w["w2"] + p["b2"]) for x in xs]
        if self._lstm is None:
            return probs
        hs = [np.maximum(x @ w["ctx_w1"] + p["ctx_b1"], 0.0) for x in xs]
        contexts = _bilstm(hs, self._lstm)
        return [
            (prob + _softmax((h + context) @ p["ctx_w2"] + p["ctx_b2"])) / 2
            for prob, h, context in zip(probs, hs, contexts, strict=True)
        ]

    def tag(self, features: np.ndarray) -> list[Tagged]:
        """Typed spans of one text's words."""
        return self.tag_many([features])[0]

    def tag_many(self, features: Sequence[np.ndarray]) -> list[list[Tagged]]:
        """Typed spans of each text's words (:meth:`tag`, the texts tagged together)."""
        keep = [i for i, f in enumerate(features) if len(f)]
        probs = self.probabilities_many([features[i] for i in keep])
        paths = viterbi_many([np.log(prob + 1e-9) for prob in probs], self.tags)
        out: list[list[Tagged]] = [[] for _ in features]
        for i, prob, path in zip(keep, probs, paths, strict=True):
            out[i] = [
                Tagged(s, e, kind, float(prob[np.arange(s, e), path[s:e]].mean()))
                for s, e, kind in spans_of(path, self.tags)
            ]
        return out
