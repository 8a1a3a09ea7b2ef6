"""Run the whole pipeline: corpus -> keyphrases -> entities -> graph -> exports.

Exports are written into a staging directory inside ``out_dir``, each read back by its check
(:mod:`kg.export.check`), and moved into place only when all of them are complete and read back, so a
failed or interrupted build leaves earlier exports untouched. The export workers die with the build
(:mod:`kg.process`); what a killed build leaves in ``out_dir`` (its staging directory) the next build
removes. One build at a time writes to an ``out_dir``: a build holds the lock ``out_dir/.kg-build.lock``
from the up-to-date check to the manifest, and a second one fails at once (or waits, ``wait=True``).

A build records what it was made from in ``out_dir/.kg-build.json``: a fingerprint of the parsed papers,
the options, the package's code and ontology, the model and the versions of the libraries that shape the
output, and the SHA-256 of each export. When the next build would be made from the same things and the
exports on disk still match, nothing is recomputed (``BuildReport.up_to_date``); ``force=True``
(``kg build --force``) rebuilds anyway.

Builds are incremental: the per-paper step's results are kept in ``out_dir/.kg-papers.sqlite``
(:mod:`kg.paper_results`), so a build into an out dir that already holds a build extracts only the papers
it has not seen, then re-runs the corpus-wide steps (entities, graph, exports) over all of them (what the
entity step reads from each paper alone, :class:`kg.extract.entities.PaperInputs`, is kept there too); the
exports are byte-identical to a from-scratch build. The per-paper step runs on an engine
(:mod:`kg.engine`: in-process by default, or Dask).

Examples
--------
>>> opts = BuildOptions(out_dir=Path("exports"))
>>> opts.html_max_nodes is None  # every node: the page opens on an overview that folds them
True
"""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from kg import __version__
from kg.corpus import Corpus, default_corpus_dir, read_corpus
from kg.engine import ENGINES, Engine, InProcessEngine, engine_from_options
from kg.errors import InputError
from kg.export import check, graphml, html, rdf
from kg.export.blocks import checked_digest, index_path
from kg.extract.embed import Embedder, load_embedder, release_freed_memory
from kg.extract.entities import EntityOptions, Extraction, extract_entities, inputs_fingerprint, paper_inputs
from kg.extract.keyphrases import RankingOptions
from kg.extract.per_paper import PaperResult, PaperStage
from kg.extract.tokens import PRECISIONS, resolve_precision
from kg.extract.vocabulary import load_vocabulary
from kg.fileio import atomic_write, directory_lock
from kg.graph import build_graph
from kg.model import Paper, Relation
from kg.namespace import ONTOLOGY_DIR
from kg.paper_results import ResultStore
from kg.params import check_choice, check_range, options_except
from kg.process import fork_pool, inherited

DEFAULT_HTML_MAX_NODES: int | None = None  # the page's overview aggregates, so nothing is cut
MANIFEST = ".kg-build.json"
LOCK = ".kg-build.lock"
STAGING_PREFIX = ".staging-"
EXTRACTORS = ("rules", "tagger")
#: libraries whose version can change the exports' bytes
_OUTPUT_LIBRARIES = (
    "keybert",
    "sentence-transformers",
    "torch",
    "scikit-learn",
    "lemminflect",
    "networkx",
    "rdflib",
    "pyvis",
    "numpy",
)


DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class BuildOptions:
    """Everything ``kg build`` can set."""

    out_dir: Path = Path("exports")
    strict: bool = False
    html_max_nodes: int | None = DEFAULT_HTML_MAX_NODES
    device: str = "auto"
    progress: bool = True
    cache_dir: Path | None = None
    cache: bool = True
    force: bool = False
    allow_empty: bool = False  # write exports with no paper (else a build that read none fails)
    wait: bool = False  # wait for another build of out_dir to finish (else fail at once)
    ranking: RankingOptions = RankingOptions()
    entities: EntityOptions = EntityOptions()
    engine: str = "in-process"
    #: ``tagger``: the trained span tagger and relation classifier (kg.extract.tagged); ``rules``: the
    #: chunker, vocabulary and rules, with every method of a paper linked to every task of it
    extractor: str = "tagger"
    scheduler: str | None = None  # dask: local:N or tcp://HOST:PORT (default local:2)
    #: the token encoder's number format (kg.extract.tokens): ``auto`` is bfloat16 where this machine's CPU
    #: multiplies it natively, else float32; the two give different results (not different quality)
    precision: str = "auto"

    def __post_init__(self) -> None:
        check_choice("extractor", self.extractor, EXTRACTORS)
        check_choice("engine", self.engine, ENGINES)
        if self.html_max_nodes is not None:
            check_range("html_max_nodes", self.html_max_nodes, low=1)
        check_choice("device", self.device, DEVICES)
        check_choice("precision", self.precision, PRECISIONS)


