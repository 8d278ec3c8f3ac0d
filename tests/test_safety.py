"""Safe by default: the timeout really stops work, the cap says it truncated, SERVICE and
LOAD are refused unless allowed, updates need the token, bodies are size-limited."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import requests

from kg.config import Settings
from kg.store import OxigraphStore
from tests.conftest import Server, serve

TOKEN = "s3cret-token"
#: Three-way cross product of every triple: far more work than any timeout allows.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def limited(
    endpoint: Server, essay_store: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A server with a 1 s timeout, a 5-row cap, and the default server as its only SERVICE."""
    copy = tmp_path_factory.mktemp("limited") / "store"
    import shutil

    shutil.copytree(essay_store.store_path, copy)
    options = ("--workers", "1", "--timeout-s", "1", "--max-rows", "5", "--allow-service", endpoint.sparql)
    with serve(copy, *options, log_dir=tmp_path_factory.mktemp("logs")) as server:
        yield server


@pytest.fixture
def writable(tmp_path: Path) -> Iterator[Server]:
    path = tmp_path / "store"
    with OxigraphStore.open(path) as store:
        store.add("http://example.org/g", [])
    with serve(path, "--update-token", TOKEN, "--timeout-s", "2", log_dir=tmp_path) as server:
        yield server


def _tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and all its descendants."""
    root = psutil.Process(pid)
    total = 0.0
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def _query_worker_pids(server: Server) -> set[int]:
    return {
        p.pid
        for p in psutil.Process(server.process.pid).children(recursive=True)
        if "spawn_main" in " ".join(p.cmdline())
    }


def test_timeout_answers_503_and_stops_the_work(limited: Server) -> None:
    before = _query_worker_pids(limited)
    response = requests.get(limited.sparql, params={"query": ENDLESS}, timeout=30)
    assert response.status_code == 503
    error = response.json()
    assert error["status"] == 503 and "longer than 1 s" in error["message"]
    # The worker that ran the query is gone, and nothing is left burning a core.
    assert before and before.isdisjoint(_query_worker_pids(limited))
    start = _tree_cpu(limited.process.pid)
    time.sleep(1.0)
    assert _tree_cpu(limited.process.pid) - start < 0.2
    # The next query gets a fresh worker.
    ok = requests.get(limited.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert ok.status_code == 200 and ok.json()["boolean"] is True


def test_result_cap_says_it_truncated(limited: Server) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20"
    response = requests.get(limited.sparql, params={"query": query}, timeout=30)
    body = response.json()
    assert len(body["results"]["bindings"]) == 5
    assert body["truncated"] is True
    assert response.headers["X-Result-Truncated"] == "true"
    assert response.headers["X-SPARQL-MaxRows"] == "5"
    exact = requests.get(limited.sparql, params={"query": query.replace("20", "5")}, timeout=30)
    assert len(exact.json()["results"]["bindings"]) == 5
    assert "truncated" not in exact.json() and "X-Result-Truncated" not in exact.headers


def test_result_cap_applies_to_graphs(limited: Server) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 20"
    response = requests.get(limited.sparql, params={"query": query, "format": "nt"}, timeout=30)
    assert response.headers["X-Result-Truncated"] == "true"
    assert len(response.text.strip().splitlines()) == 5


def test_service_to_an_allowed_endpoint_is_federated(limited: Server, endpoint: Server) -> None:
    query = (
        f"SELECT ?label WHERE {{ SERVICE <{endpoint.sparql}> {{ <https://w3id.org/axis-kg/id/russia> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?label } }"
    )
    response = requests.get(limited.sparql, params={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    assert [b["label"]["value"] for b in response.json()["results"]["bindings"]] == ["Russia"]


@pytest.mark.parametrize(
    "target",
    [
        "<http://127.0.0.1:9/sparql>",
        "<file:///etc/passwd>",
        "?endpoint",
        "<https://query.wikidata.org/sparql>",
    ],
)
def test_service_elsewhere_is_refused(limited: Server, target: str) -> None:
    query = f"SELECT * WHERE {{ SERVICE {target} {{ ?s ?p ?o }} }}"
    response = requests.get(limited.sparql, params={"query": query}, timeout=30)
    assert response.status_code == 403
    assert "SERVICE" in response.json()["message"]


def test_service_default_allow_list_is_wikidata_only(endpoint: Server) -> None:
    query = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    response = requests.get(endpoint.sparql, params={"query": query}, timeout=30)
    assert response.status_code == 403
    assert "https://query.wikidata.org/sparql" in response.json()["message"]


def test_updates_are_refused_read_only(endpoint: Server) -> None:
    response = requests.post(
        endpoint.sparql,
        data="INSERT DATA { <http://e/s> <http://e/p> 1 }",
        headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer anything"},
        timeout=30,
    )
    assert response.status_code == 403
    assert "--update-token" in response.json()["message"]


def _count(server: Server) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = requests.get(server.sparql, params={"query": query}, timeout=30)
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_update_needs_the_token(writable: Server) -> None:
    update = "INSERT DATA { GRAPH <http://example.org/g> { <http://e/s> <http://e/p> 1 } }"
    headers = {"Content-Type": "application/sparql-update"}
    missing = requests.post(writable.sparql, data=update, headers=headers, timeout=30)
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == "Bearer"
    wrong = requests.post(
        writable.sparql, data=update, headers={**headers, "Authorization": "Bearer nope"}, timeout=30
    )
    assert wrong.status_code == 403
    assert _count(writable) == 0
    done = requests.post(
        writable.sparql, data=update, headers={**headers, "Authorization": f"Bearer {TOKEN}"}, timeout=30
    )
    assert done.status_code == 204
    assert _count(writable) == 1


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "LOAD SILENT <file:///etc/passwd> INTO GRAPH <http://example.org/g>",
        "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    ],
)
def test_load_and_service_in_updates_are_refused(writable: Server, update: str) -> None:
    response = requests.post(
        writable.sparql,
        data=update,
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        timeout=30,
    )
    assert response.status_code == 403
    assert response.json()["message"]
    assert _count(writable) == 0


def test_an_update_over_time_changes_nothing(writable: Server) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
    triples = " ".join(f"<http://e/s{i}> <http://e/p> {i} ." for i in range(60))
    seed = f"INSERT DATA {{ GRAPH <http://example.org/g> {{ {triples} }} }}"
    assert requests.post(writable.sparql, data=seed, headers=auth, timeout=30).status_code == 204
    slow = (
        "WITH <http://example.org/g> INSERT { ?a <http://e/q> ?n } WHERE { "
        "?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?p . BIND(RAND() AS ?n) }"
    )
    response = requests.post(writable.sparql, data=slow, headers=auth, timeout=60)
    assert response.status_code == 503
    assert _count(writable) == 60


def test_body_over_the_limit_is_413(endpoint: Server) -> None:
    query = "ASK {}" + " " * (2 << 20)
    response = requests.post(
        endpoint.sparql, data=query, headers={"Content-Type": "application/sparql-query"}, timeout=30
    )
    assert response.status_code == 413
    assert "larger than the limit" in response.json()["message"]


def test_chunked_body_over_the_limit_is_413_not_cut(endpoint: Server) -> None:
    def chunks() -> Iterator[bytes]:
        body = ("ASK {} # " + "x" * (2 << 20)).encode()
        for start in range(0, len(body), 1 << 16):
            yield body[start : start + (1 << 16)]

    response = requests.post(
        endpoint.sparql, data=chunks(), headers={"Content-Type": "application/sparql-query"}, timeout=30
    )
    assert response.status_code == 413
    small = requests.post(
        endpoint.sparql,
        data=iter([b"ASK {}"]),
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert small.status_code == 200 and small.json()["boolean"] is True


def test_binary_body_is_a_clear_400(endpoint: Server) -> None:
    response = requests.post(
        endpoint.sparql,
        data=b"\xff\xfe\x00binary",
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert response.status_code == 400
    assert "UTF-8" in response.json()["message"]


def test_no_cors_unless_asked(endpoint: Server) -> None:
    response = requests.get(
        endpoint.sparql, params={"query": "ASK {}"}, headers={"Origin": "http://x"}, timeout=30
    )
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_when_asked(essay_store: Settings, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(essay_store.store_path, tmp_path / "store")
    with serve(tmp_path / "store", "--workers", "1", "--cors", log_dir=tmp_path) as server:
        response = requests.get(
            server.sparql, params={"query": "ASK {}"}, headers={"Origin": "http://x"}, timeout=30
        )
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        body = json.loads(response.content)
        assert body["boolean"] is True
