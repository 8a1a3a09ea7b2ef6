"""Names a paper uses as data: benchmarks, datasets and corpora, told by the words around them.

A name alone rarely says whether it is a model or a benchmark (``ADE20K``, ``RULER``, ``HumSet`` read like
method names), but the sentence does. A name is used as data when it is

- an item of a bracketed list after "datasets" / "benchmarks" / "corpora" / "suites":
  "three benchmarks (GLUE, SuperGLUE, and HumSet)";
- followed by an apposition that calls it one: "MultiMedQA, a benchmark combining six datasets",
  "RULER, a suite of tasks";
- what a task, a score or an evaluation is "on": "semantic segmentation on ADE20K", "59.7 mIoU on ADE20K",
  "we evaluate our methods on RULER", "trained on C4".

Not supported: data named without such a cue ("ImageNet" alone is left to the name rules,
:func:`kg.extract.tagged.is_dataset_name`), and names of more than two words.

Examples
--------
>>> sorted(data_names("Experiments on three benchmarks (GLUE, SuperGLUE, and HumSet) show gains."))
['GLUE', 'HumSet', 'SuperGLUE']
>>> sorted(data_names("We present MultiMedQA, a benchmark combining six datasets."))
['MultiMedQA']
>>> sorted(data_names("It reaches 60.0 box AP on MS COCO and semantic segmentation on ADE20K."))
['ADE20K', 'MS COCO']
>>> sorted(data_names("Our model is based on LLaMA-2 and built on Mamba."))
[]
"""

from __future__ import annotations

import re

from kg.extract.classify import TASK_HEADS
from kg.extract.normalize import is_name

__all__ = ["data_names"]

#: one or two capitalized words, no sentence's full stop ("MS COCO", "ADE20K", not "StrategyQA 58.9")
_NAME = r"[A-Z][\w+-]*(?:\.[\w+-]+)*(?:[ ][A-Z][\w+-]*(?:\.[\w+-]+)*)?"
_LIST = re.compile(r"\b(?:datasets?|benchmarks?|corpora|corpus|suites?)\s*\(([^()]{1,400})\)", re.I)
_APPOSITION = re.compile(
    rf"({_NAME}),\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,3}}?(?:benchmark|dataset|data set|suite|corpus|collection)s?\b"
)
_ON = re.compile(
    r"(?:\d%?\s+(?:[\w-]+\s+){0,2}"  # a score: "59.7 mIoU on", "60.0 box AP on"
    r"|\b(?:evaluat\w*|experiments?|results?|performance|accuracy|(?:pre-?)?trained|fine-?tuned|tested|"
    r"benchmarked)(?:\s+[\w-]+){0,4}?\s+"  # an evaluation: "we evaluate our methods on"
    rf"|\b(?:{'|'.join(sorted(TASK_HEADS))})\s+)"  # a task: "semantic segmentation on"
    rf"on\s+(?:the\s+)?({_NAME})"
)
_ITEM_SPLIT = re.compile(r",|;|\band\b")


def data_names(text: str) -> set[str]:
    """The names ``text`` uses as data (see the module docstring), as written."""
    found = [m.group(1) for m in _APPOSITION.finditer(text)] + [m.group(1) for m in _ON.finditer(text)]
    for m in _LIST.finditer(text):
        for item in _ITEM_SPLIT.split(m.group(1)):
            name = re.match(_NAME, item.strip())
            if name:
                found.append(name.group())
    return {n for n in found if is_name(n)}
