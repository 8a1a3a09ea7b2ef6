"""``make train``: fit the span tagger and the relation classifier on SciERC, write the weights file.

Reads ``scierc/train.json`` (training) and ``scierc/dev.json`` (model selection, reported) from the bench
folder (default ``../shared/bench``); never SciERC's test split. Every abstract runs through the frozen
encoder once (:class:`kg.extract.tokens.TokenEncoder`); then

1. the tagger (:mod:`kg.extract.tagger`): a hidden layer and a bidirectional LSTM from each text's word
   features to BIO tags, trained with AdamW and cross-entropy, a few texts per step (torch, CPU, fixed
   seeds);
2. the relation classifier (:mod:`kg.extract.relations`): logistic regression over every gold
   (Method, Task) mention pair of a training abstract, positive when SciERC says USED-FOR.

Both go into one ``.npz`` (written atomically), default :data:`kg.extract.tagger.WEIGHTS`. The same data,
options and library versions give the same weights.

    python -m kg.extract.train [--bench-dir ../shared/bench] [--out FILE] [--limit N]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kg.errors import InputError
from kg.extract.relations import CUES, RelationModel, pair_features
from kg.extract.scierc import TYPES, Document, read_scierc
from kg.extract.tagger import WEIGHTS, SpanTagger
from kg.extract.tokens import Encoded, TokenEncoder
from kg.fileio import atomic_path

#: the encoder's width: a pair's features start with four vectors of it
VECTOR_WIDTH = 384
TAGS = ("O", *(f"{p}-{t}" for t in TYPES for p in "BI"))


@dataclass(frozen=True)
class TrainOptions:
    """Training settings (the defaults were selected on SciERC dev)."""

    hidden: int = 128
    epochs: int = 20  # context model
    batch: int = 4  # texts per step
    word_epochs: int = 12
    word_batch: int = 512  # words per step
    learning_rate: float = 1e-3
    dropout: float = 0.3
    weight_decay: float = 1e-4
    relation_c: float = 0.0001  # on standardized features; the non-vector ones are scaled up (cue weight)
    relation_balanced: bool = True  # class weights inversely proportional to the class sizes
    relation_vocab: int = 0  # learned between-words (pair_words), after the fixed cues
    relation_patterns: bool = False  # the short-pattern cues of kg.extract.relations
    relation_cue_weight: float = (
        30.0  # the non-vector features standardized 30x larger: the L2 penalty weighs them less
    )
    relation_threshold: float = 0.75  # best phrase F1 in 5-fold CV on SciERC train (bench/relations_cv.py)
    seed: int = 0


def bio_labels(doc: Document) -> np.ndarray:
    """One tag index per word (the first of two overlapping spans wins)."""
    y = np.zeros(len(doc.words), dtype=np.int64)
    for s, e, t in doc.entities:
        if y[s:e].any():
            continue
        y[s] = TAGS.index(f"B-{t}")
        y[s + 1 : e] = TAGS.index(f"I-{t}")
    return y


class _TaggerNet:
    """The torch twin of the tagger's context model, for training (dropout only while training)."""

    def __new__(cls, width: int, options: TrainOptions):
        import torch

        nn = torch.nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.drop = nn.Dropout(options.dropout)
                self.inp = nn.Linear(width, options.hidden)
                self.lstm = nn.LSTM(options.hidden, options.hidden // 2, batch_first=True, bidirectional=True)
                self.out = nn.Linear(options.hidden, len(TAGS))

            def forward(self, x):  # (words, width) of one text -> (words, tags) logits
                h = torch.relu(self.inp(self.drop(x)))
                return self.out(self.drop(h + self.lstm(h[None])[0][0]))

        return Net()


def tagger_params(net) -> dict[str, np.ndarray]:
    """The context model's arrays :class:`SpanTagger` reads, from a trained :class:`_TaggerNet`."""

    def a(t) -> np.ndarray:
        return t.detach().numpy().astype(np.float32)

    lstm = net.lstm
    params = {
        "ctx_w1": a(net.inp.weight).T,
        "ctx_b1": a(net.inp.bias),
        "ctx_w2": a(net.out.weight).T,
        "ctx_b2": a(net.out.bias),
    }
    for d, suffix in (("fw", ""), ("bw", "_reverse")):
        params[f"lstm_{d}_ih"] = a(getattr(lstm, f"weight_ih_l0{suffix}"))
        params[f"lstm_{d}_hh"] = a(getattr(lstm, f"weight_hh_l0{suffix}"))
        params[f"lstm_{d}_b"] = a(getattr(lstm, f"bias_ih_l0{suffix}") + getattr(lstm, f"bias_hh_l0{suffix}"))
    return params


def train_tagger(docs: Sequence[Document], encoded: Sequence[Encoded], options: TrainOptions) -> SpanTagger:
    """Fit the word model (words in batches) and the context model (one text per sequence,
    :attr:`TrainOptions.batch` texts per step) on ``docs``."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one text's small matrices a step: more threads only wait on each other
    try:
        return _fit_tagger(docs, encoded, options)
    finally:
        torch.set_num_threads(threads)


def _fit_tagger(docs: Sequence[Document], encoded: Sequence[Encoded], options: TrainOptions) -> SpanTagger:
    import torch

    torch.manual_seed(options.seed)
    x = np.vstack([e.features for e in encoded])
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    xs = [torch.tensor((e.features - mean) / scale, dtype=torch.float32) for e in encoded]
    ys = [torch.tensor(bio_labels(d)) for d in docs]
    net = _TaggerNet(x.shape[1], options)
    opt = torch.optim.AdamW(net.parameters(), lr=options.learning_rate, weight_decay=options.weight_decay)
    loss_fn = torch.nn.CrossEntropyLoss(reduction="sum")
    generator = torch.Generator().manual_seed(options.seed)
    net.train()
    for _ in range(options.epochs):
        order = torch.randperm(len(xs), generator=generator).tolist()
        for i in range(0, len(order), options.batch):
            rows = order[i : i + options.batch]
            opt.zero_grad()
            loss = sum(loss_fn(net(xs[j]), ys[j]) for j in rows) / sum(len(ys[j]) for j in rows)
            loss.backward()
            opt.step()
    net.eval()
    params = {"mean": mean.astype(np.float32), "scale": scale.astype(np.float32)}
    word = _fit_word_model(torch.tensor(np.vstack([x.numpy() for x in xs])), torch.cat(ys), options)
    return SpanTagger(params | word | tagger_params(net), TAGS)


def _fit_word_model(xt, yt, options: TrainOptions) -> dict[str, np.ndarray]:
    """The word model: an MLP over standardized word features, words shuffled in batches."""
    import torch

    nn = torch.nn
    torch.manual_seed(options.seed)
    net = nn.Sequential(
        nn.Dropout(options.dropout),
        nn.Linear(xt.shape[1], options.hidden),
        nn.ReLU(),
        nn.Dropout(options.dropout),
        nn.Linear(options.hidden, len(TAGS)),
    )
    opt = torch.optim.AdamW(net.parameters(), lr=options.learning_rate, weight_decay=options.weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(options.seed)
    net.train()
    for _ in range(options.word_epochs):
        order = torch.randperm(len(xt), generator=generator)
        for i in range(0, len(order), options.word_batch):
            rows = order[i : i + options.word_batch]
            opt.zero_grad()
            loss_fn(net(xt[rows]), yt[rows]).backward()
            opt.step()
    return {
        "w1": net[1].weight.detach().numpy().T.astype(np.float32),
        "b1": net[1].bias.detach().numpy(),
        "w2": net[4].weight.detach().numpy().T.astype(np.float32),
        "b2": net[4].bias.detach().numpy(),
    }


def tagger_scores(tagger: SpanTagger, docs: Sequence[Document], encoded: Sequence[Encoded]) -> dict:
    """Exact-span precision, recall and F1 per type."""
    out = {}
    for kind in TYPES:
        tp = fp = fn = 0
        for doc, enc in zip(docs, encoded, strict=True):
            pred = {(t.start, t.end) for t in tagger.tag(enc.features) if t.type == kind}
            gold = {(s, e) for s, e, t in doc.entities if t == kind}
            tp, fp, fn = tp + len(pred & gold), fp + len(pred - gold), fn + len(gold - pred)
        out[kind] = _prf(tp, fp, fn)
    return out


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return round(p, 3), round(r, 3), round(2 * p * r / max(p + r, 1e-9), 3)


def gold_pairs(doc: Document):
    """Every gold (Method, Task) mention pair of a document."""
    methods = [(s, e) for s, e, t in doc.entities if t == "Method"]
    tasks = [(s, e) for s, e, t in doc.entities if t == "Task"]
    return [(m, t) for m in methods for t in tasks]


def pair_words(docs: Sequence[Document], size: int) -> tuple[str, ...]:
    """The ``size`` words (lower case, :data:`~kg.extract.relations.CUES` left out) found most often between
    the two mentions of a same-sentence gold pair of ``docs``, ties by the word: the learned half of the
    words-between features."""
    count: dict[str, int] = {}
    for doc in docs:
        for m, t in gold_pairs(doc):
            if not any(s <= min(m[0], t[0]) and max(m[1], t[1]) <= e for s, e in doc.sentences):
                continue
            lo, hi = min(m[1], t[1]), max(m[0], t[0])
            for w in {w.lower() for w in doc.words[lo:hi]} - set(CUES):
                count[w] = count.get(w, 0) + 1
    return tuple(sorted(count, key=lambda w: (-count[w], w))[:size])


def relation_pairs(
    docs: Sequence[Document], encoded: Sequence[Encoded], vocab: Sequence[str] = (), patterns: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of every gold (Method, Task) mention pair of each document."""
    rows, labels = [], []
    for doc, enc in zip(docs, encoded, strict=True):
        spans = [(s, e) for s, e, _ in doc.entities]
        for m, t in gold_pairs(doc):
            rows.append(pair_features(enc, doc.words, doc.sentences, m, t, spans, vocab, patterns))
            labels.append((m, t) in doc.used_for)
    dim = 4 * VECTOR_WIDTH + 5 + len(CUES) + len(vocab) + 8 * patterns
    return (np.vstack(rows) if rows else np.zeros((0, dim), np.float32)), np.asarray(labels, dtype=bool)


def train_relations(x: np.ndarray, y: np.ndarray, options: TrainOptions, vocab: Sequence[str] = ()) -> RelationModel:
    """Logistic regression on standardized pair features (class-balanced unless the options say not)."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    scale[4 * VECTOR_WIDTH :] /= options.relation_cue_weight  # standardized larger: the L2 penalty weighs them less
    weight = "balanced" if options.relation_balanced else None
    lr = LogisticRegression(C=options.relation_c, class_weight=weight, max_iter=2000, random_state=options.seed)
    lr.fit((x - mean) / scale, y)
    return RelationModel(
        lr.coef_[0], float(lr.intercept_[0]), mean, scale, options.relation_threshold, vocab, options.relation_patterns
    )


def save(path: Path, tagger: SpanTagger, relations: RelationModel) -> None:
    """Both models in one ``.npz`` (float16 matrices: half the size, the same tags on SciERC dev)."""
    arrays = {k: (v.astype(np.float16) if k in ("w1", "ctx_w1", "rel_coef") else v) for k, v in tagger.params.items()}
    arrays |= relations.params()
    arrays["tags"] = np.asarray(tagger.tags)
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.savez_compressed(f, **arrays)


def run(
    bench_dir: Path,
    out: Path,
    options: TrainOptions,
    limit: int | None = None,
    encoder: TokenEncoder | None = None,
    log=print,
) -> dict:
    """Train both models, write ``out``, return the dev scores."""
    scierc = bench_dir / "scierc"
    for name in ("train.json", "dev.json"):
        if not (scierc / name).exists():
            raise InputError(str(scierc / name), "not found (is ../shared/bench beside the project?)")
    train = list(read_scierc(scierc / "train.json"))[:limit]
    dev = list(read_scierc(scierc / "dev.json"))[: limit and max(2, limit // 4)]
    encoder = encoder or TokenEncoder(precision="float32")  # the committed weights' features
    started = time.perf_counter()
    train_enc = encoder.encode([d.text for d in train], [d.word_spans() for d in train])
    dev_enc = encoder.encode([d.text for d in dev], [d.word_spans() for d in dev])
    log(f"encoded {len(train)} + {len(dev)} abstracts in {time.perf_counter() - started:.0f}s")
    tagger = train_tagger(train, train_enc, options)
    scores = {"tagger": tagger_scores(tagger, dev, dev_enc)}
    log(f"tagger, SciERC dev exact spans (P, R, F1): {scores['tagger']}")
    vocab = pair_words(train, options.relation_vocab)
    patterns = options.relation_patterns
    relations = train_relations(*relation_pairs(train, train_enc, vocab, patterns), options, vocab)
    x, y = relation_pairs(dev, dev_enc, vocab, patterns)
    pred = relations.score(x) >= relations.threshold if len(x) else np.zeros(0, dtype=bool)
    scores["relations"] = _prf(int((pred & y).sum()), int((pred & ~y).sum()), int((~pred & y).sum()))
    log(f"relations, SciERC dev gold spans (P, R, F1): {scores['relations']}")
    save(out, tagger, relations)
    log(f"wrote {out}")
    return scores


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="train the span tagger and relation classifier on SciERC")
    p.add_argument("--bench-dir", default="../shared/bench", help="folder holding scierc/ (default: %(default)s)")
    p.add_argument("--out", default=str(WEIGHTS), help="weights file to write (default: the bundled one)")
    p.add_argument("--limit", type=int, default=None, help="train on the first N abstracts only (for tests)")
    p.add_argument("--epochs", type=int, default=TrainOptions.epochs, help="tagger epochs (default: %(default)s)")
    args = p.parse_args(argv)
    try:
        run(Path(args.bench_dir), Path(args.out), TrainOptions(epochs=args.epochs), args.limit)
    except InputError as e:
        print(f"train: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
