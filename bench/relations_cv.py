"""Cross-validated scores of the method -> task relation classifier on SciERC train (by document).

The dev sets are too small to choose a relation model on (scierc_dev has 36 gold pairs: a retrain seed
moves its F1 by .1), so variants are compared here: SciERC's 350 training abstracts are split into
``--folds`` folds by document; each fold is scored by a model trained on the others, on GOLD spans
(every Method x Task mention pair of a held-out abstract, positive when SciERC says USED-FOR, widened by
coreference as in :mod:`kg.extract.scierc`). Two levels are scored:

- ``mention``: each mention pair, as the classifier sees it;
- ``phrase``: what a paper's links are made of (:meth:`kg.extract.tagged.TaggedStage._pairs`): mentions
  grouped by their lower-case text, a phrase pair scored by its best mention pair, gold when any of its
  mention pairs is.

A third level, ``phrase-mean``, scores a phrase pair by the mean of its mention pairs instead of the best.
``task-best`` keeps, of a task phrase's pairs over the threshold, only its best-scored one (``task-best-.1``:
those within .1 of it; ``method-best``: the same per method phrase), an aggregation that says a task of an
abstract is what one method (or a few close ones) is used for.
For each variant, seed (the seed shuffles the folds and seeds the model) and level, the threshold that
maximizes the mean F1 over folds is printed with the mean +- std over folds of P/R/F1 at that threshold and
at the fixed one of ``--threshold``; the ``all`` line of a variant pools the folds of every seed. End to end (predicted
spans) is not scored here: it needs a tagger trained per fold (``make eval`` scores the whole path on dev).
SciERC's dev and test splits are never read.

    python bench/relations_cv.py [--bench-dir ../shared/bench] [--folds 5] [--seeds 0 1 2] [--variant NAME ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kg.extract.scierc import Document, read_scierc
from kg.extract.tokens import Encoded, TokenEncoder
from kg.extract.train import VECTOR_WIDTH, TrainOptions, gold_pairs, pair_words, relation_pairs, train_relations

THRESHOLDS = np.round(np.arange(0.2, 0.91, 0.05), 2)
LEVELS = ("mention", "phrase", "phrase-mean", "task-best", "task-best-.1", "method-best")
#: the aggregation levels that keep, of the phrase pairs over the threshold, those within DELTA of the best
#: score of their task (or method) phrase: (index of the phrase in the pair, DELTA)
_BEST_OF = {"task-best": (1, 0.0), "task-best-.1": (1, 0.1), "method-best": (0, 0.0)}


@dataclass(frozen=True)
class Variant:
    """One relation model to compare: its training options (feature and model choices live there)."""

    name: str
    options: TrainOptions
    model: str = "lr"  # or "mlp", "hgb": scikit-learn estimators, compared here before any is shipped


#: the relation settings before this comparison (main at c1378e4); each variant changes some of them
BEFORE = {"relation_c": 0.01, "relation_cue_weight": 1.0, "relation_vocab": 0, "relation_patterns": False}


def _lr(name: str, **options) -> Variant:
    return Variant(name, TrainOptions(**(BEFORE | options)))


VARIANTS = {
    v.name: v
    for v in (
        Variant("default", TrainOptions()),  # what make train fits now
        _lr("before"),
        _lr("C=0.0003", relation_c=0.0003),
        _lr("C=0.001", relation_c=0.001),
        _lr("C=0.003", relation_c=0.003),
        _lr("C=0.03", relation_c=0.03),
        _lr("C=0.1", relation_c=0.1),
        _lr("unweighted", relation_balanced=False),
        _lr("words", relation_vocab=50),
        _lr("words C=0.03", relation_vocab=50, relation_c=0.03),
        _lr("patterns", relation_patterns=True),
        _lr("words+patterns", relation_vocab=50, relation_patterns=True),
        _lr("C=0.003 words", relation_c=0.003, relation_vocab=50),
        _lr("C=0.003 patterns", relation_c=0.003, relation_patterns=True),
        _lr("C=0.003 words+patterns", relation_c=0.003, relation_vocab=50, relation_patterns=True),
        _lr("C=0.003 w+p cue x3", relation_c=0.003, relation_vocab=50, relation_patterns=True, relation_cue_weight=3),
        _lr("C=0.003 w+p cue x10", relation_c=0.003, relation_vocab=50, relation_patterns=True, relation_cue_weight=10),
        _lr("C=0.003 cue x3", relation_c=0.003, relation_cue_weight=3),
        _lr("C=0.0001", relation_c=0.0001),
        _lr("C=0.00003", relation_c=0.00003),
        _lr("C=0.0003 words+patterns", relation_c=0.0003, relation_vocab=50, relation_patterns=True),
        _lr(
            "C=0.0003 w+p cue x10", relation_c=0.0003, relation_vocab=50, relation_patterns=True, relation_cue_weight=10
        ),
        _lr(
            "C=0.0003 w+p cue x30", relation_c=0.0003, relation_vocab=50, relation_patterns=True, relation_cue_weight=30
        ),
        _lr("C=0.0003 cue x10", relation_c=0.0003, relation_cue_weight=10),
        _lr("C=0.0003 cue x30", relation_c=0.0003, relation_cue_weight=30),
        _lr("C=0.0001 cue x30", relation_c=0.0001, relation_cue_weight=30),
        _lr("C=0.001 cue x10", relation_c=0.001, relation_cue_weight=10),
        _lr("C=0.0003 patterns cue x10", relation_c=0.0003, relation_patterns=True, relation_cue_weight=10),
        _lr("C=0.0003 words cue x10", relation_c=0.0003, relation_vocab=50, relation_cue_weight=10),
        Variant("mlp", TrainOptions(**BEFORE), "mlp"),
        Variant("hgb", TrainOptions(**BEFORE), "hgb"),
    )
}


def encode(docs: Sequence[Document], cache: Path | None) -> list[Encoded]:
    """The abstracts' forward passes, kept in ``cache`` (an .npz) so a rerun skips the model."""
    if cache and cache.exists():
        with np.load(cache) as z:
            if int(z["n"]) == len(docs):
                return [
                    Encoded(
                        tuple(map(tuple, z[f"spans{i}"])), np.zeros((0, 0), np.float32), z[f"states{i}"], z[f"doc{i}"]
                    )
                    for i in range(len(docs))
                ]
    out = TokenEncoder(precision="float32").encode([d.text for d in docs], [d.word_spans() for d in docs])
    if cache:
        arrays = {"n": np.asarray(len(docs))}
        for i, e in enumerate(out):
            arrays |= {f"spans{i}": np.asarray(e.spans), f"states{i}": e.states, f"doc{i}": e.doc}
        np.savez(cache, **arrays)
    return out


