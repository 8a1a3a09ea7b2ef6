"""Audit the vocabulary's own altLabels with the alias rule of :mod:`kg.extract.aliases`.

Each ``skos:altLabel`` of ``ontology/vocab-*.ttl`` must be a true synonym of its concept's prefLabel (or
of another label that is one), or be listed in ``ontology/alias-exceptions.tsv`` (concept local name,
altLabel, reason). ``--apply`` rewrites the files: a failing altLabel that names something (a variant,
a member of the family: "A100 80GB" under A100, "DyLoRA" under low-rank adaptation) becomes its own
concept with ``skos:broader`` the former concept, keeping those of its sibling labels that are its
synonyms as its own altLabels; one with a verb or made only of generic words is dropped. Without
``--apply`` it prints the count of failing altLabels and exits 1 when there are any.

Hardware labels are also synonyms when the hardware scanner's context rule reads them as the same product
(vendor or series in front, a class noun after: "NVIDIA Tesla V100 GPU" for "V100",
:func:`kg.extract.hardware.alias_kind`). A hardware altLabel that adds a memory size or form factor
("A100 80GB", "H100 SXM") is dropped, not made a concept: the scanner folds it into the model's mention
on purpose (hardware is counted by model), so the label is not needed to find it and is not a synonym.

Usage:
    python bench/vocab_alias_audit.py [--apply]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.extract.aliases import has_verb, is_synonym  # noqa: E402
from kg.extract.hardware import alias_kind  # noqa: E402
from kg.extract.text import is_generic  # noqa: E402
from kg.extract.vocabulary import Concept, load_vocabulary, vocabulary_files  # noqa: E402
from kg.model import EntityType  # noqa: E402
from kg.namespace import ONTOLOGY_DIR, VOCAB, slug  # noqa: E402

EXCEPTIONS = ONTOLOGY_DIR / "alias-exceptions.tsv"
AUDITED = {"vocab-methods.ttl": "kg:Method", "vocab-tasks.ttl": "kg:Task", "vocab-hardware.ttl": "kg:Hardware"}
_LOCAL = re.compile(r"[a-z0-9](?:[a-z0-9-]|\.(?=[a-z0-9]))*")


def audited(vocab) -> list[Concept]:
    """The concepts whose altLabels the rule applies to: methods, tasks and hardware."""
    return [c for c in vocab if c.type in (EntityType.METHOD, EntityType.TASK, EntityType.HARDWARE)]


def same_thing(concept: Concept, name: str, alias: str) -> bool:
    """``alias`` names what ``name`` names: the alias rule, and for hardware also the scanner's context rule."""
    if is_synonym(name, alias):
        return True
    return concept.type is EntityType.HARDWARE and "synonym" in (alias_kind(name, alias), alias_kind(alias, name))


def folded_variant(concept: Concept, label: str) -> bool:
    """A hardware label the scanner folds into the concept's mention although it is a variant ("A100 80GB")."""
    names = [concept.pref_label, *concept.alt_labels]
    return concept.type is EntityType.HARDWARE and any(alias_kind(n, label) == "variant" for n in names)


def load_exceptions(path: Path = EXCEPTIONS) -> set[tuple[str, str]]:
    """``(concept local name, altLabel)`` pairs kept although the rule rejects them; each needs a reason."""
    out = set()
    if not path.exists():
        return out
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not parts[2].strip():
            raise ValueError(f"{path}:{lineno}: expected 'concept<TAB>altLabel<TAB>reason'")
        out.add((parts[0], parts[1]))
    return out


