"""Incremental builds (kg.paper_results): only new papers are extracted, and the exports are the bytes of a
from-scratch build. The stand-in embedder keeps these fast."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from kg.corpus import default_corpus_dir, read_corpus
from kg.extract.keyphrases import RankingOptions
from kg.paper_results import FILENAME
from kg.pipeline import EXPORT_FILES, BuildOptions, build


def write_papers(path: Path, papers) -> Path:
    rows = [{"id": p.key, "title": p.title, "abstract": p.abstract} for p in papers]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def bundled_papers():
    """The first 24 papers of the bundled corpus: enough for acronyms, merging and method -> task links."""
    return read_corpus([default_corpus_dir()]).papers[:24]


def exports(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in EXPORT_FILES}


def options(out: Path, **kw) -> BuildOptions:
    return BuildOptions(out_dir=out, progress=False, **kw)


@pytest.mark.parametrize("extractor", ["tagger", "rules"])  # the default first
def test_adding_papers_extracts_only_them_and_equals_a_scratch_build(
    bundled_papers, tmp_path, trigram_embedder, extractor
):
    old, new = bundled_papers[:20], bundled_papers[20:]
    inc = tmp_path / "incremental"
    opts = {"extractor": extractor}
    first = build([write_papers(tmp_path / "day1.jsonl", old)], options(inc, **opts), embedder=trigram_embedder())
    assert (first.extracted, first.reused) == (20, 0)
    day2 = write_papers(tmp_path / "day2.jsonl", new)
    both = [tmp_path / "day1.jsonl", day2]
    report = build(both, options(inc, **opts), embedder=trigram_embedder())
    assert (report.extracted, report.reused) == (4, 20)
    assert "papers extracted: 4  reused from earlier builds: 20" in report.summary()

    scratch = build(both, options(tmp_path / "scratch", **opts), embedder=trigram_embedder())
    assert (scratch.extracted, scratch.reused) == (24, 0)
    assert scratch.method_task_links > 0  # the links (evidence pairs with the tagger) survive the store too
    assert exports(inc) == exports(tmp_path / "scratch")
    assert all(p.key in (inc / "graph.nt").read_text() for p in new)


@pytest.mark.parametrize("extractor", ["tagger", "rules"])
def test_reused_results_skip_the_per_paper_work(bundled_papers, tmp_path, trigram_embedder, extractor):
    corpus = write_papers(tmp_path / "papers.jsonl", bundled_papers[:8])
    build([corpus], options(tmp_path / "out", extractor=extractor), embedder=trigram_embedder())
    embedder = trigram_embedder()
    seen: list[str] = []
    embedder.embed = lambda batch: seen.extend(batch) or type(embedder).embed(embedder, batch)
    report = build([corpus], options(tmp_path / "out", force=True, extractor=extractor), embedder=embedder)
    assert (report.extracted, report.reused) == (0, 8)
    # no paper text is embedded or encoded again
    assert not {p.text for p in bundled_papers[:8]} & set(seen)
    if extractor == "tagger":
        assert embedder.calls == 0  # nor any phrase: the corpus-wide steps embed nothing
    else:
        assert seen  # the rules' prototype typing embeds phrases (from the cache, in a real build)


def test_other_options_invalidate_the_results_and_say_so(bundled_papers, tmp_path, trigram_embedder, capsys):
    corpus = write_papers(tmp_path / "papers.jsonl", bundled_papers[:6])
    out = tmp_path / "out"
    build([corpus], options(out), embedder=trigram_embedder())
    capsys.readouterr()
    report = build([corpus], options(out, ranking=RankingOptions(top_n=50)), embedder=trigram_embedder())
    assert (report.extracted, report.reused) == (6, 0)
    assert "made by another model, code or options; extracting every paper again" in capsys.readouterr().err
    build([corpus], options(tmp_path / "scratch", ranking=RankingOptions(top_n=50)), embedder=trigram_embedder())
    assert exports(out) == exports(tmp_path / "scratch")


def test_a_damaged_store_is_replaced_not_fatal(bundled_papers, tmp_path, trigram_embedder, capsys):
    corpus = write_papers(tmp_path / "papers.jsonl", bundled_papers[:4])
    out = tmp_path / "out"
    build([corpus], options(out), embedder=trigram_embedder())
    (out / FILENAME).write_bytes(b"not an sqlite file" * 100)
    report = build([corpus], options(out, force=True), embedder=trigram_embedder())
    assert (report.extracted, report.reused) == (4, 0)
    assert "not a readable result store" in capsys.readouterr().err


def test_a_damaged_entry_is_extracted_again(bundled_papers, tmp_path, trigram_embedder):
    corpus = write_papers(tmp_path / "papers.jsonl", bundled_papers[:4])
    out = tmp_path / "out"
    build([corpus], options(out), embedder=trigram_embedder())
    before = exports(out)
    with sqlite3.connect(out / FILENAME) as db:
        db.execute("UPDATE paper SET result = '{broken' WHERE rowid = (SELECT MIN(rowid) FROM paper)")
    report = build([corpus], options(out, force=True), embedder=trigram_embedder())
    assert (report.extracted, report.reused) == (1, 3)
    assert exports(out) == before


def test_the_store_records_its_format(bundled_papers, tmp_path, trigram_embedder):
    corpus = write_papers(tmp_path / "papers.jsonl", bundled_papers[:2])
    build([corpus], options(tmp_path / "out"), embedder=trigram_embedder())
    with sqlite3.connect(tmp_path / "out" / FILENAME) as db:
        meta = dict(db.execute("SELECT name, value FROM meta"))
        (result,) = db.execute("SELECT result FROM paper LIMIT 1").fetchone()
    assert meta["format"] == "2" and len(meta["fingerprint"]) == 64
    data = json.loads(result)
    phrase = data["phrases"][0]
    assert isinstance(phrase[0], str) and isinstance(phrase[1], float) and phrase[3] == "tagger"
    assert isinstance(data["sentences"][phrase[2]], str)  # each sentence once, by its index
    assert len(set(data["sentences"])) == len(data["sentences"])
    assert data["votes"] and all(v in ("", "Method", "Task", "Material") for _, v in data["votes"])
    assert all(isinstance(m, str) and isinstance(t, str) and 0 <= s <= 1 for m, t, s, _ in data["pairs"])
    assert all(0 <= i < len(data["sentences"]) for *_, i in data["pairs"])


def test_entity_inputs_are_kept_and_only_new_papers_are_scanned(
    bundled_papers, tmp_path, trigram_embedder, monkeypatch
):
    import kg.pipeline

    scanned: list[str] = []
    scan = kg.pipeline.paper_inputs
    monkeypatch.setattr(
        kg.pipeline, "paper_inputs", lambda paper, vocabulary: scanned.append(paper.key) or scan(paper, vocabulary)
    )
    old, new = bundled_papers[:20], bundled_papers[20:]
    inc = tmp_path / "incremental"
    build([write_papers(tmp_path / "day1.jsonl", old)], options(inc), embedder=trigram_embedder())
    assert sorted(scanned) == sorted(p.key for p in old)
    scanned.clear()
    both = [tmp_path / "day1.jsonl", write_papers(tmp_path / "day2.jsonl", new)]
    build(both, options(inc), embedder=trigram_embedder())
    assert sorted(scanned) == sorted(p.key for p in new)  # the 20 earlier papers' inputs came from the store
    with sqlite3.connect(inc / FILENAME) as db:
        assert db.execute("SELECT COUNT(*) FROM entity_input").fetchone() == (24,)
        (stored,) = db.execute("SELECT inputs FROM entity_input LIMIT 1").fetchone()
    assert set(json.loads(stored)) == {"definitions", "proposals", "hardware", "url_words", "data_names"}
    build(both, options(tmp_path / "scratch"), embedder=trigram_embedder())
    assert exports(inc) == exports(tmp_path / "scratch")


def test_stale_entity_inputs_are_made_again_and_say_so(bundled_papers, tmp_path, trigram_embedder, monkeypatch, capsys):
    import kg.pipeline

    corpus = write_papers(tmp_path / "papers.jsonl", bundled_papers[:6])
    out = tmp_path / "out"
    build([corpus], options(out), embedder=trigram_embedder())
    before = exports(out)
    with sqlite3.connect(out / FILENAME) as db:  # inputs as another rule would have found them
        db.execute(
            """UPDATE entity_input SET inputs = '{"definitions":[["Wrong Long Form","LoRA"]],"""
            """"proposals":[["Bogus","x"]],"hardware":[],"url_words":[],"data_names":[]}'"""
        )
    fingerprint = kg.pipeline.inputs_fingerprint
    # what a change of the entity rules' code or of the vocabulary does to the fingerprint
    monkeypatch.setattr(kg.pipeline, "inputs_fingerprint", lambda vocabulary: "other" + fingerprint(vocabulary)[5:])
    capsys.readouterr()
    report = build([corpus], options(out, force=True), embedder=trigram_embedder())
    assert (report.extracted, report.reused) == (0, 6)  # the per-paper results are still good
    assert "entity inputs in" in capsys.readouterr().err
    assert exports(out) == before


