"""One forward pass of the encoder per paper: word vectors for the tagger, span vectors for KeyBERT.

A paper's text (title and abstract) is split into words (:data:`kg.extract.text.TOKEN`), the words into
the model's word pieces, and the whole paper runs through all-MiniLM-L6-v2 once (texts longer than 510
word pieces run as consecutive windows). What comes back per paper (:class:`Encoded`):

- ``spans``: the character span of each word in the text;
- ``features``: per word, the mean of its word pieces' vectors from the last two layers, concatenated
  (``2 * 384`` floats): what the tagger (:mod:`kg.extract.tagger`) reads;
- ``states``: per word, the last layer alone, from which span embeddings are pooled
  (:meth:`Encoded.span_vector`), for KeyBERT's ``word_embeddings`` and for the relation classifier;
- ``doc``: the L2-normalized mean of every word piece's last-layer vector, the paper's embedding
  (sentence-transformers' mean pooling, over the whole text rather than its first 256 word pieces).

Each window is encoded as if on its own, at its exact length, never padded into a batch with another
paper's: padding changes the matrix shapes of attention, and with them the float rounding (up to 1e-5 here),
so a paper's vectors, and in rare cases its links' scores or spans, would depend on which papers it happened
to share a batch with, and an incremental or distributed build would not give the bytes of a scratch one.
On CPU the windows still run together (:func:`_forward`): every step of the model but attention works on
each word piece's row alone (the linear layers, layer norms, GELU, residual sums), so consecutive windows
run through those as one matrix of up to :data:`_PACK_PIECES` rows, and attention runs per window. A row's
bytes do not depend on the other rows as long as the matrix has 8 rows or more (MKL multiplies fewer in
another order, so a pack is padded to :data:`_MIN_ROWS`; checked on the bundled corpus and by the slow test
in ``tests/test_tagger.py``). The model then makes a few hundred calls per pack instead of per paper: on two
shared cores each call pays for waking the second thread, which one paper's small matrices do not cover
(120 bundled papers: 3x faster under load 10). On CUDA, whose matrix products may sum in another order for
another row count, each window runs alone.

The layers run in bfloat16 where the CPU multiplies it natively (AVX512-BF16 or AMX; ``precision="auto"``,
:func:`auto_precision`), else in float32 (``precision="float32"`` forces it): on such a CPU the forward
pass costs about 40% less, and ``make eval`` printed the same dev scores but one (seeds_dev Method recall
0.783 -> 0.788). The vectors differ from float32 ones, so the stored per-paper results say which was used
(:meth:`kg.extract.tagged.TaggedStage.fingerprint`); ``make train`` reads float32 vectors, as the
committed weights were trained on. A text's vectors do not depend on the texts encoded with it in either.

Nothing here is cached: the vectors are big (about 0.5 MB a paper) and only the extraction made from them
is kept.

Examples
--------
>>> [t for t, _, _ in words_of("We fine-tune Llama-3.1-70B (LoRA).")]
['We', 'fine-tune', 'Llama-3.1-70B', '(', 'LoRA', ')', '.']
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kg.extract.text import TOKEN

__all__ = ["PRECISIONS", "Encoded", "TokenEncoder", "auto_precision", "resolve_precision", "words_of"]

_MAX_PIECES = 510  # word pieces per window; [CLS] and [SEP] make 512, the model's position limit
_PACK_PIECES = 4096  # word pieces per pack of windows on CPU (the sentence embedder's batch size too)
_MIN_ROWS = 64  # a pack is padded to this many rows: MKL multiplies fewer than 8 rows in another order
PRECISIONS = ("auto", "float32", "bfloat16")


def auto_precision() -> str:
    """``bfloat16`` where the CPU multiplies it natively (AVX512-BF16 or AMX), else ``float32``: the
    layers run about 40% faster in bfloat16 there, and the dev scores do not move (module docstring)."""
    return "bfloat16" if _cpu_flags() & {"avx512_bf16", "amx_bf16"} else "float32"


def resolve_precision(precision: str) -> str:
    """``precision`` with ``auto`` resolved on this machine (:func:`auto_precision`).

    The build resolves it once, where it runs, and ships the result with the stage, so every Dask worker
    runs the format the build's fingerprint names, whatever its own CPU has.

    >>> resolve_precision("float32")
    'float32'
    >>> resolve_precision("auto") in ("float32", "bfloat16")
    True
    """
    _check_precision(precision)
    return auto_precision() if precision == "auto" else precision


def _check_precision(precision: str) -> None:
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")


@functools.cache
def _cpu_flags() -> frozenset[str]:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            line = next((x for x in f if x.startswith("flags")), "")
    except OSError:  # not Linux: float32
        return frozenset()
    return frozenset(line.partition(":")[2].split())


def words_of(text: str) -> list[tuple[str, int, int]]:
    """The words of ``text`` with their character spans (the project's one tokenizer)."""
    return [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)]


