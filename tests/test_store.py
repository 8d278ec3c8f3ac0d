"""The embedded Oxigraph store: round trips, atomic replace, union queries, locks, stats."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, XSD

from kg.config import Settings
from kg.errors import (
    InputError,
    QuerySyntaxError,
    StoreLockedError,
    StoreMissingError,
    UnsupportedFormatError,
)
from kg.namespaces import AXIS, OA
from kg.store import GraphStore, OxigraphStore, Triple

EX = "https://example.org/"


def small_graph(label: str, size: int = 3) -> Graph:
    graph = Graph()
    for i in range(size):
        graph.add((URIRef(f"{EX}{label}/{i}"), RDFS.label, Literal(f"{label} {i}", lang="en")))
    return graph


def test_replace_then_export_round_trips(
    store: OxigraphStore, valid_document: Graph, settings: Settings
) -> None:
    iri = settings.graph_iri("sample")
    assert store.replace_graph(iri, valid_document) == len(valid_document)
    assert store.graphs() == [iri]
    assert isomorphic(store.graph(iri), valid_document)

    dataset = Dataset()
    dataset.parse(data=store.export("nq"), format="nquads")
    assert isomorphic(dataset.graph(URIRef(iri)), valid_document)


def test_replace_drops_what_the_graph_held_before(store: OxigraphStore) -> None:
    iri = f"{EX}graph/a"
    store.replace_graph(iri, small_graph("old", 5))
    store.replace_graph(iri, small_graph("new", 2))
    assert isomorphic(store.graph(iri), small_graph("new", 2))


def test_replace_leaves_other_graphs_alone(store: OxigraphStore) -> None:
    store.replace_graph(f"{EX}graph/a", small_graph("a"))
    store.replace_graph(f"{EX}graph/b", small_graph("b"))
    store.replace_graph(f"{EX}graph/a", small_graph("c"))
    assert isomorphic(store.graph(f"{EX}graph/b"), small_graph("b"))


def failing_half_way(graph: Graph) -> Iterator[Triple]:
    for count, triple in enumerate(graph):
        if count == len(graph) // 2:
            raise OSError("the source failed half-way")
        yield triple


def test_a_source_failing_half_way_leaves_the_previous_graph(store: OxigraphStore) -> None:
    iri = f"{EX}graph/a"
    store.replace_graph(iri, small_graph("old"))
    with pytest.raises(OSError, match="half-way"):
        store.replace_graph(iri, failing_half_way(small_graph("new", 10)))
    assert isomorphic(store.graph(iri), small_graph("old"))


def test_data_the_store_rejects_leaves_the_previous_graph(store: OxigraphStore) -> None:
    iri = f"{EX}graph/a"
    store.replace_graph(iri, small_graph("old"))
    broken = small_graph("new", 10)
    broken.add((URIRef(f"{EX}has space"), RDFS.label, Literal("an IRI no store accepts")))
    with pytest.raises(InputError, match="nothing was changed"):
        store.replace_graph(iri, broken)
    assert isomorphic(store.graph(iri), small_graph("old"))
    assert len(store) == 3


def test_the_default_graph_is_the_union_unless_graphs_are_named(store: OxigraphStore) -> None:
    store.replace_graph(f"{EX}graph/a", small_graph("a"))
    store.replace_graph(f"{EX}graph/b", small_graph("b", 4))
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def n(result) -> int:
        return int(json.loads(result.serialize("json"))["results"]["bindings"][0]["n"]["value"])

    assert n(store.query(count)) == 7
    assert n(store.query(count, default_graphs=[f"{EX}graph/b"])) == 4
    named = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[f"{EX}graph/a"])
    assert [row["g"].value for row in named] == [f"{EX}graph/a"]


def test_query_results_serialize_in_every_format(store: OxigraphStore) -> None:
    store.replace_graph(f"{EX}graph/a", small_graph("a"))
    select = "SELECT ?s ?label WHERE { ?s ?p ?label } ORDER BY ?s"
    assert json.loads(store.query(select).serialize("json"))["head"]["vars"] == ["s", "label"]
    assert store.query(select).serialize("csv").decode().splitlines()[0] == "s,label"
    assert store.query(select).serialize("tsv").decode().splitlines()[0] == "?s\t?label"
    assert b"<sparql" in store.query(select).serialize("xml")
    assert json.loads(store.query("ASK { ?s ?p ?o }").serialize())["boolean"] is True
    construct = "CONSTRUCT WHERE { ?s ?p ?o }"
    for name, rdflib_format in [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml")]:
        parsed = Graph().parse(data=store.query(construct).serialize(name), format=rdflib_format)
        assert isomorphic(parsed, small_graph("a")), name


def test_a_format_that_does_not_fit_the_query_form_is_refused(store: OxigraphStore) -> None:
    with pytest.raises(UnsupportedFormatError, match="is for SELECT and ASK"):
        store.query("CONSTRUCT WHERE { ?s ?p ?o }").serialize("csv")
    with pytest.raises(UnsupportedFormatError, match="is for graphs"):
        store.query("SELECT * WHERE { ?s ?p ?o }").serialize("ttl")
    with pytest.raises(UnsupportedFormatError, match="unknown format 'yaml'"):
        store.query("SELECT * WHERE { ?s ?p ?o }").serialize("yaml")


def test_a_syntax_error_names_line_and_column(store: OxigraphStore) -> None:
    with pytest.raises(QuerySyntaxError, match=r"at 2:\d+"):
        store.query("SELECT *\nWHERE { ?s ?p }")


def test_the_store_persists_across_opening(settings: Settings) -> None:
    with OxigraphStore.open(settings.store_path) as store:
        store.replace_graph(f"{EX}graph/a", small_graph("a"))
    with OxigraphStore.open(settings.store_path, read_only=True) as store:
        assert isomorphic(store.graph(f"{EX}graph/a"), small_graph("a"))


def test_read_only_refuses_writes(settings: Settings) -> None:
    OxigraphStore.open(settings.store_path).close()
    with OxigraphStore.open(settings.store_path, read_only=True) as store, pytest.raises(InputError):
        store.replace_graph(f"{EX}graph/a", small_graph("a"))


def test_a_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreMissingError, match="kg ingest"):
        OxigraphStore.open(tmp_path / "nothing-here", read_only=True)


def test_a_store_locked_by_another_process_is_a_clear_error(settings: Settings) -> None:
    OxigraphStore.open(settings.store_path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); print('open', flush=True);"
            " sys.stdin.read()",
            str(settings.store_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreLockedError, match="in use by another process"):
            OxigraphStore.open(settings.store_path)
    finally:
        holder.communicate("")


def test_stats_count_graphs_triples_and_classes(store: OxigraphStore, valid_document: Graph) -> None:
    store.replace_graph(f"{EX}graph/doc", valid_document)
    store.replace_graph(f"{EX}graph/a", small_graph("a"))
    stats = store.stats()
    assert stats.triples == len(valid_document) + 3
    assert {g.iri: g.triples for g in stats.graphs} == {
        f"{EX}graph/a": 3,
        f"{EX}graph/doc": len(valid_document),
    }
    assert stats.classes[str(AXIS.State)] == 3


def test_drop_graph(store: OxigraphStore) -> None:
    store.replace_graph(f"{EX}graph/a", small_graph("a"))
    assert store.drop_graph(f"{EX}graph/a") is True
    assert store.drop_graph(f"{EX}graph/a") is False
    assert len(store) == 0


def test_a_graph_comes_back_as_an_rdflib_graph(store: OxigraphStore, valid_document: Graph) -> None:
    store.replace_graph(f"{EX}graph/doc", valid_document)
    assert isomorphic(store.graph(f"{EX}graph/doc"), valid_document)


def test_derived_integer_types_come_back_as_xsd_integer(store: OxigraphStore) -> None:
    # Oxigraph normalizes literals on load; the shapes accept both forms for this reason.
    node = URIRef(f"{EX}selector")
    given = Graph()
    given.add((node, OA.start, Literal("7", datatype=XSD.nonNegativeInteger)))
    store.replace_graph(f"{EX}graph/a", given)
    assert list(store.graph(f"{EX}graph/a")) == [(node, OA.start, Literal("7", datatype=XSD.integer))]


def test_the_embedded_store_implements_the_store_interface(store: OxigraphStore) -> None:
    assert isinstance(store, GraphStore)
