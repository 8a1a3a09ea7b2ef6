"""Shared fixtures: a small hand-made graph (fast) for exporter, query and view tests."""

from __future__ import annotations

import functools
import hashlib
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from kg.extract.embed import Embedder  # noqa: E402
from kg.extract.tokens import Encoded, words_of  # noqa: E402
from kg.graph import build_graph  # noqa: E402
from kg.model import Entity, EntityType, Listing, Mention, Paper, Relation  # noqa: E402
from kg.namespace import entity_iri, vocab_iri  # noqa: E402

XSS_TITLE = "<img src=x onerror=alert(1)>"


def small_records():
    """Three papers, one with a hostile title, linked to methods, tasks and hardware."""
    papers = [
        Paper(
            key="p1",
            title="LoRA-QA: Low-Rank Adaptation for Question Answering",
            abstract="We propose LoRA-QA. We fine-tune Llama-3.1-70B with LoRA on A100 GPUs for question answering.",
            identifier="p1",
            listings=(Listing("data/a.txt", 12, "Sep 9"), Listing("data/b.txt", 40, "Mar 14")),
            authors=("Ada Hu", "Bo Chen"),
            identifiers=("arXiv:2401.00001",),
            published="2024-01-02",
        ),
        Paper(
            key="p2",
            title=XSS_TITLE,
            abstract="Prefix tuning for machine translation on consumer GPUs & <b>edge devices</b>.",
            identifier="p2",
            listings=(Listing("data/a.txt", 14, "Sep 9"),),
        ),
        Paper(
            key="p3",
            title="",
            abstract="An abstract-only paper about image classification on ImageNet.",
            identifier="p3",
        ),
    ]
    peft = vocab_iri("parameter-efficient-fine-tuning")
    gpu = vocab_iri("gpu")
    ents = [
        Entity(
            vocab_iri("low-rank-adaptation"),
            "low-rank adaptation",
            EntityType.METHOD,
            ("LoRA", "low-rank adapters"),
            (peft,),
            True,
        ),
        Entity(peft, "parameter-efficient fine-tuning", EntityType.METHOD, ("PEFT",), (), True),
        Entity(vocab_iri("prefix-tuning"), "prefix tuning", EntityType.METHOD, (), (peft,), True),
        Entity(entity_iri("Method", "LoRA-QA"), "LoRA-QA", EntityType.METHOD),
        Entity(entity_iri("Method", "Llama-3.1-70B"), "Llama-3.1-70B", EntityType.METHOD),
        Entity(vocab_iri("question-answering"), "question answering", EntityType.TASK, ("QA",), (), True),
        Entity(vocab_iri("machine-translation"), "machine translation", EntityType.TASK, ("MT",), (), True),
        Entity(vocab_iri("image-classification"), "image classification", EntityType.TASK, (), (), True),
        Entity(vocab_iri("a100"), "A100", EntityType.HARDWARE, ("NVIDIA A100",), (gpu,), True),
        Entity(gpu, "GPU", EntityType.HARDWARE, ("graphics processing unit",), (), True),
        Entity(vocab_iri("consumer-gpu"), "consumer GPU", EntityType.HARDWARE, (), (gpu,), True),
        Entity(vocab_iri("edge-device"), "edge device", EntityType.HARDWARE, ("edge devices",), (), True),
        Entity(entity_iri("Keyphrase", "abstract-only paper"), "abstract-only paper", EntityType.KEYPHRASE),
        Entity(entity_iri("Dataset", "ImageNet"), "ImageNet", EntityType.DATASET),
    ]
    s1 = "We fine-tune Llama-3.1-70B with LoRA on A100 GPUs for question answering."
    s2 = papers[1].abstract
    M = Mention
    mentions = [
        M(
            "p1",
            entity_iri("Method", "LoRA-QA"),
            Relation.PROPOSES_METHOD,
            0.71,
            "We propose LoRA-QA.",
            "LoRA-QA",
            "title",
        ),
        M("p1", vocab_iri("low-rank-adaptation"), Relation.USES_METHOD, 0.62, s1, "LoRA"),
        M("p1", entity_iri("Method", "Llama-3.1-70B"), Relation.USES_METHOD, 0.41, s1, "Llama-3.1-70B"),
        M("p1", vocab_iri("question-answering"), Relation.ADDRESSES_TASK, 0.55, s1, "question answering"),
        M("p1", vocab_iri("a100"), Relation.USES_HARDWARE, 0.0, s1, "A100 GPUs", "hardware"),
        M("p2", vocab_iri("prefix-tuning"), Relation.USES_METHOD, 0.58, s2, "Prefix tuning"),
        M("p2", vocab_iri("machine-translation"), Relation.ADDRESSES_TASK, 0.52, s2, "machine translation"),
        M("p2", vocab_iri("consumer-gpu"), Relation.USES_HARDWARE, 0.0, s2, "consumer GPUs", "hardware"),
        M("p2", vocab_iri("edge-device"), Relation.USES_HARDWARE, 0.0, s2, "edge devices", "hardware"),
        M(
            "p3",
            vocab_iri("image-classification"),
            Relation.ADDRESSES_TASK,
            0.66,
            papers[2].abstract,
            "image classification",
        ),
        M(
            "p3",
            entity_iri("Keyphrase", "abstract-only paper"),
            Relation.HAS_KEYPHRASE,
            0.3,
            papers[2].abstract,
            "abstract-only paper",
        ),
        M(
            "p3",
            entity_iri("Dataset", "ImageNet"),
            Relation.USES_DATASET,
            0.4,
            papers[2].abstract,
            "ImageNet",
            "tagger",
        ),
    ]
    return papers, ents, mentions


