"""Store benchmark: atomic graph replacement against two references, in one process.

Prints triples per second for
  - ``OxigraphStore.replace_graph`` (drop + insert in one transaction, what ingest uses),
  - pyoxigraph's own ``remove_graph`` then ``load`` of the same N-Triples (two transactions:
    a reader may see the graph missing in between; the native reference for the overhead),
  - rdflib's in-memory ``Graph.parse`` of the same N-Triples (the pure-Python reference),
and the ratios between them, for graphs of several sizes. Best of ``--repeat`` runs.

    python bench/store.py [--sizes 10000,100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.namespaces import AXIS
from kg.store import OxigraphStore

GRAPH = "https://w3id.org/axis-kg/graph/bench"


def document_like_graph(triples: int) -> Graph:
    """Claims with a type, a text, a label and offsets: the shape of an ingested document."""
    graph = Graph()
    base = "https://w3id.org/axis-kg/id/claim/bench/"
    for i in range(triples // 5):
        claim = URIRef(f"{base}{i}")
        graph.add((claim, RDF.type, AXIS.Claim))
        graph.add((claim, AXIS.text, Literal(f"Sentence {i} says something about “an actor”.")))
        graph.add((claim, RDFS.label, Literal(f"claim {i}", lang="en")))
        graph.add((claim, AXIS.itemNumber, Literal(i + 1)))
        graph.add((claim, AXIS.mentions, URIRef(f"https://w3id.org/axis-kg/id/actor-{i % 50}")))
    return graph


def best_of(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(graph: Graph, repeat: int) -> None:
    """Time the three ways of (re)loading ``graph`` into a named graph and print one row."""
    nt = graph.serialize(format="nt").encode()
    with tempfile.TemporaryDirectory() as tmp:
        store = OxigraphStore.open(Path(tmp) / "store")
        ours = best_of(repeat, lambda: store.replace_graph(GRAPH, graph))
        store.close()
        native = ox.Store(str(Path(tmp) / "native"))

        def remove_and_load() -> None:
            native.remove_graph(ox.NamedNode(GRAPH))
            native.load(nt, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH))

        reference = best_of(repeat, remove_and_load)
        in_memory = best_of(repeat, lambda: Graph().parse(data=nt, format="nt"))
    n = len(graph)
    print(
        f"{n:>8} {n / ours:>13,.0f}/s {n / reference:>13,.0f}/s {n / in_memory:>13,.0f}/s"
        f" {reference / ours:>8.2f} {in_memory / ours:>10.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated graph sizes in triples")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print(
        f"{'triples':>8} {'replace_graph':>15} {'remove + load':>15} {'rdflib parse':>15}"
        f" {'vs load':>8} {'vs rdflib':>10}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        measure(document_like_graph(size), args.repeat)
    print("vs load / vs rdflib: throughput of replace_graph relative to each reference (higher is better)")


if __name__ == "__main__":
    main()
