"""Acronym definitions found with the Schwartz-Hearst algorithm.

Schwartz & Hearst (2003), "A simple algorithm for identifying abbreviation definitions in biomedical
text": for each ``long form (SF)`` pattern, the short form's characters are matched right to left against
the words before the parenthesis; the first character of the short form must start a word. Across the
corpus each short form keeps its most frequent long form.

Examples
--------
>>> find_definitions("We use Low-Rank Adaptation (LoRA) and reinforcement learning from human feedback (RLHF).")
[('Low-Rank Adaptation', 'LoRA'), ('reinforcement learning from human feedback', 'RLHF')]
>>> find_definitions("chain-of-thought (CoT) prompts for large language models (LLMs)")
[('chain-of-thought', 'CoT'), ('large language models', 'LLMs')]
>>> find_definitions("various PEFT methods, including LoRA, (IA)^3, and prompt tuning")
[]
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

_PAREN = re.compile(r"\(([^()]{1,12})\)")


def _valid_short_form(sf: str) -> bool:
    return (
        2 <= len(sf) <= 10
        and len(sf.split()) <= 2
        and sf[0].isalnum()
        and any(c.isalpha() for c in sf)
        and any(c.isupper() for c in sf)
    )


def _match_long_form(sf: str, words_before: str) -> str | None:
    """Schwartz-Hearst: the shortest long form ending at the parenthesis that contains SF's characters."""
    core = re.sub(r"s$", "", sf) if len(sf) > 2 and sf[-1] == "s" and sf[-2].isupper() else sf
    chars = [c.lower() for c in core if c.isalnum()]
    lf = words_before.rstrip()
    s_i, l_i = len(chars) - 1, len(lf) - 1
    while s_i >= 0:
        c = chars[s_i]
        while l_i >= 0 and (lf[l_i].lower() != c or (s_i == 0 and l_i > 0 and lf[l_i - 1].isalnum())):
            l_i -= 1
        if l_i < 0:
            return None
        s_i -= 1
        l_i -= 1
    start = lf.rfind(" ", 0, l_i + 2) + 1
    long_form = lf[start:].strip()
    n_words = len(long_form.split())
    if not long_form or n_words > min(len(core) + 5, len(core) * 2) or long_form.lower() == sf.lower():
        return None
    return long_form


def find_definitions(text: str) -> list[tuple[str, str]]:
    """``(long form, short form)`` pairs defined in ``text``, in order."""
    out = []
    for m in _PAREN.finditer(text):
        sf = m.group(1).strip()
        if not _valid_short_form(sf):
            continue
        before = text[: m.start()]
        # a long form never crosses a clause boundary nor a comma ("methods, including LoRA, (IA)^3" lists names)
        cut = max(before.rfind(ch) for ch in ".;:,()[]")
        window = " ".join(before[cut + 1 :].split()[-(len(sf) * 2 + 5) :])
        lf = _match_long_form(sf, window)
        if lf:
            out.append((lf, sf))
    return out


def corpus_acronyms(texts: Iterable[str]) -> dict[str, str]:
    """Short form -> most frequent long form over a corpus (ties: alphabetical, so deterministic)."""
    return most_frequent_long_forms(find_definitions(text) for text in texts)


def most_frequent_long_forms(definitions: Iterable[Iterable[tuple[str, str]]]) -> dict[str, str]:
    """:func:`corpus_acronyms` from each text's :func:`find_definitions`, found earlier (an incremental
    build keeps them per paper, :mod:`kg.paper_results`)."""
    seen: dict[str, Counter] = defaultdict(Counter)
    for found in definitions:
        for lf, sf in found:
            seen[sf][lf] += 1
    return {sf: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for sf, c in sorted(seen.items())}
