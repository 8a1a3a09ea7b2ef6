"""paper-kg: a knowledge graph of research papers and the methods, tasks and hardware they use.

The package reads as the pipeline it runs::

    kg.corpus      read listings -> Paper records (deduplicated)
    kg.extract.keyphrases  candidate phrases + KeyBERT ranking -> Phrase records
    kg.extract.entities    canonicalize and type phrases -> Entity, Mention records
    kg.graph       assemble a networkx MultiDiGraph
    kg.export      write RDF (Turtle, JSON-LD, N-Triples), GraphML, graph.html
    kg.query       SPARQL over an export

``kg.pipeline.build`` runs them all; ``kg.cli`` is the command line.
"""

__version__ = "0.1.0"
