"""The RDF store: embedded Oxigraph, behind a small interface a remote store can implement.

Everything lives in named graphs (one per document, one for the ontology). Queries see
the union of all graphs as their default graph unless they ask for particular graphs,
so an analyst's plain query sees every document and the ontology.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal as TypingLiteral
from typing import Protocol, runtime_checkable

import pyoxigraph as ox
from rdflib import XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg import formats
from kg.errors import (
    InputError,
    QuerySyntaxError,
    StoreLockedError,
    StoreMissingError,
    UnsupportedFormatError,
)

Triple = tuple[Node, Node, Node]
ResultKind = TypingLiteral["solutions", "boolean", "graph"]


@dataclass(frozen=True)
class GraphStats:
    """Size of one named graph."""

    iri: str
    triples: int
    subjects: int


@dataclass(frozen=True)
class StoreStats:
    """What ``kg stats`` prints: totals and one row per named graph."""

    triples: int
    graphs: list[GraphStats] = field(default_factory=list)
    classes: dict[str, int] = field(default_factory=dict)


class QueryResult:
    """The answer to a query, serialized on demand in the format a client asks for."""

    def __init__(self, native: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> None:
        self._native = native
        if isinstance(native, ox.QuerySolutions):
            self.kind: ResultKind = "solutions"
            self.variables = [v.value for v in native.variables]
        elif isinstance(native, ox.QueryBoolean):
            self.kind = "boolean"
            self.variables = []
        else:
            self.kind = "graph"
            self.variables = []

    @property
    def default_format(self) -> str:
        """JSON for SELECT and ASK, Turtle for CONSTRUCT and DESCRIBE."""
        return "ttl" if self.kind == "graph" else "json"

    def serialize(self, format_name: str | None = None) -> bytes:
        """The result as bytes in ``format_name`` (see :mod:`kg.formats`); once only."""
        name = format_name or self.default_format
        if self.kind == "graph":
            if name in formats.RESULTS_FORMATS:
                raise UnsupportedFormatError(
                    f"format {name!r} is for SELECT and ASK results; a CONSTRUCT or DESCRIBE "
                    f"result is a graph: use one of {', '.join(formats.RDF_FORMATS)}"
                )
            return self._native.serialize(format=formats.rdf_format(name))
        if name in formats.RDF_FORMATS:
            raise UnsupportedFormatError(
                f"format {name!r} is for graphs; a SELECT or ASK result "
                f"uses one of {', '.join(formats.RESULTS_FORMATS)}"
            )
        return self._native.serialize(format=formats.results_format(name))

    def __iter__(self):
        """Iterate solutions (dict-like rows), triples, or the single boolean."""
        if self.kind == "boolean":
            return iter([bool(self._native)])
        return iter(self._native)


@runtime_checkable
class GraphStore(Protocol):
    """The operations the CLI and the service need; any SPARQL 1.1 store can provide them."""

    def add(self, graph_iri: str, triples: Iterable[Triple]) -> int:
        """Add triples to a named graph, all or nothing; return how many were given."""

    def replace_graph(self, graph_iri: str, triples: Iterable[Triple]) -> int:
        """Replace a named graph's content atomically; return its new size."""

    def drop_graph(self, graph_iri: str) -> bool:
        """Remove a named graph; return whether it existed."""

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query; without ``default_graphs`` the default graph is the union."""

    def export(self, format_name: str, graph_iri: str | None = None) -> bytes:
        """Serialize the whole store (or one named graph) in an RDF format."""

    def graph(self, graph_iri: str) -> Graph:
        """A copy of one named graph as an rdflib graph."""

    def stats(self) -> StoreStats:
        """Triple counts, per graph and per class."""

    def close(self) -> None:
        """Release the store."""


def _to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term for an rdflib term: pyoxigraph checks IRIs and prints N-Triples."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))
    raise TypeError(f"not an RDF term: {term!r}")


def _nt_line(triple: Triple) -> str:
    """One N-Triples line (valid inside INSERT DATA) for an rdflib triple."""
    try:
        s, p, o = (_to_ox(term) for term in triple)
    except ValueError as error:
        raise InputError(f"invalid term in {triple!r}, nothing was changed: {error}") from None
    return f"{s} {p} {o} ."


def _brief(error: Exception, limit: int = 200) -> str:
    """Oxigraph's message, cut before its list of expected characters grows past ``limit``."""
    message = str(error).split("\n", 1)[0]
    if len(message) <= limit:
        return message
    return message[:limit].rsplit(",", 1)[0] + ", …"


def _query_error(error: SyntaxError) -> QuerySyntaxError:
    # pyoxigraph reports "error at LINE:COLUMN: expected ..."; keep its words.
    return QuerySyntaxError(f"SPARQL syntax {_brief(error)}")


