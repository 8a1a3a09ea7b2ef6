"""Type a phrase as Method, Task or Hardware, or leave it an untyped keyphrase.

In order, the first rule that fires decides:

1. generic words (``method``, ``approach``, ``performance`` ...) are never entities;
2. the vocabulary (``ontology/vocab-*.ttl``): the phrase, or the phrase without its leading modifiers
   (``multilingual neural machine translation`` -> ``neural machine translation``), is a concept;
3. head-noun rules: ``... generation``, ``... recognition``, ``... answering``, ``... tasks`` are tasks;
   ``... attention``, ``... distillation``, ``... quantization`` are methods;
4. names (``GPipe``, ``Qwen2-72B``, ``SpQR``): a method, unless they read as a dataset or benchmark;
5. embedding prototypes: the nearest method or task label of the vocabulary decides, if similar enough
   (``threshold``);
6. otherwise an untyped keyphrase (``EntityType.KEYPHRASE``).

Examples
--------
>>> from kg.extract.vocabulary import load_vocabulary
>>> c = Classifier(load_vocabulary())
>>> [c.classify(p).type.value for p in ["LoRA", "image captioning", "speculative decoding", "GPipe"]]
['Method', 'Task', 'Method', 'Method']
>>> c.classify("performance") is None, c.classify("ImageNet-2012").type.value
(True, 'Keyphrase')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kg.extract.embed import Embedder
from kg.extract.normalize import is_name, label_key
from kg.extract.text import GENERIC, is_generic
from kg.extract.vocabulary import Concept, Vocabulary
from kg.model import EntityType

__all__ = ["GENERIC", "Classifier", "Typing", "is_generic", "strip_generic_tail"]

#: head nouns that make a phrase a task (the last word)
TASK_HEADS = frozenset(
    """generation recognition answering classification detection segmentation translation summarization
    retrieval reasoning prediction forecasting estimation understanding tracking captioning parsing tagging
    extraction completion editing reconstruction localization navigation recommendation ranking reranking
    re-ranking synthesis inpainting super-resolution denoising restoration matching alignment grounding
    comprehension labeling labelling modeling modelling search planning control manipulation diagnosis
    discovery verification identification spotting counting transcription dialogue conversation
    question-answering qa""".split()
)

#: head nouns that make a phrase a method (the last word)
METHOD_HEADS = frozenset(
    """attention distillation quantization quantisation pruning tuning fine-tuning finetuning pre-training
    pretraining training learning network networks transformer encoder decoder autoencoder algorithm
    architecture optimization optimisation regularization normalization sampling decoding embedding embeddings
    adapter adapters adaptation layer loss parallelism caching cache scheduling compression augmentation
    prompting prompt distillation sparsification factorization decomposition merging routing gating
    initialization dropout convolution pooling backpropagation descent optimizer estimator tokenizer
    tokenization retriever classifier regression clustering kernel diffusion gan vae rnn lstm cnn mlp
    offloading checkpointing partitioning sharding batching speculative ensemble ensembling search-free
    guidance splatting inference-time fine-tuned""".split()
)

#: head nouns of a thing built to do a task (a "language understanding system", a "dependency parser"): the
#: phrase names the thing, a Method, however much of it names the task
ARTIFACT_HEADS = frozenset(
    """system model parser engine network algorithm architecture encoder decoder classifier recognizer tagger
    estimator transformer backbone""".split()
)

#: words that mark a name as data, not a method (ImageNet-2012, GLUE benchmark, MMLU)
_DATA_WORDS = re.compile(
    r"bench|dataset|corpus|imagenet|glue|squad|mmlu|coco|arena|eval\b|score\b|flops?\b|QA$|\d+(?:\.\d+)?[KMGT]B$|"
    r"^(?:NDCG|BLEU|ROUGE|FID|mAP|AUC|MRR|WER|CER|PSNR|SSIM|LPIPS|F1|TFLOPS|GFLOPs|MFU|API|APIs|URL|GitHub)\b|"
    r"\b(?:m?IoU|AP(?:50|75)?|top-[15])$",  # a detection or segmentation score: "box AP", "mIoU"
    re.I,
)


#: generic head words dropped from the end of a phrase ("question-answering tasks" -> "question-answering")
GENERIC_TAILS = frozenset(
    """task method approach framework technique strategy paradigm setting problem pipeline module scheme
    mechanism solution tool toolkit library family variant stage procedure methodology formulation
    objective protocol recipe""".split()
)


#: generic head words that still say the phrase is a task ("VL tasks" is a task, whatever "VL" is)
TASK_KINDS = frozenset({"task", "problem"})


def strip_generic_tail(phrase: str) -> str:
    """Drop generic head words from the end of a phrase, keeping at least one word.

    >>> strip_generic_tail("short-answer question-answering tasks"), strip_generic_tail("framework")
    ('short-answer question-answering', 'framework')
    """
    words = phrase.split()
    while len(words) > 1 and label_key(words[-1]) in GENERIC_TAILS:
        words.pop()
    return " ".join(words)


@dataclass(frozen=True)
class Typing:
    """The type of a phrase, the vocabulary concept it matched (if any), and the rule that decided."""

    type: EntityType
    concept: Concept | None
    rule: str


_BLOCK = 4096  # phrases typed per embedding call


class Classifier:
    """Applies the rules of the module docstring; ``embedder`` enables the prototype rule."""

    def __init__(self, vocabulary: Vocabulary, embedder: Embedder | None = None, threshold: float = 0.8):
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        self.vocabulary = vocabulary
        self.embedder = embedder
        self.threshold = threshold
        self._proto_labels: list[tuple[str, Concept]] = []
        self._proto: np.ndarray | None = None
        # rules 1-4 depend only on the phrase and the vocabulary: a build types each distinct phrase once
        self._typed: dict[str, Typing | None] = {}

    def lookup(self, phrase: str) -> Concept | None:
        """The vocabulary concept of the phrase or of its right-anchored tail (>= half of its words)."""
        key = label_key(phrase)
        c = self.vocabulary.lookup_key(key)
        if c is not None:
            return c
        words = key.split()
        for i in range(1, len(words)):
            if (len(words) - i) * 2 < len(words):
                break
            c = self.vocabulary.lookup_key(" ".join(words[i:]))
            if c is not None and c.type is not EntityType.HARDWARE:
                return c
        return None

    def classify(self, phrase: str) -> Typing | None:
        """Type one phrase by rules 1-4 (no embeddings); None when the phrase is generic."""
        if phrase not in self._typed:
            self._typed[phrase] = self._classify(phrase)
        return self._typed[phrase]

    def _classify(self, phrase: str) -> Typing | None:
        if is_generic(phrase):
            return None
        c = self.lookup(phrase)
        if c is not None:
            return Typing(c.type, c, "vocabulary")
        words = label_key(phrase).split()
        head = words[-1]
        if (head in TASK_HEADS or head in TASK_KINDS) and len(words) > 1:
            return Typing(EntityType.TASK, None, "head")
        if head in METHOD_HEADS and len(words) > 1:
            return Typing(EntityType.METHOD, None, "head")
        if is_name(phrase) and len(words) <= 3 and head not in GENERIC:
            if _DATA_WORDS.search(phrase) or re.search(r"\d{4}$", phrase):
                return Typing(EntityType.KEYPHRASE, None, "data-name")
            return Typing(EntityType.METHOD, None, "name")
        return Typing(EntityType.KEYPHRASE, None, "none")

    def classify_many(self, phrases: Sequence[str]) -> list[Typing | None]:
        """Rules 1-5: phrases that rules 1-4 leave untyped go to the embedding prototypes."""
        out = [self.classify(p) for p in phrases]
        todo = [i for i, t in enumerate(out) if t is not None and t.rule == "none"]
        if todo and self.embedder is not None and len(self.vocabulary):
            proto = self._prototypes()
            for k in range(0, len(todo), _BLOCK):  # in blocks: memory stays flat however many phrases
                part = todo[k : k + _BLOCK]
                sims = self.embedder.embed([phrases[i] for i in part]) @ proto.T
                best = sims.argmax(axis=1)
                for i, j, s in zip(part, best, sims[np.arange(len(part)), best], strict=True):
                    if s >= self.threshold:
                        out[i] = Typing(self._proto_labels[j][1].type, None, "prototype")
        return out

    def _prototypes(self) -> np.ndarray:
        if self._proto is None:
            # Methods and tasks only: hardware is found by its own scanner (kg.extract.hardware)
            self._proto_labels = [
                (lab, c) for c in self.vocabulary if c.type is not EntityType.HARDWARE for lab in c.labels
            ]
            self._proto = self.embedder.embed([lab for lab, _ in self._proto_labels])
        return self._proto
