"""Loading into the store: the ontology into its graph, RDF files into graphs of their own.

Every input is read and validated before the store is touched, so a bad file
loads nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import RdfFormat
from rdflib import Graph

from kg.config import Settings
from kg.errors import InputError, UnsupportedFormatError, ValidationError
from kg.formats import rdf_format_for_path
from kg.identifiers import slugify
from kg.ontology import ontology_graph
from kg.store import GraphStore
from kg.validate import validate

# oxrdflib's parsers: Oxigraph's speed and its line/column error messages, into rdflib graphs.
_PARSERS = {
    RdfFormat.TURTLE: "ox-turtle",
    RdfFormat.N_TRIPLES: "ox-nt",
    RdfFormat.JSON_LD: "ox-json-ld",
    RdfFormat.RDF_XML: "ox-xml",
}


@dataclass(frozen=True)
class Loaded:
    """One graph written to the store."""

    source: str
    graph_iri: str
    triples: int


def read_rdf_file(path: Path) -> Graph:
    """Parse one RDF file (one graph: Turtle, N-Triples, JSON-LD or RDF/XML)."""
    fmt = rdf_format_for_path(path)
    parser = _PARSERS.get(fmt)
    if parser is None:
        raise UnsupportedFormatError(
            f"{path}: {fmt.name} holds several graphs; ingest reads one graph per file "
            "(Turtle, N-Triples, JSON-LD or RDF/XML)"
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read the file: {error.strerror or error}") from None
    if not data.strip():
        raise InputError(f"{path}: the file is empty")
    graph = Graph()
    try:
        graph.parse(data=data, format=parser)
    except (SyntaxError, ValueError) as error:
        raise InputError(f"{path}: not valid {fmt.name}: {error}") from None
    return graph


def load_ontology(store: GraphStore, settings: Settings) -> Loaded:
    """Replace the ontology's named graph with ``ontology/axis.ttl`` and its schemes."""
    iri = settings.ontology_graph
    return Loaded("ontology", iri, store.replace_graph(iri, ontology_graph()))


def ingest(store: GraphStore, settings: Settings, paths: Sequence[Path] = ()) -> list[Loaded]:
    """Load the ontology, then each RDF file into ``{base}graph/{slug of its name}``.

    All files are parsed and validated first; if any fails, nothing is written.
    """
    prepared: dict[str, tuple[Path, Graph]] = {}
    for path in paths:
        slug = slugify(path.stem)
        iri = settings.graph_iri(slug)
        if not slug or iri == settings.ontology_graph:
            raise InputError(f"{path}: the name {path.stem!r} cannot name a document graph")
        if iri in prepared:
            raise InputError(f"{path} and {prepared[iri][0]} would both load into {iri}")
        graph = read_rdf_file(path)
        report = validate(graph)
        if not report.conforms:
            raise ValidationError(f"{path} does not conform to the shapes; nothing was loaded", report.text())
        prepared[iri] = (path, graph)

    loaded = [load_ontology(store, settings)]
    for iri, (path, graph) in prepared.items():
        loaded.append(Loaded(str(path), iri, store.replace_graph(iri, graph)))
    return loaded
