"""Reading the graph for pages: SPARQL run by the query worker, with IRIs bound, not spliced.

Every page's queries go through :func:`select` or :func:`describe`, which count them
(``g.queries``): the count is sent as a ``Server-Timing`` header, so a test can see that a
page costs a handful of queries, not one per item.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from flask import current_app, g

from service.sparql import execute
from service.worker import Answer, Job

PREFIXES = """PREFIX axis: <https://w3id.org/axis-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""

Term = dict[str, str]
T = TypeVar("T")


def _run(job: Job) -> Answer:
    g.queries = g.get("queries", 0) + 1
    return execute(job)


def select(query: str, limit: int = 100_000, **iris: str) -> list[dict[str, Term]]:
    """Rows of a SELECT (with the project's prefixes), variables in ``iris`` bound to those IRIs.

    A bound variable must appear in the SELECT clause (or use ``SELECT *``).
    """
    job = Job("query", PREFIXES + query, format_name="json", max_rows=limit, bindings=tuple(iris.items()))
    return json.loads(_run(job).body)["results"]["bindings"]


@dataclass
class Description:
    """What the graph says about a resource: its triples (as JSON-style terms) and labels."""

    iri: str
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, iri: str) -> str:
        return self.labels.get(iri, "")


def describe(iri: str) -> Description:
    """The resource's description: the DESCRIBE answer (hash resources, labels of what it links to)."""
    job = Job(
        "query", "DESCRIBE ?resource", format_name="html", max_rows=10_000, bindings=(("resource", iri),)
    )
    answer = _run(job)
    triples = [(s, p, o) for s, p, o in answer.table]  # type: ignore[misc]
    return Description(iri, triples, answer.labels)


def describe_as(iri: str, format_name: str) -> Answer:
    """The same description serialized (``ttl``, ``nt``, ``jsonld``, ``rdf``)."""
    job = Job(
        "query", "DESCRIBE ?resource", format_name=format_name, max_rows=10_000, bindings=(("resource", iri),)
    )
    return _run(job)


def cell(row: dict[str, Term], name: str, default: str = "") -> str:
    """The value bound to ``name`` in a result row, or ``default`` when it is unbound."""
    return row.get(name, {}).get("value", default)


def local_name(iri: str) -> str:
    """The last segment of an IRI, after its last ``/`` or ``#``.

    >>> local_name("https://w3id.org/axis-kg/scheme/epistemic-status#assessment")
    'assessment'
    """
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def per_generation(key: str, build: Callable[[], T]) -> T:
    """``build()``'s value, kept (per web worker) until an update changes the store."""
    state = current_app.extensions["axis-kg"]
    generation = state["executor"].generation
    cached = state.get(key)
    if cached is None or cached[0] != generation:
        cached = (generation, build())
        state[key] = cached
    return cached[1]


def base_iri() -> str:
    return current_app.extensions["axis-kg"]["config"].base_iri
