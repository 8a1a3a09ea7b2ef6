"""Read SciERC (Luan et al., EMNLP 2018) for training the tagger and the relation classifier.

The format (one JSON document a line): ``sentences`` (token lists), ``ner`` (per sentence,
``[start, end, type]`` with inclusive document token offsets), ``relations`` (per sentence,
``[s1, e1, s2, e2, type]``) and ``clusters`` (coreference: lists of ``[start, end]``).

What the project learns from it:

- entity types ``Method``, ``Task`` and ``Material``; ``Material`` is SciERC's type for data of any kind
  (datasets and corpora, but also "images", "English", "noisy speech"), so the tagger learns it as
  ``Material`` and the extraction keeps a Material span as a :class:`~kg.model.EntityType` ``Dataset`` only
  when it reads as a named dataset (:func:`kg.extract.tagged.is_dataset_name`). ``Metric``,
  ``OtherScientificTerm`` and ``Generic`` are outside (``O``);
- ``USED-FOR`` relations from a Method to a Task, widened by coreference: when a mention of the method's
  cluster is used for a mention of the task's cluster, every pair of their mentions counts. This is how
  ``../shared/bench/scierc_dev.jsonl`` reads its ``method_task`` gold too.

Only the training and development files are read; the project never reads SciERC's test split.

Examples
--------
>>> line = ('{"doc_key": "d", "sentences": [["We", "use", "CRFs", "for", "NER", "."]], "clusters": [],'
...         ' "ner": [[[2, 2, "Method"], [4, 4, "Task"]]], "relations": [[[2, 2, 4, 4, "USED-FOR"]]]}')
>>> doc = parse_document(line)
>>> doc.entities, sorted(doc.used_for)
(((2, 3, 'Method'), (4, 5, 'Task')), [((2, 3), (4, 5))])
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError

__all__ = ["TYPES", "Document", "parse_document", "read_scierc"]

#: the span types the tagger learns, in tag order
TYPES = ("Method", "Task", "Material")

#: PTB bracket tokens back to the characters our tokenizer produces
_PTB = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}", "``": '"', "''": '"'}

Span = tuple[int, int]  # word offsets, end exclusive


@dataclass(frozen=True)
class Document:
    """A SciERC abstract: its words, sentence spans, typed entity spans and Method -> Task USED-FOR pairs."""

    key: str
    words: tuple[str, ...]
    sentences: tuple[Span, ...]
    entities: tuple[tuple[int, int, str], ...]
    used_for: frozenset[tuple[Span, Span]]

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def word_spans(self) -> list[tuple[str, int, int]]:
        """The words with character spans in :attr:`text` (for :meth:`kg.extract.tokens.TokenEncoder.encode`)."""
        out, pos = [], 0
        for w in self.words:
            out.append((w, pos, pos + len(w)))
            pos += len(w) + 1
        return out


def parse_document(line: str) -> Document:
    """One SciERC line as a :class:`Document` (types outside :data:`TYPES` dropped)."""
    raw = json.loads(line)
    words, sents = [], []
    for sent in raw["sentences"]:
        sents.append((len(words), len(words) + len(sent)))
        words.extend(_PTB.get(w, w) for w in sent)
    types: dict[Span, str] = {}
    for sent in raw["ner"]:
        for s, e, t in sent:
            types[s, e + 1] = t
    entities = tuple(sorted((s, e, t) for (s, e), t in types.items() if t in TYPES))
    cluster_of: dict[Span, list[Span]] = {}
    for cluster in raw.get("clusters", []):
        spans = [(s, e + 1) for s, e in cluster]
        for span in spans:
            cluster_of[span] = spans
    pairs = set()
    for sent in raw["relations"]:
        for s1, e1, s2, e2, rel in sent:
            a, b = (s1, e1 + 1), (s2, e2 + 1)
            if rel != "USED-FOR" or types.get(a) != "Method" or types.get(b) != "Task":
                continue
            for m in cluster_of.get(a, [a]):
                for t in cluster_of.get(b, [b]):
                    if types.get(m) == "Method" and types.get(t) == "Task":
                        pairs.add((m, t))
    return Document(str(raw.get("doc_key", "")), tuple(words), tuple(sents), entities, frozenset(pairs))


def read_scierc(path: str | Path) -> Iterator[Document]:
    """The documents of a SciERC JSON-lines file; a malformed line is an error naming file and line."""
    path = Path(path)
    if "test" in path.name:
        raise InputError(str(path), "SciERC's test split is held out: the project never reads it")
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                yield parse_document(line)
            except (ValueError, KeyError, TypeError) as exc:
                raise InputError(str(path), f"not a SciERC document ({exc})", line=n) from exc