@pytest.fixture
def records():
    """The records of :func:`small_records`: (papers, entities, mentions)."""
    return small_records()


@pytest.fixture
def small_graph():
    """A MultiDiGraph as kg.graph.build_graph makes it, from :func:`small_records`."""
    return build_graph(*small_records())


def trigrams(text: str, dim: int) -> np.ndarray:
    """Counts of the hashed character trigrams of ``text`` (lower case, padded), ``dim`` buckets."""
    out = np.zeros(dim, dtype=np.float32)
    s = f"  {text.lower()} "
    for j in range(len(s) - 2):
        out[int.from_bytes(hashlib.md5(s[j : j + 3].encode()).digest()[:4], "little") % dim] += 1
    return out


class TrigramEmbedder(Embedder):
    """Hashed character trigrams: similar strings get similar vectors, and nothing is loaded. ``calls``
    counts the texts it was asked to embed, by :meth:`embed` or by its token encoder."""

    model_id = "trigram-test"
    dim = 64

    def __init__(self) -> None:
        self.calls = 0

    def _embed(self, texts: list[str]) -> np.ndarray:
        self.calls += len(texts)
        return np.vstack([trigrams(t, self.dim) for t in texts]) + 1e-3

    def token_encoder(self, precision: str = "auto") -> TrigramTokenEncoder:
        return TrigramTokenEncoder(self)


@functools.cache
def _tagger_width() -> int:
    """How many features per word the tagger's weights read (the real encoder's last two layers)."""
    from kg.extract.tagger import SpanTagger

    return int(SpanTagger.load().params["w1"].shape[0])


