"""Where the ontology, its concept schemes and its shapes live, and how to load them."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "axis.ttl"
SCHEMES_FILE = ONTOLOGY_DIR / "schemes.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"

ONTOLOGY_IRI = "https://w3id.org/axis-kg/ontology"


def ontology_graph() -> Graph:
    """The ontology and its concept schemes: what goes into the ontology's named graph."""
    graph = Graph()
    for path in (ONTOLOGY_FILE, SCHEMES_FILE):
        graph.parse(path, format="turtle")
    return graph


def shapes_graph() -> Graph:
    """The SHACL shapes the instance data must conform to."""
    return Graph().parse(SHAPES_FILE, format="turtle")
