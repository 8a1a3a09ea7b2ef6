"""Document-level method -> task links: what a paper proposes is used for the tasks the paper addresses.

The relation classifier (:mod:`kg.extract.relations`) learned SciERC's USED-FOR, a relation between two
mentions of one sentence. A paper's main claim is made at the level of the document: the title names the
contribution ("GroupMamba: Parameter-Efficient and Accurate Group Visual State Space Model") and the
abstract introduces it ("we introduce GPipe, a pipeline parallelism library"), often sentences away from
the tasks it is evaluated on ("... on image classification, object detection and segmentation"). So the
method a paper proposes is linked to the paper's tasks:

- the method: a name :func:`kg.extract.entities.proposed_names` found (the name before the colon of the
  title, or one a "we propose / introduce / present" sentence introduces); with ``methods="title-first"``
  (the default) the title's name alone when the title has one (what the abstract introduces beside it is
  mostly a component of it: "a Modulated Group Mamba layer"); a name given by "called X" in a sentence
  without a proposal ("a model called LLaVA") is no proposal, nor is one an apposition calls data
  ("MultiMedQA, a benchmark");
- the tasks, by ``scope``: ``"all"`` the paper's Task entities (the default), ``"title"`` those the title
  names, ``"proposal"`` those the title or the proposal's sentence names.

Each link keeps the sentence that introduces the method (the title for a title name) as its evidence,
and :attr:`kg.model.LinkEvidence.PROPOSAL` as its kind, so a reader can tell it from a classifier link. A
paper that proposes no named method gets no such link. ``bench/doc_links.py`` measures the variants on
both dev sets (numbers in the README).

Examples
--------
>>> from kg.model import Entity, EntityType, Mention, Paper, Relation
>>> paper = Paper("p", "GPipe: Pipeline Parallelism for Image Classification", "We introduce GPipe.")
>>> ents = (Entity("m", "GPipe", EntityType.METHOD), Entity("t", "image classification", EntityType.TASK))
>>> ments = (
...     Mention("p", "m", Relation.PROPOSES_METHOD, 0.0, paper.title, "GPipe", "proposal"),
...     Mention("p", "t", Relation.ADDRESSES_TASK, 0.5, paper.title, "image classification", "tagger"),
... )
>>> [(pl.method, pl.task, pl.sentence) for pl in proposal_links([paper], ents, ments)]
[('m', 't', 'GPipe: Pipeline Parallelism for Image Classification')]
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kg.extract.text import has_words
from kg.model import Entity, EntityType, LinkEvidence, Mention, MethodTaskLink, Paper, Relation
from kg.params import check_choice

__all__ = ["SCOPES", "ProposalLink", "near_best_per_task", "proposal_links", "with_proposals"]

SCOPES = ("title", "proposal", "all")


@dataclass(frozen=True)
class ProposalLink:
    """One paper's evidence that the method it proposes is used for one of its tasks."""

    paper: str  # Paper.key
    method: str  # Entity.id
    task: str  # Entity.id
    sentence: str  # the sentence that introduces the method (the title for a title name)


def _names(text: str, surface: str) -> bool:
    """Whether ``text`` contains ``surface`` as whole words, ignoring case."""
    return bool(surface) and has_words(text.lower(), surface.lower())


#: a sentence in which the authors propose something ("called X" alone as often names an existing model)
_PROPOSES = re.compile(
    r"\b(?:we|this (?:paper|work)|here,? we)\s+(?:(?:further|also|then|first)\s+)?"
    r"(?:propose|introduce|present|develop|design|build)s?\b",
    re.I,
)
#: what an apposition says a name is, when it is data: "MultiMedQA, a benchmark combining ..."
_DATA_APPOSITION = r",?\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?(?:benchmark|dataset|data set|corpus|suite)s?\b"