def folds_of(n: int, k: int, seed: int) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [np.sort(order[i::k]) for i in range(k)]


def _phrase_pairs(doc: Document, probs: np.ndarray) -> tuple[dict, dict, set]:
    """Phrase-pair scores, the max and the mean over their mention pairs (in :func:`relation_pairs` order),
    and the gold phrase pairs."""
    text = {(s, e): " ".join(doc.words[s:e]).lower() for s, e, _ in doc.entities}
    found: dict[tuple[str, str], list[float]] = defaultdict(list)
    gold = set()
    for k, (m, t) in enumerate(gold_pairs(doc)):
        found[text[m], text[t]].append(float(probs[k]))
        if (m, t) in doc.used_for:
            gold.add((text[m], text[t]))
    return {key: max(v) for key, v in found.items()}, {key: float(np.mean(v)) for key, v in found.items()}, gold


def _prf(tp: int, fp: int, fn: int) -> np.ndarray:
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return np.array([p, r, 2 * p * r / max(p + r, 1e-9)])


def run_seed(variant: Variant, docs, encoded, k: int, seed: int) -> dict:
    """Out-of-fold probabilities of every pair, scored per fold at every threshold: {level: (folds, thr, 3)}."""
    options = TrainOptions(**{**variant.options.__dict__, "seed": seed})
    scores = {level: [] for level in LEVELS}
    for held in folds_of(len(docs), k, seed):
        train = np.setdiff1d(np.arange(len(docs)), held)
        model = fit(variant.model, options, [docs[i] for i in train], [encoded[i] for i in train])
        counts = {level: np.zeros((len(THRESHOLDS), 3), int) for level in LEVELS}
        for i in held:
            x, y = relation_pairs([docs[i]], [encoded[i]], model.vocab, model.patterns)
            if not len(y):
                continue
            probs = model.score(x)
            best, mean, gold = _phrase_pairs(docs[i], probs)
            top: list[dict[str, float]] = [defaultdict(float), defaultdict(float)]  # best score per method, task
            for key, p in best.items():
                for end in (0, 1):
                    top[end][key[end]] = max(top[end][key[end]], p)
            for j, thr in enumerate(THRESHOLDS):
                pred = probs >= thr
                counts["mention"][j] += [(pred & y).sum(), (pred & ~y).sum(), (~pred & y).sum()]
                for level, agg in (("phrase", best), ("phrase-mean", mean)):
                    hit = {key for key, p in agg.items() if p >= thr}
                    counts[level][j] += [len(hit & gold), len(hit - gold), len(gold - hit)]
                for level, (end, delta) in _BEST_OF.items():
                    hit = {key for key, p in best.items() if p >= thr and p >= top[end][key[end]] - delta}
                    counts[level][j] += [len(hit & gold), len(hit - gold), len(gold - hit)]
        for level in LEVELS:
            scores[level].append([_prf(*row) for row in counts[level]])
    return {level: np.asarray(v) for level, v in scores.items()}


