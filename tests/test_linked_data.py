"""Dereferenceable IRIs, entity pages, browsing and the ontology, over real HTTP."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, SKOS

from kg.ontology import ONTOLOGY_FILE, SCHEMES_FILE
from tests.conftest import Server

BASE = "https://w3id.org/axis-kg/"
RUSSIA = f"{BASE}id/russia"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
FORMATS = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
}


def _get(server: Server, path: str, accept: str | None = None, **params: str) -> requests.Response:
    headers = {"Accept": accept} if accept else {}
    return requests.get(
        f"{server.url}{path}", headers=headers, params=params, allow_redirects=False, timeout=30
    )


def _queries(response: requests.Response) -> int:
    match = re.search(r'desc="(\d+) queries"', response.headers.get("Server-Timing", ""))
    return int(match.group(1)) if match else 0


def _describe(server: Server, iri: str) -> Graph:
    response = requests.get(
        server.sparql,
        params={"query": f"DESCRIBE <{iri}>"},
        headers={"Accept": "application/n-triples"},
        timeout=30,
    )
    return Graph().parse(data=response.content, format="nt")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.alternates: list[tuple[str, str]] = []
        self.jsonld: list[str] = []
        self.ids: set[str] = set()
        self._in_jsonld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if "id" in values:
            self.ids.add(values["id"] or "")
        if tag == "link" and values.get("rel") == "alternate":
            self.alternates.append((values.get("type") or "", values.get("href") or ""))
        self._in_jsonld = tag == "script" and values.get("type") == "application/ld+json"

    def handle_data(self, data: str) -> None:
        if self._in_jsonld:
            self.jsonld.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_jsonld = False


def _parse(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


@pytest.mark.parametrize(
    ("accept", "location"),
    [
        (BROWSER, "/page/russia"),
        ("text/turtle", "/data/russia.ttl"),
        ("application/ld+json", "/data/russia.jsonld"),
        ("application/rdf+xml", "/data/russia.rdf"),
        ("application/n-triples;q=1, text/html;q=0.5", "/data/russia.nt"),
    ],
)
def test_iri_answers_303_by_accept(endpoint: Server, accept: str, location: str) -> None:
    response = _get(endpoint, "/id/russia", accept)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(location)
    assert "Accept" in response.headers["Vary"]
    links = response.headers["Link"]
    assert all(f'type="{media_type}"' in links for media_type in FORMATS.values())


def test_format_parameter_picks_the_data(endpoint: Server) -> None:
    response = _get(endpoint, "/id/russia", BROWSER, format="ttl")
    assert response.status_code == 303 and response.headers["Location"].endswith("/data/russia.ttl")


@pytest.mark.parametrize("extension", list(FORMATS))
def test_data_is_the_describe_answer(endpoint: Server, extension: str) -> None:
    response = _get(endpoint, f"/data/russia.{extension}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(FORMATS[extension])
    graph = Graph().parse(data=response.content, format=FORMATS[extension])
    assert isomorphic(graph, _describe(endpoint, RUSSIA))
    # The labels of what it links to come along: its class's label.
    assert (URIRef(f"{BASE}ontology#State"), RDFS.label, Literal("state", lang="en")) in graph


def test_hash_resources_come_with_their_document(endpoint: Server) -> None:
    claim = requests.get(
        endpoint.sparql,
        params={"query": "SELECT ?c WHERE { ?c a <https://w3id.org/axis-kg/ontology#Claim> } LIMIT 1"},
        timeout=30,
    ).json()["results"]["bindings"][0]["c"]["value"]
    slug = claim.split("/id/", 1)[1]
    graph = Graph().parse(data=_get(endpoint, f"/data/{slug}.ttl").content, format="turtle")
    start = URIRef("http://www.w3.org/ns/oa#start")
    assert any(str(s).startswith(claim + "#") for s, _, _ in graph.triples((None, start, None)))


@pytest.mark.parametrize(
    "path", ["/id/no-such-thing", "/page/no-such-thing", "/data/no-such-thing.ttl", "/data/russia"]
)
def test_unknown_resources_are_404(endpoint: Server, path: str) -> None:
    api = _get(endpoint, path, "application/json")
    assert api.status_code == 404 and set(api.json()) == {"status", "title", "message"}
    page = _get(endpoint, path, BROWSER)
    assert page.status_code == 404 and "<h1>404 Not Found</h1>" in page.text


def test_entity_page(endpoint: Server) -> None:
    response = _get(endpoint, "/page/russia", BROWSER)
    assert response.status_code == 200
    page = response.text
    assert "<h1>Russia</h1>" in page
    assert 'href="/ontology#State"' in page
    assert 'href="https://www.wikidata.org/wiki/Q159"' in page
    assert "sovereign state in Eastern Europe and North Asia" in page
    parsed = _parse(page)
    assert {media_type for media_type, _ in parsed.alternates} >= set(FORMATS.values())
    embedded = Graph().parse(data="".join(parsed.jsonld), format="json-ld")
    assert isomorphic(embedded, _describe(endpoint, RUSSIA))
    assert "Referenced by" in page and "read in context" in page
    assert re.search(r'href="/document/new-axis-of-totalitarianism#claim-[0-9a-f]+"', page)
    assert "<svg" in page and page.count("<circle") > 3
    assert _queries(response) <= 5
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_threat_page_shows_its_countermeasures_and_who_acts(endpoint: Server) -> None:
    query = (
        f"SELECT ?t ?actor WHERE {{ ?m <{BASE}ontology#addresses> ?t ; <{BASE}ontology#recommendedFor> ?a . "
        "?a <http://www.w3.org/2000/01/rdf-schema#label> ?actor } LIMIT 1"
    )
    row = requests.get(endpoint.sparql, params={"query": query}, timeout=30).json()["results"]["bindings"][0]
    response = _get(endpoint, "/page/" + row["t"]["value"].split("/id/", 1)[1], BROWSER)
    assert "Countermeasures the author proposes" in response.text
    assert f">{row['actor']['value']}</a>" in response.text
    assert _queries(response) <= 5


def test_countermeasure_page_shows_what_it_answers_and_who_acts(endpoint: Server) -> None:
    query = (
        f"SELECT ?m ?threat ?actor WHERE {{ ?m <{BASE}ontology#addresses> ?t ; "
        f"<{BASE}ontology#recommendedFor> ?a . ?t <http://www.w3.org/2000/01/rdf-schema#label> ?threat . "
        "?a <http://www.w3.org/2000/01/rdf-schema#label> ?actor } LIMIT 1"
    )
    row = requests.get(endpoint.sparql, params={"query": query}, timeout=30).json()["results"]["bindings"][0]
    response = _get(endpoint, "/page/" + row["m"]["value"].split("/id/", 1)[1], BROWSER)
    section = response.text.split("What the author recommends", 1)[1].split("</section>", 1)[0]
    assert f">{row['threat']['value']}</a>" in section and f">{row['actor']['value']}</a>" in section
    assert _queries(response) <= 5


def test_home_summarises_the_dataset(endpoint: Server) -> None:
    response = _get(endpoint, "/", BROWSER)
    void = Graph().parse(data=_get(endpoint, "/.well-known/void", "text/turtle").content, format="turtle")
    triples = void.value(URIRef(f"{BASE}dataset"), URIRef("http://rdfs.org/ns/void#triples"))
    assert f"{int(triples):,}" in response.text
    assert 'href="/class/Claim"' in response.text


@pytest.mark.parametrize(
    ("text", "label"), [("kor", "North Korea"), ("Rusia", "Russia"), ("north k", "North Korea")]
)
def test_search_by_prefix_and_near_spelling(endpoint: Server, text: str, label: str) -> None:
    found = _get(endpoint, "/search", "application/json", q=text).json()
    assert label in [hit["label"] for hit in found]
    page = _get(endpoint, "/search", BROWSER, q=text).text
    assert f">{label}</a>" in page


def test_search_escapes_what_it_echoes(endpoint: Server) -> None:
    page = _get(endpoint, "/search", BROWSER, q="<script>x</script>").text
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page


def test_class_lists_page(endpoint: Server) -> None:
    first = _get(endpoint, "/class/Claim", BROWSER)
    assert first.status_code == 200 and 'rel="next"' in first.text
    assert first.text.count('href="/page/claim/') == 50
    assert _get(endpoint, "/class/Claim", BROWSER, page="2").status_code == 200
    assert _get(endpoint, "/class/Claim", BROWSER, page="9").status_code == 404
    assert _get(endpoint, "/class/Claim", "application/json", page="x").status_code == 400
    assert _get(endpoint, "/class/NoSuchClass", "application/json").status_code == 404
    assert _get(endpoint, "/class/a b", "application/json").status_code == 404


def test_ontology_documentation_has_every_term_anchor(endpoint: Server) -> None:
    response = _get(endpoint, "/ontology", BROWSER)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    ids = _parse(response.text).ids
    terms = {str(s) for s in Graph().parse(ONTOLOGY_FILE).subjects() if str(s).startswith(f"{BASE}ontology#")}
    assert terms and all(term.split("#", 1)[1] in ids for term in terms)


@pytest.mark.parametrize(
    ("path", "accept", "media_type"),
    [
        ("/ontology", "text/turtle", "text/turtle"),
        ("/ontology", "application/ld+json", "application/ld+json"),
        ("/ontology", "application/rdf+xml", "application/rdf+xml"),
        ("/ontology.ttl", None, "text/turtle"),
        ("/ontology.jsonld", None, "application/ld+json"),
    ],
)
def test_ontology_by_content_negotiation(
    endpoint: Server, path: str, accept: str | None, media_type: str
) -> None:
    response = _get(endpoint, path, accept)
    assert response.headers["Content-Type"].startswith(media_type)
    graph = Graph().parse(data=response.content, format=media_type)
    assert isomorphic(graph, Graph().parse(ONTOLOGY_FILE))


def test_schemes_resolve(endpoint: Server) -> None:
    page = _get(endpoint, "/scheme/threat-category", BROWSER)
    concepts = Graph().parse(SCHEMES_FILE)
    scheme = URIRef(f"{BASE}scheme/threat-category")
    ids = _parse(page.text).ids
    members = [str(c) for c in concepts.subjects(SKOS.inScheme, scheme)]
    assert members and all(member.split("#", 1)[1] in ids for member in members)
    data = Graph().parse(
        data=_get(endpoint, "/scheme/threat-category", "text/turtle").content, format="turtle"
    )
    assert len(set(data.subjects(SKOS.inScheme, scheme))) == len(members)
    assert _get(endpoint, "/scheme/nothing", "application/json").status_code == 404


def test_query_results_link_to_entity_pages(endpoint: Server) -> None:
    query = f"SELECT ?x WHERE {{ VALUES ?x {{ <{RUSSIA}> }} }}"
    page = _get(endpoint, "/sparql", BROWSER, query=query).text
    assert 'href="/page/russia"' in page


def test_jsonld_is_not_a_way_out_of_the_script(endpoint: Server) -> None:
    page = _get(endpoint, "/page/russia", BROWSER).text
    (script,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    assert "</" not in script
    json.loads(script)
