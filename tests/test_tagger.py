"""The learned extraction: SciERC reader, BIO decoding, the weights file, training, tagger and relations.

Tests that run the encoder are marked ``slow``; training needs ``../shared/bench/scierc`` and is skipped
without it.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.errors import InputError
from kg.extract.relations import RelationModel, pair_features
from kg.extract.scierc import read_scierc
from kg.extract.tagger import _LANES, WEIGHTS, SpanTagger, spans_of, viterbi, viterbi_many
from kg.extract.tokens import words_of

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"
TAGS = ("O", "B-Method", "I-Method", "B-Task", "I-Task")


@given(st.lists(st.lists(st.floats(0.01, 1.0), min_size=5, max_size=5), min_size=1, max_size=30))
def test_viterbi_paths_are_legal_bio(rows):
    prob = np.array(rows)
    path = viterbi(np.log(prob / prob.sum(axis=1, keepdims=True)), TAGS)
    assert len(path) == len(rows)
    for i, t in enumerate(path):
        if TAGS[t].startswith("I-"):
            assert i > 0 and TAGS[path[i - 1]][2:] == TAGS[t][2:]
    covered = [i for s, e, _ in spans_of(path, TAGS) for i in range(s, e)]
    assert covered == sorted(set(covered))  # spans never overlap
    assert {i for i, t in enumerate(path) if t} == set(covered)


def test_viterbi_picks_the_best_legal_path():
    # greedy reading would be O I-Task: illegal, so the best legal one opens the span with B-Task
    logp = np.log(np.array([[0.9, 0.02, 0.02, 0.03, 0.03], [0.1, 0.05, 0.05, 0.3, 0.5]]))
    assert spans_of(viterbi(logp, TAGS), TAGS) == [(1, 2, "Task")]


@given(st.lists(st.lists(st.lists(st.floats(0.01, 1.0), min_size=5, max_size=5), max_size=12), max_size=6))
def test_viterbi_of_texts_together_is_each_texts_own(texts):
    logps = [np.log(np.array(rows).reshape(-1, 5)) for rows in texts]
    assert viterbi_many(logps, TAGS) == [viterbi(x, TAGS) if len(x) else [] for x in logps]


def test_a_texts_tags_do_not_depend_on_the_texts_tagged_with_it():
    """The bundled tagger steps the LSTMs of several texts together (more than one group of lanes here,
    lengths 0 to 300): each text's probabilities are, bit for bit, the ones it has alone, and so are its spans."""
    from threadpoolctl import threadpool_limits

    tagger = SpanTagger.load()
    rng = np.random.default_rng(7)
    dim = tagger.params["mean"].shape[0]
    texts = [rng.normal(size=(int(n), dim)).astype(np.float32) for n in rng.integers(0, 300, _LANES + 5)]
    with threadpool_limits(1, user_api="blas"):  # as the build runs it
        together = tagger.probabilities_many(texts)
        tags = tagger.tag_many(texts)
        for text, prob, tagged in zip(texts, together, tags, strict=True):
            assert np.array_equal(tagger.probabilities(text), prob)
            assert tagger.tag(text) == tagged
    assert sum(map(len, tags)) > 0


def test_numpy_inference_matches_the_torch_networks_it_was_trained_as():
    import torch

    from kg.extract.train import TAGS as ALL_TAGS
    from kg.extract.train import TrainOptions, _TaggerNet, tagger_params

    torch.manual_seed(3)
    net = _TaggerNet(6, TrainOptions(hidden=8)).eval()
    x = np.random.default_rng(0).normal(size=(11, 6)).astype(np.float32)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 0.5
    word = {"w1": np.eye(6, 8, dtype=np.float32), "b1": np.zeros(8, np.float32)}
    word |= {"w2": np.ones((8, len(ALL_TAGS)), np.float32), "b2": np.arange(len(ALL_TAGS), dtype=np.float32)}
    xs = torch.tensor((x - mean) / scale)
    with torch.no_grad():
        context = torch.softmax(net(xs), dim=1).numpy()
        alone = torch.softmax(
            torch.relu(xs @ torch.tensor(word["w1"])) @ torch.tensor(word["w2"]) + torch.tensor(word["b2"]), 1
        )
    params = {"mean": mean, "scale": scale} | word
    np.testing.assert_allclose(SpanTagger(params, ALL_TAGS).probabilities(x), alone.numpy(), atol=1e-5)
    both = SpanTagger(params | tagger_params(net), ALL_TAGS).probabilities(x)
    np.testing.assert_allclose(both, (alone.numpy() + context) / 2, atol=1e-5)


