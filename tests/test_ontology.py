"""The ontology and its concept schemes: parse, pass the QC checks, document every term, stay consistent."""

from __future__ import annotations

import subprocess
import sys

import owlrl
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, VANN, XSD

from kg.namespaces import AXIS, OA, SCHEMES
from kg.ontology import ONTOLOGY_FILE, ONTOLOGY_IRI, SCHEMES_FILE
from tests.conftest import FIXTURES, SHARED

QC_TOOL = SHARED / "tools" / "ontology-qc.py"
ERROR_MESSAGE = URIRef("http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage")


@pytest.fixture(scope="module")
def axis() -> Graph:
    return Graph().parse(ONTOLOGY_FILE)


@pytest.fixture(scope="module")
def schemes() -> Graph:
    return Graph().parse(SCHEMES_FILE)


def axis_terms(graph: Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return {s for kind in kinds for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)}


@pytest.mark.skipif(not QC_TOOL.exists(), reason=f"the shared QC tool is not here ({QC_TOOL})")
def test_ontology_passes_the_offline_qc_checks() -> None:
    run = subprocess.run(
        [sys.executable, str(QC_TOOL), str(ONTOLOGY_FILE)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 check(s) failed" in run.stdout


def test_ontology_metadata(axis: Graph) -> None:
    ontology = URIRef(ONTOLOGY_IRI)
    assert (ontology, RDF.type, OWL.Ontology) in axis
    version_iri = axis.value(ontology, OWL.versionIRI)
    assert version_iri is not None and version_iri != ontology
    assert str(version_iri).endswith(str(axis.value(ontology, OWL.versionInfo)))
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.creator, DCTERMS.license):
        assert axis.value(ontology, prop) is not None, prop
    for prop in (DCTERMS.created, DCTERMS.modified):
        assert axis.value(ontology, prop).datatype == XSD.date
    assert axis.value(ontology, VANN.preferredNamespacePrefix) == Literal("axis")
    assert str(axis.value(ontology, VANN.preferredNamespaceUri)) == str(AXIS._NS)


def test_every_term_has_label_definition_and_is_defined_by(axis: Graph, schemes: Graph) -> None:
    terms = [(t, axis, URIRef(ONTOLOGY_IRI)) for t in axis_terms(axis)]
    for scheme in schemes.subjects(RDF.type, SKOS.ConceptScheme):
        terms += [(c, schemes, scheme) for c in schemes.subjects(SKOS.inScheme, scheme)]
    assert len(terms) > 80
    missing = []
    for term, graph, defined_by in terms:
        labels = [lbl for lbl in graph.objects(term, RDFS.label) if lbl.language == "en"]
        if len(labels) != 1:
            missing.append((term, "one English rdfs:label"))
        if graph.value(term, SKOS.definition) is None:
            missing.append((term, "skos:definition"))
        if graph.value(term, RDFS.isDefinedBy) != defined_by:
            missing.append((term, f"rdfs:isDefinedBy {defined_by}"))
    assert missing == []


def test_every_property_has_one_domain_and_one_range_that_are_declared(axis: Graph) -> None:
    declared = set(axis.subjects(RDF.type, OWL.Class))

    def members(cls: URIRef | BNode) -> list:
        union = axis.value(cls, OWL.unionOf)
        return list(Collection(axis, union)) if union is not None else [cls]

    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty)
    properties = [p for kind in kinds for p in axis.subjects(RDF.type, kind)]
    for prop in properties:
        domains, ranges = list(axis.objects(prop, RDFS.domain)), list(axis.objects(prop, RDFS.range))
        assert len(domains) == 1 and len(ranges) == 1, prop
        for cls in members(domains[0]) + members(ranges[0]):
            internal = str(cls).startswith(str(AXIS._NS))
            assert cls in declared or not internal, f"{prop}: {cls} is not a declared class"


# The external vocabularies the ontology aligns with, as rdflib knows their terms.
KNOWN_VOCABULARIES = {str(ns._NS): ns for ns in (PROV, SDO, ORG, DCTERMS, SKOS, OWL, RDFS, XSD, OA)}


def test_alignments_name_real_terms_of_the_reused_vocabularies(axis: Graph) -> None:
    used = {
        o
        for p in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range)
        for o in axis.objects(None, p)
        if isinstance(o, URIRef) and not str(o).startswith(str(AXIS._NS))
    }
    assert {PROV.Agent, SDO.Claim, ORG.hasMember, OA.SpecificResource} <= used
    for term in used:
        vocabulary = next((ns for base, ns in KNOWN_VOCABULARIES.items() if str(term).startswith(base)), None)
        assert vocabulary is not None, f"{term} is from a vocabulary the ontology does not reuse"
        assert term in vocabulary, f"{term} is not a term of {vocabulary._NS}"


def test_concept_schemes(schemes: Graph) -> None:
    assert set(schemes.subjects(RDF.type, SKOS.ConceptScheme)) == {URIRef(s) for s in SCHEMES}
    for concept in schemes.subjects(RDF.type, SKOS.Concept):
        in_schemes = list(schemes.objects(concept, SKOS.inScheme))
        assert len(in_schemes) == 1, concept
        assert (in_schemes[0], SKOS.hasTopConcept, concept) in schemes
        assert schemes.value(concept, SKOS.prefLabel) == schemes.value(concept, RDFS.label)
    for scheme in SCHEMES:
        assert schemes.value(URIRef(scheme), DCTERMS.title) is not None, "pyLODE needs a title"


def _closure_errors(data: Graph) -> list[str]:
    graph = Graph()
    for source in (Graph().parse(ONTOLOGY_FILE), Graph().parse(SCHEMES_FILE), data):
        graph += source
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return [str(graph.value(m, None)) for m in graph.subjects(RDF.type, ERROR_MESSAGE)]


def test_ontology_and_sample_data_are_consistent_under_owl_rl() -> None:
    assert _closure_errors(Graph().parse(FIXTURES / "valid-document.ttl")) == []


def test_owl_rl_reports_a_node_typed_with_disjoint_classes() -> None:
    contradiction = Graph()
    contradiction.add((URIRef("https://example.org/x"), RDF.type, AXIS.Threat))
    contradiction.add((URIRef("https://example.org/x"), RDF.type, AXIS.Claim))
    assert _closure_errors(contradiction) != []


MAPPING_TARGETS = (
    "http://ies.data.gov.uk/ontology/ies4#",
    "https://www.commoncoreontologies.org/",
    "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
    "http://www.w3.org/2005/11/its/rdf#",
)


def test_domain_models_are_related_by_skos_mappings_not_subclassing(axis: Graph, schemes: Graph) -> None:
    mappings = (SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.exactMatch, SKOS.relatedMatch)
    targets = [o for g in (axis, schemes) for p in mappings for o in g.objects(None, p)]
    assert len(targets) >= 10
    assert all(str(t).startswith(MAPPING_TARGETS) for t in targets), targets
    hierarchy = [o for p in (RDFS.subClassOf, RDFS.subPropertyOf) for o in axis.objects(None, p)]
    assert not any(str(t).startswith(MAPPING_TARGETS) for t in hierarchy)
