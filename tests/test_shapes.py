"""The SHACL shapes accept a conforming document graph and reject each kind of defect."""

from __future__ import annotations

import pytest
from rdflib import Graph

from kg.namespaces import PREFIXES
from kg.ontology import shapes_graph
from kg.validate import validate

PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items()) + (
    "PREFIX id: <https://w3id.org/axis-kg/id/>\n"
    "PREFIX claim: <https://w3id.org/axis-kg/id/claim/>\n"
    "PREFIX pact: <https://w3id.org/axis-kg/id/pact/>\n"
    "PREFIX thr: <https://w3id.org/axis-kg/id/threat/>\n"
    "PREFIX cm: <https://w3id.org/axis-kg/id/countermeasure/>\n"
    "PREFIX men: <https://w3id.org/axis-kg/id/mention/>\n"
    "PREFIX doc: <https://w3id.org/axis-kg/id/document/>\n"
)

CLAIM = "claim:sample-essay-0"

# (what is wrong, SPARQL update that breaks the valid graph, focus node, path of the violation)
DEFECTS = [
    (
        "pact with one party",
        "DELETE DATA { pact:ruritania-borduria axis:party id:borduria }",
        "pact:ruritania-borduria",
        "axis:party",
    ),
    (
        "pact party that is not an actor",
        "INSERT DATA { pact:ruritania-borduria axis:party id:atlantis }",
        "pact:ruritania-borduria",
        "axis:party",
    ),
    (
        "pact signing date not a date",
        "DELETE WHERE { pact:ruritania-borduria axis:signingDate ?d } ;"
        " INSERT DATA { pact:ruritania-borduria axis:signingDate 'last spring' }",
        "pact:ruritania-borduria",
        "axis:signingDate",
    ),
    (
        "threat without evidence",
        "DELETE WHERE { thr:sample-essay-pact-threat axis:evidence ?c }",
        "thr:sample-essay-pact-threat",
        "axis:evidence",
    ),
    (
        "threat category from another scheme",
        "INSERT DATA { thr:sample-essay-pact-threat axis:threatCategory measure:sanctions }",
        "thr:sample-essay-pact-threat",
        "axis:threatCategory",
    ),
    (
        "countermeasure without label",
        "DELETE WHERE { cm:sample-essay-sanctions rdfs:label ?l }",
        "cm:sample-essay-sanctions",
        "rdfs:label",
    ),
    (
        "countermeasure addressing a non-threat",
        "INSERT DATA { cm:sample-essay-sanctions axis:addresses id:russia }",
        "cm:sample-essay-sanctions",
        "axis:addresses",
    ),
    (
        "two labels in one language",
        "INSERT DATA { id:russia rdfs:label 'Russian Federation'@en }",
        "id:russia",
        "rdfs:label",
    ),
    (
        "claim without status",
        f"DELETE WHERE {{ {CLAIM} axis:epistemicStatus ?s }}",
        CLAIM,
        "axis:epistemicStatus",
    ),
    (
        "claim with two statuses",
        f"INSERT DATA {{ {CLAIM} axis:epistemicStatus status:assessment }}",
        CLAIM,
        "axis:epistemicStatus",
    ),
    (
        "claim status outside the scheme",
        f"DELETE WHERE {{ {CLAIM} axis:epistemicStatus ?s }} ;"
        f" INSERT DATA {{ {CLAIM} axis:epistemicStatus threat:military }}",
        CLAIM,
        "axis:epistemicStatus",
    ),
    (
        "claim without author",
        f"DELETE WHERE {{ {CLAIM} prov:wasAttributedTo ?a }}",
        CLAIM,
        "prov:wasAttributedTo",
    ),
    ("claim without document", f"DELETE WHERE {{ {CLAIM} axis:statedIn ?d }}", CLAIM, "axis:statedIn"),
    (
        "claim with empty text",
        f"DELETE WHERE {{ {CLAIM} axis:text ?t }} ; INSERT DATA {{ {CLAIM} axis:text '' }}",
        CLAIM,
        "axis:text",
    ),
    ("claim without text span", f"DELETE WHERE {{ {CLAIM} axis:textSpan ?s }}", CLAIM, "axis:textSpan"),
    (
        "span without quote selector",
        "DELETE DATA { claim:sample-essay-0-span oa:hasSelector claim:sample-essay-0-quote }",
        "claim:sample-essay-0-span",
        "oa:hasSelector",
    ),
    (
        "start not before end",
        "DELETE WHERE { claim:sample-essay-0-position oa:start ?s } ;"
        " INSERT DATA { claim:sample-essay-0-position oa:start '45'^^xsd:integer }",
        "claim:sample-essay-0-position",
        "oa:start",
    ),
    (
        "offset that is not an integer",
        "DELETE WHERE { claim:sample-essay-0-position oa:end ?e } ;"
        " INSERT DATA { claim:sample-essay-0-position oa:end '45' }",
        "claim:sample-essay-0-position",
        "oa:end",
    ),
    (
        "negative offset",
        "DELETE WHERE { claim:sample-essay-0-position oa:start ?s } ;"
        " INSERT DATA { claim:sample-essay-0-position oa:start -1 }",
        "claim:sample-essay-0-position",
        "oa:start",
    ),
    (
        "item number zero",
        "DELETE WHERE { thr:sample-essay-pact-threat axis:itemNumber ?n } ;"
        " INSERT DATA { thr:sample-essay-pact-threat axis:itemNumber 0 }",
        "thr:sample-essay-pact-threat",
        "axis:itemNumber",
    ),
    (
        "quote selector without exact text",
        "DELETE WHERE { claim:sample-essay-0-quote oa:exact ?e }",
        "claim:sample-essay-0-quote",
        "oa:exact",
    ),
    (
        "sameAs to a Wikipedia page",
        "INSERT DATA { id:ruritania owl:sameAs <https://en.wikipedia.org/wiki/Ruritania> }",
        "id:ruritania",
        "owl:sameAs",
    ),
    ("sameAs as a literal", "INSERT DATA { id:borduria owl:sameAs 'Q123' }", "id:borduria", "owl:sameAs"),
    (
        "two Wikidata items",
        "INSERT DATA { id:russia owl:sameAs <http://www.wikidata.org/entity/Q2184> }",
        "id:russia",
        "owl:sameAs",
    ),
    (
        "document without title",
        "DELETE WHERE { doc:sample-essay dcterms:title ?t }",
        "doc:sample-essay",
        "dcterms:title",
    ),
    (
        "mention that refers to nothing",
        "DELETE WHERE { men:sample-essay-0-9 axis:refersTo ?e }",
        "men:sample-essay-0-9",
        "axis:refersTo",
    ),
]


