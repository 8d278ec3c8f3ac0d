"""``kg link`` against a real SPARQL server (Oxigraph's) holding Wikidata-shaped items.

Between the command and the server sits a small recording proxy, which can also answer
HTTP 429 first; a socket that accepts connections but never answers stands for an endpoint
that hangs. ``kg export --mappings`` is checked as SSSOM/TSV at the end.
"""

from __future__ import annotations

import csv
import io
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from click.testing import CliRunner, Result

from kg.cli import main
from kg.gazetteer import WIKIDATA_FILE, Gazetteer
from kg.linking import REVIEW_COLUMNS, today
from kg.sssom import mapping_set
from tests.conftest import FIXTURES, free_port, oxigraph_server

WIKIDATA = FIXTURES / "wikidata"
QUERIED = ["georgia", "jan-novak", "warsaw-pact", "atlantis", "red-sea"]  # drone-swarm: no class


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Oxigraph's server, read-only, over the fixture items; its query URL."""
    with oxigraph_server(WIKIDATA / "items.ttl", tmp_path_factory.mktemp("wikidata")) as url:
        yield url


class Proxy(ThreadingHTTPServer):
    """Records each request, answers the queued refusals (status, Retry-After) first, then forwards."""

    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream = upstream
        self.requests: list[tuple[float, dict[str, str]]] = []
        self.refusals: list[tuple[int, str]] = []
        self.always: tuple[int, str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sparql"

    @property
    def agents(self) -> set[str]:
        return {headers.get("User-Agent", "") for _, headers in self.requests}


class _ProxyHandler(BaseHTTPRequestHandler):
    server: Proxy

    def do_GET(self) -> None:
        self.server.requests.append((time.monotonic(), dict(self.headers)))
        refusal = self.server.always or (self.server.refusals.pop(0) if self.server.refusals else None)
        if refusal is not None:
            status, retry_after = refusal
            body = b"Too many requests: slow down\n"
            self.send_response(status)
            self.send_header("Retry-After", retry_after)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        upstream = urllib.request.Request(
            f"{self.server.upstream}?{urlsplit(self.path).query}",
            headers={"Accept": self.headers.get("Accept", "*/*")},
        )
        try:
            with urllib.request.urlopen(upstream, timeout=10) as response:
                status, kind, body = response.status, response.headers["Content-Type"], response.read()
        except urllib.error.HTTPError as error:
            status, kind, body = error.code, error.headers.get("Content-Type", "text/plain"), error.read()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def proxy(oxigraph: str) -> Iterator[Proxy]:
    server = Proxy(oxigraph)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@dataclass
class Files:
    """The temporary data files of one test, copied from the fixtures."""

    root: Path

    @property
    def gazetteer(self) -> Path:
        return self.root / "gazetteer.tsv"

    @property
    def mapping(self) -> Path:
        return self.root / "wikidata.tsv"

    @property
    def review(self) -> Path:
        return self.root / "review.tsv"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    def review_rows(self) -> list[dict[str, str]]:
        with self.review.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            assert tuple(reader.fieldnames or ()) == REVIEW_COLUMNS
            return list(reader)

    def mapping_rows(self) -> list[dict[str, str]]:
        with self.mapping.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Files:
    root = tmp_path / "data"
    root.mkdir()
    for name in ("gazetteer.tsv", "wikidata.tsv"):
        shutil.copy(WIKIDATA / name, root / name)
    monkeypatch.chdir(tmp_path)  # whatever a default path would write lands here
    return Files(root)


def link(files: Files, endpoint: str, *args: str) -> Result:
    options = ["--gazetteer", str(files.gazetteer), "--mapping", str(files.mapping)]
    options += ["--review", str(files.review), "--cache-dir", str(files.cache)]
    return CliRunner().invoke(main, ["link", "--endpoint", endpoint, *options, *args])


def assert_clean_error(result: Result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def by_slug(rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        grouped.setdefault(row["slug"], []).append(row)
    return grouped


# ---------------------------------------------------------------------------------------------
# Proposals


def test_link_writes_scored_proposals_with_their_evidence(files: Files, proxy: Proxy) -> None:
    mapping_before = files.mapping.read_bytes()
    result = link(files, proxy.url)
    assert result.exit_code == 0, result.output
    assert "5 request(s) sent, 0 answered from the cache" in result.output
    rows = by_slug(files.review_rows())
    assert list(rows) == ["georgia", "jan-novak", "warsaw-pact", "atlantis", "red-sea", "drone-swarm"]
    assert "poland" not in rows  # already has an item: not asked about

    # One label, two items: the type (P31) keeps the country, drops the federated state and the
    # capital that an alias names.
    [georgia] = rows["georgia"]
    assert georgia["wikidata"] == "Q900001"
    assert georgia["wikidata_label"] == "Georgia"
    assert georgia["wikidata_description"] == "country in the Caucasus"
    assert georgia["wikidata_types"] == "country (Q6256)|sovereign state (Q3624078)"
    assert georgia["match"] == 'label "Georgia" = rdfs:label@en'
    assert 'alias "Sakartvelo" = skos:altLabel@en' in georgia["evidence"]
    assert "P31 country (Q6256)" in georgia["evidence"]
    assert "description shares caucasus" in georgia["evidence"]
    assert georgia["candidates"] == "1"
    assert float(georgia["score"]) >= 0.9
    assert georgia["endpoint"] == proxy.url
    assert georgia["date"] == today()
    assert georgia["decision"] == ""

    # Two items of the same class: both proposed, both marked down, the closer description first.
    first, second = rows["jan-novak"]
    assert (first["wikidata"], second["wikidata"]) == ("Q900011", "Q900012")
    assert first["candidates"] == second["candidates"] == "2"
    assert 0 < float(second["score"]) < float(first["score"]) <= 0.5
    assert "ambiguous: 2 candidates" in first["evidence"]

    # The gazetteer's label is only an alias on Wikidata: found, scored below a label match.
    [pact] = rows["warsaw-pact"]
    assert pact["wikidata"] == "Q900021"
    assert pact["wikidata_label"] == "Warsaw Treaty Organization"
    assert pact["match"] == 'label "Warsaw Pact" = skos:altLabel@en'
    assert float(pact["score"]) < float(georgia["score"])

    # A French label and an English one of the wrong class are no candidates.
    [atlantis] = rows["atlantis"]
    assert atlantis["wikidata"] == "" and atlantis["candidates"] == "0"
    assert (
        'no item with en label or alias "Atlantis" and P31 geographic region (Q82794)'
        in (atlantis["evidence"])
    )
    [sea] = rows["red-sea"]
    assert sea["wikidata"] == ""  # an instance of a subclass of sea: only with --subclasses
    [swarm] = rows["drone-swarm"]
    assert swarm["evidence"] == "not queried: no Wikidata class for Capability"

    assert "jan-novak: ambiguous, 2 candidates" in result.output
    assert proxy.agents == {"axis-kg/0.1.0 (https://w3id.org/axis-kg/; linking tool)"}
    assert files.mapping.read_bytes() == mapping_before  # nothing accepted, nothing written
    assert not Path("var").exists()  # neither a store nor anything else beside


def test_subclasses_finds_instances_of_subclasses(files: Files, proxy: Proxy) -> None:
    result = link(files, proxy.url, "--subclasses", "red-sea")
    assert result.exit_code == 0, result.output
    [sea] = files.review_rows()
    assert sea["wikidata"] == "Q900041"
    assert "P31/P279* sea (Q165)" in sea["evidence"]
    assert len(proxy.requests) == 1


def test_second_run_is_answered_from_the_cache(files: Files, proxy: Proxy) -> None:
    assert link(files, proxy.url).exit_code == 0
    assert len(proxy.requests) == len(QUERIED)
    assert len(list(files.cache.glob("*.json"))) == len(QUERIED)
    # A reviewer's decision survives a new run.
    rows = files.review_rows()
    rows[0]["decision"] = "accepted"
    write_review(files.review, rows)

    again = link(files, proxy.url)
    assert again.exit_code == 0, again.output
    assert len(proxy.requests) == len(QUERIED)  # no new request
    assert "0 request(s) sent, 5 answered from the cache" in again.output
    rows = files.review_rows()
    assert [r["decision"] for r in rows if r["slug"] == "georgia"] == ["accepted"]

    fresh = link(files, proxy.url, "--no-cache")
    assert fresh.exit_code == 0, fresh.output
    assert len(proxy.requests) == 2 * len(QUERIED)


def test_only_the_slugs_given_are_asked_about_and_the_rest_of_the_review_stays(
    files: Files, proxy: Proxy
) -> None:
    assert link(files, proxy.url).exit_code == 0
    before = files.review_rows()
    result = link(files, proxy.url, "--no-cache", "georgia")
    assert result.exit_code == 0, result.output
    assert len(proxy.requests) == len(QUERIED) + 1
    assert files.review_rows() == before


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("nowhere", "'nowhere' is not an entity of the gazetteer"),
        ("Not A Slug", "'Not A Slug' is not a slug"),
        ("poland", "poland already has the Wikidata item Q900051"),
    ],
)
def test_a_slug_must_be_an_entity_without_an_item(
    files: Files, proxy: Proxy, slug: str, message: str
) -> None:
    assert_clean_error(link(files, proxy.url, slug), message)
    assert proxy.requests == []


# ---------------------------------------------------------------------------------------------
# A busy, a silent and a missing endpoint


def test_429_waits_as_long_as_retry_after_asks_then_goes_on(files: Files, proxy: Proxy) -> None:
    proxy.refusals = [(429, "1")]
    result = link(files, proxy.url, "--max-wait-s", "5", "georgia")
    assert result.exit_code == 0, result.output
    (first, _), (second, _) = proxy.requests
    assert second - first >= 0.9
    assert files.review_rows()[0]["wikidata"] == "Q900001"


def test_429_that_persists_ends_the_run_with_one_line(files: Files, proxy: Proxy) -> None:
    proxy.always = (429, "0")
    result = link(files, proxy.url, "--retries", "2", "georgia")
    assert_clean_error(result, proxy.url, "HTTP 429", "after 3 tries", "try again later")
    assert len(proxy.requests) == 3
    assert not files.review.exists()


def test_retry_after_longer_than_allowed_ends_the_run_at_once(files: Files, proxy: Proxy) -> None:
    proxy.always = (429, "3600")
    started = time.monotonic()
    result = link(files, proxy.url, "--max-wait-s", "1", "georgia")
    assert_clean_error(result, "asks to wait 3600 s", "--max-wait-s")
    assert time.monotonic() - started < 5
    assert len(proxy.requests) == 1


def test_an_endpoint_that_never_answers_times_out(files: Files) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # connections are accepted by the kernel; nothing ever answers
        endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}/sparql"
        started = time.monotonic()
        result = link(files, endpoint, "--timeout-s", "0.5", "georgia")
    assert_clean_error(result, endpoint, "did not answer within 0.5 s", "--timeout-s")
    assert time.monotonic() - started < 10


