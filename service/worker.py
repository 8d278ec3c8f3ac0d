"""The query worker: a separate process that owns the store and evaluates SPARQL.

Oxigraph cannot cancel a running query, so queries run here, in a process the web
server can kill when a query overruns its time: the work really stops and the store is
untouched (an update in flight is a transaction that never commits). The worker also
writes the answer in the negotiated format and applies the result cap.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Literal

import pyoxigraph as ox

from service import guard, results
from service import negotiation as nego

#: Predicates that name a resource, best first.
LABEL_PREDICATES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
)
_MAX_LABELLED = 2000


@dataclass(frozen=True)
class Job:
    """One SPARQL operation to run, with what the client accepts back.

    ``default_graphs``/``named_graphs`` are the protocol's dataset parameters (``None``
    when not given; for an update they are ``using-graph-uri``/``using-named-graph-uri``).
    """

    operation: Literal["query", "update"]
    text: str
    base_iri: str | None = None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    accept: str | None = None
    format_name: str | None = None
    max_rows: int = 10_000
    #: Variables bound to IRIs before evaluation (SEP-0007 substitution), never spliced into text.
    bindings: tuple[tuple[str, str], ...] = ()


@dataclass
class Answer:
    """What the worker sends back: a body to send as is, or a table to render, or an error."""

    status: int = 200
    media_type: str = ""
    body: bytes = b""
    kind: str = ""
    truncated: bool = False
    rows: int = 0
    error: str = ""
    #: For HTML: column names, rows of JSON-style terms, and labels of the IRIs in them.
    variables: list[str] = field(default_factory=list)
    table: list[list[dict[str, object] | None]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)


def _brief(error: Exception, limit: int = 240) -> str:
    """Oxigraph's message, cut before its list of expected characters runs long."""
    message = str(error).split("\n", 1)[0]
    if len(message) <= limit:
        return message
    return message[:limit].rsplit(",", 1)[0] + ", …"


def _failure(status: int, message: str) -> Answer:
    return Answer(status=status, error=message)


def _options(job: Job) -> dict[str, object]:
    options = _dataset(job)
    if job.bindings:
        options["substitutions"] = {ox.Variable(name): ox.NamedNode(iri) for name, iri in job.bindings}
    return options


def _dataset(job: Job) -> dict[str, object]:
    if job.default_graphs is None and job.named_graphs is None:
        # No protocol dataset: the query's FROM clauses if it has any, else every graph.
        return {} if guard.names_dataset(job.text) else {"use_default_graph_as_union": True}
    return {
        "default_graph": [ox.NamedNode(iri) for iri in job.default_graphs or ()],
        "named_graphs": [ox.NamedNode(iri) for iri in job.named_graphs or ()],
    }


def labels_of(store: ox.Store, terms: Iterator[object]) -> dict[str, str]:
    """Labels of the IRIs among ``terms`` (English or untagged first), in one query."""
    iris = {term.value for term in terms if isinstance(term, ox.NamedNode)}
    if not iris:
        return {}
    values = " ".join(str(ox.NamedNode(iri)) for iri in sorted(iris)[:_MAX_LABELLED])
    predicates = "|".join(f"<{p}>" for p in LABEL_PREDICATES)
    query = f"SELECT ?s ?label WHERE {{ VALUES ?s {{ {values} }} ?s {predicates} ?label }}"
    found: dict[str, tuple[int, str]] = {}
    for row in store.query(query, use_default_graph_as_union=True):
        label = row["label"]
        rank = 0 if getattr(label, "language", None) in (None, "", "en") else 1
        iri = row["s"].value
        if iri not in found or rank < found[iri][0]:
            found[iri] = (rank, label.value)
    return {iri: label for iri, (_, label) in found.items()}


def describe_more(
    store: ox.Store, triples: list[ox.Triple], dataset: dict[str, object] | None = None
) -> list[ox.Triple]:
    """A DESCRIBE answer made whole for a reader: what it says about the resources' own hash
    resources (``x#span`` of ``x``) and the labels of everything it links to.

    Dereferencing an IRI returns exactly this too, so the two always agree.
    """
    options = {"use_default_graph_as_union": True} if dataset is None else dataset
    subjects = {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}
    extra: list[ox.Triple] = []
    found = triples
    for _ in range(3):  # x → x#span → x#position: hash resources link on to each other
        children = {
            t.object
            for t in found
            if isinstance(t.object, ox.NamedNode)
            and "#" in t.object.value
            and t.object.value.split("#", 1)[0] in subjects
            and t.object.value not in subjects
        }
        if not children:
            break
        described = " ".join(str(child) for child in sorted(children, key=lambda n: n.value))
        found = list(store.query(f"DESCRIBE {described}", **options))
        extra += found
        subjects |= {child.value for child in children}
    linked = {
        t.object.value
        for t in [*triples, *extra]
        if isinstance(t.object, ox.NamedNode) and t.object.value not in subjects
    }
    if linked:
        values = " ".join(str(ox.NamedNode(iri)) for iri in sorted(linked))
        predicates = " ".join(f"<{p}>" for p in LABEL_PREDICATES)
        extra += list(
            store.query(
                f"CONSTRUCT {{ ?s ?p ?label }} WHERE {{ VALUES ?s {{ {values} }} "
                f"VALUES ?p {{ {predicates} }} ?s ?p ?label }}",
                **options,
            )
        )
    return list(dict.fromkeys([*triples, *extra]))


