"""The per-paper stage: a pure function from a paper to its :class:`PaperResult`.

A build runs in two steps. The **map** step computes, for each paper on its own, everything that depends
on that paper alone (today: its KeyBERT-ranked phrases); it can run anywhere (in this process, on Dask
workers, see :mod:`kg.engine`) and its results are kept between builds (:mod:`kg.paper_results`), so a
later build extracts only papers it has not seen. The **reduce** step (:func:`kg.extract.entities.extract_entities`)
then runs the corpus-wide steps over all results: acronyms across papers, typing, merging, links.

The contract for any per-paper extractor plugged in here (KeyBERT now, a trained tagger later):

- ``PaperStage(papers)`` returns one :class:`PaperResult` per paper, in order;
- each result depends only on that paper's title and abstract: never on the other papers of the call,
  on the paper's key or listings, nor on how papers were batched or partitioned. That is what makes
  partitioned, distributed and incremental builds byte-identical to a single in-process build;
- :meth:`PaperStage.fingerprint` changes whenever the results could change (model, code, options), so
  stored results made by another extractor are never reused;
- the stage pickles (the model is dropped and reloaded lazily where it is unpickled), so it can be sent to
  a worker once and set up there.

Examples
--------
>>> from kg.extract.embed import Embedder
>>> class Toy(Embedder):
...     model_id = "toy"
...     dim = 2
...     def _embed(self, texts): return np.array([[len(t), 1.0] for t in texts])
>>> stage = PaperStage(Toy(), RankingOptions(top_n=2))
>>> [r.phrases[0].text for r in stage([Paper("p", "GPipe: Pipeline Parallelism", "We introduce GPipe.")])]
['Pipeline Parallelism']
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np  # noqa: F401 (used by the doctest)

from kg.extract.embed import Embedder
from kg.extract.keyphrases import RankingOptions, rank
from kg.model import Paper, Phrase

#: libraries whose version can change a per-paper result
_LIBRARIES = ("keybert", "sentence-transformers", "torch", "scikit-learn", "lemminflect", "numpy")


@dataclass(frozen=True)
class PaperResult:
    """What one paper contributes on its own: its ranked phrases, best first; with ``--extractor tagger``
    (:mod:`kg.extract.tagged`) also the tagger's vote per phrase (``(phrase, "Method" | "Task" | "Material"
    | "")``) and the scored ``(method phrase, task phrase, probability, sentence)`` pairs."""

    phrases: tuple[Phrase, ...]
    votes: tuple[tuple[str, str], ...] = ()
    pairs: tuple[tuple[str, str, float, str], ...] = ()


@dataclass(frozen=True)
class PaperStage:
    """The map step: ranks each paper's candidate phrases with ``embedder`` (see the module docstring)."""

    embedder: Embedder
    ranking: RankingOptions = RankingOptions()

    def __call__(self, papers: Sequence[Paper], progress: Callable[[int], None] | None = None) -> list[PaperResult]:
        ranked = rank(papers, self.embedder, self.ranking, progress=progress)
        return [PaperResult(tuple(ranked[p.key])) for p in papers]

    def fingerprint(self) -> str:
        """SHA-256 over what a result depends on: the model, the ranking options, the extraction code and
        the versions of the libraries it runs on."""
        return stage_fingerprint(self.embedder.model_id, self.ranking)


def stage_fingerprint(*parts: object) -> str:
    """SHA-256 over ``parts`` (a stage's model and options), the extraction code and the library versions."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256()

    def put(part: object) -> None:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8")
        h.update(len(data).to_bytes(8, "little") + data)

    for part in parts:
        put(part)
    for lib in _LIBRARIES:
        try:
            put((lib, version(lib)))
        except PackageNotFoundError:
            put((lib, None))
    package = Path(__file__).parent.parent
    for f in sorted([*package.glob("extract/*.py"), package / "model.py"]):
        put(f.relative_to(package).as_posix())
        put(f.read_bytes())
    return h.hexdigest()