def test_an_endpoint_nobody_listens_on_cannot_be_reached(files: Files) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}/sparql"
    assert_clean_error(link(files, endpoint, "georgia"), f"cannot reach {endpoint}")


def test_an_endpoint_must_be_an_http_url(files: Files) -> None:
    assert_clean_error(link(files, "ftp://example.org/sparql"), "is not an http(s) URL")


def test_a_query_the_endpoint_refuses_is_one_line(files: Files, proxy: Proxy) -> None:
    proxy.always = (403, "0")
    assert_clean_error(link(files, proxy.url, "georgia"), "answered HTTP 403")


# ---------------------------------------------------------------------------------------------
# Accepting reviewed links


def write_review(path: Path, rows: list[dict[str, str]]) -> None:
    lines = ["\t".join(REVIEW_COLUMNS)] + ["\t".join(r[c] for c in REVIEW_COLUMNS) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_accept_moves_a_reviewed_link_into_the_mapping_file(files: Files, proxy: Proxy) -> None:
    assert link(files, proxy.url).exit_code == 0
    requests = len(proxy.requests)
    result = link(files, proxy.url, "--accept", "georgia=Q900001")
    assert result.exit_code == 0, result.output
    assert len(proxy.requests) == requests  # accepting asks nothing

    *kept, added = files.mapping_rows()
    assert kept == [
        {"slug": "poland", "wikidata": "Q900051", "source": "test fixture", "method": "manual, verified"}
    ]
    assert added["slug"] == "georgia" and added["wikidata"] == "Q900001"
    assert added["source"] == proxy.url
    method = added["method"]
    assert method.startswith('kg link: exact label "Georgia" = rdfs:label@en + P31 country (Q6256)')
    assert f"queried {today()}" in method and method.endswith(f"reviewed {today()}")
    # The link now loads as a verified one, which ingest states as owl:sameAs.
    assert Gazetteer.load(files.gazetteer, files.mapping).entities["georgia"].wikidata == "Q900001"
    # Its proposals leave the review file, and a new run does not ask about it.
    assert "georgia" not in {r["slug"] for r in files.review_rows()}
    assert link(files, proxy.url, "--no-cache").exit_code == 0
    assert len(proxy.requests) == requests + len(QUERIED) - 1


def test_accept_file_takes_the_rows_marked_accepted(files: Files, proxy: Proxy) -> None:
    assert link(files, proxy.url).exit_code == 0
    rows = files.review_rows()
    for row in rows:
        if row["slug"] == "jan-novak":
            row["decision"] = "accepted" if row["wikidata"] == "Q900011" else "rejected"
        if row["slug"] == "warsaw-pact":
            row["decision"] = "Accepted"
    reviewed = files.root / "reviewed.tsv"
    write_review(reviewed, rows)
    result = link(files, proxy.url, "--accept-file", str(reviewed))
    assert result.exit_code == 0, result.output
    assert "2 link(s) added" in result.output
    added = {r["slug"]: r for r in files.mapping_rows()[1:]}
    assert {slug: r["wikidata"] for slug, r in added.items()} == {
        "jan-novak": "Q900011",
        "warsaw-pact": "Q900021",
    }
    assert "skos:altLabel@en + P31 military alliance (Q1127126)" in added["warsaw-pact"]["method"]


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("georgia", "give a reviewed link as SLUG=QID"),
        ("nowhere=Q900001", "'nowhere' is not an entity of the gazetteer"),
        ("Georgia!=Q900001", "'Georgia!' is not a slug"),
        ("georgia=900001", "'900001' is not a Wikidata item id"),
        ("georgia=Q900002", "georgia=Q900002 is not among the proposals of the review file"),
        ("poland=Q900001", "poland already has the Wikidata item Q900051"),
    ],
)
def test_accept_refuses_what_was_not_reviewed(files: Files, proxy: Proxy, pair: str, message: str) -> None:
    assert link(files, proxy.url).exit_code == 0
    before = files.mapping.read_bytes()
    assert_clean_error(link(files, proxy.url, "--accept", pair), message)
    assert files.mapping.read_bytes() == before