@dataclass(frozen=True, eq=False)
class Encoded:
    """One text after the forward pass (see the module docstring)."""

    spans: tuple[tuple[int, int], ...]
    features: np.ndarray  # (n_words, 2 * dim) float32
    states: np.ndarray  # (n_words, dim) float32
    doc: np.ndarray  # (dim,) float32, unit length

    def span_vector(self, start: int, end: int) -> np.ndarray:
        """Unit-length mean of the last-layer vectors of words ``start:end``."""
        # the arithmetic of ``mean(axis=0)`` and ``np.linalg.norm`` (the same bits), without their overhead:
        # a paper pools hundreds of spans
        v = np.add.reduce(self.states[start:end], axis=0) / (end - start)
        n = float(np.sqrt(v.dot(v)))
        return v / n if n else v


class TokenEncoder:
    """all-MiniLM-L6-v2's word pieces and hidden states (not its pooled sentence embedding).

    Takes the loaded ``sentence_transformers.SentenceTransformer`` or a function returning it (so the build
    holds the model once), or loads it from the bundled package on first use.
    """

    def __init__(self, model=None, device: str = "cpu", precision: str = "auto"):
        _check_precision(precision)
        self._model = model
        self.device = device
        self.precision = precision
        self.texts_encoded = 0
        self.pieces_encoded = 0  # word pieces run through the model, [CLS] and [SEP] included (for the benchmark)
        self.seconds = 0.0

    @functools.cached_property
    def model(self):  # -> sentence_transformers.SentenceTransformer
        if callable(self._model) and not hasattr(self._model, "tokenizer"):
            return self._model()  # a loader: the build's model, loaded when first needed
        if self._model is not None:
            return self._model
        from kg.extract.embed import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(self.device).model

    @property
    def dtype_name(self) -> str:
        """The number format the layers run in: ``precision``, with ``auto`` resolved (:func:`auto_precision`)."""
        return auto_precision() if self.precision == "auto" else self.precision

    @functools.cached_property
    def layers(self) -> _Layers:
        """The model's layers as the packed forward pass runs them (:class:`_Layers`)."""
        import torch

        return _Layers(self.model[0].auto_model, getattr(torch, self.dtype_name))

    def encode(self, texts: Sequence[str], words: Sequence[list[tuple[str, int, int]]] | None = None) -> list[Encoded]:
        """Encode each text (split by :func:`words_of` unless ``words`` gives each text's words and spans),
        each window as if on its own, so that a text's vectors never depend on the other texts (module
        docstring)."""
        import torch

        started = time.perf_counter()
        st = self.model
        tokenizer = st.tokenizer
        words = [words_of(t) for t in texts] if words is None else list(words)
        windows = []  # (text index, word offset, piece ids, piece -> word index)
        for i, ws in enumerate(words):
            windows.extend(_windows(i, [w for w, _, _ in ws], tokenizer))
        with torch.inference_mode():
            outputs = _forward(st[0].auto_model, windows, self.layers)
        by_text: dict[int, list] = {}
        for j, window in enumerate(windows):
            by_text.setdefault(window[0], []).append((window, outputs[j]))
        result = [_assemble(words[i], by_text[i]) for i in range(len(texts))]
        self.texts_encoded += len(texts)
        self.pieces_encoded += sum(len(window[2]) for window in windows)
        self.seconds += time.perf_counter() - started
        return result