def expand(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    declared = dict(line[7:-1].split(": <") for line in PROLOGUE.splitlines())
    return f"<{declared[prefix]}{local}>"


def test_shapes_graph_parses_and_declares_shapes() -> None:
    shapes = shapes_graph()
    assert len(list(shapes.subjects(predicate=None, object=None))) > 0
    assert "axsh" in dict(shapes.namespaces())


def test_the_valid_document_conforms(valid_document: Graph) -> None:
    report = validate(valid_document)
    assert report.conforms, report.text()
    assert report.violations == []


def test_derived_integer_types_are_accepted_too(valid_document: Graph) -> None:
    valid_document.update(
        PROLOGUE + "DELETE WHERE { claim:sample-essay-0-position oa:end ?e } ;"
        " INSERT DATA { claim:sample-essay-0-position oa:end '45'^^xsd:nonNegativeInteger }"
    )
    assert validate(valid_document).conforms


@pytest.mark.parametrize(("defect", "update", "focus", "path"), DEFECTS, ids=[d[0] for d in DEFECTS])
def test_each_defect_is_reported(
    valid_document: Graph, defect: str, update: str, focus: str, path: str
) -> None:
    valid_document.update(PROLOGUE + update)
    report = validate(valid_document)
    assert not report.conforms, defect
    found = {(v.focus, v.path) for v in report.violations}
    assert (expand(focus), expand(path)) in found, report.text()
