"""The ``kg`` command: each command's happy path and its bad-input path, read as a user would."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner, Result
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF

from kg.cli import main
from kg.config import Settings
from kg.namespaces import AXIS
from kg.ontology import ontology_graph
from kg.store import OxigraphStore
from tests.conftest import FIXTURES

ONTOLOGY_GRAPH = "https://w3id.org/axis-kg/graph/ontology"
SAMPLE_GRAPH = "https://w3id.org/axis-kg/graph/valid-document"
ESSAY_GRAPH = "https://w3id.org/axis-kg/graph/new-axis-of-totalitarianism"
COUNT_CLASSES = "SELECT (COUNT(*) AS ?n) WHERE { ?c a <http://www.w3.org/2002/07/owl#Class> }"


def kg(runner: CliRunner, settings: Settings, *args: str, stdin: bytes | None = None) -> Result:
    return runner.invoke(main, [*args, "--store", str(settings.store_path)], input=stdin)


def assert_clean_error(result: Result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.output.count("Error:") == 1
    for fragment in fragments:
        assert fragment in result.output


@pytest.fixture
def built(runner: CliRunner, settings: Settings) -> Settings:
    """A store holding the ontology and the sample document."""
    result = kg(runner, settings, "ingest", str(FIXTURES / "valid-document.ttl"))
    assert result.exit_code == 0, result.output
    return settings


def store_graphs(settings: Settings) -> dict[str, Graph]:
    with OxigraphStore.open(settings.store_path, read_only=True) as store:
        return {iri: store.graph(iri) for iri in store.graphs()}


# -- ingest ------------------------------------------------------------------------


def test_ingest_without_arguments_loads_the_ontology_and_the_corpus(
    runner: CliRunner, settings: Settings
) -> None:
    result = kg(runner, settings, "ingest")
    assert result.exit_code == 0, result.output
    assert f"<{ONTOLOGY_GRAPH}>" in result.output
    assert "threats 11" in result.output and "linked to Wikidata" in result.output
    graphs = store_graphs(settings)
    assert list(graphs) == [ESSAY_GRAPH, ONTOLOGY_GRAPH]
    assert isomorphic(graphs[ONTOLOGY_GRAPH], ontology_graph())


def test_ingest_an_empty_folder_loads_the_ontology_only(
    runner: CliRunner, settings: Settings, tmp_path: Path
) -> None:
    assert kg(runner, settings, "ingest", str(tmp_path)).exit_code == 0
    assert list(store_graphs(settings)) == [ONTOLOGY_GRAPH]


def test_ingest_twice_gives_the_same_graphs(runner: CliRunner, built: Settings) -> None:
    before = store_graphs(built)
    assert kg(runner, built, "ingest", str(FIXTURES / "valid-document.ttl")).exit_code == 0
    after = store_graphs(built)
    assert before.keys() == after.keys() == {ONTOLOGY_GRAPH, SAMPLE_GRAPH}
    assert all(isomorphic(before[iri], after[iri]) for iri in before)


def test_ingest_an_rdf_file_into_its_own_graph(built: Settings) -> None:
    graphs = store_graphs(built)
    assert isomorphic(graphs[SAMPLE_GRAPH], Graph().parse(FIXTURES / "valid-document.ttl"))


def test_ingest_uses_the_store_from_the_environment(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "from-env"
    (tmp_path / "empty").mkdir()
    result = runner.invoke(main, ["ingest", str(tmp_path / "empty")], env={"AXIS_KG_STORE": str(path)})
    assert result.exit_code == 0, result.output
    assert (path / "CURRENT").is_file()


def test_ingest_with_another_base_iri_names_graphs_under_it(runner: CliRunner, settings: Settings) -> None:
    result = runner.invoke(
        main, ["--base-iri", "http://localhost:5000/", "ingest", "--store", str(settings.store_path)]
    )
    assert result.exit_code == 0, result.output
    graphs = store_graphs(settings)
    assert list(graphs) == [
        "http://localhost:5000/graph/new-axis-of-totalitarianism",
        "http://localhost:5000/graph/ontology",
    ]
    essay = graphs["http://localhost:5000/graph/new-axis-of-totalitarianism"]
    assert (URIRef("http://localhost:5000/id/russia"), RDF.type, AXIS.State) in essay


def test_a_bad_base_iri_is_refused(runner: CliRunner, settings: Settings) -> None:
    result = runner.invoke(main, ["--base-iri", "axis-kg", "ingest", "--store", str(settings.store_path)])
    assert_clean_error(result, "must be an absolute http(s) IRI")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.ttl", b"", "the file is empty"),
        ("blank.ttl", b"  \n\n", "the file is empty"),
        ("binary.ttl", bytes(range(256)) * 4, "not valid Turtle"),
        ("latin1.ttl", '<http://a> <http://b> "caf\xe9" .'.encode("latin-1"), "not valid Turtle"),
        ("broken.ttl", b"<http://a> <http://b> .", "line 1"),
        ("notes.txt", b"plain text", "no metadata"),
        ("notes.docx", b"PK\x03\x04", "cannot tell the RDF format"),
        ("essay.txt", b"", "the file is empty"),
        ("essay.txt", b"\x00\x01binary\x00", "binary"),
        ("essay.txt", b"Caf\xe9", "not valid UTF-8 at byte offset 3"),
        ("quads.nq", b"<http://a> <http://b> <http://c> <http://g> .", "one graph per file"),
        ("ontology.ttl", b"<http://a> <http://b> <http://c> .", "cannot name a document graph"),
    ],
)
def test_bad_files_load_nothing(
    runner: CliRunner, built: Settings, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    before = store_graphs(built)
    bad = tmp_path / name
    bad.write_bytes(content)
    result = kg(runner, built, "ingest", str(FIXTURES / "valid-document.ttl"), str(bad))
    assert_clean_error(result, message)
    after = store_graphs(built)
    assert before.keys() == after.keys()
    assert all(isomorphic(before[iri], after[iri]) for iri in before)


def test_a_missing_file_is_a_clear_error(runner: CliRunner, settings: Settings) -> None:
    assert_clean_error(kg(runner, settings, "ingest", "no/such/file.ttl"), "no/such/file.ttl: no such file")
    assert not settings.store_path.exists()


def test_a_file_that_breaks_the_shapes_loads_nothing(
    runner: CliRunner, built: Settings, tmp_path: Path
) -> None:
    bad = tmp_path / "lonely-pact.ttl"
    bad.write_text(
        "@prefix axis: <https://w3id.org/axis-kg/ontology#> .\n"
        "<https://example.org/pact> a axis:Treaty ; axis:party <https://example.org/a> .\n"
    )
    result = kg(runner, built, "ingest", str(bad))
    assert_clean_error(result, "does not conform", "a pact has at least two parties")
    assert set(store_graphs(built)) == {ONTOLOGY_GRAPH, SAMPLE_GRAPH}


def test_two_files_for_one_graph_are_refused(runner: CliRunner, settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    copy = tmp_path / "a" / "valid-document.ttl"
    copy.write_bytes((FIXTURES / "valid-document.ttl").read_bytes())
    result = kg(runner, settings, "ingest", str(FIXTURES / "valid-document.ttl"), str(copy))
    assert_clean_error(result, "would both load into")


def test_a_store_locked_by_another_process_is_reported(settings: Settings) -> None:
    with OxigraphStore.open(settings.store_path):
        run = subprocess.run(
            [sys.executable, "-m", "kg", "ingest", "--store", str(settings.store_path)],
            capture_output=True,
            text=True,
            check=False,
        )
    assert run.returncode == 1
    assert "in use by another process" in run.stderr
    assert "Traceback" not in run.stderr


# -- query -------------------------------------------------------------------------


def test_query_select_as_json_by_default(runner: CliRunner, built: Settings) -> None:
    result = kg(runner, built, "query", COUNT_CLASSES)
    assert result.exit_code == 0, result.output
    count = int(json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"])
    assert count == len(list(ontology_graph().subjects(RDF.type, OWL.Class)))


def test_query_sees_every_graph_by_default(runner: CliRunner, built: Settings) -> None:
    ask = "ASK { ?pact a <https://w3id.org/axis-kg/ontology#Pact> }"  # subclass lives in the ontology graph
    query = "ASK { ?pact a ?type . ?type <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?super }"
    assert json.loads(kg(runner, built, "query", query).stdout)["boolean"] is True
    assert json.loads(kg(runner, built, "query", ask).stdout)["boolean"] is False


@pytest.mark.parametrize("fmt", ["csv", "tsv", "xml"])
def test_query_select_in_tabular_and_xml_formats(runner: CliRunner, built: Settings, fmt: str) -> None:
    result = kg(runner, built, "query", "--format", fmt, "SELECT ?g WHERE { GRAPH ?g {} } ORDER BY ?g")
    assert result.exit_code == 0, result.output
    if fmt == "xml":
        ns = {"s": "http://www.w3.org/2005/sparql-results#"}
        values = [e.text for e in ElementTree.fromstring(result.stdout_bytes).iterfind(".//s:uri", ns)]
    else:
        rows = list(csv.reader(io.StringIO(result.stdout), delimiter="," if fmt == "csv" else "\t"))
        values = [row[0].strip("<>") for row in rows[1:]]
    assert values == [ONTOLOGY_GRAPH, SAMPLE_GRAPH]


@pytest.mark.parametrize(
    ("fmt", "parser"), [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml")]
)
def test_query_construct_in_every_rdf_format(
    runner: CliRunner, built: Settings, fmt: str, parser: str
) -> None:
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{SAMPLE_GRAPH}> {{ ?s ?p ?o }} }}"
    result = kg(runner, built, "query", "--format", fmt, construct)
    assert result.exit_code == 0, result.output
    assert isomorphic(
        Graph().parse(data=result.stdout_bytes, format=parser), store_graphs(built)[SAMPLE_GRAPH]
    )


def test_query_from_a_file_and_from_stdin(runner: CliRunner, built: Settings, tmp_path: Path) -> None:
    query_file = tmp_path / "count.rq"
    query_file.write_text(COUNT_CLASSES)
    from_file = kg(runner, built, "query", "--file", str(query_file), "--format", "csv")
    from_stdin = kg(runner, built, "query", "--file", "-", "--format", "csv", stdin=COUNT_CLASSES.encode())
    assert from_file.exit_code == from_stdin.exit_code == 0
    assert from_file.stdout == from_stdin.stdout
    assert from_file.stdout.splitlines()[0] == "n"


def test_query_to_an_output_file(runner: CliRunner, built: Settings, tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    assert kg(runner, built, "query", COUNT_CLASSES, "--output", str(out)).exit_code == 0
    assert json.loads(out.read_text())["head"]["vars"] == ["n"]


def test_malformed_sparql_names_line_and_column(runner: CliRunner, built: Settings) -> None:
    result = kg(runner, built, "query", "SELECT ?s\nWHERE { ?s ?p }")
    assert_clean_error(result, "SPARQL syntax error at 2:")
    long_list = kg(runner, built, "query", "SELECT ?x")
    assert_clean_error(long_list, "SPARQL syntax error at 1:10: expected one of")
    assert len(long_list.output.splitlines()) == 1 and len(long_list.output) < 240


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["CONSTRUCT WHERE { ?s ?p ?o }", "--format", "csv"], "is for SELECT and ASK results"),
        (["SELECT * WHERE { ?s ?p ?o }", "--format", "ttl"], "is for graphs"),
        (["   "], "the query is empty"),
    ],
)
def test_query_bad_input(runner: CliRunner, built: Settings, args: list[str], message: str) -> None:
    assert_clean_error(kg(runner, built, "query", *args), message)


def test_query_file_that_is_not_utf8(runner: CliRunner, built: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "latin1.rq"
    bad.write_bytes('SELECT * WHERE { ?s ?p "caf\xe9" }'.encode("latin-1"))
    assert_clean_error(kg(runner, built, "query", "--file", str(bad)), "not UTF-8 (byte 27)")


def test_query_usage_errors_exit_2(runner: CliRunner, built: Settings, tmp_path: Path) -> None:
    assert kg(runner, built, "query").exit_code == 2
    assert kg(runner, built, "query", "ASK {}", "--file", "-").exit_code == 2
    unknown = kg(runner, built, "query", "ASK {}", "--format", "yaml")
    assert unknown.exit_code == 2 and "'yaml' is not one of" in unknown.output
    assert kg(runner, built, "query", "--file", str(tmp_path / "missing.rq")).exit_code == 2


def test_query_without_a_store(runner: CliRunner, settings: Settings) -> None:
    assert_clean_error(kg(runner, settings, "query", "ASK {}"), "no store at", "kg ingest")


# -- export ------------------------------------------------------------------------


def test_export_nquads_keeps_every_graph(runner: CliRunner, built: Settings) -> None:
    result = kg(runner, built, "export")
    assert result.exit_code == 0, result.output
    dataset = Dataset().parse(data=result.stdout_bytes, format="nquads")
    for iri, graph in store_graphs(built).items():
        assert isomorphic(dataset.graph(URIRef(iri)), graph)


def test_export_trig_and_one_graph_as_turtle(runner: CliRunner, built: Settings) -> None:
    trig = kg(runner, built, "export", "--format", "trig")
    assert trig.exit_code == 0
    dataset = Dataset().parse(data=trig.stdout_bytes, format="trig")
    assert isomorphic(dataset.graph(URIRef(SAMPLE_GRAPH)), store_graphs(built)[SAMPLE_GRAPH])
    one = kg(runner, built, "export", "--format", "ttl", "--graph", SAMPLE_GRAPH)
    assert isomorphic(
        Graph().parse(data=one.stdout_bytes, format="turtle"), store_graphs(built)[SAMPLE_GRAPH]
    )


def test_export_turtle_merges_the_graphs(runner: CliRunner, built: Settings) -> None:
    result = kg(runner, built, "export", "--format", "ttl")
    merged = Graph().parse(data=result.stdout_bytes, format="turtle")
    assert len(merged) == sum(len(g) for g in store_graphs(built).values())


def test_export_bad_input(runner: CliRunner, built: Settings) -> None:
    assert_clean_error(kg(runner, built, "export", "--graph", "https://example.org/none"), "no graph")
    assert kg(runner, built, "export", "--format", "csv").exit_code == 2


# -- validate, stats, docs ---------------------------------------------------------


def test_validate_the_store(runner: CliRunner, built: Settings) -> None:
    result = kg(runner, built, "validate")
    assert result.exit_code == 0, result.output
    assert f"{SAMPLE_GRAPH}: conforms" in result.output


def test_validate_files(runner: CliRunner, settings: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "<https://example.org/x> <http://www.w3.org/2002/07/owl#sameAs> <https://en.wikipedia.org/wiki/X> .\n"
    )
    good = kg(runner, settings, "validate", str(FIXTURES / "valid-document.ttl"))
    assert good.exit_code == 0 and "conforms" in good.output
    result = kg(runner, settings, "validate", str(FIXTURES / "valid-document.ttl"), str(bad))
    assert_clean_error(result, "1 of 2 graph(s) do not conform", "must be one Wikidata item IRI")


def test_validate_an_empty_store(runner: CliRunner, settings: Settings, tmp_path: Path) -> None:
    assert kg(runner, settings, "ingest", str(tmp_path)).exit_code == 0
    result = kg(runner, settings, "validate")
    assert result.exit_code == 0 and "no document graphs" in result.output


def test_stats(runner: CliRunner, built: Settings) -> None:
    text = kg(runner, built, "stats")
    assert text.exit_code == 0
    assert f"<{SAMPLE_GRAPH}>" in text.output
    figures = json.loads(kg(runner, built, "stats", "--json").stdout)
    graphs = store_graphs(built)
    assert figures["triples"] == sum(len(g) for g in graphs.values())
    assert {g["iri"]: g["triples"] for g in figures["graphs"]} == {iri: len(g) for iri, g in graphs.items()}
    assert figures["classes"]["https://w3id.org/axis-kg/ontology#MutualDefensePact"] == 1


def test_docs(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["docs", "--output", str(tmp_path / "docs")])
    assert result.exit_code == 0, result.output
    ontology_html = (tmp_path / "docs" / "ontology.html").read_text()
    assert "mutual defense pact" in ontology_html and "recommended for" in ontology_html
    status_html = (tmp_path / "docs" / "schemes" / "epistemic-status.html").read_text()
    assert "reported fact" in status_html and 'id="recommendation"' in status_html  # the IRI's fragment
    assert '<script src="http' not in ontology_html


def test_version_and_help(runner: CliRunner) -> None:
    assert runner.invoke(main, ["--version"]).output.startswith("kg, version")
    assert "Commands:" in runner.invoke(main, ["--help"]).output


def test_serve_without_a_store_says_how_to_build_one(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["serve", "--store", str(tmp_path / "missing")])
    assert result.exit_code == 1
    assert "no store at" in result.output and "kg ingest" in result.output


def test_serve_refuses_several_writers(runner: CliRunner, settings: Settings) -> None:
    OxigraphStore.open(settings.store_path).close()
    options = ["--store", str(settings.store_path), "--update-token", "t", "--workers", "2"]
    result = runner.invoke(main, ["serve", *options])
    assert result.exit_code == 2
    assert "--workers 1" in result.output