def test_inputs_fingerprint_covers_the_vocabulary():
    from kg.extract.entities import inputs_fingerprint
    from kg.extract.vocabulary import Vocabulary, load_vocabulary

    vocabulary = load_vocabulary()
    fewer = Vocabulary(list(vocabulary.concepts.values())[1:])
    assert inputs_fingerprint(vocabulary) == inputs_fingerprint(load_vocabulary())
    assert inputs_fingerprint(fewer) != inputs_fingerprint(vocabulary)


def test_a_damaged_entity_input_is_made_again_with_a_message(bundled_papers, tmp_path, trigram_embedder, capsys):
    corpus = write_papers(tmp_path / "papers.jsonl", bundled_papers[:4])
    out = tmp_path / "out"
    build([corpus], options(out), embedder=trigram_embedder())
    before = exports(out)
    with sqlite3.connect(out / FILENAME) as db:
        db.execute("UPDATE entity_input SET inputs = '{broken' WHERE rowid = (SELECT MIN(rowid) FROM entity_input)")
    capsys.readouterr()
    build([corpus], options(out, force=True), embedder=trigram_embedder())
    err = capsys.readouterr().err
    assert "1 stored entity inputs in" in err and str(out / FILENAME) in err
    assert exports(out) == before
    with sqlite3.connect(out / FILENAME) as db:  # and stored again, whole
        assert all(json.loads(t) for (t,) in db.execute("SELECT inputs FROM entity_input"))


