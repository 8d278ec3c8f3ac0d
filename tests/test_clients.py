"""Real clients against a real server: SPARQLWrapper in every format, rdflib's SPARQLStore,
and the competency questions answered over HTTP exactly as the CLI answers them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph
import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from kg.config import Settings
from service.worker import describe_more
from tests.conftest import PROJECT_ROOT, Server, run_query

CATALOG = sorted((PROJECT_ROOT / "data" / "queries").glob("*.rq"))
RUSSIA = "https://w3id.org/axis-kg/id/russia"
SELECT = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    f"SELECT ?label WHERE {{ <{RUSSIA}> rdfs:label ?label }}"
)
ASK = f"ASK {{ <{RUSSIA}> ?p ?o }}"
CONSTRUCT = f"CONSTRUCT {{ <{RUSSIA}> ?p ?o }} WHERE {{ <{RUSSIA}> ?p ?o }}"
DESCRIBE = f"DESCRIBE <{RUSSIA}>"


def _client(server: Server, query: str, return_format: str) -> SPARQLWrapper:
    client = SPARQLWrapper(server.sparql)
    client.setQuery(query)
    client.setReturnFormat(return_format)
    return client


def _expected_graph(essay_store: Settings, query: str) -> Graph:
    """The store's own answer; for DESCRIBE, with the hash resources and labels a reader needs."""
    store = pyoxigraph.Store.read_only(str(essay_store.store_path))
    triples = list(store.query(query, use_default_graph_as_union=True))
    if query.startswith("DESCRIBE"):
        triples = describe_more(store, triples)
    data = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    return Graph().parse(data=data, format="nt")


def test_select_in_every_format(endpoint: Server) -> None:
    rows = _client(endpoint, SELECT, JSON).queryAndConvert()["results"]["bindings"]
    assert [r["label"]["value"] for r in rows] == ["Russia"]
    document = _client(endpoint, SELECT, XML).queryAndConvert()
    values = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert values == ["Russia"]
    table = _client(endpoint, SELECT, CSV).queryAndConvert().decode()
    assert list(csv.DictReader(io.StringIO(table))) == [{"label": "Russia"}]
    lines = _client(endpoint, SELECT, TSV).queryAndConvert().decode().splitlines()
    assert lines[0] == "?label" and lines[1].startswith('"Russia"')


def test_ask_in_every_format(endpoint: Server) -> None:
    assert _client(endpoint, ASK, JSON).queryAndConvert()["boolean"] is True
    document = _client(endpoint, ASK, XML).queryAndConvert()
    assert document.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize("return_format", [XML, RDFXML, TURTLE, N3, JSONLD])
def test_graphs_in_every_format(
    endpoint: Server, essay_store: Settings, query: str, return_format: str
) -> None:
    result = _client(endpoint, query, return_format).query()
    converted = result.convert()
    if isinstance(converted, Graph):
        graph = converted
    else:
        media_type = result.info()["content-type"].split(";")[0]
        graph = Graph().parse(data=converted, format=media_type)
    expected = _expected_graph(essay_store, query)
    assert len(expected) >= 4
    assert isomorphic(graph, expected)


@pytest.mark.parametrize(
    ("name", "media_type"),
    [("nt", "application/n-triples"), ("nq", "application/n-quads"), ("trig", "application/trig")],
)
def test_graphs_in_the_other_rdf_formats(
    endpoint: Server, essay_store: Settings, name: str, media_type: str
) -> None:
    response = requests.get(
        endpoint.sparql, params={"query": CONSTRUCT}, headers={"Accept": media_type}, timeout=30
    )
    assert response.headers["Content-Type"].startswith(media_type)
    graph = Graph().parse(data=response.content, format=media_type)
    assert isomorphic(graph, _expected_graph(essay_store, CONSTRUCT))


def test_rdflib_sparqlstore(endpoint: Server) -> None:
    graph = Graph(store=SPARQLStore(endpoint.sparql, returnFormat="json"))
    labels = [row.label for row in graph.query(SELECT)]
    assert labels == [Literal("Russia", lang="en")]
    assert graph.query(ASK).askAnswer is True
    triples = set(graph.triples((URIRef(RUSSIA), None, None)))
    assert (
        URIRef(RUSSIA),
        URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
        Literal("Russia", lang="en"),
    ) in triples


def _http_rows(server: Server, query: str) -> list[dict[str, str]]:
    response = requests.post(
        server.sparql,
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("query_file", CATALOG, ids=lambda p: p.stem)
def test_catalog_over_http_matches_the_cli(endpoint: Server, essay_store: Settings, query_file: Path) -> None:
    """Each competency question gives over HTTP the rows the CLI gives (and some rows)."""
    over_http = _http_rows(endpoint, query_file.read_text(encoding="utf-8"))
    assert over_http, f"{query_file.name} answered nothing"
    assert sorted(map(json.dumps, over_http)) == sorted(map(json.dumps, run_query(essay_store, query_file)))
