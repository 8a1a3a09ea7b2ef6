"""Readers of the paper sources people already have; :mod:`kg.corpus` dispatches to them.

======================  ==========================================  =====================================
format name             what                                        parsed with
======================  ==========================================  =====================================
``arxiv-atom``          arXiv API Atom feed                         defusedxml (:mod:`.safe_xml`)
``oai-pmh``             OAI-PMH ``arXiv`` / ``oai_dc`` records      defusedxml (:mod:`.safe_xml`)
``huggingface``         Hugging Face daily papers / paper pages     json
``openalex``            OpenAlex works, JSON Lines                  json; abstract from the inverted index
``openalex-json``       OpenAlex API answer (``results``)           json
``semantic-scholar``    Semantic Scholar papers / abstracts JSONL   json
``csl-json``            CSL-JSON (Zotero, Mendeley, pandoc)         json
``bibtex``              BibTeX / BibLaTeX                           bibtexparser 2 (LaTeX decoded)
``ris``                 RIS                                         rispy (record boundaries found here)
======================  ==========================================  =====================================

:func:`kg.sources.sniff.detect` picks the format from a file's content. :mod:`.ids` normalizes the
identifiers every format maps (arXiv id, DOI, OpenAlex id, Semantic Scholar ids), so the corpus can
merge the same paper from two sources.
"""