def test_results_round_trip_with_each_sentence_stored_once():
    from kg.extract.per_paper import PaperResult
    from kg.model import Phrase
    from kg.paper_results import _decode, _encode

    one, two = "LoRA adapts \u201cGPT-3\u201d.", "It uses QLoRA."
    result = PaperResult(
        (Phrase("LoRA", 0.5, one, "tagger"), Phrase("GPT-3", 0.1 + 0.2, one, "tagger"), Phrase("QLoRA", 0.0, two)),
        (("LoRA", "Method"), ("GPT-3", "")),
        (("LoRA", "adaptation", 0.75, one), ("QLoRA", "x", 1e-17, two)),
    )
    text = _encode(result)
    assert _decode(text) == result
    assert json.loads(text)["sentences"] == [one, two]


def test_a_store_of_the_earlier_format_is_extracted_again(bundled_papers, tmp_path, trigram_embedder, capsys):
    corpus = write_papers(tmp_path / "papers.jsonl", bundled_papers[:3])
    out = tmp_path / "out"
    build([corpus], options(out), embedder=trigram_embedder())
    before = exports(out)
    with sqlite3.connect(out / FILENAME) as db:  # what format 1 wrote: the sentence's text in each phrase
        db.execute("UPDATE meta SET value = '1' WHERE name = 'format'")
        db.execute("""UPDATE paper SET result = '{"phrases":[["x",0.5,"x.","tagger"]],"votes":[],"pairs":[]}'""")
    report = build([corpus], options(out, force=True), embedder=trigram_embedder())
    assert (report.extracted, report.reused) == (3, 0)
    assert "extracting every paper again" in capsys.readouterr().err
    assert exports(out) == before


def test_the_map_step_stores_results_and_the_reduce_reads_back_what_the_stage_made(
    bundled_papers, tmp_path, trigram_embedder
):
    from kg.engine import InProcessEngine
    from kg.extract.tagged import TaggedStage
    from kg.paper_results import ResultStore
    from kg.pipeline import map_papers, stored_results

    papers = bundled_papers[:5]
    stage = TaggedStage(RankingOptions(), device="cpu", embedder=trigram_embedder(), precision="float32")
    made = dict(zip([p.key for p in papers], stage(papers), strict=True))
    with ResultStore(tmp_path, stage.fingerprint()) as store:
        # the map step returns a count, not the results: they are only in the store
        assert map_papers(papers[:3], stage, InProcessEngine(), store, progress=False) == 3
        assert store.missing(papers) == list(papers[3:])
        assert map_papers(papers, stage, InProcessEngine(), store, progress=False) == 2
        assert store.missing(papers) == []
        results, extracted = stored_results(papers, stage, InProcessEngine(), store)
    assert extracted == 0
    assert results == made  # the reduce reads exactly what an in-memory map would have handed it
    first, second = results[papers[0].key], results[papers[1].key]
    # one copy of each phrase across results: a phrase's text is the same object in its vote and its pairs
    texts = {p.text: p.text for p in first.phrases}
    assert first.votes and all(text is texts[text] for text, _ in first.votes if text in texts)
    assert all(v1 is v2 for (_, v1), (_, v2) in zip(first.votes, second.votes, strict=False) if v1 == v2)