#: the build options that change how a build runs or reports, never the bytes of its exports; every other
#: option is part of the build's fingerprint (see :func:`fingerprint`)
NOT_OUTPUT_SHAPING = frozenset(
    {
        "out_dir",
        "strict",
        "device",
        "progress",
        "cache_dir",
        "cache",
        "force",
        "allow_empty",
        "wait",
        "engine",
        "scheduler",
    }
)


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the closing summary and the benchmark."""

    corpus: Corpus
    entities_per_type: dict[str, int]
    links: int
    method_task_links: int
    seconds: float
    stage_seconds: dict[str, float] = field(default_factory=dict)
    embedded: int = 0
    cache_hits: int = 0
    outputs: tuple[Path, ...] = ()
    up_to_date: bool = False
    extracted: int = 0  # papers run through the per-paper stage
    reused: int = 0  # papers whose stored per-paper result was reused

    def summary(self) -> str:
        c = self.corpus
        if self.up_to_date:
            return (
                f"papers read: {c.records_read}  distinct papers: {len(c.papers)}\n"
                f"exports up to date (same papers, options, code and model): "
                f"{', '.join(str(p) for p in self.outputs)}; use --force to rebuild"
            )
        types = ", ".join(f"{k} {v}" for k, v in sorted(self.entities_per_type.items()))
        lines = [
            f"papers read: {c.records_read}  distinct papers: {len(c.papers)}  duplicates merged: "
            f"{c.duplicates_merged}  records skipped: {len(c.skipped)}",
            f"entities linked from papers: {types} (graph.html's legend and graph-summary's inPapers count the same)",
            f"links: {self.links} paper->entity, {self.method_task_links} method->task",
            f"papers extracted: {self.extracted}  reused from earlier builds: {self.reused}",
            f"embedded {self.embedded} new texts ({self.cache_hits} from cache)",
            "stages: " + ", ".join(f"{k} {v:.1f}s" for k, v in self.stage_seconds.items()),
            f"wrote {', '.join(str(p) for p in self.outputs)} in {self.seconds:.1f}s",
        ]
        return "\n".join(lines)


def map_papers(papers: Sequence[Paper], stage: PaperStage, engine: Engine, store: ResultStore, progress: bool) -> int:
    """The map step: the engine runs the papers that have no stored result, and each partition's results are
    stored as it finishes (so an interrupted build resumes). No result is kept in memory: the reduce reads
    them back from the store (:func:`reduce_inputs`), so the map step's memory does not grow with the corpus.
    Returns how many papers were extracted."""
    todo = store.missing(papers)
    bar = None
    if progress and todo:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc=f"papers ({engine.describe()})", unit="paper", file=sys.stderr)

    def done(part: Sequence[Paper], part_results: list[PaperResult]) -> None:
        store.put(zip(part, part_results, strict=True))
        release_freed_memory()  # what the partition's forward passes freed (glibc keeps it otherwise)
        if bar:
            bar.update(len(part))

    try:
        engine.map(stage, todo, done)
    finally:
        if bar:
            bar.close()
    return len(todo)


def stored_results(
    papers: Sequence[Paper], stage: PaperStage, engine: Engine, store: ResultStore
) -> tuple[dict[str, PaperResult], int]:
    """Every paper's result, read back from the store after :func:`map_papers`; a stored entry that does not
    decode is extracted again here. Returns results by paper key and how many papers were extracted."""
    results = store.get(papers)
    damaged = [p for p in papers if p.key not in results]
    if damaged:
        engine.map(stage, damaged, lambda part, found: store.put(zip(part, found, strict=True)))
        results.update(store.get(damaged))
    return results, len(damaged)


def extract(
    papers: Sequence[Paper],
    embedder: Embedder,
    options: BuildOptions,
    stage_seconds: dict[str, float],
    engine: Engine | None = None,
) -> tuple[Extraction, int]:
    """The extraction stages: the per-paper map step (``engine``, default in-process; results kept in
    ``options.out_dir``), then the corpus-wide entities step. Returns the extraction and how many papers
    were extracted (the others reused stored results)."""
    t = time.perf_counter()
    if options.extractor == "tagger":
        from kg.extract.tagged import TaggedStage

        precision = resolve_precision(options.precision)  # here, once: workers run what the fingerprint says
        stage = TaggedStage(options.ranking, device=options.device, embedder=embedder, precision=precision)
    else:
        stage = PaperStage(embedder, options.ranking)
    vocabulary = load_vocabulary()
    with ResultStore(options.out_dir, stage.fingerprint(), on_message=_warn) as store:
        engine = engine or InProcessEngine()
        extracted = map_papers(papers, stage, engine, store, options.progress)
        release_freed_memory()  # what the model's forward passes freed, before the reduce's data is read
        stage_seconds["keyphrases"] = time.perf_counter() - t
        t = time.perf_counter()
        results, again = stored_results(papers, stage, engine, store)
        extracted += again
        # what the entity step reads from each paper alone is kept too, so it scans only the new papers
        inputs = store.entity_inputs(
            papers, inputs_fingerprint(vocabulary), functools.partial(paper_inputs, vocabulary=vocabulary)
        )
    ranked = {p.key: list(results[p.key].phrases) for p in papers}
    tagged = options.extractor == "tagger"
    # with the tagger no phrase is embedded on its own: the tagger types phrases in context, so the
    # embedding prototypes (kg.extract.classify, rule 5) are off (dev scores in bench/results.md)
    extraction = extract_entities(
        papers,
        ranked,
        vocabulary,
        None if tagged else embedder,
        options.entities,
        votes={p.key: dict(results[p.key].votes) for p in papers} if tagged else None,
        pairs={p.key: results[p.key].pairs for p in papers} if tagged else None,
        link_threshold=(options.entities.link_min_score or stage.relations.threshold) if tagged else 0.5,
        inputs=inputs,
    )
    stage_seconds["entities"] = time.perf_counter() - t
    return extraction, extracted


def _warn(message: str) -> None:
    print(message, file=sys.stderr)


@dataclass(frozen=True)
class Exporter:
    """One export: its file name, the function that writes the graph to a path, and the check that reads
    the file back (:mod:`kg.export.check`) before the build declares it good."""

    name: str
    write: Callable[[nx.MultiDiGraph, Path], None]
    check: Callable[[Path], None]


def exporters(
    html_max_nodes: int | None = DEFAULT_HTML_MAX_NODES, previous: Path | None = None
) -> tuple[Exporter, ...]:
    """Every export of a build, the slowest first so that two workers finish together. ``previous``: the
    directory of the previous build's exports, whose unchanged RDF blocks are copied (kg.export.blocks)
    and whose checked blocks (RDF, GraphML) are not read back again."""

    def blocked(write: Callable[..., None], read_back: Callable[..., None], name: str) -> Exporter:
        if previous is None:
            return Exporter(name, write, read_back)
        # the check reads back only the blocks that are not the previous (checked) export's (kg.export.check)
        return Exporter(
            name,
            functools.partial(write, previous=previous / name),
            functools.partial(read_back, previous=previous / name),
        )

    return (
        blocked(rdf.write_turtle, check.turtle, "graph.ttl"),
        Exporter("graph.html", functools.partial(html.write_html, max_nodes=html_max_nodes), check.html),
        blocked(graphml.write_graphml, check.graphml, "graph.graphml"),
        blocked(rdf.write_jsonld, check.jsonld, "graph.jsonld"),
        blocked(rdf.write_ntriples, check.ntriples, "graph.nt"),
    )


EXPORT_FILES = tuple(e.name for e in exporters())


def write_exports(
    graph: nx.MultiDiGraph,
    out_dir: Path,
    html_max_nodes: int | None,
    workers: int | None = None,
    entries: Sequence[Exporter] | None = None,
) -> tuple[Path, ...]:
    """Write and check every export (default: :func:`exporters`) in a staging directory, then move them all
    into ``out_dir``; a failed writer or check leaves ``out_dir`` as it was.

    The exports are written by ``workers`` forked processes (default: one per CPU, at most 2; 1 writes
    them here) that share the graph copy-on-write and die with this process (:mod:`kg.process`); the
    files are the same bytes either way.
    """
    entries = tuple(exporters(html_max_nodes, previous=out_dir) if entries is None else entries)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
    workers = min(2, os.cpu_count() or 1) if workers is None else workers
    try:
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            pool = fork_pool(workers, inherit=(graph, entries))
            try:
                for future in [pool.submit(_export_inherited, i, staging) for i in range(len(entries))]:
                    future.result()
            finally:
                pool.shutdown(cancel_futures=True)
        else:
            for entry in entries:
                _export(entry, graph, staging)
        outputs = []
        for entry in entries:
            os.replace(staging / entry.name, out_dir / entry.name)
            outputs.append(out_dir / entry.name)
            if index_path(staging / entry.name).exists():  # its block index checks the file's SHA-256
                os.replace(index_path(staging / entry.name), index_path(out_dir / entry.name))
            else:  # an earlier build's index would describe another file (the manifest reads the index)
                index_path(out_dir / entry.name).unlink(missing_ok=True)
        return tuple(outputs)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _export(entry: Exporter, graph: nx.MultiDiGraph, directory: Path) -> None:
    entry.write(graph, directory / entry.name)
    entry.check(directory / entry.name)


def _export_inherited(index: int, directory: Path) -> None:
    """In an export worker: the ``index``-th export of the (graph, exporters) it inherited by fork."""
    graph, entries = inherited()
    _export(entries[index], graph, directory)


def _remove_leftovers(out_dir: Path) -> None:
    """Staging directories and temporary files of builds that were killed (call with the lock held)."""
    for path in out_dir.glob(f"{STAGING_PREFIX}*"):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
    for path in out_dir.glob(f".{MANIFEST}.*.tmp"):
        path.unlink(missing_ok=True)


def _relative(path: Path) -> Path:
    """``path`` relative to the working directory when it lies inside it, so listings record
    ``data/daily_papers/...`` rather than a machine-specific absolute path."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def fingerprint(corpus: Corpus, options: BuildOptions, model_id: str) -> str:
    """SHA-256 over everything a build's exports depend on: the parsed papers, the options that shape
    the output, the package's code, queries, assets and ontology, the model and the library versions."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256()

    def put(*parts: object) -> None:
        for part in parts:
            data = part if isinstance(part, bytes) else repr(part).encode("utf-8")
            h.update(len(data).to_bytes(8, "little") + data)

    put(__version__, model_id, options_except(options, NOT_OUTPUT_SHAPING))
    for lib in _OUTPUT_LIBRARIES:
        try:
            put(lib, version(lib))
        except PackageNotFoundError:
            put(lib, None)
    package = Path(__file__).parent
    code = [f for f in package.rglob("*") if f.is_file() and "__pycache__" not in f.parts]
    for root, files in ((package, code), (ONTOLOGY_DIR, list(ONTOLOGY_DIR.glob("*.ttl")))):
        for f in sorted(files):
            put(f.relative_to(root).as_posix(), f.read_bytes())
    for paper in corpus.papers:
        put(paper)
    return h.hexdigest()


def _sha256(path: Path) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


def _digest(export: Path) -> str | None:
    """The SHA-256 of an export just written: the one its checked block index records (this build's: the
    check compared the file with it, and write_exports removes an index it did not write), else hashed."""
    return checked_digest(export) or _sha256(export)


def _read_manifest(out_dir: Path) -> dict:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _is_up_to_date(manifest: dict, out_dir: Path, print_: str) -> bool:
    files = manifest.get("files")
    return (
        manifest.get("fingerprint") == print_
        and isinstance(files, dict)
        and set(files) == set(EXPORT_FILES)
        and all(_sha256(out_dir / name) == digest for name, digest in files.items())
    )


def _refuse_empty(corpus: Corpus, out_dir: Path) -> None:
    """A build that read no paper is a mistake far more often than a wish for an empty graph."""
    kept = f"; the exports in {out_dir} are kept" if _read_manifest(out_dir) else ""
    raise InputError(
        ", ".join(corpus.files),
        f"no paper to build: every record was skipped "
        f"({len(corpus.skipped)} malformed){kept}; --allow-empty builds an empty graph",
    )


def build(
    inputs: list[Path] | None, options: BuildOptions = BuildOptions(), embedder: Embedder | None = None
) -> BuildReport:
    """Build the graph of ``inputs`` (default: the bundled corpus) and write its exports.

    Skips the work when ``options.out_dir`` already holds the exports of the same build (see the module
    docstring) unless ``options.force``.
    """
    t0 = time.perf_counter()
    stages: dict[str, float] = {}
    corpus = read_corpus(
        inputs or [_relative(default_corpus_dir())],
        strict=options.strict,
        on_warning=lambda msg: print(f"kg: warning: {msg}", file=sys.stderr),
    )
    stages["corpus"] = time.perf_counter() - t0
    if not corpus.papers and not options.allow_empty:
        _refuse_empty(corpus, options.out_dir)
    # one build at a time per output directory: two would interleave their moves and manifests
    with directory_lock(options.out_dir, LOCK, wait=options.wait, on_wait=_say_waiting):
        _remove_leftovers(options.out_dir)
        return _build_locked(corpus, options, embedder, t0, stages)


def _say_waiting(holder: str) -> None:
    print(f"kg: waiting for the other build of this directory to finish ({holder})", file=sys.stderr)


def _up_to_date_report(
    manifest: dict, corpus: Corpus, out_dir: Path, t0: float, stages: dict[str, float]
) -> BuildReport:
    """The report of a build that found its exports up to date: the counts come from the manifest."""
    summary = manifest.get("summary", {})
    return BuildReport(
        corpus=corpus,
        entities_per_type=summary.get("entities_per_type", {}),
        links=summary.get("links", 0),
        method_task_links=summary.get("method_task_links", 0),
        seconds=time.perf_counter() - t0,
        stage_seconds=stages,
        outputs=tuple(out_dir / name for name in EXPORT_FILES),
        up_to_date=True,
    )


def _write_manifest(out_dir: Path, print_: str, outputs: Sequence[Path], summary: dict) -> None:
    """The manifest, written last: its fingerprint and file digests say the exports are complete."""
    with atomic_write(out_dir / MANIFEST) as f:
        json.dump(
            {"fingerprint": print_, "files": {p.name: _digest(p) for p in outputs}, "summary": summary},
            f,
            indent=1,
            sort_keys=True,
        )
        f.write("\n")


def _build_locked(
    corpus: Corpus, options: BuildOptions, embedder: Embedder | None, t0: float, stages: dict[str, float]
) -> BuildReport:
    """The build after reading the corpus, with the output directory's lock held."""
    t = time.perf_counter()
    if embedder is None:
        embedder = load_embedder(options.device, options.cache_dir, cache=options.cache)  # the model loads lazily
    stages["model"] = time.perf_counter() - t
    t = time.perf_counter()
    print_ = fingerprint(corpus, options, embedder.model_id)
    manifest = _read_manifest(options.out_dir)
    up_to_date = not options.force and _is_up_to_date(manifest, options.out_dir, print_)
    stages["check"] = time.perf_counter() - t
    if up_to_date:
        return _up_to_date_report(manifest, corpus, options.out_dir, t0, stages)
    hits0, misses0 = getattr(embedder, "hits", 0), getattr(embedder, "misses", 0)
    engine = engine_from_options(options.engine, options.scheduler)
    try:
        extraction, extracted = extract(list(corpus.papers), embedder, options, stages, engine)
    finally:
        engine.close()
    t = time.perf_counter()
    graph = build_graph(corpus.papers, extraction.entities, extraction.mentions, links=extraction.links)
    graph.graph["extractor_version"] = f"paper-kg {__version__} / {embedder.model_id}"
    linked = {m.entity for m in extraction.mentions}
    per_type = dict(sorted(Counter(e.type.value for e in extraction.entities if e.id in linked).items()))
    n_mentions = len(extraction.mentions)
    del extraction, linked  # the graph holds what the exports need
    gc.collect()
    release_freed_memory()  # before the export workers fork: each one's RSS starts as this process's
    stages["graph"] = time.perf_counter() - t
    t = time.perf_counter()
    (options.out_dir / MANIFEST).unlink(missing_ok=True)
    outputs = write_exports(graph, options.out_dir, options.html_max_nodes)
    n_links = sum(1 for *_, d in graph.edges(data=True) if d["relation"] is Relation.APPLIED_TO)
    summary = {"entities_per_type": per_type, "links": n_mentions, "method_task_links": n_links}
    _write_manifest(options.out_dir, print_, outputs, summary)
    stages["exports"] = time.perf_counter() - t
    return BuildReport(
        corpus=corpus,
        entities_per_type=per_type,
        links=n_mentions,
        method_task_links=n_links,
        seconds=time.perf_counter() - t0,
        stage_seconds=stages,
        embedded=getattr(embedder, "misses", 0) - misses0,
        cache_hits=getattr(embedder, "hits", 0) - hits0,
        outputs=outputs,
        extracted=extracted,
        reused=len(corpus.papers) - extracted,
    )