def test_accept_refuses_one_item_for_two_entities(files: Files, proxy: Proxy) -> None:
    assert link(files, proxy.url).exit_code == 0
    rows = files.review_rows()
    for row in rows:  # a careless review: the same item for two entities
        if row["wikidata"] in ("Q900001", "Q900021"):
            row["decision"] = "accepted"
            row["wikidata"] = "Q900001"
    write_review(files.review, rows)
    before = files.mapping.read_bytes()
    assert_clean_error(link(files, proxy.url, "--accept-file", str(files.review)), "Q900001 is already")
    assert files.mapping.read_bytes() == before


def test_accept_file_refuses_an_unknown_decision(files: Files, proxy: Proxy) -> None:
    assert link(files, proxy.url).exit_code == 0
    rows = files.review_rows()
    rows[0]["decision"] = "maybe"
    write_review(files.review, rows)
    assert_clean_error(
        link(files, proxy.url, "--accept-file", str(files.review)), "'maybe' is neither 'accepted'"
    )


def test_accept_without_a_review_file_says_to_run_link_first(files: Files) -> None:
    assert_clean_error(
        link(files, "http://127.0.0.1:9/sparql", "--accept", "georgia=Q900001"), "run 'kg link' first"
    )


# ---------------------------------------------------------------------------------------------
# SSSOM export