class _Estimator:
    """A scikit-learn classifier behind :class:`RelationModel`'s scoring interface (experiments only)."""

    def __init__(self, estimator, mean, scale, vocab, patterns):
        self.estimator, self.mean, self.scale, self.vocab, self.patterns = estimator, mean, scale, vocab, patterns

    def score(self, x: np.ndarray) -> np.ndarray:
        return self.estimator.predict_proba((x - self.mean) / self.scale)[:, 1]


def fit(kind: str, options: TrainOptions, docs, encoded):
    vocab = pair_words(docs, options.relation_vocab)
    x, y = relation_pairs(docs, encoded, vocab, options.relation_patterns)
    if kind == "lr":
        return train_relations(x, y, options, vocab)
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.neural_network import MLPClassifier

    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    scale[4 * VECTOR_WIDTH :] /= options.relation_cue_weight
    if kind == "mlp":
        est = MLPClassifier((64,), alpha=1.0, max_iter=300, early_stopping=False, random_state=options.seed)
    else:
        est = HistGradientBoostingClassifier(
            max_iter=200, learning_rate=0.05, max_leaf_nodes=15, class_weight="balanced", random_state=options.seed
        )
    est.fit((x - mean) / scale, y)
    return _Estimator(est, mean, scale, vocab, options.relation_patterns)


def report(name: str, runs: list[dict], fixed: float, log=print) -> None:
    """Per seed and over seeds, for each level: the threshold best on its mean F1 over folds, then the fixed one."""
    fixed_j = int(np.argmin(abs(THRESHOLDS - fixed)))
    stacked = {level: np.concatenate([r[level] for r in runs]) for level in LEVELS}
    for label, r in [*((f"seed {seed}", r) for seed, r in enumerate(runs)), ("all", stacked)]:
        parts = []
        for level in LEVELS:
            best_j = int(np.argmax(r[level][:, :, 2].mean(axis=0)))
            parts.append(f"{level} {_cell(r[level], best_j)} | {_cell(r[level], fixed_j)}")
        log(f"{name:>24} {label:>6}: " + "   ".join(parts))


def _cell(folds: np.ndarray, j: int) -> str:
    m, s = folds[:, j].mean(axis=0), folds[:, j].std(axis=0)
    return f"thr {THRESHOLDS[j]:.2f} P {m[0]:.3f}±{s[0]:.3f} R {m[1]:.3f}±{s[1]:.3f} F1 {m[2]:.3f}±{s[2]:.3f}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="k-fold CV of the relation classifier on SciERC train")
    p.add_argument("--bench-dir", default="../shared/bench")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--variant", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    p.add_argument("--threshold", type=float, default=0.4, help="the fixed threshold also reported")
    p.add_argument("--cache", default=None, help="keep the forward passes in this .npz")
    args = p.parse_args(argv)
    docs = list(read_scierc(Path(args.bench_dir) / "scierc" / "train.json"))
    started = time.perf_counter()
    encoded = encode(docs, Path(args.cache) if args.cache else None)
    print(
        f"{len(docs)} abstracts encoded in {time.perf_counter() - started:.0f}s; {args.folds} folds, seeds {args.seeds}"
    )
    print("per level: the threshold best on mean F1 over folds | the fixed threshold (P/R/F1 mean±std over folds)")
    for name in args.variant:
        runs = [run_seed(VARIANTS[name], docs, encoded, args.folds, s) for s in args.seeds]
        report(name, runs, args.threshold)
    return 0


if __name__ == "__main__":
    sys.exit(main())