def test_the_encoders_number_format_is_checked_and_changes_the_stage_fingerprint():
    from kg.extract.tagged import TaggedStage
    from kg.extract.tokens import PRECISIONS, TokenEncoder, auto_precision

    with pytest.raises(ValueError, match="precision must be one of"):
        TokenEncoder(precision="float16")
    assert auto_precision() in PRECISIONS[1:]
    prints = set()
    for precision in ("float32", "bfloat16"):
        stage = TaggedStage()
        stage.__dict__["encoder"] = TokenEncoder(precision=precision)  # nothing loads: no model is needed
        prints.add(stage.fingerprint())
    assert len(prints) == 2


def test_the_build_resolves_auto_precision_once_and_workers_run_that_format(monkeypatch):
    """A Dask worker unpickles the stage on its own CPU: it must run the format the build resolved (and
    its fingerprint names), not resolve ``auto`` again from its own CPU flags."""
    import pickle

    from kg.extract import tokens
    from kg.extract.embed import SentenceTransformerEmbedder
    from kg.extract.tagged import TaggedStage

    monkeypatch.setattr(tokens, "_cpu_flags", lambda: frozenset({"avx512_bf16"}))  # the build's machine
    assert tokens.resolve_precision("auto") == "bfloat16"
    assert tokens.resolve_precision("float32") == "float32"
    stage = TaggedStage(precision=tokens.resolve_precision("auto"), embedder=SentenceTransformerEmbedder("cpu"))
    monkeypatch.setattr(tokens, "_cpu_flags", lambda: frozenset())  # a worker without bfloat16
    worker = pickle.loads(pickle.dumps(stage))
    assert worker.precision == "bfloat16" and worker.encoder.dtype_name == "bfloat16"
    assert TaggedStage(precision="auto").encoder.dtype_name == "float32"  # unresolved, it follows this CPU
    # one encoder per format, whatever name it was asked by (the build's counters are bench/run.py's)
    embedder = SentenceTransformerEmbedder("cpu")
    assert embedder.token_encoder("auto") is embedder.token_encoder("float32")
    assert embedder.token_encoder("bfloat16") is not embedder.token_encoder("float32")


def test_build_options_and_the_command_line_check_the_precision(tmp_path, capsys):
    from kg.cli import main
    from kg.params import OptionError
    from kg.pipeline import BuildOptions

    assert BuildOptions(precision="float32").precision == "float32"
    with pytest.raises(OptionError, match="precision"):
        BuildOptions(precision="float16")
    with pytest.raises(SystemExit) as exit_:
        main(["build", "--precision", "float16", "--out", str(tmp_path / "out")])
    assert exit_.value.code == 2 and "--precision" in capsys.readouterr().err


def test_incomplete_context_weights_are_refused(tmp_path):
    path = tmp_path / "w.npz"
    arrays = {"w1": np.zeros((4, 8)), "b1": np.zeros(8), "w2": np.zeros((8, 5)), "b2": np.zeros(5)}
    np.savez(path, tags=np.array(TAGS), mean=np.zeros(4), scale=np.ones(4), lstm_fw_ih=np.zeros((16, 8)), **arrays)
    with pytest.raises(InputError, match=r"w\.npz.*context model arrays incomplete"):
        SpanTagger.load(path)


def test_missing_weights_name_the_file_and_the_fix(tmp_path):
    with pytest.raises(InputError, match=r"nothere\.npz.*make train"):
        SpanTagger.load(tmp_path / "nothere.npz")


@pytest.mark.parametrize("content", [b"", b"not a zip file", b"PK\x03\x04truncated"])
def test_corrupt_weights_name_the_file_and_the_fix(tmp_path, content):
    path = tmp_path / "w.npz"
    path.write_bytes(content)
    with pytest.raises(InputError, match=r"w\.npz.*unreadable.*make train"):
        SpanTagger.load(path)