def read_sssom(text: str) -> tuple[dict, list[dict[str, str]]]:
    """The metadata block (YAML behind '#') and the rows of an SSSOM/TSV file."""
    lines = text.splitlines()
    header = [line[1:] for line in lines if line.startswith("#")]
    assert lines[: len(header)] == ["#" + line for line in header]  # the block comes first
    meta = yaml.safe_load("\n".join(header))
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[len(header) :])), delimiter="\t"))
    return meta, rows


def expand(curie: str, curie_map: dict[str, str]) -> str:
    prefix, _, local = curie.partition(":")
    assert prefix in curie_map, curie
    return curie_map[prefix] + local


def test_export_mappings_writes_the_mapping_file_as_sssom(tmp_path: Path) -> None:
    out = tmp_path / "wikidata.sssom.tsv"
    base = "https://example.org/kg/"
    result = CliRunner().invoke(main, ["--base-iri", base, "export", "--mappings", "-o", str(out)])
    assert result.exit_code == 0, result.output
    meta, rows = read_sssom(out.read_text(encoding="utf-8"))

    assert meta["mapping_set_id"] == f"{base}mappings/wikidata.sssom.tsv"
    assert meta["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert meta["mapping_set_title"]
    assert meta["publication_date"] == date.fromisoformat(today())  # a YAML date
    curie_map = meta["curie_map"]
    assert curie_map["semapv"] == "https://w3id.org/semapv/vocab/"
    assert curie_map["skos"] == "http://www.w3.org/2004/02/skos/core#"

    with WIKIDATA_FILE.open(encoding="utf-8", newline="") as handle:
        links = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    entities = Gazetteer.load().entities
    assert len(rows) == len(links) > 0
    for row, expected in zip(rows, links, strict=True):
        assert {"subject_id", "predicate_id", "object_id", "mapping_justification"} <= row.keys()
        assert expand(row["subject_id"], curie_map) == f"{base}id/{expected['slug']}"
        assert expand(row["object_id"], curie_map) == f"http://www.wikidata.org/entity/{expected['wikidata']}"
        assert expand(row["predicate_id"], curie_map) == "http://www.w3.org/2004/02/skos/core#exactMatch"
        assert expand(row["mapping_justification"], curie_map) == (
            "https://w3id.org/semapv/vocab/ManualMappingCuration"
        )
        assert row["subject_label"] == entities[expected["slug"]].label
        assert expected["source"] in row["comment"]


def test_export_mappings_marks_accepted_kg_link_rows_as_lexical_matches(files: Files, proxy: Proxy) -> None:
    assert link(files, proxy.url).exit_code == 0
    assert link(files, proxy.url, "--accept", "georgia=Q900001").exit_code == 0
    meta, rows = read_sssom(mapping_set(gazetteer=files.gazetteer, mapping=files.mapping))
    manual, lexical = rows
    assert manual["mapping_justification"] == "semapv:ManualMappingCuration"
    assert manual["mapping_date"] == ""
    assert lexical["subject_id"] == "axisid:georgia"
    assert lexical["subject_label"] == "Georgia"
    assert lexical["object_id"] == "wd:Q900001"
    assert lexical["mapping_justification"] == "semapv:LexicalMatching"
    assert lexical["mapping_date"] == today()
    assert lexical["mapping_tool"].startswith("axis-kg kg link")
    assert f"source: {proxy.url}" in lexical["comment"] and "reviewed" in lexical["comment"]
    assert expand(lexical["subject_id"], meta["curie_map"]) == "https://w3id.org/axis-kg/id/georgia"


@pytest.mark.parametrize("option", [["--graph", "https://example.org/g"], ["--format", "ttl"]])
def test_export_mappings_takes_no_rdf_options(option: list[str]) -> None:
    result = CliRunner().invoke(main, ["export", "--mappings", *option])
    assert result.exit_code == 2
    assert "do not apply" in result.output
