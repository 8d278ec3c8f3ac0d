"""The essay ingested: every catalog query answers its competency question, every offset is exact.

The answers are the ones in competency-questions.md. The queries run through the CLI
here; the HTTP endpoint's tests run them again once it exists.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from kg.cli import main
from kg.config import Settings
from kg.namespaces import AXIS, OA
from kg.store import OxigraphStore
from tests.conftest import PROJECT_ROOT, run_query
from tests.test_reader import ESSAY

QUERIES = PROJECT_ROOT / "data" / "queries"
ESSAY_GRAPH = "https://w3id.org/axis-kg/graph/new-axis-of-totalitarianism"
ID = "https://w3id.org/axis-kg/id/"
SOURCE = ESSAY.read_text(encoding="utf-8")


def run(settings: Settings, name: str) -> list[dict[str, str]]:
    return run_query(settings, next(QUERIES.glob(f"{name}-*.rq")))


def essay_graph(settings: Settings) -> Graph:
    with OxigraphStore.open(settings.store_path, read_only=True) as store:
        return store.graph(ESSAY_GRAPH)


def test_cq01_pact_parties_and_publication_date(essay_store: Settings) -> None:
    rows = run(essay_store, "cq01")
    assert {r["partyLabel"] for r in rows} == {"North Korea", "Russia"}
    assert {r["published"] for r in rows} == {"2024-06-19"}


def test_cq02_ten_numbered_impacts_with_their_solutions(essay_store: Settings) -> None:
    rows = run(essay_store, "cq02")
    assert [int(r["n"]) for r in rows] == list(range(1, 11))
    assert [r["threatLabel"] for r in rows] == [
        "Increased Military Threat",
        "Nuclear Proliferation",
        "Economic Instability",
        "Regional Power Imbalance",
        "Cybersecurity Threats",
        "Diplomatic Isolation",
        "Arms Race",
        "Maritime Security Challenges",
        "Terrorism and Insurgency",
        "Energy Security",
    ]
    for row in rows:
        assert row["solutionText"] and row["solutionText"] in SOURCE
    # each solution is the text of the 'Solution:' line that follows its impact
    for row in rows:
        at = SOURCE.index(row["solutionText"])
        assert SOURCE[:at].rstrip().endswith("Solution:")


def test_cq03_countermeasures_with_weapon_systems(essay_store: Settings) -> None:
    labels = {r["capabilityLabel"] for r in run(essay_store, "cq03")}
    assert {"Aegis Combat System", "drone swarm", "hypersonic weapon", "glide bomb"} <= labels


def test_cq04_sanctions_target_russia_north_korea_and_china(essay_store: Settings) -> None:
    assert {r["targetLabel"] for r in run(essay_store, "cq04")} == {"Russia", "North Korea", "China"}


def test_cq05_every_threat_has_its_sentence_at_exact_offsets(essay_store: Settings) -> None:
    rows = run(essay_store, "cq05")
    threats = {r["threat"] for r in rows}
    assert len(threats) == len(set(essay_graph(essay_store).subjects(RDF.type, AXIS.Threat)))
    for row in rows:
        assert SOURCE[int(row["start"]) : int(row["end"])] == row["quote"]


def test_cq06_states_and_organizations_are_linked_to_wikidata(essay_store: Settings) -> None:
    links = {r["label"]: r["wikidata"].rsplit("/", 1)[1] for r in run(essay_store, "cq06")}
    assert links["Russia"] == "Q159" and links["North Korea"] == "Q423" and links["China"] == "Q148"
    assert links["NATO"] == "Q7184" and links["European Union"] == "Q458"
    linked = {r["entity"] for r in run(essay_store, "cq06")}
    assert {ID + "japan", ID + "india", ID + "ukraine", ID + "taiwan", ID + "iran"} <= linked
    # only curated, verified items: every link is one of data/wikidata.tsv's rows
    curated = (PROJECT_ROOT / "data" / "wikidata.tsv").read_text(encoding="utf-8")
    for entity, qid in links.items():
        assert f"\t{qid}\t" in curated, entity


def test_cq07_recommendations_for_the_european_union(essay_store: Settings) -> None:
    rows = run(essay_store, "cq07")
    categories = {r["category"].rsplit("#", 1)[1] for r in rows}
    assert {"defenseCapability", "energyDiversification", "stateSupport"} <= categories
    assert {"Ukraine", "Moldova"} <= {r["partnerLabel"] for r in rows}
    assert any("Russian" in r["sentence"] and r["category"].endswith("#sanctions") for r in rows)


def test_cq08_the_axis_is_north_korea_russia_and_china(essay_store: Settings) -> None:
    rows = run(essay_store, "cq08")
    assert {r["groupingLabel"] for r in rows} == {"Axis of Totalitarianism"}
    assert {r["memberLabel"] for r in rows} == {"North Korea", "Russia", "China"}


def test_cq09_status_counts_add_up_to_the_claims(essay_store: Settings) -> None:
    counts = {r["status"].rsplit("#", 1)[1]: int(r["claims"]) for r in run(essay_store, "cq09")}
    claims = len(set(essay_graph(essay_store).subjects(RDF.type, AXIS.Claim)))
    assert sum(counts.values()) == claims
    assert counts["recommendation"] > 0 and counts["assessment"] + counts["prediction"] > 0


def test_cq10_china_russia_and_north_korea_are_mentioned_most(essay_store: Settings) -> None:
    rows = run(essay_store, "cq10")
    top = [r["label"] for r in rows[:5]]
    assert {"China", "Russia", "North Korea"} <= set(top)
    counts = [int(r["mentions"]) for r in rows]
    assert counts == sorted(counts, reverse=True)


def test_every_claim_and_mention_quotes_the_source_exactly(essay_store: Settings) -> None:
    graph = essay_graph(essay_store)
    checked = 0
    for selector in graph.subjects(RDF.type, OA.TextPositionSelector):
        base = str(selector).split("#", 1)[0]
        quote = URIRef(f"{base}#quote")
        start, end = int(graph.value(selector, OA.start)), int(graph.value(selector, OA.end))
        assert SOURCE[start:end] == str(graph.value(quote, OA.exact))
        assert SOURCE[:start].endswith(str(graph.value(quote, OA.prefix)))
        checked += 1
    claims = set(graph.subjects(RDF.type, AXIS.Claim))
    mentions = set(graph.subjects(RDF.type, AXIS.Mention))
    assert checked == len(claims) + len(mentions) > 300


def test_claims_are_attributed_to_the_author_and_the_document(essay_store: Settings) -> None:
    graph = essay_graph(essay_store)
    author = URIRef(ID + "kal-korff")
    for claim in graph.subjects(RDF.type, AXIS.Claim):
        assert graph.value(claim, URIRef("http://www.w3.org/ns/prov#wasAttributedTo")) == author
        assert graph.value(claim, AXIS.statedIn) == URIRef(ID + "document/new-axis-of-totalitarianism")


def test_reingesting_gives_the_same_graph(essay_store: Settings, tmp_path: Path) -> None:
    before = essay_graph(essay_store)
    result = CliRunner().invoke(main, ["ingest", str(ESSAY), "--store", str(essay_store.store_path)])
    assert result.exit_code == 0, result.output
    assert isomorphic(before, essay_graph(essay_store))


def test_a_copy_of_a_document_under_another_name_is_refused(essay_store: Settings, tmp_path: Path) -> None:
    copy = tmp_path / "same-essay.txt"
    copy.write_bytes(ESSAY.read_bytes())
    copy.with_name("same-essay.meta.json").write_bytes(
        ESSAY.with_name(f"{ESSAY.stem}.meta.json").read_bytes()
    )
    before = essay_graph(essay_store)
    result = CliRunner().invoke(main, ["ingest", str(copy), "--store", str(essay_store.store_path)])
    assert result.exit_code == 1 and "has the same text as" in result.output
    assert isomorphic(before, essay_graph(essay_store))


def test_the_stored_essay_graph_still_conforms(essay_store: Settings) -> None:
    result = CliRunner().invoke(main, ["validate", "--store", str(essay_store.store_path)])
    assert result.exit_code == 0, result.output
    assert f"{ESSAY_GRAPH}: conforms" in result.output
