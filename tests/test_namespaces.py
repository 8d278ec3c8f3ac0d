"""The Python namespaces and the Turtle files name exactly the same terms."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, SKOS, DefinedNamespace

from kg.namespaces import AXIS, PREFIXES, SCHEMES
from kg.ontology import ONTOLOGY_FILE, SCHEMES_FILE


def defined_terms(namespace: type[DefinedNamespace]) -> set[URIRef]:
    return {namespace[name] for name in namespace.__annotations__}


def test_axis_namespace_matches_the_ontology() -> None:
    graph = Graph().parse(ONTOLOGY_FILE)
    in_turtle = {
        s
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in graph.subjects(RDF.type, kind)
        if isinstance(s, URIRef)
    }
    assert defined_terms(AXIS) == in_turtle
    # and no axis: IRI is used anywhere in the file without being defined
    used = {
        t for triple in graph for t in triple if isinstance(t, URIRef) and str(t).startswith(str(AXIS._NS))
    }
    assert used <= in_turtle


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_scheme_namespaces_match_the_concept_schemes(scheme: str) -> None:
    graph = Graph().parse(SCHEMES_FILE)
    assert defined_terms(SCHEMES[scheme]) == set(graph.subjects(SKOS.inScheme, URIRef(scheme)))


def test_a_misspelt_term_is_an_error() -> None:
    with pytest.raises(AttributeError):
        _ = AXIS.Treat


def test_prefixes_cover_the_project_vocabularies() -> None:
    assert PREFIXES["axis"] == str(AXIS._NS)
    for namespace in SCHEMES.values():
        assert str(namespace._NS) in PREFIXES.values()
