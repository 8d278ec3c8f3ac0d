"""Other essays of the genre, written for the tests, go through the same rules with no code change."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from kg.cli import main
from kg.config import Settings
from kg.extract import find_date
from kg.namespaces import AXIS, OA
from kg.store import OxigraphStore
from tests.conftest import FIXTURES

ESSAYS = FIXTURES / "essays"
ID = "https://w3id.org/axis-kg/id/"


@pytest.fixture(scope="module")
def graphs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Graph]:
    settings = Settings(store_path=tmp_path_factory.mktemp("genre") / "store")
    result = CliRunner().invoke(main, ["ingest", str(ESSAYS), "--store", str(settings.store_path)])
    assert result.exit_code == 0, result.output
    with OxigraphStore.open(settings.store_path, read_only=True) as store:
        return {iri.rsplit("/", 1)[1]: store.graph(iri) for iri in store.graphs()}


def labels(graph: Graph, nodes) -> set[str]:
    return {str(graph.value(n, RDFS.label)) for n in nodes}


def test_both_essays_are_ingested(graphs: dict[str, Graph]) -> None:
    assert {"grain-corridor", "caspian-treaty", "ontology"} == set(graphs)


def test_impact_items_in_markdown_become_numbered_threats_with_responses(graphs: dict[str, Graph]) -> None:
    graph = graphs["grain-corridor"]
    threats = {int(graph.value(t, AXIS.itemNumber)): t for t in graph.subjects(RDF.type, AXIS.Threat)}
    assert sorted(threats) == [1, 2, 3]
    assert str(graph.value(threats[1], RDFS.label)) == "Grain Supply Disruption"
    assert URIRef(ID + "egypt") in set(graph.objects(threats[1], AXIS.threatens))
    for threat in threats.values():
        assert list(graph.subjects(AXIS.addresses, threat)), threat
    responder = next(graph.subjects(AXIS.addresses, threats[1]))
    assert labels(graph, graph.objects(responder, AXIS.recommendedFor)) == {"Egypt", "Indonesia"}


def test_prose_gives_a_treaty_a_named_grouping_a_threat_and_recommendations(graphs: dict[str, Graph]) -> None:
    graph = graphs["caspian-treaty"]
    (treaty,) = graph.subjects(RDF.type, AXIS.Treaty)
    assert labels(graph, graph.objects(treaty, AXIS.party)) == {"Azerbaijan", "Kazakhstan"}
    assert str(graph.value(treaty, AXIS.signingDate)) == "2024-03-12"
    assert "Middle Corridor Bloc" in labels(graph, graph.subjects(RDF.type, AXIS.Coalition))
    threat = next(graph.subjects(RDF.type, AXIS.Threat))
    assert labels(graph, graph.objects(threat, AXIS.threatens)) == {"Armenia"}
    assert labels(graph, graph.objects(threat, AXIS.posedBy)) == {"Azerbaijan"}
    recommended = {
        label
        for measure in graph.subjects(RDF.type, AXIS.Countermeasure)
        for label in labels(graph, graph.objects(measure, AXIS.recommendedFor))
    }
    assert {"European Union", "Georgia"} <= recommended


@pytest.mark.parametrize(
    ("name", "file"), [("grain-corridor", "grain-corridor.md"), ("caspian-treaty", "caspian-treaty.txt")]
)
def test_offsets_are_exact_in_every_essay(graphs: dict[str, Graph], name: str, file: str) -> None:
    source = (ESSAYS / file).read_text(encoding="utf-8")
    graph = graphs[name]
    selectors = list(graph.subjects(RDF.type, OA.TextPositionSelector))
    assert selectors
    for selector in selectors:
        quote = URIRef(str(selector).split("#", 1)[0] + "#quote")
        start, end = int(graph.value(selector, OA.start)), int(graph.value(selector, OA.end))
        assert source[start:end] == str(graph.value(quote, OA.exact))


def test_many_documents_show_progress_and_load_together(tmp_path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = (ESSAYS / "grain-corridor.md").read_text(encoding="utf-8")
    for n in range(12):
        (corpus / f"copy-{n:02d}.md").write_text(f"{text}\nNote {n}.\n", encoding="utf-8")
    store = tmp_path / "store"
    result = CliRunner().invoke(main, ["ingest", str(corpus), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "extracting" in result.stderr
    with OxigraphStore.open(store, read_only=True) as opened:
        assert len(opened.graphs()) == 13


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("signed on 12 March 2024 in Baku", "2024-03-12"),
        ("signed June 19, 2024, in Pyongyang", "2024-06-19"),
        ("signed 2024-06-18", "2024-06-18"),
        ("signed in 2024", None),
        ("signed on 31 February 2024", None),
    ],
)
def test_signing_dates_are_read_only_when_the_text_gives_a_full_date(text: str, expected: str | None) -> None:
    found = find_date(text)
    assert (found.isoformat() if found else None) == expected
