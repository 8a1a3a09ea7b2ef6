"""paper-kg: a knowledge graph of research papers and the methods, tasks and hardware they use.

The package reads as the pipeline it runs::

    kg.corpus      read listings -> Paper records (deduplicated)
    kg.extract     candidate phrases, KeyBERT ranking, typing -> Entity, Mention records
    kg.graph       assemble a networkx MultiDiGraph (the typed node and edge schema)
    kg.export      write RDF (Turtle, JSON-LD, N-Triples), GraphML, graph.html
    kg.query       SPARQL over an export

The public API is importable from ``kg`` itself; each name is imported when first used, so
``import kg`` loads neither torch nor rdflib::

        import kg

    report = kg.build([Path("papers.jsonl")], kg.BuildOptions(out_dir=Path("my-exports")))
    graph = kg.load_graph("my-exports")
    print(kg.format_result(kg.run_query(graph, kg.get_query("top-methods").render())))

>>> import kg
>>> kg.BuildOptions().out_dir
PosixPath('exports')
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: public name -> the module that defines it
_API = {
    "build": "kg.pipeline",
    "BuildOptions": "kg.pipeline",
    "BuildReport": "kg.pipeline",
    "read_corpus": "kg.corpus",
    "build_graph": "kg.graph",
    "NodeKind": "kg.graph",
    "Paper": "kg.model",
    "Entity": "kg.model",
    "Mention": "kg.model",
    "EntityType": "kg.model",
    "Relation": "kg.model",
    "load_graph": "kg.query",
    "run_query": "kg.query",
    "get_query": "kg.query",
    "list_queries": "kg.query",
    "format_result": "kg.query",
    "validate": "kg.query.validate",
    "InputError": "kg.errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use (PEP 562)."""
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