class TrigramTokenEncoder:
    """The stand-in for :class:`kg.extract.tokens.TokenEncoder`: a word's vector is its hashed trigrams
    plus half of each neighbour's (so the same word reads a little differently in another place), the
    paper's vector their mean; deterministic, nothing loaded. The tagger and the relation model run on
    these as on the real vectors, so the ``--extractor tagger`` path runs whole, its answers just poorer."""

    dim = 384  # the real model's width, which the relation weights expect

    def __init__(self, embedder: TrigramEmbedder):
        self.embedder = embedder

    def encode(self, texts, words=None) -> list[Encoded]:
        words = [words_of(t) for t in texts] if words is None else list(words)
        self.embedder.calls += len(texts)
        return [self._one(ws) for ws in words]

    def _one(self, words) -> Encoded:
        own = np.vstack([trigrams(w, self.dim) for w, _, _ in words]) if words else np.zeros((0, self.dim))
        own /= np.maximum(np.linalg.norm(own, axis=1, keepdims=True), 1e-6)
        states = own.copy()
        states[1:] += 0.5 * own[:-1]
        states[:-1] += 0.5 * own[1:]
        width = _tagger_width()
        features = np.tile(np.concatenate([states, own], axis=1), (1, -(-width // (2 * self.dim))))[:, :width]
        doc = states.mean(axis=0) if len(words) else np.ones(self.dim)
        doc /= np.linalg.norm(doc)
        spans = tuple((s, e) for _, s, e in words)
        return Encoded(spans, features.astype(np.float32), states.astype(np.float32), doc.astype(np.float32))


@pytest.fixture(scope="session")
def trigram_embedder():
    """A fast deterministic stand-in for the model, token encoder included (a class: call it for a fresh
    instance)."""
    return TrigramEmbedder


@pytest.fixture(scope="session")
def embedder(tmp_path_factory):
    """The real bundled model (all-MiniLM-L6-v2), with a cache private to this test session."""
    from kg.extract.embed import load_embedder

    return load_embedder("cpu", cache_dir=tmp_path_factory.mktemp("embed-cache"))


@pytest.fixture(scope="session")
def bundled_build(tmp_path_factory, embedder):
    """One real build of the bundled corpus for the whole session: (report, export directory)."""
    from kg.pipeline import BuildOptions, build

    out = tmp_path_factory.mktemp("bundled-exports")
    report = build(None, BuildOptions(out_dir=out, progress=False), embedder=embedder)
    return report, out


@pytest.fixture(scope="session")
def bundled_exports(bundled_build):
    """Directory holding graph.ttl, graph.jsonld, graph.nt, graph.graphml, graph.html of the bundled corpus."""
    return bundled_build[1]


@pytest.fixture(scope="session")
def bundled_graph_path(bundled_exports):
    """graph.ttl of the bundled corpus build."""
    return bundled_exports / "graph.ttl"


@pytest.fixture(scope="session")
def small_ontology(tmp_path_factory):
    """kg.ttl and the concept scheme without the vocabulary's thousands of concepts: fast, and exporter
    tests do not depend on which concepts the vocabulary holds."""
    from kg.namespace import ONTOLOGY_DIR

    d = tmp_path_factory.mktemp("ontology")
    for name in ("kg.ttl", "vocab-scheme.ttl"):
        (d / name).write_bytes((ONTOLOGY_DIR / name).read_bytes())
    return d


@pytest.fixture
def small_exports(small_graph, small_ontology, tmp_path):
    """:func:`small_graph` written by every file writer: graph.ttl, graph.jsonld, graph.nt, graph.graphml."""
    from kg.export.graphml import write_graphml
    from kg.export.rdf import write_jsonld, write_ntriples, write_turtle

    for name, write in (("graph.ttl", write_turtle), ("graph.jsonld", write_jsonld), ("graph.nt", write_ntriples)):
        write(small_graph, tmp_path / name, ontology_dir=small_ontology)
    write_graphml(small_graph, tmp_path / "graph.graphml")
    return tmp_path


@pytest.fixture
def outbound_queries():
    """Query templates (``{url}`` to fill) that would make the query engine fetch a URL."""
    return [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?x ?y ?z }} }}",
        "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?x ?y ?z }} }}",
        "select * where {{ ?s ?p ?o # hidden?\n sErViCe<{url}>{{ ?x ?y ?z }} }}",
        "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?x ?y ?z }} }}",
        "SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        "SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "LOAD <{url}>",
    ]


class _Recorder(BaseHTTPRequestHandler):
    """Answers every request with one SPARQL JSON row and records it: an outbound request made visible."""

    def _answer(self) -> None:
        self.server.seen.append(f"{self.command} {self.path}")
        body = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"remote"}}]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:  # quiet
        pass


@pytest.fixture
def loopback_listener():
    """``(url, seen)``: an HTTP server on 127.0.0.1 in a thread; ``seen`` lists the requests it received."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", server.seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
