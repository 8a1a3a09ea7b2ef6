"""The readers of kg.sources on hand-written fixtures (tests/data/sources/), cross-source deduplication,
safe XML, format sniffing, and properties of the id and abstract helpers."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.corpus import iter_records, read_corpus
from kg.errors import InputError
from kg.sources import ids, sniff
from kg.sources.base import Record, Skipped, iso_date
from kg.sources.openalex import rebuild_abstract

SOURCES = Path(__file__).parent / "data" / "sources"

#: fixture -> (format, titles of its good records in file order, {line of a malformed entry: reason fragment})
FIXTURES = {
    "arxiv_atom.xml": (
        "arxiv-atom",
        [
            "LoRA: Low-Rank Adaptation of Large Language Models",
            "Attention Is All You Need",
            "QLoRA: Efficient Finetuning of Quantized LLMs",
        ],
        {98: "has no <summary>"},
    ),
    "oai_arxiv.xml": (
        "oai-pmh",
        [
            "Deep Residual Learning for Image Recognition",
            "FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness",
        ],
        {46: "record without <metadata>"},
    ),
    "oai_dc.xml": (
        "oai-pmh",
        [
            "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
            "Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
        ],
        {59: "neither a title nor an abstract"},
    ),
    "hf_daily_papers.json": (
        "huggingface",
        [
            "LoRA: Low-Rank Adaptation of Large Language Models",
            "Direct Preference Optimization: Your Language Model is Secretly a Reward Model",
            "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale",
        ],
        {43: "not an arXiv id"},
    ),
    "openalex_works.jsonl": (
        "openalex",
        [
            "Deep Residual Learning for Image Recognition",
            "Attention Is All You Need",
            "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        ],
        {3: "abstract_inverted_index has gaps: positions 6-8 are missing"},
    ),
    "s2_papers.jsonl": (
        "semantic-scholar",
        [
            "FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness",
            "Language Models are Few-Shot Learners",
            "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale",
        ],
        {2: "bad JSON"},
    ),
    "s2_abstracts.jsonl": ("semantic-scholar", ["", ""], {3: "no corpusid"}),
    "zotero_csl.json": (
        "csl-json",
        [
            "Attention Is All You Need",
            "Denoising Diffusion Probabilistic Models",
            "Direct Preference Optimization: Your Language Model is Secretly a Reward Model",
        ],
        {4: "'issued' is not a CSL date"},
    ),
    "zotero.bib": (
        "bibtex",
        [
            "LoRA: Low-Rank Adaptation of Large Language Models",
            "Deep Residual Learning for Image Recognition",
            "Chain-of-Thought Prompting Elicits Reasoning in Large Language Models",
            "Proximal Policy Optimization Algorithms",
        ],
        {31: "malformed BibTeX entry"},
    ),
    "zotero.ris": (
        "ris",
        [
            "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
            "Mistral 7B",
            "Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
        ],
        {19: "not closed by 'ER  - '"},
    ),
}


def copy(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copy(SOURCES / name, tmp_path / name))


# --- each reader: good entries and its malformed one --------------------------------------------------


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_reader_keeps_good_entries_and_reports_the_malformed_one(name):
    fmt, titles, malformed = FIXTURES[name]
    path = SOURCES / name
    assert sniff.detect(path) == fmt
    items = list(iter_records(path))
    assert [r.title for r in items if isinstance(r, Record)] == titles
    skipped = [s for s in items if isinstance(s, Skipped)]
    assert {s.line: s.reason for s in skipped}.keys() == malformed.keys()
    for s in skipped:
        assert s.path == str(path) and malformed[s.line] in s.reason


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_strict_fails_at_the_malformed_entry(name):
    _, _, malformed = FIXTURES[name]
    with pytest.raises(InputError) as info:
        read_corpus([SOURCES / name], strict=True)
    line = min(malformed)
    assert info.value.line == line and str(info.value).startswith(f"{SOURCES / name}:{line}: ")


def test_the_warning_names_file_and_line():
    messages: list[str] = []
    read_corpus([SOURCES / "zotero.bib"], on_warning=messages.append)
    bib = SOURCES / "zotero.bib"
    assert messages == [
        f"{bib}:31: malformed BibTeX entry (an unclosed brace or quote?): "
        "@inproceedings{dettmers2023qlora,; record skipped",
        # alone, the ResNet entry has no abstract; in the mixed directory OAI-PMH supplies it
        f"{bib}:21: no abstract, in this record or another source of the same paper; record skipped",
    ]


def test_arxiv_atom_maps_ids_authors_date_and_url():
    lora = next(r for r in iter_records(SOURCES / "arxiv_atom.xml") if isinstance(r, Record))
    assert lora.identifiers == ("arXiv:2106.09685",)
    assert lora.authors[:2] == ("Edward J. Hu", "Yelong Shen") and len(lora.authors) == 8
    assert lora.published == "2021-06-17" and lora.url == "https://arxiv.org/abs/2106.09685"
    assert lora.abstract.startswith("An important paradigm") and "\n" in lora.abstract


def test_oai_pmh_formats_map_authors_doi_and_skip_deleted_records():
    resnet, flash = [r for r in iter_records(SOURCES / "oai_arxiv.xml") if isinstance(r, Record)]
    assert resnet.identifiers == ("arXiv:1512.03385", "doi:10.1109/cvpr.2016.90")
    assert resnet.authors == ("Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun")
    assert flash.authors[-1] == "Christopher Ré" and flash.published == "2022-05-27"
    bert, mamba = [r for r in iter_records(SOURCES / "oai_dc.xml") if isinstance(r, Record)]
    assert bert.authors == ("Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova")
    assert bert.published == "2018-10-11" and bert.identifiers == ("arXiv:1810.04805",)
    assert not mamba.abstract.startswith("Comment:")


def test_openalex_rebuilds_the_abstract_and_maps_its_ids():
    resnet, attention, bert = [r for r in iter_records(SOURCES / "openalex_works.jsonl") if isinstance(r, Record)]
    assert resnet.abstract.startswith("Deeper neural networks are more difficult to train. We present")
    assert resnet.identifiers == ("doi:10.1109/cvpr.2016.90", "openalex:W2194775991")
    assert attention.identifiers == ("arXiv:1706.03762", "openalex:W2963403868")  # arXiv's DOI is an arXiv id
    assert bert.abstract == ""  # no inverted index: kept for another source to supply the abstract


def test_bibtex_decodes_latex_and_reads_arxiv_ids_from_eprint_and_journal():
    lora, resnet, cot, ppo = [r for r in iter_records(SOURCES / "zotero.bib") if isinstance(r, Record)]
    assert lora.identifiers == ("arXiv:2106.09685",) and lora.published == "2021-06"
    assert resnet.identifiers == ("doi:10.1109/cvpr.2016.90",) and resnet.abstract == ""
    assert cot.identifiers == ("arXiv:2201.11903",) and ppo.identifiers == ("arXiv:1707.06347",)
    assert ppo.authors[0] == "John Schulman"


def test_ris_and_csl_map_dates_dois_and_names():
    bert = next(r for r in iter_records(SOURCES / "zotero.ris") if isinstance(r, Record))
    assert bert.identifiers == ("doi:10.18653/v1/n19-1423",) and bert.published == "2019-06"
    dpo = [r for r in iter_records(SOURCES / "zotero_csl.json") if isinstance(r, Record)][-1]
    assert dpo.authors == ("Rafael Rafailov", "Archit Sharma", "Stanford NLP Group")
    assert dpo.identifiers == ("arXiv:2305.18290",) and dpo.published == "2023-05-29"


def test_huggingface_paper_page_and_listing_dates():
    (page,) = iter_records(SOURCES / "hf_paper_2305.18290.json")
    assert page.identifiers == ("arXiv:2305.18290",) and page.date is None and len(page.authors) == 6
    listing = next(r for r in iter_records(SOURCES / "hf_daily_papers.json") if isinstance(r, Record))
    assert listing.date == "2024-01-10" and listing.published == "2021-06-17"


# --- one graph from every format ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed():
    messages: list[str] = []
    return read_corpus([SOURCES], on_warning=messages.append), messages


def test_a_directory_of_every_format_is_one_deduplicated_corpus(mixed):
    corpus, messages = mixed
    assert len(corpus.files) == 13 and set(corpus.formats) >= {f for f, _, _ in FIXTURES.values()}
    assert len(messages) == len(corpus.skipped) == 10
    assert len(corpus.papers) == 14 and corpus.records_read == 32 and corpus.duplicates_merged == 18
    assert corpus.merged_across_formats == 9
    by_key = {p.key: p for p in corpus.papers}
    lora = by_key["2106.09685"]  # the JSONL id is the key; arXiv id, BibTeX eprint and HF id matched it
    assert [Path(li.source).name for li in lora.listings] == [
        "arxiv_atom.xml",
        "hf_daily_papers.json",
        "listings.jsonl",
        "zotero.bib",
    ]
    resnet = by_key["1512.03385"]  # OAI-PMH arXiv id + DOI, OpenAlex DOI, BibTeX DOI
    assert resnet.identifiers == ("arXiv:1512.03385", "doi:10.1109/cvpr.2016.90", "openalex:W2194775991")
    bert = by_key["1810.04805"]  # OAI-PMH (arXiv id) and OpenAlex/RIS (DOI) matched by title
    assert {Path(li.source).name for li in bert.listings} == {"oai_dc.xml", "openalex_works.jsonl", "zotero.ris"}
    flash = by_key["2205.14135"]  # S2 papers + abstracts joined by corpus id
    assert "s2corpus:249151871" in flash.identifiers and flash.abstract.startswith("Transformers are slow")
    mamba = by_key["2312.00752"]  # its Atom entry was malformed; oai_dc supplied the abstract
    assert mamba.abstract.startswith("Foundation models") and len(mamba.listings) == 2
    assert all(p.abstract for p in corpus.papers)


def test_dry_run_summary_names_formats_and_counts(mixed):
    text = mixed[0].summary()
    assert "13 input file(s)" in text and "2 OAI-PMH response" in text and "1 RIS" in text
    assert "distinct papers: 14  duplicates merged: 18 (9 papers from two or more formats)" in text
    assert "records skipped: 10" in text


def test_same_paper_with_an_id_in_jsonl_and_none_in_a_dump_is_one_paper(tmp_path):
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"id": "2401.00001", "title": "LoRA for QA", "abstract": "We adapt."}) + "\n"
    )
    (tmp_path / "b.txt").write_text("Daily Papers\n\nSep 9\n\nLoRA for QA!\n\nWe adapt, again.\n")
    corpus = read_corpus([tmp_path])
    assert [p.key for p in corpus.papers] == ["2401.00001"] and len(corpus.papers[0].listings) == 2


def test_one_title_with_two_different_dois_stays_two_papers_with_distinct_keys(tmp_path):
    (tmp_path / "a.ris").write_text(
        "TY  - JOUR\nTI  - Introduction\nAB  - One.\nDO  - 10.1000/a\nER  - \n\n"
        "TY  - JOUR\nTI  - Introduction\nAB  - Two.\nDO  - 10.1000/b\nER  - \n\n"
        "TY  - JOUR\nTI  - Introduction\nAB  - Three.\nER  - \n"
    )
    corpus = read_corpus([tmp_path])
    assert len(corpus.papers) == 2 and len({p.key for p in corpus.papers}) == 2
    assert sorted(len(p.listings) for p in corpus.papers) == [1, 2]  # the DOI-less one joins the first


def test_an_id_shared_by_two_groups_merges_them(tmp_path):
    (tmp_path / "a.bib").write_text(
        "@misc{a, title={Alpha}, abstract={x}, eprint={2401.00001}, "
        "archivePrefix={arXiv}}\n"
        "@misc{b, title={Beta}, abstract={y}, doi={10.1000/b}}\n"
        "@misc{c, title={Alpha (v2)}, abstract={z}, eprint={2401.00001}, "
        "archivePrefix={arXiv}, doi={10.1000/b}}\n"
    )
    corpus = read_corpus([tmp_path])
    assert len(corpus.papers) == 1 and [li.line for li in corpus.papers[0].listings] == [1, 2, 3]


def test_a_paper_without_an_abstract_in_any_source_is_reported(tmp_path):
    (tmp_path / "a.bib").write_text("@article{x,\n  title = {No Abstract Anywhere},\n  year = 2020\n}\n")
    messages: list[str] = []
    corpus = read_corpus([tmp_path], on_warning=messages.append)
    assert corpus.papers == () and messages == [
        f"{tmp_path / 'a.bib'}:1: no abstract, in this record or another source of the same paper; record skipped"
    ]
    with pytest.raises(InputError, match="a.bib:1: no abstract"):
        read_corpus([tmp_path], strict=True)


# --- sniffing ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, body, fmt",
    [
        ("export.txt", "TY  - JOUR\nTI  - A\nAB  - B\nER  - \n", "ris"),
        ("export.txt", "% Zotero\n@article{a, title={A}, abstract={B}}\n", "bibtex"),
        (
            "works.json",
            '{"meta": {"count": 1}, "results": [{"id": "https://openalex.org/W1", "title": "A"}]}',
            "openalex-json",
        ),
        (
            "paper.json",
            '{"id": "2106.09685", "title": "A", "summary": "B", "publishedAt": "2021-06-17"}',
            "huggingface",
        ),
        ("papers.jsonl", '{"corpusid": 1, "title": "A"}\n', "semantic-scholar"),
        ("dump.txt", "[RFC] A title in brackets\n\nIts abstract.\n", "daily-papers"),
        ("dump.txt", "<b> A title in a tag\n\nIts abstract.\n", "daily-papers"),
        ("feed", '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"></feed>', "arxiv-atom"),
    ],
)
def test_format_is_chosen_by_content(tmp_path, name, body, fmt):
    path = tmp_path / name
    path.write_text(body)
    assert sniff.detect(path) == fmt


def test_walk_skips_unknown_content_with_a_warning(tmp_path):
    copy("zotero.ris", tmp_path)
    (tmp_path / "package.json").write_text('{"name": "not papers"}')
    messages: list[str] = []
    corpus = read_corpus([tmp_path], on_warning=messages.append)
    assert [Path(f).name for f in corpus.files] == ["zotero.ris"]
    assert any(m.startswith(f"{tmp_path / 'package.json'}: not a known input format") for m in messages)


# --- XML is data, never instructions -----------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE feed [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2401.00001</id>
<title>&lol9;</title><summary>&lol9;</summary></entry></feed>
"""