def _html_answer(store: ox.Store, answer: Answer, variables: list[str], rows: list[list]) -> Answer:
    answer.variables = variables
    answer.table = [[None if t is None else results.term_json(t) for t in row] for row in rows]
    answer.labels = labels_of(store, itertools.chain.from_iterable(rows))
    answer.media_type = nego.HTML.media_type
    return answer


def run_query(store: ox.Store, job: Job) -> Answer:
    """Evaluate a query and write its answer in the format the client negotiated."""
    try:
        native = store.query(job.text, base_iri=job.base_iri, **_options(job))
    except SyntaxError as error:
        return _failure(400, f"SPARQL syntax {_brief(error)}")
    except ValueError as error:
        return _failure(400, f"invalid dataset graph IRI: {error}")
    except RuntimeError as error:
        return _failure(400, f"the query failed: {_brief(error)}")
    except OSError as error:
        return _failure(502, f"the query failed: {_brief(error)}")
    kind: nego.Kind
    if isinstance(native, ox.QueryBoolean):
        kind = "boolean"
    elif isinstance(native, ox.QuerySolutions):
        kind = "solutions"
    else:
        kind = "graph"
    try:
        fmt = nego.choose(kind, job.accept, job.format_name)
    except nego.NotAcceptable as error:
        return _failure(406, str(error))
    answer = Answer(kind=kind, media_type=fmt.media_type)
    try:
        if kind == "boolean":
            value = bool(native)
            answer.rows = 1
            if fmt is nego.HTML:
                return _html_answer(store, answer, ["boolean"], [[ox.Literal(str(value).lower())]])
            answer.body = results.write_boolean(fmt, value)
            return answer
        if kind == "graph" and guard.is_describe(job.text):
            native = iter(describe_more(store, list(native), _dataset(job)))
        items = list(itertools.islice(native, job.max_rows + 1))
        answer.truncated = len(items) > job.max_rows
        items = items[: job.max_rows]
        answer.rows = len(items)
        if kind == "solutions":
            variables = [v.value for v in native.variables]
            rows = [[solution[name] for name in variables] for solution in items]
            if fmt is nego.HTML:
                return _html_answer(store, answer, variables, rows)
            answer.body = results.write_table(fmt, variables, rows, answer.truncated)
        else:
            if fmt is nego.HTML:
                rows = [[t.subject, t.predicate, t.object] for t in items]
                return _html_answer(store, answer, ["subject", "predicate", "object"], rows)
            answer.body = results.write_graph(fmt, items)
    except results.NotRepresentable as error:
        return _failure(406, str(error))
    except RuntimeError as error:
        return _failure(400, f"the query failed while running: {_brief(error)}")
    except OSError as error:
        # Evaluation is lazy: a failing SERVICE call surfaces while reading the results.
        return _failure(502, f"the query failed while running: {_brief(error)}")
    return answer


def run_update(store: ox.Store, job: Job) -> Answer:
    """Apply an update in one transaction; nothing is written if it fails."""
    try:
        text = guard.with_using(job.text, job.default_graphs or (), job.named_graphs or ())
        store.update(guard.clear_silently(text), base_iri=job.base_iri)
    except guard.GuardError as error:
        return _failure(400, str(error))
    except SyntaxError as error:
        return _failure(400, f"SPARQL Update syntax {_brief(error)}")
    except ValueError as error:
        return _failure(400, f"invalid graph IRI: {error}")
    except RuntimeError as error:
        # Oxigraph's evaluation errors, such as dropping a graph that does not exist.
        return _failure(400, f"the update failed, nothing was changed: {_brief(error)}")
    except OSError as error:
        return _failure(502, f"the update failed, nothing was changed: {_brief(error)}")
    return Answer(status=204, kind="update")


def serve(conn: Connection, store_path: str | None, writable: bool) -> None:
    """The worker's main loop: open the store, say ready, then answer jobs until the pipe closes."""
    try:
        if store_path is None:
            store = ox.Store()
        elif writable:
            store = ox.Store(store_path)
        else:
            store = ox.Store.read_only(store_path)
    except OSError as error:
        conn.send(("failed", f"cannot open the store at {store_path}: {error}"))
        return
    conn.send(("ready", len(store)))
    while True:
        try:
            job: Job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        answer = run_update(store, job) if job.operation == "update" else run_query(store, job)
        if job.operation == "update" and answer.status < 300:
            store.flush()
        conn.send(answer)
