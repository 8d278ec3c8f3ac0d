"""The Reconciliation Service API 0.2 at /reconcile, over real HTTP, every answer validated
with the API's JSON Schemas (``../shared/reconciliation-api/validate.py``)."""

from __future__ import annotations

import importlib.util
import json
from types import ModuleType
from typing import Any

import pytest
import requests

from tests.conftest import SHARED, Server

VALIDATOR = SHARED / "reconciliation-api" / "validate.py"


@pytest.fixture(scope="module")
def schemas() -> ModuleType | None:
    """The API's schema validator, where the shared folder is (CI has it; a user's clone not)."""
    if not VALIDATOR.is_file():
        return None
    spec = importlib.util.spec_from_file_location("reconciliation_validate", VALIDATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def valid(schemas: ModuleType | None, name: str, document: Any) -> None:
    """Validate against the 0.2 schema when the validator is here; the behaviour is tested anyway."""
    if schemas is None:
        return
    errors = [error.message for error in schemas.validator("0.2", name).iter_errors(document)]
    assert errors == [], errors


def test_the_schemas_are_here_to_validate(schemas: ModuleType | None) -> None:
    """Says, by skipping, when the answers below are not schema-validated."""
    if schemas is None:
        pytest.skip(
            f"the Reconciliation API schemas are not here ({VALIDATOR}): answers not schema-validated"
        )
    assert schemas.validator("0.2", "manifest") is not None


def _reconcile(server: Server, batch: dict[str, Any], method: str = "POST") -> requests.Response:
    payload = {"queries": json.dumps(batch)}
    if method == "GET":
        return requests.get(f"{server.url}/reconcile", params=payload, timeout=30)
    return requests.post(f"{server.url}/reconcile", data=payload, timeout=30)


def test_manifest(endpoint: Server, schemas: ModuleType | None) -> None:
    response = requests.get(f"{endpoint.url}/reconcile", timeout=30)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    manifest = response.json()
    valid(schemas, "manifest", manifest)
    assert manifest["identifierSpace"] == "https://w3id.org/axis-kg/id/"
    assert manifest["view"]["url"].endswith("/page/{{id}}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia", "russia"),
        ("DPRK", "north-korea"),
        ("Peoples Republic of China", "china"),
        ("Nato", "nato"),
        ("Kim Jong-un", "kim-jong-un"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_names_reconcile_to_the_right_entity(
    endpoint: Server, schemas: ModuleType | None, text: str, expected: str, method: str
) -> None:
    answer = _reconcile(endpoint, {"q0": {"query": text}}, method).json()
    valid(schemas, "reconciliation-result-batch", answer)
    best = answer["q0"]["result"][0]
    assert best["id"] == expected and best["match"] is True and best["score"] >= 90


def test_nonsense_matches_nothing(endpoint: Server, schemas: ModuleType | None) -> None:
    answer = _reconcile(endpoint, {"q0": {"query": "Zorblax Quintessence Emporium"}}).json()
    valid(schemas, "reconciliation-result-batch", answer)
    assert not any(candidate["match"] for candidate in answer["q0"]["result"])


def test_batches_types_properties_and_limit(endpoint: Server, schemas: ModuleType | None) -> None:
    batch = {
        "q0": {"query": "Korea", "type": "State", "limit": 2},
        "q1": {"query": "Korea", "type": "Actor", "type_strict": "should"},
        "q2": {"query": "China", "properties": [{"pid": "wikidata", "v": "Q148"}]},
    }
    valid(schemas, "reconciliation-query-batch", batch)
    answer = _reconcile(endpoint, batch).json()
    valid(schemas, "reconciliation-result-batch", answer)
    assert len(answer["q0"]["result"]) <= 2
    assert all(any(t["id"] == "State" for t in c["type"]) for c in answer["q0"]["result"])
    assert answer["q0"]["result"][0]["id"] in ("north-korea", "south-korea")
    assert answer["q1"]["result"]  # Actor reaches State through the class hierarchy
    assert answer["q2"]["result"][0]["id"] == "china"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("[1", "not JSON"),
        ("[]", "JSON object"),
        ('{"q0": "Russia"}', "object"),
        ('{"q0": {"query": ""}}', "no 'query'"),
        ('{"q0": {"query": "Russia", "limit": 0}}', "limit"),
        ('{"q0": {"query": "Russia", "properties": [{"v": 1}]}}', "properties"),
        ('{"q0": {"query": "Russia", "properties": [{"pid": "wikidata", "v": {"id": [5]}}]}}', "properties"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
    ids=["not-json", "array", "string-query", "empty-query", "limit", "no-pid", "odd-value", "deep"],
)
def test_malformed_batches_are_400_with_the_reason(endpoint: Server, raw: str, reason: str) -> None:
    response = requests.post(f"{endpoint.url}/reconcile", data={"queries": raw}, timeout=30)
    assert response.status_code == 400
    assert reason in response.json()["message"]


@pytest.mark.parametrize(
    ("kind", "prefix", "expected"), [("entity", "nor", "north-korea"), ("type", "sta", "State")]
)
def test_suggest(endpoint: Server, schemas: ModuleType | None, kind: str, prefix: str, expected: str) -> None:
    answer = requests.get(
        f"{endpoint.url}/reconcile/suggest/{kind}", params={"prefix": prefix}, timeout=30
    ).json()
    valid(schemas, f"suggest-{kind}s-response" if kind != "entity" else "suggest-entities-response", answer)
    assert expected in [item["id"] for item in answer["result"]]


def test_suggest_properties(endpoint: Server, schemas: ModuleType | None) -> None:
    answer = requests.get(
        f"{endpoint.url}/reconcile/suggest/property", params={"prefix": "wiki"}, timeout=30
    ).json()
    valid(schemas, "suggest-properties-response", answer)
    assert [item["id"] for item in answer["result"]] == ["wikidata"]


def test_preview(endpoint: Server) -> None:
    response = requests.get(f"{endpoint.url}/reconcile/preview", params={"id": "russia"}, timeout=30)
    assert response.status_code == 200 and "Russia" in response.text and "Q159" in response.text
    assert (
        requests.get(f"{endpoint.url}/reconcile/preview", params={"id": "nope"}, timeout=30).status_code
        == 404
    )


def test_data_extension_gives_wikidata_ids(endpoint: Server, schemas: ModuleType | None) -> None:
    proposal = requests.get(
        f"{endpoint.url}/reconcile/propose_properties", params={"type": "Actor"}, timeout=30
    )
    valid(schemas, "data-extension-property-proposal", proposal.json())
    query = {"ids": ["russia", "nato", "no-such"], "properties": [{"id": "wikidata"}, {"id": "description"}]}
    valid(schemas, "data-extension-query", query)
    answer = requests.post(f"{endpoint.url}/reconcile", data={"extend": json.dumps(query)}, timeout=30).json()
    valid(schemas, "data-extension-response", answer)
    assert answer["rows"]["russia"]["wikidata"] == [{"str": "Q159"}]
    assert answer["rows"]["nato"]["wikidata"] == [{"str": "Q7184"}]
    assert answer["rows"]["no-such"]["wikidata"] == []
    bad = requests.post(
        f"{endpoint.url}/reconcile",
        data={"extend": json.dumps({"ids": ["russia"], "properties": [{"id": "x"}]})},
        timeout=30,
    )
    assert bad.status_code == 400 and "propose_properties" in bad.json()["message"]
    unhashable = requests.post(
        f"{endpoint.url}/reconcile",
        data={"extend": json.dumps({"ids": ["russia"], "properties": [{"id": []}]})},
        timeout=30,
    )
    assert unhashable.status_code == 400


def test_properties_alone_find_their_entity(endpoint: Server, schemas: ModuleType | None) -> None:
    answer = _reconcile(endpoint, {"q0": {"properties": [{"pid": "wikidata", "v": "Q148"}]}}).json()
    valid(schemas, "reconciliation-result-batch", answer)
    assert [candidate["id"] for candidate in answer["q0"]["result"]] == ["china"]
