"""Per-paper extraction results kept in the out dir, so a later build extracts only new papers.

Format, version 2: an SQLite file ``OUT/.kg-papers.sqlite`` with three tables.

``meta(name TEXT PRIMARY KEY, value TEXT)``
    ``format`` = ``2``; ``fingerprint`` = :meth:`kg.extract.per_paper.PaperStage.fingerprint` of the
    stage that made the results (model, extraction code, ranking options, library versions).
``paper(id BLOB PRIMARY KEY, result TEXT)``
    ``id`` is the SHA-256 of ``title + "\\0" + abstract`` (what the per-paper stage reads; a paper's key and
    listings play no part, so the same text under two keys shares one result). ``result`` is JSON:
    ``{"sentences": [sentence, ...], "phrases": [[text, score, sentence, source], ...], "votes": [[phrase,
    vote], ...], "pairs": [[method, task, score, sentence], ...]}``, phrases best first, each ``sentence`` an
    index into ``sentences`` (version 1 repeated the sentence's text in every phrase and pair: four times the
    bytes to read back, most of a rebuild's loading time); scores are JSON numbers, which round-trip Python
    floats exactly.
``entity_input(id BLOB PRIMARY KEY, inputs TEXT)``
    the paper's :class:`kg.extract.entities.PaperInputs` (what the entity step reads from it alone), same
    ``id``; JSON ``{"definitions": [[long, short], ...], "proposals": [[name, sentence], ...],
    "hardware": [[surface, start, end, concept, label, sentence, [broader, ...]], ...], "url_words": [...],
    "data_names": [...]}``.
    Their own fingerprint, :func:`kg.extract.entities.inputs_fingerprint` (extraction code and vocabulary),
    is ``meta``'s ``inputs_fingerprint``; when it differs they are all dropped, with a message, and found
    again from the papers' text. Stores written before this table existed simply have none yet.

When the stage's fingerprint differs from the stored one (another model, code or options), or the format
is not 1, every stored result is dropped and the caller is told why; a file that is not a readable store
is replaced, with a message, never fatal; an entry that does not decode is made again, with a message
naming the file. Results of papers no longer in the corpus are kept: they are
small, and a paper that comes back is not extracted again. Each batch of results is written in one
transaction, so an interrupted build leaves only complete results, and the next build resumes from them.

Not supported: two builds writing into one out dir at the same time (SQLite keeps the file consistent,
but the exports would race).

Examples
--------
>>> import tempfile
>>> from kg.model import Phrase
>>> out = Path(tempfile.mkdtemp())
>>> p = Paper("p1", "LoRA", "We adapt.")
>>> with ResultStore(out, "fp-1") as store:
...     store.put([(p, PaperResult((Phrase("LoRA", 0.5, "LoRA."),)))])
>>> with ResultStore(out, "fp-1") as store:
...     store.get([p, Paper("p2", "Other", "Text.")])["p1"].phrases[0].text
'LoRA'
>>> with ResultStore(out, "fp-2", on_message=print) as store:
...     len(store.get([p]))
kg: the per-paper results in ... were made by another model, code or options; extracting every paper again
0
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from kg.extract.entities import PaperInputs
from kg.extract.hardware import HardwareMention
from kg.extract.per_paper import PaperResult
from kg.model import Paper, Phrase

FILENAME = ".kg-papers.sqlite"
FORMAT_VERSION = 2


def paper_id(paper: Paper) -> bytes:
    """The store's key of a paper: SHA-256 of its title and abstract."""
    return hashlib.sha256(f"{paper.title}\0{paper.abstract}".encode()).digest()