def test_weights_with_wrong_shapes_are_refused(tmp_path):
    path = tmp_path / "w.npz"
    np.savez(
        path,
        tags=np.array(TAGS),
        w1=np.zeros((4, 3)),
        b1=np.zeros(3),
        w2=np.zeros((2, 5)),
        b2=np.zeros(5),
        mean=np.zeros(4),
        scale=np.ones(4),
    )
    with pytest.raises(InputError, match="shapes"):
        SpanTagger.load(path)


def test_bundled_weights_load():
    tagger = SpanTagger.load(WEIGHTS)
    assert tagger.tags[0] == "O" and {"B-Method", "I-Task", "B-Material"} <= set(tagger.tags)
    assert tagger.params["w1"].shape[0] == 768
    rel = RelationModel.from_params(tagger.params)
    assert 0 < rel.threshold < 1 and rel.coef.shape == rel.mean.shape
    assert WEIGHTS.stat().st_size < 5_000_000


def test_the_test_split_is_never_read(tmp_path):
    path = tmp_path / "test.json"
    path.write_text("{}\n")
    with pytest.raises(InputError, match="held out"):
        list(read_scierc(path))


def test_a_malformed_scierc_line_names_file_and_line(tmp_path):
    path = tmp_path / "train.json"
    path.write_text('{"sentences": [["a"]], "ner": [[]], "relations": [[]]}\n{"sentences": 3}\n')
    with pytest.raises(InputError, match=r"train\.json:2"):
        list(read_scierc(path))


@pytest.fixture(scope="module")
def encoder():
    from kg.extract.tokens import TokenEncoder

    return TokenEncoder()


@pytest.mark.slow
def test_a_papers_vectors_do_not_depend_on_the_papers_encoded_with_it(encoder):
    """Incremental and distributed builds give a scratch build's bytes only if each paper's forward pass is
    its own: the same text, encoded alone and among texts of other lengths, gives the same floats."""
    from kg.extract.tokens import TokenEncoder

    text = "We fine-tune LoRA adapters for machine translation on 8 A100 GPUs."
    others = ["Short.", "A much longer abstract " * 40, "Graph neural networks for molecule property prediction."]
    for precision in ("float32", "bfloat16"):
        enc = TokenEncoder(encoder.model, precision=precision)
        among = enc.encode([others[0], text, *others[1:]])
        for t, together in zip([others[0], text, *others[1:]], among, strict=True):  # "Short." is 4 word pieces
            alone = enc.encode([t])[0]
            assert np.array_equal(alone.features, together.features) and np.array_equal(alone.doc, together.doc)


@pytest.mark.slow
def test_word_pieces_from_the_rust_tokenizer_are_the_wrappers(encoder):
    """The encoder splits pre-split words in one call of the Rust tokenizer: each word's ids are the ones
    the wrapper gives it alone, also for words with no pieces, accents, scripts without spaces, and
    while another caller's truncation setting is on the backend (then the wrapper runs)."""
    from kg.extract.tokens import _pieces

    tokenizer = encoder.model.tokenizer
    words = [w for w, _, _ in words_of("We fine-tune Llama-3.1-70B (LoRA) on naïve Ångström data: 日本語, x\u0301.")]
    words += ["\u200b", "a" * 300, "LoRA's", "--"]
    expected = tokenizer(words, add_special_tokens=False, is_split_into_words=False)["input_ids"]
    assert _pieces(words, tokenizer) == expected and [] in expected
    tokenizer.backend_tokenizer.enable_truncation(max_length=4)
    try:
        assert _pieces(words, tokenizer) == expected
    finally:
        tokenizer.backend_tokenizer.no_truncation()


@pytest.mark.slow
def test_the_packed_layers_give_the_models_own_bytes(encoder):
    """The encoder runs BERT's layers as plain tensor calls on stored, transposed weights
    (``kg.extract.tokens._Layers``): for a window of 64 word pieces or more (a pack of its own, unpadded)
    the last two layers are the model's own forward pass, bit for bit."""
    import torch

    from kg.extract.tokens import _forward, _windows

    bert = encoder.model[0].auto_model
    text = "We fine-tune low-rank adapters of a large language model for machine translation. " * 6
    windows = _windows(0, text.split(), encoder.model.tokenizer)
    assert len(windows) == 1 and len(windows[0][2]) >= 64
    with torch.inference_mode():
        last, prev = _forward(bert, windows)[0]
        own = bert(input_ids=torch.tensor([windows[0][2]]), output_hidden_states=True).hidden_states
    assert np.array_equal(last, own[-1][0].numpy()) and np.array_equal(prev, own[-2][0].numpy())


