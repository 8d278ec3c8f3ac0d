"""The endpoint's HTTP surface: content negotiation, descriptions, errors, the page, the log."""

from __future__ import annotations

import hashlib
import re

import pytest
import requests
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import VOID, XSD

from kg.config import Settings
from kg.store import OxigraphStore
from tests.conftest import Server

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SELECT = "SELECT ?s WHERE { ?s a <http://www.w3.org/2002/07/owl#Class> } LIMIT 3"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _get(server: Server, accept: str | None = None, **params: str) -> requests.Response:
    headers = {"Accept": accept} if accept else {}
    return requests.get(server.sparql, params=params, headers=headers, timeout=30)


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv, text/tab-separated-values;q=0.4", "text/csv"),
        ("text/*", "text/csv"),
        (BROWSER, "text/html"),
    ],
)
def test_select_negotiates_by_accept(endpoint: Server, accept: str | None, media_type: str) -> None:
    response = _get(endpoint, accept, query=SELECT)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("*/*", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml;q=0.9, text/turtle;q=0.1", "application/rdf+xml"),
        ("application/n-triples", "application/n-triples"),
    ],
)
def test_construct_negotiates_by_accept(endpoint: Server, accept: str, media_type: str) -> None:
    response = _get(endpoint, accept, query="CONSTRUCT WHERE { ?s a ?c } LIMIT 3")
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert len(Graph().parse(data=response.content, format=media_type)) == 3


@pytest.mark.parametrize(
    ("name", "media_type"), [("csv", "text/csv"), ("xml", "application/sparql-results+xml")]
)
def test_format_parameter_overrides_accept(endpoint: Server, name: str, media_type: str) -> None:
    response = _get(endpoint, "application/sparql-results+json", query=SELECT, format=name)
    assert response.headers["Content-Type"].split(";")[0] == media_type


def test_nothing_acceptable_is_406(endpoint: Server) -> None:
    response = _get(endpoint, "image/png", query=SELECT)
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.json()["message"]
    wrong = _get(endpoint, None, query=SELECT, format="ttl")
    assert wrong.status_code == 406 and "json" in wrong.json()["message"]


def test_download_link_sets_a_file_name(endpoint: Server) -> None:
    response = _get(endpoint, None, query=SELECT, format="csv", download="1")
    assert response.headers["Content-Disposition"] == 'attachment; filename="result.csv"'


def test_union_default_graph_and_dataset_parameters(endpoint: Server, essay_store: Settings) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    with OxigraphStore.open(essay_store.store_path, read_only=True) as store:
        total, ontology = len(store), store.graph_size(essay_store.ontology_graph)
    union = _get(endpoint, None, query=count).json()["results"]["bindings"][0]["n"]["value"]
    assert int(union) == total
    only = _get(endpoint, None, query=count, **{"default-graph-uri": essay_store.ontology_graph})
    assert int(only.json()["results"]["bindings"][0]["n"]["value"]) == ontology
    from_clause = f"SELECT (COUNT(*) AS ?n) FROM <{essay_store.ontology_graph}> WHERE {{ ?s ?p ?o }}"
    assert (
        int(_get(endpoint, None, query=from_clause).json()["results"]["bindings"][0]["n"]["value"])
        == ontology
    )


def test_bare_get_is_the_service_description(endpoint: Server) -> None:
    response = _get(endpoint, "text/turtle")
    graph = Graph().parse(data=response.content, format="turtle")
    (service,) = graph.subjects(RDF.type, SD.Service)
    assert graph.value(service, SD.endpoint) == URIRef(endpoint.sparql)
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    assert len(set(graph.objects(service, SD.resultFormat))) == 10
    names = set(graph.objects(None, SD.name))
    assert URIRef("https://w3id.org/axis-kg/graph/ontology") in names


def test_void_counts_what_the_store_holds(endpoint: Server, essay_store: Settings) -> None:
    response = requests.get(f"{endpoint.url}/.well-known/void", headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format="turtle")
    dataset = URIRef("https://w3id.org/axis-kg/dataset")
    with OxigraphStore.open(essay_store.store_path, read_only=True) as store:
        figures = store.stats()
    assert graph.value(dataset, VOID.triples) == Literal(figures.triples, datatype=XSD.integer)
    assert graph.value(dataset, VOID.sparqlEndpoint) == URIRef(endpoint.sparql)
    assert graph.value(dataset, URIRef("http://purl.org/dc/terms/license")) is not None
    partitions = {
        graph.value(p, VOID["class"]): int(graph.value(p, VOID.entities))
        for p in graph.objects(dataset, VOID.classPartition)
    }
    assert partitions == {URIRef(c): n for c, n in figures.classes.items()}
    subsets = {s: int(graph.value(s, VOID.triples)) for s in graph.objects(dataset, VOID.subset)}
    assert subsets == {URIRef(g.iri): g.triples for g in figures.graphs}
    assert len(set(graph.objects(dataset, VOID.propertyPartition))) == int(
        graph.value(dataset, VOID.properties)
    )
    jsonld = requests.get(
        f"{endpoint.url}/.well-known/void", headers={"Accept": "application/ld+json"}, timeout=30
    )
    assert len(Graph().parse(data=jsonld.content, format="json-ld")) == len(graph)