def split_labels(concept: Concept, exceptions: set[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """The concept's altLabels that are true synonyms (or exceptions), and those that are not."""
    local = concept.iri.rsplit("/", 1)[-1]
    names = [concept.pref_label]
    rest = [a for a in concept.alt_labels if (local, a) not in exceptions]
    keep = [a for a in concept.alt_labels if (local, a) in exceptions]
    names += keep
    changed = True
    while changed:  # a synonym of a synonym ("LLMs" of "LLM" of "large language model")
        changed = False
        for a in list(rest):
            if any(same_thing(concept, n, a) for n in names):
                rest.remove(a)
                keep.append(a)
                names.append(a)
                changed = True
    return sorted(keep), rest


def _literal(label: str) -> str:
    return '"' + label.replace("\\", "\\\\").replace('"', '\\"') + '"@en'


def _ref(local: str) -> str:
    return f"vocab:{local}" if _LOCAL.fullmatch(local) else f"<{VOCAB[local]}>"


def _labels_statement(labels: list[str], end: str) -> list[str]:
    lines, line = [], "    skos:altLabel "
    for i, lab in enumerate(labels):
        item = _literal(lab) + ("," if i < len(labels) - 1 else f" {end}")
        if len(line) + len(item) + 1 > 118 and line.strip() != "skos:altLabel":
            lines.append(line.rstrip())
            line = "        "
        line += item + " "
    lines.append(line.rstrip())
    return lines


def dropped(concept: Concept, label: str) -> bool:
    """A rejected label that names nothing of its own: a clause, generic words, or a folded hardware variant."""
    return has_verb(label) or is_generic(label) or folded_variant(concept, label)


def _new_concepts(concept: Concept, rejected: list[str], taken: set[str]) -> list[tuple[str, str, list[str]]]:
    """``(local name, prefLabel, altLabels)`` of the concepts made from rejected altLabels."""
    out: list[tuple[str, str, list[str]]] = []
    for label in rejected:
        if dropped(concept, label):
            continue
        home = next((o for o in out if same_thing(concept, o[1], label) or same_thing(concept, label, o[1])), None)
        if home is not None:
            home[2].append(label)
            continue
        local = slug(label)
        if local in taken:
            continue
        taken.add(local)
        out.append((local, label, []))
    return out


def rewrite(path: Path, vocab, exceptions, taken: set[str]) -> tuple[int, int, int]:
    """Rewrite one file; returns (kept, made concepts of, dropped) altLabel counts."""
    kind = AUDITED
    lines = path.read_text(encoding="utf-8").split("\n")
    out: list[str] = []
    kept = made = n_dropped = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^(vocab:\S+|<[^>]+>) a skos:Concept", line)
        if not m:
            out.append(line)
            i += 1
            continue
        block = [line]
        while not block[-1].rstrip().endswith(" ."):
            i += 1
            block.append(lines[i])
        i += 1
        ref = m.group(1)
        iri = str(VOCAB[ref[6:]]) if ref.startswith("vocab:") else ref[1:-1]
        concept = vocab.concepts[iri]
        keep, rejected = split_labels(concept, exceptions)
        news = _new_concepts(concept, rejected, taken)
        kept += len(keep)
        gone = sum(1 for r in rejected if dropped(concept, r))
        made += len(rejected) - gone
        n_dropped += gone
        out += _rewrite_block(block, keep)
        for local, pref, alts in news:
            out += [
                "",
                f"{_ref(local)} a skos:Concept, {kind[path.name]} ;",
                "    skos:inScheme vocab:scheme ;",
                f"    skos:prefLabel {_literal(pref)} ;",
            ]
            if alts:
                out += _labels_statement(sorted(alts), ";")
            out.append(f"    skos:broader {ref} .")
    path.write_text("\n".join(out), encoding="utf-8")
    return kept, made, n_dropped


def _rewrite_block(block: list[str], keep: list[str]) -> list[str]:
    """The concept's block with its altLabel statement holding ``keep`` only."""
    start = next((k for k, line in enumerate(block) if line.startswith("    skos:altLabel")), None)
    if start is None:
        return block
    end = start
    while not block[end].rstrip().endswith((" ;", " .")):
        end += 1
    last = block[end].rstrip().endswith(" .")
    head, tail = block[:start], block[end + 1 :]
    if keep:
        return head + _labels_statement(keep, "." if last else ";") + tail
    if last:  # the statement before it now ends the block
        head[-1] = head[-1].rstrip()[:-1].rstrip() + " ."
    return head + tail


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--apply", action="store_true", help="rewrite ontology/vocab-*.ttl")
    args = p.parse_args(argv)
    vocab = load_vocabulary()
    exceptions = load_exceptions()
    failing = [(c, a) for c in audited(vocab) for a in split_labels(c, exceptions)[1]]
    print(f"{len(failing)} altLabels are not true synonyms of their concept")
    if not args.apply:
        return 1 if failing else 0
    taken = {c.iri.rsplit("/", 1)[-1] for c in vocab}
    for path in vocabulary_files():
        if path.name not in AUDITED:
            continue
        kept, made, gone = rewrite(path, vocab, exceptions, taken)
        print(f"{path.name}: {kept} altLabels kept, {made} became concepts or their labels, {gone} dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