@pytest.mark.slow
def test_tagger_and_relations_on_real_sentences(encoder):
    text = (
        "We use conditional random fields for named entity recognition. "
        "Experiments on the CoNLL-2003 corpus show that the method improves machine translation too."
    )
    words = words_of(text)
    enc = encoder.encode([text])[0]
    tagger = SpanTagger.load()
    spans = tagger.tag(enc.features)
    named = {(" ".join(w for w, _, _ in words[t.start : t.end]), t.type) for t in spans}
    assert ("conditional random fields", "Method") in named
    assert ("named entity recognition", "Task") in named
    assert ("machine translation", "Task") in named
    rel = RelationModel.from_params(tagger.params)
    sentences = [(0, 10), (10, len(words))]
    at = {w: i for i, (w, _, _) in enumerate(words)}
    method, ner, mt = (
        (at["conditional"], at["fields"] + 1),
        (at["named"], at["recognition"] + 1),
        (at["machine"], at["translation"] + 1),
    )
    all_spans = [(t.start, t.end) for t in spans]
    near, far = rel.score(
        np.vstack(
            [rel.features(enc, [w for w, _, _ in words], sentences, method, task, all_spans) for task in (ner, mt)]
        )
    )
    assert near >= rel.threshold > far


@pytest.mark.slow
@pytest.mark.skipif(not (BENCH / "scierc" / "train.json").exists(), reason="needs ../shared/bench/scierc")
def test_training_on_a_tiny_subset_takes_under_a_minute(tmp_path, encoder):
    from kg.extract.train import TrainOptions, run

    encoder.encode(["warm up the model"])
    started = time.perf_counter()
    out = tmp_path / "tiny.npz"
    scores = run(BENCH, out, TrainOptions(epochs=3), limit=12, encoder=encoder, log=lambda *_: None)
    assert time.perf_counter() - started < 60
    tagger = SpanTagger.load(out)
    assert tagger.tags == SpanTagger.load().tags
    assert set(scores["tagger"]) == {"Method", "Task", "Material"}
    assert all(0 <= v <= 1 for prf in scores["tagger"].values() for v in prf)


def test_links_come_from_evidence_not_cooccurrence():
    from kg.export.rdf import to_rdf
    from kg.extract.entities import Extraction, evidence_links
    from kg.graph import build_graph
    from kg.model import Entity, EntityType, Mention, Paper, Relation
    from kg.namespace import KG

    sent = "We use LoRA for question answering."
    paper = Paper("p1", "LoRA", sent + " We also report image classification results.")
    ents = (
        Entity("urn:m", "LoRA", EntityType.METHOD),
        Entity("urn:qa", "question answering", EntityType.TASK),
        Entity("urn:ic", "image classification", EntityType.TASK),
    )
    mentions = (
        Mention("p1", "urn:m", Relation.USES_METHOD, 0.6, sent, "LoRA"),
        Mention("p1", "urn:qa", Relation.ADDRESSES_TASK, 0.5, sent, "question answering"),
        Mention("p1", "urn:ic", Relation.ADDRESSES_TASK, 0.4, sent, "image classification"),
    )
    pairs = {
        "p1": [
            ("LoRA", "question answering", 0.91, sent),
            ("LoRA", "image classification", 0.2, sent),
            ("unlinked phrase", "question answering", 0.99, sent),
        ]
    }
    links = evidence_links(Extraction(ents, mentions), pairs, threshold=0.5)
    assert [(k.method, k.task, k.papers, k.score, k.sentence) for k in links] == [
        ("urn:m", "urn:qa", ("p1",), 0.91, sent)
    ]
    graph = build_graph([paper], ents, mentions, links=links)
    assert not graph.has_edge("urn:m", "urn:ic")  # co-occurring is not enough
    rdf = to_rdf(graph)
    (link,) = rdf.subjects(KG.linkMethod, None)
    assert str(rdf.value(link, KG.score)) == "0.91" and str(rdf.value(link, KG.evidence)) == sent
    # without evidence links the graph keeps the rules extractor's co-occurrence links
    assert build_graph([paper], ents, mentions).has_edge("urn:m", "urn:ic")


