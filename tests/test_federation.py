"""Federated catalog queries: SERVICE calls to Wikidata, answered by a local stand-in.

The stand-in is Oxigraph's own server (the ``oxigraph`` package) loaded with a small
Wikidata-shaped fixture; ``kg serve --redirect-service`` sends the calls that name the
Wikidata query service there, and the allow-list still decides what may be called.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kg.config import Settings
from service.catalog import parse
from service.config import WIKIDATA_SPARQL
from tests.conftest import FIXTURES, PROJECT_ROOT, Server, oxigraph_server, serve

FEDERATED = sorted((PROJECT_ROOT / "data" / "queries" / "federated").glob("*.rq"))


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Oxigraph's server over the fixture; its query URL."""
    with oxigraph_server(FIXTURES / "wikidata-standin.ttl", tmp_path_factory.mktemp("wikidata")) as url:
        yield url


@pytest.fixture(scope="module")
def federating(
    stand_in: str, essay_store: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    copy = tmp_path_factory.mktemp("federating") / "store"
    shutil.copytree(essay_store.store_path, copy)
    options = ("--workers", "1", "--redirect-service", f"{WIKIDATA_SPARQL}={stand_in}")
    with serve(copy, *options, log_dir=tmp_path_factory.mktemp("logs")) as server:
        yield server


def _rows(server: Server, query_file: Path) -> list[dict[str, str]]:
    response = requests.post(
        server.sparql,
        data=query_file.read_bytes(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def test_federated_queries_have_titles_and_call_wikidata() -> None:
    assert FEDERATED
    for path in FEDERATED:
        example = parse(path.stem, path.read_text(encoding="utf-8"))
        assert example.title != path.stem and example.description
        assert f"SERVICE <{WIKIDATA_SPARQL}>" in example.text


def test_population_from_wikidata(federating: Server) -> None:
    rows = _rows(federating, PROJECT_ROOT / "data/queries/federated/wikidata-population.rq")
    assert [(r["label"], int(r["population"])) for r in rows] == [
        ("China", 3000),
        ("United States", 2000),
        ("Russia", 1000),
        ("North Korea", 100),
    ]
    assert {r["label"]: r.get("capitalLabel") for r in rows}["Russia"] == "Moscow"


def test_nato_members_from_wikidata(federating: Server) -> None:
    rows = _rows(federating, PROJECT_ROOT / "data/queries/federated/wikidata-nato-members.rq")
    assert sorted(r["label"] for r in rows) == ["Poland", "United States"]  # France is not in the graph
    assert all(r["item"].startswith("http://www.wikidata.org/entity/Q") for r in rows)


def test_the_allow_list_still_decides(federating: Server, stand_in: str) -> None:
    """Naming the stand-in directly is refused: only the allowed endpoint is redirected."""
    query = f"SELECT * WHERE {{ SERVICE <{stand_in}> {{ ?s ?p ?o }} }}"
    response = requests.get(federating.sparql, params={"query": query}, timeout=30)
    assert response.status_code == 403


def test_the_query_page_offers_the_federated_examples(federating: Server) -> None:
    page = requests.get(federating.sparql, headers={"Accept": "text/html"}, timeout=30).text
    assert "example=federated/wikidata-population" in page