def test_errors_have_one_shape(endpoint: Server) -> None:
    response = _get(endpoint, None, query="SELECT * WHERE {\n  ?s ?p\n}")
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"status", "title", "message"}
    assert re.search(r"error at 3:\d+: expected", body["message"]), body["message"]
    for status, reply in [
        (404, requests.get(f"{endpoint.url}/nowhere", timeout=30)),
        (405, requests.delete(endpoint.sparql, timeout=30)),
        (
            415,
            requests.post(endpoint.sparql, data="ASK {}", headers={"Content-Type": "text/plain"}, timeout=30),
        ),
    ]:
        assert reply.status_code == status
        assert set(reply.json()) == {"status", "title", "message"}
        assert reply.json()["status"] == status


def test_browsers_get_an_html_error_page(endpoint: Server) -> None:
    response = _get(endpoint, BROWSER, query="SELECT <script>alert(1)</script>")
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text  # the query, kept for fixing
    assert 'class="query-error"' in response.text and "SPARQL syntax error" in response.text
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    missing = requests.get(f"{endpoint.url}/nowhere", headers={"Accept": BROWSER}, timeout=30)
    assert missing.status_code == 404 and "<h1>404 Not Found</h1>" in missing.text


def test_query_page_offers_the_catalog_and_editor(endpoint: Server) -> None:
    page = _get(endpoint, BROWSER)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "cq01-pact-parties" in page.text
    assert 'name="query"' in page.text
    example = _get(endpoint, BROWSER, example="cq08-axis-members")
    assert "axis:" in example.text and "<table" not in example.text


def test_query_page_results_are_labelled_and_linked(endpoint: Server) -> None:
    query = "SELECT ?country WHERE { VALUES ?country { <https://w3id.org/axis-kg/id/russia> } }"
    page = _get(endpoint, BROWSER, query=query)
    assert ">Russia</a>" in page.text
    assert 'title="https://w3id.org/axis-kg/id/russia"' in page.text
    assert "format=csv" in page.text and "download=1" in page.text


def test_access_log_has_one_line_per_request(endpoint: Server) -> None:
    query = "ASK { ?s ?p 'access-log-probe' }"
    _get(endpoint, None, query=query)
    digest = hashlib.sha256(query.encode()).hexdigest()[:12]
    lines = [line for line in endpoint.log_text().splitlines() if digest in line]
    assert len(lines) == 1
    assert re.search(rf"GET /sparql 200 \d+\.\dms query={digest}$", lines[0]), lines[0]


def test_healthz(endpoint: Server) -> None:
    response = requests.get(f"{endpoint.url}/healthz", timeout=30)
    assert response.json()["status"] == "ok" and response.json()["updates"] is False


def test_repeated_queries_are_answered_from_the_cache(endpoint: Server) -> None:
    def hits() -> int:
        return requests.get(f"{endpoint.url}/healthz", timeout=30).json()["cache"]["hits"]

    query = "SELECT ?c WHERE { ?c a <http://www.w3.org/2002/07/owl#Class> } ORDER BY ?c LIMIT 2 # cache probe"
    first = _get(endpoint, None, query=query)
    before = hits()
    second = _get(endpoint, None, query=query)
    assert hits() == before + 1
    assert second.content == first.content


def test_query_page_needs_no_network(endpoint: Server) -> None:
    page = _get(endpoint, BROWSER, query=SELECT).text
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    for asset in assets:
        assert requests.get(f"{endpoint.url}{asset}", timeout=30).status_code == 200


def test_query_page_loads_the_editor_when_installed(endpoint: Server) -> None:
    from service.querypage import EDITOR_ASSETS, editor_available

    if not editor_available():
        pytest.skip("the editor is not installed: 'make install' installs it with npm")
    page = _get(endpoint, BROWSER).text
    for asset in EDITOR_ASSETS:
        assert f"/static/{asset}" in page


def test_head_answers_like_get(endpoint: Server) -> None:
    response = requests.head(endpoint.sparql, params={"query": "ASK {}"}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")


def test_random_answers_are_not_cached(endpoint: Server) -> None:
    query = "SELECT (STRUUID() AS ?id) {}"
    first, second = (_get(endpoint, None, query=query).json() for _ in range(2))
    assert first != second


def test_xml_refuses_what_xml_cannot_carry(endpoint: Server) -> None:
    query = 'SELECT (CONCAT("a", CODEPOINT_TO_STRING(1), "b") AS ?x) {}'.replace(
        "CODEPOINT_TO_STRING(1)", '"\\u0001"'
    )
    response = _get(endpoint, "application/sparql-results+xml", query=query)
    assert response.status_code == 406 and "XML" in response.json()["message"]
    assert _get(endpoint, "application/sparql-results+json", query=query).json()["results"]["bindings"]


def test_access_log_lines_cannot_be_forged(endpoint: Server) -> None:
    forged = "/x%0A2026-01-01 00:00:00,000 POST /sparql 204 1.0ms query=forged"
    requests.get(endpoint.url + forged, timeout=30)
    assert "query=forged\n" not in endpoint.log_text()
    assert "/x%0A2026" in endpoint.log_text()
