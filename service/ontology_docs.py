"""The ontology and its concept schemes: pyLODE pages for people, RDF for machines.

``/ontology`` stands for ``https://w3id.org/axis-kg/ontology``: a browser gets the HTML
documentation, where every term has the anchor of its IRI's fragment (``/ontology#Claim``);
an RDF client gets Turtle, JSON-LD, RDF/XML or N-Triples by ``Accept``, a ``format``
parameter or a suffix (``/ontology.ttl``). ``/scheme/{name}`` does the same per scheme.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Blueprint, Response, current_app, request, send_file
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from kg.docs import build_docs, scheme_slug
from kg.namespaces import SCHEMES
from kg.ontology import ONTOLOGY_FILE, SCHEMES_FILE
from service import negotiation as nego
from service.errors import ApiError

bp = Blueprint("ontology", __name__)

_FORMATS = (nego.HTML, nego.TURTLE, nego.JSONLD, nego.RDFXML, nego.NTRIPLES)
_RDFLIB = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml", "nt": "nt"}
_SUFFIXES = {
    "ttl": nego.TURTLE,
    "jsonld": nego.JSONLD,
    "rdf": nego.RDFXML,
    "owl": nego.RDFXML,
    "nt": nego.NTRIPLES,
}
_build_lock = threading.Lock()


def docs_dir() -> Path:
    """Where ``kg docs`` wrote the HTML; built here on first use if it has not been."""
    directory = Path(current_app.extensions["axis-kg"]["config"].docs_dir).resolve()
    with _build_lock:
        if not (directory / "ontology.html").is_file():
            build_docs(directory)
    return directory


def _graph_response(graph: Graph, fmt: nego.Format) -> Response:
    body = graph.serialize(format=_RDFLIB[fmt.name], encoding="utf-8")
    response = Response(body, content_type=f"{fmt.media_type}; charset=utf-8")
    response.vary.add("Accept")
    return response


def _choose(suffix: str | None) -> nego.Format:
    if suffix is not None:
        if suffix not in _SUFFIXES:
            raise ApiError(404, f"unknown suffix .{suffix}; use one of .{', .'.join(_SUFFIXES)}")
        return _SUFFIXES[suffix]
    try:
        return nego.choose_from(
            _FORMATS, request.headers.get("Accept"), request.args.get("format"), "ontology"
        )
    except nego.NotAcceptable as error:
        raise ApiError(406, str(error)) from None


@bp.get("/ontology", defaults={"suffix": None})
@bp.get("/ontology.<suffix>")
def ontology(suffix: str | None) -> Response:
    """The ontology: its documentation or its RDF."""
    fmt = _choose(suffix)
    if fmt is nego.HTML:
        response = send_file(docs_dir() / "ontology.html", mimetype="text/html")
        response.vary.add("Accept")
        return response
    return _graph_response(Graph().parse(ONTOLOGY_FILE, format="turtle"), fmt)


@bp.get("/scheme/<name>")
def scheme(name: str) -> Response:
    """A concept scheme: its documentation or its RDF."""
    stem, _, suffix = name.partition(".")
    iri = next((s for s in SCHEMES if scheme_slug(s) == stem), None)
    if iri is None:
        known = ", ".join(scheme_slug(s) for s in SCHEMES)
        raise ApiError(404, f"no concept scheme {stem!r}; the schemes are: {known}")
    fmt = _choose(suffix or None)
    if fmt is nego.HTML:
        response = send_file(docs_dir() / "schemes" / f"{stem}.html", mimetype="text/html")
        response.vary.add("Accept")
        return response
    schemes = Graph().parse(SCHEMES_FILE, format="turtle")
    graph = Graph()
    for subject in [URIRef(iri), *schemes.subjects(SKOS.inScheme, URIRef(iri))]:
        for triple in schemes.triples((subject, None, None)):
            graph.add(triple)
    return _graph_response(graph, fmt)