def proposal_links(
    papers: Iterable[Paper],
    entities: Sequence[Entity],
    mentions: Sequence[Mention],
    scope: str = "title",
    methods: str = "title-first",
    narrowest: bool = False,
) -> list[ProposalLink]:
    """The links of the module docstring, per paper, in paper, method and task order.

    ``methods``: ``"any"`` proposal, or ``"title-first"``: the title's name when there is one, else the
    abstract's proposals; ``narrowest``: a task that is a broader concept of another task of the paper
    ("computer vision" beside "image classification") is the field, not a task the method is for.
    """
    check_choice("proposal_scope", scope, SCOPES)
    by_id = {e.id: e for e in entities}
    proposals: dict[str, list[Mention]] = {}
    tasks: dict[str, list[Mention]] = {}
    for m in mentions:
        kind = by_id[m.entity].type if m.entity in by_id else None
        if m.relation is Relation.PROPOSES_METHOD and kind is EntityType.METHOD:
            proposals.setdefault(m.paper, []).append(m)
        elif kind is EntityType.TASK:
            tasks.setdefault(m.paper, []).append(m)
    out = []
    for paper in papers:
        found = [m for m in proposals.get(paper.key, ()) if _is_proposal(paper, m)]
        if methods == "title-first" and any(m.sentence == paper.title for m in found):
            found = [m for m in found if m.sentence == paper.title]
        targets = tasks.get(paper.key, [])
        if narrowest:
            fields = {b for t in targets for b in by_id[t.entity].broader}
            targets = [t for t in targets if t.entity not in fields]
        for proposal in sorted(found, key=lambda m: m.entity):
            for task in sorted(targets, key=lambda m: m.entity):
                if _in_scope(paper, proposal, task, scope):
                    out.append(ProposalLink(paper.key, proposal.entity, task.entity, proposal.sentence))
    return out


def _is_proposal(paper: Paper, proposal: Mention) -> bool:
    """A name the paper proposes: its title's, or one a sentence in which the authors propose something
    introduces, unless an apposition says it is data (a benchmark is no method)."""
    if proposal.sentence == paper.title:
        return True
    data = re.search(re.escape(proposal.surface) + _DATA_APPOSITION, proposal.sentence, re.I)
    return _PROPOSES.search(proposal.sentence) is not None and data is None


def _in_scope(paper: Paper, proposal: Mention, task: Mention, scope: str) -> bool:
    """Whether ``task`` is a task the method of ``proposal`` is for, under ``scope``."""
    if scope == "all" or _names(paper.title, task.surface):
        return True
    return scope == "proposal" and _names(proposal.sentence, task.surface)


def with_proposals(links: Sequence[MethodTaskLink], proposals: Sequence[ProposalLink]) -> tuple[MethodTaskLink, ...]:
    """The classifier's ``links`` and the ``proposals``, one link per (method, task): its papers are both
    kinds' supporting papers, its score and sentence the classifier's when it scored the pair (else no
    score, and the first paper's proposal sentence), its evidence the kinds that support it."""
    by_pair = {(k.method, k.task): k for k in links}
    papers: dict[tuple[str, str], set[str]] = defaultdict(set)
    sentence: dict[tuple[str, str], str] = {}
    for pl in sorted(proposals, key=lambda pl: (pl.method, pl.task, pl.paper)):
        papers[pl.method, pl.task].add(pl.paper)
        sentence.setdefault((pl.method, pl.task), pl.sentence)
    out = []
    for pair in sorted(by_pair.keys() | papers.keys()):
        old = by_pair.get(pair)
        if pair not in papers:
            out.append(old)
            continue
        kinds = (LinkEvidence.CLASSIFIER, LinkEvidence.PROPOSAL) if old else (LinkEvidence.PROPOSAL,)
        support = tuple(sorted(papers[pair] | set(old.papers if old else ())))
        score, sent = (old.score, old.sentence) if old else (None, sentence[pair])
        out.append(MethodTaskLink(*pair, support, score, sent, kinds))
    return tuple(out)


def near_best_per_task(
    pairs: Sequence[tuple[str, str, float, str]], margin: float | None
) -> list[tuple[str, str, float, str]]:
    """Of one paper's scored ``(method, task, score, sentence)`` phrase pairs, those within ``margin`` of the
    best score of their task phrase (None: all). An abstract names what a task is solved with once, by one
    method or a few alternatives; the other methods of its sentences are parts, baselines or data, which the
    classifier scores lower for that task. Cross-validated on SciERC train (``bench/relations_cv.py``, level
    ``task-best-.1``): phrase-pair P / R / F1 .534 / .571 / .549 -> .565 / .562 / .561.

    >>> near_best_per_task([("A", "t", 0.9, ""), ("B", "t", 0.85, ""), ("C", "t", 0.7, "")], 0.1)
    [('A', 't', 0.9, ''), ('B', 't', 0.85, '')]
    """
    if margin is None:
        return list(pairs)
    top: dict[str, float] = defaultdict(float)
    for _, task, score, _ in pairs:
        top[task] = max(top[task], score)
    return [pair for pair in pairs if pair[2] >= top[pair[1]] - margin]