def _encode(result: PaperResult) -> str:
    sentences: dict[str, int] = {}
    number = functools.partial(_number, sentences)
    phrases = [[p.text, p.score, number(p.sentence), p.source] for p in result.phrases]
    pairs = [[m, t, score, number(sentence)] for m, t, score, sentence in result.pairs]
    return json.dumps(
        {"sentences": list(sentences), "phrases": phrases, "votes": [list(v) for v in result.votes], "pairs": pairs},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _number(numbers: dict[str, int], sentence: str) -> int:
    """The index of ``sentence`` in ``numbers``, a new one if it has none yet."""
    return numbers.setdefault(sentence, len(numbers))


def _decode(text: str, strings: dict[str, str] | None = None) -> PaperResult:
    """The result ``text`` encodes; its strings are taken from ``strings`` (and added to it), so the results
    of a corpus share one copy of each phrase, vote and source (a phrase's text appears in its phrase, vote
    and pairs, and papers share most phrases: without it the reduce held each one many times)."""
    data = json.loads(text)
    one = _one_copy({} if strings is None else strings)
    sentences = data["sentences"]
    return PaperResult(
        tuple(Phrase(one(t), float(s), sentences[i], one(src)) for t, s, i, src in data["phrases"]),
        tuple((one(p), one(v)) for p, v in data["votes"]),
        tuple((one(m), one(t), float(s), sentences[i]) for m, t, s, i in data["pairs"]),
    )


def _one_copy(strings: dict[str, str]) -> Callable[[str], str]:
    """``strings``' copy of a string, the string itself if it has none yet."""

    def one(text: str) -> str:
        return strings.setdefault(text, text)

    return one


def _encode_inputs(inputs: PaperInputs) -> str:
    return json.dumps(
        {
            "definitions": [list(d) for d in inputs.definitions],
            "proposals": [list(p) for p in inputs.proposals],
            "hardware": [
                [h.surface, h.start, h.end, h.concept, h.label, h.sentence, list(h.broader)] for h in inputs.hardware
            ],
            "url_words": sorted(inputs.url_words),
            "data_names": sorted(inputs.data_names),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _decode_inputs(text: str) -> PaperInputs:
    data = json.loads(text)
    return PaperInputs(
        tuple((lf, sf) for lf, sf in data["definitions"]),
        tuple((name, sent) for name, sent in data["proposals"]),
        tuple(
            HardwareMention(surface, start, end, concept, label, sent, tuple(broader))
            for surface, start, end, concept, label, sent, broader in data["hardware"]
        ),
        frozenset(data["url_words"]),
        frozenset(data["data_names"]),
    )


class ResultStore:
    """The per-paper results of one out dir (see the module docstring). ``on_message`` receives the
    sentences that say why stored results were dropped."""

    def __init__(self, out_dir: Path, fingerprint: str, on_message: Callable[[str], None] | None = None):
        self.path = Path(out_dir) / FILENAME
        self.fingerprint = fingerprint
        self._say = on_message or (lambda _msg: None)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as exc:
            self._say(f"kg: {self.path} is not a readable result store ({exc}); starting a new one")
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
            db.execute("CREATE TABLE IF NOT EXISTS paper (id BLOB PRIMARY KEY, result TEXT)")
            db.execute("CREATE TABLE IF NOT EXISTS entity_input (id BLOB PRIMARY KEY, inputs TEXT)")
            meta = dict(db.execute("SELECT name, value FROM meta"))
            if meta.get("format") != str(FORMAT_VERSION) or meta.get("fingerprint") != self.fingerprint:
                if db.execute("SELECT 1 FROM paper LIMIT 1").fetchone():
                    self._say(
                        f"kg: the per-paper results in {self.path} were made by another model, code or "
                        "options; extracting every paper again"
                    )
                db.execute("BEGIN IMMEDIATE")
                db.execute("DELETE FROM paper")
                db.executemany(
                    "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                    [("format", str(FORMAT_VERSION)), ("fingerprint", self.fingerprint)],
                )
                db.execute("COMMIT")
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def get(self, papers: Sequence[Paper]) -> dict[str, PaperResult]:
        """Stored results of ``papers``, by paper key; papers without one are left out."""
        wanted: dict[bytes, list[str]] = {}
        for p in papers:
            wanted.setdefault(paper_id(p), []).append(p.key)
        found: dict[str, PaperResult] = {}
        strings: dict[str, str] = {}
        for pid, text in self._rows("paper", "result", list(wanted)):
            try:
                result = _decode(text, strings)
            except (ValueError, TypeError, KeyError, IndexError):
                continue  # a damaged entry is extracted again
            for key in wanted[pid]:
                found[key] = result
        return found

    def missing(self, papers: Sequence[Paper]) -> list[Paper]:
        """The papers without a stored result, in order (an entry that does not decode counts as stored here:
        :meth:`get` leaves it out, and the build extracts it then)."""
        stored = {pid for pid, _ in self._rows("paper", "NULL", list(dict.fromkeys(map(paper_id, papers))))}
        return [p for p in papers if paper_id(p) not in stored]

    def _rows(self, table: str, column: str, ids: list[bytes]) -> Iterable[tuple[bytes, str]]:
        for i in range(0, len(ids), 900):
            chunk = ids[i : i + 900]
            marks = ",".join("?" * len(chunk))
            yield from self._db.execute(f"SELECT id, {column} FROM {table} WHERE id IN ({marks})", chunk)

    def entity_inputs(
        self, papers: Sequence[Paper], fingerprint: str, make: Callable[[Paper], PaperInputs]
    ) -> dict[str, PaperInputs]:
        """The :class:`kg.extract.entities.PaperInputs` of ``papers`` by paper key: stored ones when they were
        made with ``fingerprint`` (:func:`kg.extract.entities.inputs_fingerprint`), the others made by
        ``make`` and stored (all stored ones are dropped first when the fingerprint changed, with a message)."""
        self._check_inputs_fingerprint(fingerprint)
        by_id: dict[bytes, list[Paper]] = {}
        for p in papers:
            by_id.setdefault(paper_id(p), []).append(p)
        found: dict[str, PaperInputs] = {}
        damaged = 0
        for pid, text in self._rows("entity_input", "inputs", list(by_id)):
            try:
                inputs = _decode_inputs(text)
            except (ValueError, TypeError, KeyError):
                damaged += 1
                continue
            found.update((p.key, inputs) for p in by_id[pid])
        if damaged:
            self._say(f"kg: {damaged} stored entity inputs in {self.path} did not decode; finding them again")
        new = [(pid, make(ps[0])) for pid, ps in by_id.items() if ps[0].key not in found]
        found.update((p.key, inputs) for pid, inputs in new for p in by_id[pid])
        if new:
            rows = [(pid, _encode_inputs(i)) for pid, i in new]
            self._write("INSERT OR REPLACE INTO entity_input VALUES (?, ?)", rows)
        return found

    def _check_inputs_fingerprint(self, fingerprint: str) -> None:
        meta = dict(self._db.execute("SELECT name, value FROM meta WHERE name = 'inputs_fingerprint'"))
        if meta.get("inputs_fingerprint") == fingerprint:
            return
        if self._db.execute("SELECT 1 FROM entity_input LIMIT 1").fetchone():
            self._say(
                f"kg: the entity inputs in {self.path} were made by other extraction code or another vocabulary; "
                "finding them again from every paper's text"
            )
        self._db.execute("BEGIN IMMEDIATE")
        self._db.execute("DELETE FROM entity_input")
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('inputs_fingerprint', ?)", (fingerprint,))
        self._db.execute("COMMIT")

    def _write(self, statement: str, rows: list[tuple]) -> None:
        """``statement`` for every row, in one transaction."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.executemany(statement, rows)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def put(self, results: Iterable[tuple[Paper, PaperResult]]) -> None:
        """Store results, all in one transaction."""
        self._write("INSERT OR REPLACE INTO paper VALUES (?, ?)", [(paper_id(p), _encode(r)) for p, r in results])

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM paper").fetchone()[0]

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
