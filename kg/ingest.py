"""Loading into the store: the ontology into its graph, each document (or RDF file) into its own.

A document goes through the whole pipeline — read, segment, find mentions, extract,
build RDF, validate — before the store is touched; if any input fails, nothing is
written and the error says why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import RdfFormat
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.build import build_graph
from kg.config import Settings
from kg.errors import InputError, UnsupportedFormatError, ValidationError
from kg.extract import Extraction, extract
from kg.formats import rdf_format_for_path
from kg.gazetteer import DATA_DIR, Gazetteer
from kg.identifiers import slugify
from kg.namespaces import STATUS
from kg.ontology import ontology_graph
from kg.reader import TEXT_SUFFIXES, read_document
from kg.segment import segment
from kg.store import GraphStore
from kg.validate import validate

CORPUS_DIR = DATA_DIR / "corpus"

# oxrdflib's parsers: Oxigraph's speed and its line/column error messages, into rdflib graphs.
_PARSERS = {
    RdfFormat.TURTLE: "ox-turtle",
    RdfFormat.N_TRIPLES: "ox-nt",
    RdfFormat.JSON_LD: "ox-json-ld",
    RdfFormat.RDF_XML: "ox-xml",
}


@dataclass(frozen=True)
class Loaded:
    """One graph written to the store, and what the pipeline found in it."""

    source: str
    graph_iri: str
    triples: int
    summary: dict[str, int] | None = None


def summarize(extraction: Extraction, gazetteer: Gazetteer, graph: Graph) -> dict[str, int]:
    """The figures ``kg ingest`` prints for a document."""
    slugs = {m.slug for m in extraction.mentions}
    statuses = {name: 0 for name in STATUS.__annotations__}
    for claim in extraction.claims.values():
        statuses[str(claim.status).rsplit("#", 1)[-1]] += 1
    return {
        "entities": len(slugs),
        "linked to Wikidata": sum(1 for s in slugs if gazetteer.entities[s].wikidata),
        "pacts": len(extraction.pacts),
        "groupings": len(extraction.groupings),
        "threats": len(extraction.threats),
        "countermeasures": len(extraction.countermeasures),
        "claims": len(extraction.claims),
        **{f"claims: {name}": count for name, count in statuses.items()},
        "mentions": len(extraction.mentions),
        "triples": len(graph),
    }


def document_graph(path: Path, settings: Settings, gazetteer: Gazetteer) -> tuple[Graph, Extraction]:
    """Run the pipeline over one document: its named graph's triples and the extraction behind them."""
    document = read_document(path)
    segmented = segment(document.text, document.metadata, document.body_start)
    extraction = extract(document, segmented, gazetteer)
    return build_graph(extraction, gazetteer, settings), extraction


def corpus_files(directory: Path = CORPUS_DIR) -> list[Path]:
    """The documents of a corpus folder, in name order."""
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)


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


def _duplicate_of(store: GraphStore, digest: Literal | None, iri: str) -> str | None:
    """Another graph in the store built from the same text, if any."""
    if digest is None:
        return None
    query = (
        f"SELECT ?g WHERE {{ GRAPH ?g {{ ?d {DCTERMS.identifier.n3()} {digest.n3()} }}"
        f" FILTER(?g != {URIRef(iri).n3()}) }} LIMIT 1"
    )
    rows = list(store.query(query))
    return rows[0]["g"].value if rows else None


def ingest(
    store: GraphStore,
    settings: Settings,
    paths: Sequence[Path] = (),
    progress: Callable[[Path], None] | None = None,
) -> list[Loaded]:
    """Load the ontology, then each document or RDF file into ``{base}graph/{slug of its name}``.

    Every input is read, extracted and validated first; if any fails, nothing is written.
    """
    gazetteer: Gazetteer | None = None
    prepared: dict[str, tuple[Path, Graph, dict[str, int] | None]] = {}
    digests: dict[Literal, Path] = {}
    for path in paths:
        slug = slugify(path.stem)
        iri = settings.graph_iri(slug)
        if not slug or iri == settings.ontology_graph:
            raise InputError(f"{path}: the name {path.stem!r} cannot name a document graph")
        if iri in prepared:
            raise InputError(f"{path} and {prepared[iri][0]} would both load into {iri}")
        summary = None
        if path.suffix.lower() in TEXT_SUFFIXES:
            gazetteer = gazetteer or Gazetteer.load()
            graph, extraction = document_graph(path, settings, gazetteer)
            summary = summarize(extraction, gazetteer, graph)
        else:
            graph = read_rdf_file(path)
        report = validate(graph)
        if not report.conforms:
            raise ValidationError(f"{path} does not conform to the shapes; nothing was loaded", report.text())
        digest = _digest(graph)
        duplicate = str(digests[digest]) if digest in digests else _duplicate_of(store, digest, iri)
        if duplicate:
            raise InputError(f"{path} has the same text as {duplicate}; nothing was loaded")
        if digest is not None:
            digests[digest] = path
        prepared[iri] = (path, graph, summary)
        if progress is not None:
            progress(path)

    loaded = [load_ontology(store, settings)]
    for iri, (path, graph, summary) in prepared.items():
        loaded.append(Loaded(str(path), iri, store.replace_graph(iri, graph), summary))
    return loaded


def _digest(graph: Graph) -> Literal | None:
    """The 'sha256:…' identifier of the document a graph was built from, if any."""
    return next((o for o in graph.objects(None, DCTERMS.identifier) if str(o).startswith("sha256:")), None)