def _forward(bert, windows, layers: _Layers | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Last and second-to-last layer of each window (module docstring): BERT's layers (``layers``, made
    from ``bert`` when not given) on packs of windows, attention per window (torch's
    ``scaled_dot_product_attention``, unmasked, as for one window)."""
    import torch

    device = next(bert.parameters()).device
    budget = _PACK_PIECES if device.type == "cpu" else 1
    packs: list[list] = [[]]
    for window in windows:
        if packs[-1] and sum(len(w[2]) for w in packs[-1]) + len(window[2]) > budget:
            packs.append([])
        packs[-1].append(window)
    layers = layers or _Layers(bert)
    outputs = []
    for pack in packs:
        bounds = np.cumsum([0, *(len(w[2]) for w in pack)]).tolist()
        pad = max(_MIN_ROWS - bounds[-1], 0)  # rows of [PAD] that attend to nothing and are dropped
        ids = [i for w in pack for i in w[2]] + [bert.config.pad_token_id or 0] * pad
        positions = [p for w in pack for p in range(len(w[2]))] + list(range(pad))
        ids, positions = (torch.tensor([x], dtype=torch.long, device=device) for x in (ids, positions))
        h = bert.embeddings(input_ids=ids, position_ids=positions)[0]
        last, prev = layers(h, bounds)
        last, prev = last.float().cpu().numpy(), prev.float().cpu().numpy()
        outputs.extend((last[a:b], prev[a:b]) for a, b in zip(bounds, bounds[1:], strict=False))
    return outputs


class _Layers:
    """BERT's encoder layers as plain tensor calls on one pack (rows: word pieces of consecutive windows).

    The same arithmetic as ``BertLayer`` at inference (the same bytes, checked by the slow test in
    ``tests/test_tagger.py``), with each weight matrix stored transposed and contiguous, and the query, key
    and value matrices side by side: ``addmm`` then reads the weights in the order MKL multiplies them
    instead of repacking a transposed view on every call (about a tenth of the model's time), and one
    product gives all three. Each output element is the same dot product over the same inputs either way.
    Built once per encoder (:attr:`TokenEncoder.layers`); the model's own modules are left as they are
    (the sentence embedder runs them).
    """

    def __init__(self, bert, dtype=None):
        import torch

        self.dtype = dtype = dtype or torch.float32

        def dense(linear):
            return linear.weight.detach().t().contiguous().to(dtype), linear.bias.detach().to(dtype)

        def norm(module):
            return module.weight.detach().to(dtype), module.bias.detach().to(dtype), module.eps

        self.heads = bert.config.num_attention_heads
        self.layers = []
        for layer in bert.encoder.layer:
            a = layer.attention.self
            qkv = torch.cat([a.query.weight, a.key.weight, a.value.weight]).detach().t().contiguous().to(dtype)
            qkv_bias = torch.cat([a.query.bias, a.key.bias, a.value.bias]).detach().to(dtype)
            out, inner, final = layer.attention.output, layer.intermediate, layer.output
            self.layers.append(
                (
                    (qkv, qkv_bias),
                    a.scaling,
                    (*dense(out.dense), *norm(out.LayerNorm)),
                    (*dense(inner.dense), inner.intermediate_act_fn),
                    (*dense(final.dense), *norm(final.LayerNorm)),
                )
            )

    def __call__(self, h, bounds: list[int]):
        """(last layer, second-to-last layer) of the pack ``h`` (rows x dim); attention within each window
        ``bounds[i]:bounds[i + 1]``; rows past ``bounds[-1]`` (padding) attend to nothing and come back zero
        after attention."""
        import torch
        from torch.nn.functional import layer_norm, scaled_dot_product_attention

        h = h.to(self.dtype)
        rows, dim = h.shape
        size = dim // self.heads
        prev = h
        for (w_qkv, b_qkv), scaling, (w_o, b_o, *norm_o), (w_i, b_i, act), (w_f, b_f, *norm_f) in self.layers:
            qkv = torch.addmm(b_qkv, h, w_qkv)
            context = h.new_zeros(rows, self.heads, size)
            for a, b in zip(bounds, bounds[1:], strict=False):
                q, k, v = (qkv[a:b, i * dim : (i + 1) * dim].view(1, b - a, -1, size).transpose(1, 2) for i in range(3))
                context[a:b] = scaled_dot_product_attention(q, k, v, scale=scaling)[0].transpose(0, 1)
            attended = layer_norm(torch.addmm(b_o, context.view(rows, dim), w_o) + h, (dim,), *norm_o)
            inner = act(torch.addmm(b_i, attended, w_i))
            prev, h = h, layer_norm(torch.addmm(b_f, inner, w_f) + attended, (dim,), *norm_f)
        return h, prev


def _windows(index: int, words: list[str], tokenizer) -> list[tuple[int, int, list[int], list[int]]]:
    """Cut a text's words into windows of at most :data:`_MAX_PIECES` word pieces each."""
    pieces = _pieces(words, tokenizer)
    out, cur_ids, cur_map, offset = [], [], [], 0
    for w, ids in enumerate(pieces):
        ids = ids[:_MAX_PIECES] or [tokenizer.unk_token_id]
        if len(cur_ids) + len(ids) > _MAX_PIECES:
            out.append((index, offset, cur_ids, cur_map))
            cur_ids, cur_map, offset = [], [], w
        cur_ids.extend(ids)
        cur_map.extend([w - offset] * len(ids))
    if cur_ids or not out:
        out.append((index, offset, cur_ids, cur_map))
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    return [(i, off, [cls, *ids, sep], [-1, *m, -1]) for i, off, ids, m in out]


def _pieces(words: list[str], tokenizer) -> list[list[int]]:
    """Each word's word-piece ids, as ``tokenizer(words, add_special_tokens=False)`` gives them (each word on
    its own), in one call of the Rust tokenizer over the pre-split words: the Python wrapper's per-word
    bookkeeping cost twice the tokenizing (bundled corpus: 1.9 -> 0.6 CPU s, the same ids). Falls back to
    the wrapper while the backend holds truncation or padding settings that another caller left."""
    if not words:
        return []
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None or backend.truncation is not None or backend.padding is not None:
        return tokenizer(words, add_special_tokens=False, is_split_into_words=False)["input_ids"]
    encoding = backend.encode(words, is_pretokenized=True, add_special_tokens=False)
    out: list[list[int]] = [[] for _ in words]
    for piece, word in zip(encoding.ids, encoding.word_ids, strict=True):
        out[word].append(piece)
    return out


def _assemble(words: list[tuple[str, int, int]], parts) -> Encoded:
    """Word vectors (mean over each word's pieces) and the paper vector (mean over all pieces).

    A word's pieces are consecutive in its window, so each word's sum is one ``reduceat`` segment (in
    float64, row after row: the sums ``np.add.at`` gave, at a tenth of its cost)."""
    n = len(words)
    dim = parts[0][1][0].shape[1]
    last_sum = np.zeros((n, dim), dtype=np.float64)
    prev_sum = np.zeros((n, dim), dtype=np.float64)
    count = np.zeros(n, dtype=np.float64)
    doc = np.zeros(dim, dtype=np.float64)
    pieces = 0
    for (_, offset, _ids, mapping), (last, prev) in parts:
        idx = np.asarray(mapping[1:-1])  # [CLS] and [SEP] belong to no word
        if len(idx):
            starts = np.flatnonzero(np.r_[True, idx[1:] != idx[:-1]])
            rows = idx[starts] + offset
            last_sum[rows] = np.add.reduceat(last[1:-1].astype(np.float64), starts, axis=0)
            prev_sum[rows] = np.add.reduceat(prev[1:-1].astype(np.float64), starts, axis=0)
            count[rows] = np.diff(np.r_[starts, len(idx)])
        doc += last.sum(axis=0)
        pieces += len(last)
    count = np.maximum(count, 1.0)[:, None]
    states = (last_sum / count).astype(np.float32)
    features = np.concatenate([states, (prev_sum / count).astype(np.float32)], axis=1)
    doc /= max(pieces, 1)
    norm = float(np.linalg.norm(doc))
    return Encoded(
        tuple((s, e) for _, s, e in words), features, states, (doc / norm if norm else doc).astype(np.float32)
    )