def test_tagger_votes_type_phrases_and_the_vocabulary_keeps_its_names():
    from kg.extract.classify import Typing
    from kg.extract.entities import tagger_typing
    from kg.model import EntityType

    head = Typing(EntityType.METHOD, None, "head")
    assert tagger_typing(head, "Task").type is EntityType.TASK
    assert tagger_typing(head, "").type is EntityType.METHOD
    assert tagger_typing(head, "", rules_fill_in=False).type is EntityType.KEYPHRASE
    vocab = Typing(EntityType.METHOD, None, "vocabulary")
    assert tagger_typing(vocab, "Task") is vocab
    assert tagger_typing(None, "Method") is None


@pytest.mark.slow
def test_a_tagger_build_links_methods_to_tasks_only_with_evidence(tmp_path):
    import json

    from rdflib import Graph

    from kg.namespace import KG
    from kg.pipeline import BuildOptions, build

    papers = [
        {
            "id": "a",
            "title": "Conditional random fields for named entity recognition",
            "abstract": "We apply conditional random fields to named entity recognition. "
            "Experiments on the CoNLL-2003 corpus show gains. We train on 8 A100 GPUs.",
        },
        {
            "id": "b",
            "title": "Speculative decoding",
            "abstract": "We use speculative decoding to speed up machine translation with large language models.",
        },
    ]
    inp = tmp_path / "papers.jsonl"
    inp.write_text("".join(json.dumps(p) + "\n" for p in papers), encoding="utf-8")
    out = tmp_path / "out"
    report = build([inp], BuildOptions(out_dir=out, progress=False, extractor="tagger", cache_dir=tmp_path / "c"))
    assert report.entities_per_type.get("Method", 0) >= 2 and report.entities_per_type.get("Task", 0) >= 2
    rdf = Graph().parse(out / "graph.ttl")
    links = list(rdf.subjects(KG.linkMethod, None))
    assert links, "no method -> task link found from evidence"
    for link in links:
        score, sentence = rdf.value(link, KG.score), str(rdf.value(link, KG.evidence))
        assert 0.4 <= float(score) <= 1 and sentence
        paper, method, task = (rdf.value(link, p) for p in (KG.supportingPaper, KG.linkMethod, KG.linkTask))
        # both ends are entities that paper links to, and the sentence is the paper's
        assert {method, task} <= set(rdf.objects(paper, None))
        assert sentence in str(
            rdf.value(paper, rdf.namespace_manager.expand_curie("dcterms:abstract"))
        ) or sentence.rstrip(".") in str(rdf.value(paper, rdf.namespace_manager.expand_curie("dcterms:title")))


def _stand_in_encoded(n_words: int):
    from kg.extract.tokens import Encoded

    states = np.random.default_rng(0).normal(size=(n_words, 384)).astype(np.float32)
    return Encoded(tuple((i, i + 1) for i in range(n_words)), np.zeros((n_words, 768), np.float32), states, states[0])


@pytest.mark.parametrize(
    ("text", "method", "task", "cue"),
    [
        ("We use CRFs for named entity recognition .", (2, 3), (4, 7), 3),  # "X for Y"
        ("Named entity recognition using CRFs works .", (4, 5), (0, 3), 4),  # "Y using X"
        ("A CRF-based tagger , parsing and segmentation .", (1, 3), (4, 5), 6),  # "X , Y": a list
    ],
)
def test_pattern_cues_read_the_words_between(text, method, task, cue):
    words = text.split()
    enc = _stand_in_encoded(len(words))
    plain = pair_features(enc, words, [(0, len(words))], method, task, [method, task])
    with_patterns = pair_features(enc, words, [(0, len(words))], method, task, [method, task], patterns=True)
    np.testing.assert_array_equal(with_patterns[: len(plain)], plain)
    extra = with_patterns[len(plain) :]
    assert len(extra) == 8 and extra[0] == 0  # same sentence
    assert extra[1] == pytest.approx(np.log1p(method[1] - method[0]))
    assert [i for i in range(3, 8) if extra[i]] == [cue]


def test_far_pairs_match_no_pattern():
    words = "CRFs are fast . Many papers study named entity recognition for years .".split()
    enc = _stand_in_encoded(len(words))
    extra = pair_features(enc, words, [(0, 4), (4, len(words))], (0, 1), (7, 10), [], patterns=True)[-8:]
    assert extra[0] == pytest.approx(np.log(2)) and not extra[3:].any()