class OxigraphStore:
    """Embedded Oxigraph persisted in a directory (or in memory when ``path`` is None)."""

    def __init__(self, native: ox.Store, path: Path | None, read_only: bool) -> None:
        self._store = native
        self.path = path
        self.read_only = read_only

    @classmethod
    def open(cls, path: Path | str | None, *, read_only: bool = False) -> OxigraphStore:
        """Open (creating if needed, unless ``read_only``) the store at ``path``."""
        if path is None:
            return cls(ox.Store(), None, read_only=False)
        path = Path(path)
        try:
            if read_only:
                if not (path / "CURRENT").is_file():
                    raise StoreMissingError(f"no store at {path}: build one first with 'kg ingest'")
                native = ox.Store.read_only(str(path))
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                native = ox.Store(str(path))
        except OSError as error:
            message = str(error)
            if "lock" in message.lower() or getattr(error, "errno", None) in (errno.EAGAIN, errno.EACCES):
                raise StoreLockedError(
                    f"the store at {path} is in use by another process (a running 'kg serve' "
                    f"or 'kg ingest'); stop it or use another --store. ({message})"
                ) from None
            raise InputError(f"cannot open the store at {path}: {message}") from None
        return cls(native, path, read_only)

    def __enter__(self) -> OxigraphStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Flush and release the store (and its lock)."""
        if not self.read_only:
            self._store.flush()
        del self._store

    # -- writing -------------------------------------------------------------

    def _update(self, sparql: str) -> None:
        if self.read_only:
            raise InputError(f"the store at {self.path} is open read-only")
        try:
            self._store.update(sparql)
        except SyntaxError as error:
            raise InputError(f"the data could not be written, nothing was changed: {_brief(error)}") from None

    @staticmethod
    def _insert_data(graph_iri: str, triples: Iterable[Triple]) -> tuple[str, int]:
        lines = [_nt_line(t) for t in triples]
        body = "\n".join(lines)
        return f"INSERT DATA {{ GRAPH {URIRef(graph_iri).n3()} {{\n{body}\n}} }}", len(lines)

    def add(self, graph_iri: str, triples: Iterable[Triple]) -> int:
        """Add triples to a named graph in one transaction."""
        update, count = self._insert_data(graph_iri, triples)
        self._update(update)
        return count

    def replace_graph(self, graph_iri: str, triples: Iterable[Triple]) -> int:
        """Drop and refill a named graph in one transaction: readers see the old or the new graph.

        The triples are all read before the store is touched, so a source that fails
        half-way, or data Oxigraph rejects, leaves the previous graph as it was.
        """
        insert, _ = self._insert_data(graph_iri, triples)
        self._update(f"DROP SILENT GRAPH {URIRef(graph_iri).n3()} ;\n{insert}")
        return self.graph_size(graph_iri)

    def drop_graph(self, graph_iri: str) -> bool:
        """Remove a named graph and its triples."""
        existed = self._store.contains_named_graph(ox.NamedNode(graph_iri))
        self._update(f"DROP SILENT GRAPH {URIRef(graph_iri).n3()}")
        return existed

    # -- reading -------------------------------------------------------------

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def graph_size(self, graph_iri: str) -> int:
        """Number of triples in a named graph."""
        count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {URIRef(graph_iri).n3()} {{ ?s ?p ?o }} }}"
        return int(next(iter(self._store.query(count)))["n"].value)

    def __len__(self) -> int:
        return len(self._store)

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query over the union of all graphs, or the graphs given."""
        options: dict[str, object] = {}
        if default_graphs is not None:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            options["use_default_graph_as_union"] = True
        if named_graphs is not None:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            return QueryResult(self._store.query(sparql, **options))
        except SyntaxError as error:
            raise _query_error(error) from None

    def export(self, format_name: str, graph_iri: str | None = None) -> bytes:
        """The store as N-Quads, TriG or JSON-LD; one graph (or the union) in any RDF format."""
        fmt = formats.rdf_format(format_name)
        if graph_iri is not None:
            if not self._store.contains_named_graph(ox.NamedNode(graph_iri)):
                raise InputError(f"no graph {graph_iri} in the store; 'kg stats' lists the graphs")
            return self._store.dump(format=fmt, from_graph=ox.NamedNode(graph_iri))
        if fmt.supports_datasets:
            return self._store.dump(format=fmt)
        union = self._store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
        return union.serialize(format=fmt)

    def graph(self, graph_iri: str) -> Graph:
        """A copy of one named graph as an rdflib graph, for rdflib-based tools such as pyshacl."""
        return Graph(identifier=URIRef(graph_iri)).parse(data=self.export("nt", graph_iri), format="nt")

    def stats(self) -> StoreStats:
        """Totals, per-graph sizes and instance counts per class."""
        per_graph = [
            GraphStats(row["g"].value, int(row["triples"].value), int(row["subjects"].value))
            for row in self._store.query(
                "SELECT ?g (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) "
                "WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
            )
        ]
        classes = {
            row["class"].value: int(row["n"].value)
            for row in self._store.query(
                "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?class } } "
                "GROUP BY ?class ORDER BY DESC(?n) ?class"
            )
        }
        return StoreStats(triples=len(self._store), graphs=per_graph, classes=classes)
