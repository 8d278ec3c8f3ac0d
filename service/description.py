"""What the service says about itself: a SPARQL 1.1 Service Description and a VoID description.

Both are built as rdflib graphs from statistics the query worker computes; the figures are
cached until an update changes the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, Response, current_app, request, url_for
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, VOID

from kg.namespaces import PREFIXES
from service import negotiation as nego
from service.errors import ApiError

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")

bp = Blueprint("description", __name__)

#: The W3C format IRIs of what the endpoint can send.
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "N-Quads",
    "RDF_XML",
    "JSON-LD",
    "TriG",
)
_RDFLIB_FORMATS = {
    "ttl": "turtle",
    "nt": "nt",
    "nq": "nquads",
    "rdf": "xml",
    "jsonld": "json-ld",
    "trig": "trig",
}

_STATISTICS = {
    "totals": """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
        (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
        WHERE { GRAPH ?g { ?s ?p ?o } }""",
    "entities": """SELECT (COUNT(DISTINCT ?s) AS ?entities) (COUNT(DISTINCT ?c) AS ?classes)
        WHERE { GRAPH ?g { ?s a ?c } FILTER isIRI(?s) }""",
    "classes": """SELECT ?class (COUNT(DISTINCT ?s) AS ?entities)
        WHERE { GRAPH ?g { ?s a ?class } } GROUP BY ?class ORDER BY ?class""",
    "properties": """SELECT ?property (COUNT(*) AS ?triples)
        WHERE { GRAPH ?g { ?s ?property ?o } } GROUP BY ?property ORDER BY ?property""",
    "graphs": """SELECT ?graph (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
        (SAMPLE(?t) AS ?title)
        WHERE { GRAPH ?graph { ?s ?p ?o OPTIONAL { ?s a <https://w3id.org/axis-kg/ontology#Document> ;
                <http://purl.org/dc/terms/title> ?t } } }
        GROUP BY ?graph ORDER BY ?graph""",
}


@dataclass
class Statistics:
    """Figures about the store, as the SPARQL queries above report them."""

    totals: dict[str, int] = field(default_factory=dict)
    classes: list[tuple[str, int]] = field(default_factory=list)
    properties: list[tuple[str, int]] = field(default_factory=list)
    graphs: list[tuple[str, int, int, str | None]] = field(default_factory=list)


def _select(query: str) -> list[dict[str, str]]:
    """Rows as plain strings: the figures need no datatypes."""
    from service import data

    return [
        {name: term["value"] for name, term in row.items()} for row in data.select(query, limit=1_000_000)
    ]


def statistics() -> Statistics:
    """Built once per store generation (see :func:`service.data.per_generation`)."""
    from service import data  # service.data runs queries through service.sparql, which imports this module

    return data.per_generation("statistics", _build_statistics)


def _build_statistics() -> Statistics:
    """The store's figures, computed once per store generation."""
    stats = Statistics()
    for row in _select(_STATISTICS["totals"]) + _select(_STATISTICS["entities"]):
        stats.totals.update({name: int(value) for name, value in row.items()})
    stats.classes = [(r["class"], int(r["entities"])) for r in _select(_STATISTICS["classes"])]
    stats.properties = [(r["property"], int(r["triples"])) for r in _select(_STATISTICS["properties"])]
    stats.graphs = [
        (r["graph"], int(r["triples"]), int(r["subjects"]), r.get("title"))
        for r in _select(_STATISTICS["graphs"])
    ]
    return stats


def _count(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def _bind(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    graph.bind("formats", FORMATS_NS)
    return graph


def void_graph(endpoint: str, dataset: URIRef) -> Graph:
    """The VoID description of the whole graph, with class, property and per-document partitions."""
    config = current_app.extensions["axis-kg"]["config"]
    stats = statistics()
    graph = _bind(Graph())
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("Axis KG", lang="en")))
    graph.add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "What geopolitical analysis essays claim, predict and recommend about actors, pacts, "
                "threats and countermeasures, each statement traced to its sentence and attributed "
                "to its author.",
                lang="en",
            ),
        )
    )
    graph.add((dataset, DCTERMS.license, URIRef(config.license)))
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(endpoint)))
    graph.add((dataset, VOID.uriSpace, Literal(f"{config.base_iri}id/")))
    graph.add((dataset, VOID.feature, FORMATS_NS.Turtle))
    for namespace in sorted(PREFIXES.values()):
        graph.add((dataset, VOID.vocabulary, URIRef(namespace)))
    figures = {
        VOID.triples: "triples",
        VOID.entities: "entities",
        VOID.classes: "classes",
        VOID.properties: "properties",
        VOID.distinctSubjects: "subjects",
        VOID.distinctObjects: "objects",
    }
    for predicate, key in figures.items():
        graph.add((dataset, predicate, _count(stats.totals.get(key, 0))))
    for iri, entities in stats.classes:
        partition = BNode()
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(iri)))
        graph.add((partition, VOID.entities, _count(entities)))
    for iri, triples in stats.properties:
        partition = BNode()
        graph.add((dataset, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, URIRef(iri)))
        graph.add((partition, VOID.triples, _count(triples)))
    for iri, triples, subjects, title in stats.graphs:
        subset = URIRef(iri)
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, VOID.triples, _count(triples)))
        graph.add((subset, VOID.distinctSubjects, _count(subjects)))
        graph.add((subset, VOID.sparqlEndpoint, URIRef(endpoint)))
        if title:
            graph.add((subset, DCTERMS.title, Literal(title)))
    return graph


def service_description_graph(endpoint: str) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint."""
    config = current_app.extensions["axis-kg"]["config"]
    stats = statistics()
    graph = _bind(Graph())
    service = BNode()
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(endpoint)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if config.updates_enabled:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    for feature in (SD.UnionDefaultGraph, SD.BasicFederatedQuery):
        graph.add((service, SD.feature, feature))
    for name in RESULT_FORMATS:
        graph.add((service, SD.resultFormat, FORMATS_NS[name]))
    dataset, default = BNode(), BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, VOID.triples, _count(stats.totals.get("triples", 0))))
    for iri, triples, _, _ in stats.graphs:
        named, described = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(iri)))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, VOID.triples, _count(triples)))
    return graph


def graph_response(graph: Graph, format_name: str | None) -> Response:
    """An rdflib graph in the negotiated RDF format (Turtle for browsers and ``*/*``)."""
    try:
        fmt = nego.choose("graph", request.headers.get("Accept"), format_name)
    except nego.NotAcceptable as error:
        raise ApiError(406, str(error)) from None
    if fmt is nego.HTML:
        fmt = nego.TURTLE
    body = graph.serialize(format=_RDFLIB_FORMATS[fmt.name], encoding="utf-8")
    response = Response(body, content_type=f"{fmt.media_type}; charset=utf-8")
    response.vary.add("Accept")
    return response


def service_description_response(format_name: str | None) -> Response:
    """The service description, for a bare GET of the endpoint."""
    return graph_response(service_description_graph(request.base_url), format_name)


@bp.get("/.well-known/void")
def void() -> Response:
    """The VoID description of the dataset."""
    config = current_app.extensions["axis-kg"]["config"]
    endpoint = url_for("sparql.endpoint", _external=True)
    format_name = request.args.get("format")
    return graph_response(void_graph(endpoint, URIRef(f"{config.base_iri}dataset")), format_name)