def test_words_between_are_learned_from_same_sentence_training_pairs():
    from kg.extract.scierc import parse_document
    from kg.extract.train import pair_words

    line = (
        '{"sentences": [["CRFs", "trained", "jointly", "for", "NER", "."], ["HMMs", "."], ["tagging", "."]],'
        ' "ner": [[[0, 0, "Method"], [4, 4, "Task"]], [[6, 6, "Method"]], [[8, 8, "Task"]]], "relations": [[], [], []]}'
    )
    doc = parse_document(line)
    # "for" is a fixed cue; the words between HMMs and tagging cross a sentence end and do not count
    assert pair_words([doc], 5) == ("jointly", "trained")
    assert pair_words([doc], 1) == ("jointly",)


def test_relation_weights_keep_their_vocabulary_and_old_weights_load_without_one():
    rel = RelationModel(np.ones(3), 0.5, np.zeros(3), np.ones(3), 0.6, ("jointly", "trained"), patterns=True)
    again = RelationModel.from_params(rel.params())
    assert again.vocab == ("jointly", "trained") and again.patterns and again.threshold == pytest.approx(0.6)
    old = {k: v for k, v in rel.params().items() if k not in ("rel_vocab", "rel_patterns")}
    assert RelationModel.from_params(old).vocab == () and not RelationModel.from_params(old).patterns


_SPAN = st.tuples(st.integers(0, 11), st.integers(1, 4)).map(lambda se: (se[0], min(12, se[0] + se[1])))


@given(st.lists(st.tuples(_SPAN, _SPAN), min_size=1, max_size=12), st.lists(_SPAN, max_size=5), st.booleans())
def test_pair_feature_matrix_rows_are_each_pairs_features_written_out(pairs, spans, patterns):
    """The batched features (per-word tables, shared span vectors) against the obvious per-pair reading."""
    from kg.extract.relations import CUES, _pattern_features, pair_feature_matrix

    words = "We use CRFs for NER , and HMMs with tagging in 2003".split()
    enc, sents, vocab = _stand_in_encoded(len(words)), [(0, 6), (6, 12)], ("hmms",)
    rows = pair_feature_matrix(enc, words, sents, pairs, spans, vocab, patterns)
    for row, (m, t) in zip(rows, pairs, strict=True):
        (_, lo), (hi, _) = (m, t) if m[0] < t[0] else (t, m)
        inside = {w.lower() for w in words[lo:hi]}
        sent_m, sent_t = (next((k for k, (s, e) in enumerate(sents) if s <= w < e), -1) for w in (m[0], t[0]))
        mv, tv = enc.span_vector(*m), enc.span_vector(*t)
        extra = [
            np.log1p(max(hi - lo, 0)),
            sent_m == sent_t,
            m[0] < t[0],
            np.log1p(sum(1 for s, e in spans if s >= lo and e <= hi)),
            hi <= lo,
            *(w in inside for w in (*CUES, *vocab)),
            *(_pattern_features(words, m, t, sent_m, sent_t) if patterns else ()),
        ]
        between = enc.span_vector(lo, hi) if hi > lo else np.zeros(384, np.float32)
        expected = np.concatenate([mv, tv, mv * tv, between, np.asarray(extra, dtype=np.float32)])
        np.testing.assert_array_equal(row, expected)


def test_the_tagger_stage_fingerprint_covers_the_vocabulary(tmp_path, monkeypatch):
    """The stage types the phrases the tagger leaves untyped by the vocabulary (for the pairs), so an edit of
    the vocabulary alone must re-extract the papers, not reuse their stored results."""
    import kg.extract.vocabulary as vocabulary
    from kg.extract.tagged import TaggedStage

    stage = TaggedStage()
    files = vocabulary.vocabulary_files()
    before = stage.fingerprint()
    edited = tmp_path / files[0].name
    edited.write_bytes(files[0].read_bytes() + b"\n# an edit\n")
    monkeypatch.setattr(vocabulary, "vocabulary_files", lambda: (edited, *files[1:]))
    assert stage.fingerprint() != before
    monkeypatch.setattr(vocabulary, "vocabulary_files", lambda: files)
    assert stage.fingerprint() == before