def external_entity(secret: Path) -> str:
    return f"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file://{secret}">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2401.00001</id>
<title>Leak</title><summary>&xxe;</summary></entry></feed>
"""


def test_xml_with_entity_expansion_is_refused_at_once(tmp_path):
    path = tmp_path / "laughs.xml"
    path.write_text(BILLION_LAUGHS)
    t = time.perf_counter()
    with pytest.raises(InputError, match=r"laughs.xml:2: unsafe XML refused: a document type declaration"):
        read_corpus([path])
    assert time.perf_counter() - t < 5


@pytest.mark.parametrize("doctype", ["entity", "external-dtd"])
def test_xml_never_reads_external_entities(tmp_path, doctype):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    path = tmp_path / "feed.xml"
    path.write_text(
        external_entity(secret)
        if doctype == "entity"
        else f'<?xml version="1.0"?>\n<!DOCTYPE feed SYSTEM "file://{secret}">\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"></feed>\n'
    )
    with pytest.raises(InputError, match="unsafe XML refused") as info:
        read_corpus([path], on_warning=lambda m: None)
    assert "TOP SECRET" not in str(info.value)


def test_malformed_xml_names_file_and_line(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text('<feed xmlns="http://www.w3.org/2005/Atom">\n<entry>\n<title>A</entry>\n</feed>\n')
    with pytest.raises(InputError, match=r"feed.xml:3: not well-formed XML: mismatched tag"):
        read_corpus([path])


# --- properties -----------------------------------------------------------------------------------------------

WORDS = st.lists(
    st.text(alphabet=st.characters(blacklist_categories=["Z", "C"]), min_size=1, max_size=8), min_size=1, max_size=40
)


@given(WORDS)
def test_an_inverted_index_rebuilds_its_text(words):
    index: dict[str, list[int]] = {}
    for i, w in enumerate(words):
        index.setdefault(w, []).append(i)
    assert rebuild_abstract(index) == " ".join(words)


@given(WORDS, st.data())
def test_an_inverted_index_with_a_hole_is_an_error(words, data):
    hole = data.draw(st.integers(0, len(words) - 1))
    index: dict[str, list[int]] = {}
    for i, w in enumerate(words):
        if i != hole:
            index.setdefault(w, []).append(i)
    if hole == len(words) - 1:  # dropping the last word leaves no gap, only a shorter text
        assert rebuild_abstract(index) == " ".join(words[:-1])
    else:
        with pytest.raises(ValueError, match="gaps"):
            rebuild_abstract(index)


@given(
    st.from_regex(r"\A[0-9]{4}\.[0-9]{4,5}\Z"),
    st.integers(1, 9),
    st.sampled_from(
        [
            "http://arxiv.org/abs/{}v{}",
            "arXiv:{}v{}",
            "oai:arXiv.org:{}",
            "{}",
            "{}v{}",
            "https://arxiv.org/pdf/{}v{}.pdf",
            "10.48550/arXiv.{}",
        ]
    ),
)
def test_every_spelling_of_an_arxiv_id_normalizes_the_same(number, version, spelling):
    text = spelling.format(number, version)
    normal = ids.doi(text) if text.startswith("10.") else ids.arxiv_id(text)
    assert normal == f"arXiv:{number}"


@given(st.text(max_size=30) | st.integers() | st.none())
def test_iso_date_never_raises_and_is_iso(value):
    out = iso_date(value)
    assert out is None or (len(out) in (4, 7, 10) and out[:4].isdigit())


def test_the_mixed_corpus_exports_ids_and_dates_and_conforms_to_the_shapes(mixed):
    from rdflib import Literal, Namespace, URIRef
    from rdflib.namespace import XSD

    from kg.export.rdf import to_rdf
    from kg.graph import build_graph
    from kg.namespace import paper_iri
    from kg.query.validate import validate

    dcterms = Namespace("http://purl.org/dc/terms/")
    rdf = to_rdf(build_graph(mixed[0].papers, [], []))
    resnet = URIRef(paper_iri("1512.03385"))
    assert set(map(str, rdf.objects(resnet, dcterms.identifier))) == {
        "1512.03385",
        "arXiv:1512.03385",
        "doi:10.1109/cvpr.2016.90",
        "openalex:W2194775991",
    }
    assert rdf.value(resnet, dcterms.issued) == Literal("2015-12-10", datatype=XSD.date)
    assert rdf.value(URIRef(paper_iri("2006.11239")), dcterms.issued) == Literal("2020", datatype=XSD.gYear)
    result = validate(rdf)
    assert result.conforms, result.text


def test_graphml_keeps_the_identifiers_and_the_date(mixed, tmp_path):
    from kg.export.graphml import read_graphml, write_graphml
    from kg.graph import build_graph
    from kg.namespace import paper_iri

    write_graphml(build_graph(mixed[0].papers, [], []), tmp_path / "g.graphml")
    resnet = read_graphml(tmp_path / "g.graphml").nodes[paper_iri("1512.03385")]
    assert resnet["identifiers"] == ("arXiv:1512.03385", "doi:10.1109/cvpr.2016.90", "openalex:W2194775991")
    assert resnet["published"] == "2015-12-10"


def test_kg_build_dry_run_reports_and_builds_nothing(tmp_path, capsys):
    from kg import cli

    out = tmp_path / "out"
    assert cli.main(["build", str(SOURCES), "--dry-run", "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert "13 input file(s)" in printed.out and "distinct papers: 14" in printed.out
    assert "zotero.bib:31: malformed BibTeX entry" in printed.err
    assert not out.exists()
    assert cli.main(["build", str(SOURCES), "--dry-run", "--strict", "--out", str(out)]) == 2


def test_authors_become_people_linked_by_dcterms_creator(mixed):
    from rdflib import RDF, Namespace, URIRef

    from kg.export.rdf import to_rdf
    from kg.graph import NodeKind, build_graph, node_kind
    from kg.namespace import paper_iri, person_iri
    from kg.query.validate import validate

    graph = build_graph(mixed[0].papers, [], [])
    people = [n for n in graph if node_kind(graph, n) is NodeKind.PERSON]
    dao = person_iri("Tri Dao")  # FlashAttention (OAI-PMH) and Mamba (oai_dc, RIS) name him
    assert dao in people and graph.nodes[dao]["label"] == "Tri Dao"
    assert {u for u, _ in graph.in_edges(dao)} == {paper_iri("2205.14135"), paper_iri("2312.00752")}
    hu = person_iri("Edward J. Hu")  # "Hu, Edward J." in BibTeX: the same person
    assert graph.edges[paper_iri("2106.09685"), hu, "creator"]["position"] == 1
    dcterms, foaf = Namespace("http://purl.org/dc/terms/"), Namespace("http://xmlns.com/foaf/0.1/")
    rdf = to_rdf(graph)
    assert (URIRef(paper_iri("2205.14135")), dcterms.creator, URIRef(dao)) in rdf
    assert str(rdf.value(URIRef(dao), foaf.name)) == "Tri Dao"
    assert len(set(rdf.subjects(RDF.type, foaf.Person))) == len(people)
    result = validate(rdf)
    assert result.conforms, result.text


def test_a_mixed_directory_builds_one_graph_the_author_and_year_queries_answer(tmp_path, trigram_embedder):
    from kg.pipeline import BuildOptions, build
    from kg.query import get_query, load_graph, run_query

    out = tmp_path / "out"
    report = build([SOURCES], BuildOptions(out_dir=out, progress=False, cache=False), embedder=trigram_embedder())
    assert len(report.corpus.papers) == 14
    graph = load_graph(out / "graph.ttl")
    papers = list(
        run_query(graph, "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/paper-kg/ontology#Paper> }")
    )
    assert int(papers[0][0]) == 14
    by_dao = list(run_query(graph, get_query("methods-by-author").render(author="Tri Dao")))
    assert by_dao and all("Tri Dao" in str(row[-1]) for row in by_dao)
    dao_papers = list(
        run_query(
            graph,
            """SELECT DISTINCT ?m WHERE { ?p <http://purl.org/dc/terms/creator>
        <https://w3id.org/paper-kg/person/tri-dao> ; <https://w3id.org/paper-kg/ontology#usesMethod> ?m }""",
        )
    )
    assert {str(r[0]) for r in dao_papers} <= {str(r[0]) for r in by_dao}
    per_year = list(run_query(graph, get_query("methods-per-year").render()))
    assert {str(r[0]) for r in per_year} <= {"2015", "2017", "2018", "2020", "2021", "2022", "2023"}
    assert len({str(r[0]) for r in per_year}) >= 5
