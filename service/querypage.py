"""The query page: an editor, the example catalog, and results as a table people can read.

IRIs in results are shown by their label (or a prefixed name) and link to a description of
the resource; every result can be downloaded in each machine format, and the page's URL
is the query's shareable link.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app, render_template, request, url_for
from pyoxigraph import NamedNode

from kg.namespaces import PREFIXES
from service import catalog
from service import negotiation as nego
from service.config import ServiceConfig
from service.worker import Answer

STATIC = Path(__file__).parent / "static"
#: Where the set-up installs the editor (not kept in the repository).
EDITOR_ASSETS = ("vendor/yasqe/yasqe.min.js", "vendor/yasqe/yasqe.min.css")

DEFAULT_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>

# The classes of the ontology and how many things the graph has of each.
SELECT ?class ?label (COUNT(?thing) AS ?things) WHERE {
  ?class a owl:Class ; rdfs:label ?label .
  OPTIONAL { ?thing a ?class }
}
GROUP BY ?class ?label
ORDER BY DESC(?things)
"""

_XSD = "http://www.w3.org/2001/XMLSchema#"
_DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")


@dataclass(frozen=True)
class Cell:
    """One value as the table shows it."""

    text: str
    kind: str = "literal"
    href: str | None = None
    title: str | None = None
    note: str | None = None


def compact(iri: str) -> str:
    """A prefixed name for ``iri`` when a project prefix covers it.

    >>> compact("http://www.w3.org/2000/01/rdf-schema#label")
    'rdfs:label'
    """
    best = max(
        ((prefix, ns) for prefix, ns in PREFIXES.items() if iri.startswith(ns)),
        key=lambda item: len(item[1]),
        default=None,
    )
    if best is None:
        return iri
    local = iri[len(best[1]) :]
    return f"{best[0]}:{local}" if local and "/" not in local and "#" not in local else iri


def resource_link(iri: str) -> str:
    """Where a result's IRI links: its page for this dataset's IRIs, the ontology and schemes'
    documentation for their terms, else a DESCRIBE of it by this endpoint."""
    from service.pages import href_for

    href = href_for(iri)
    if href is not None and href.startswith("/"):
        return href
    return url_for("sparql.endpoint", query=f"DESCRIBE {NamedNode(iri)}")


def cell(term: dict[str, object] | None, labels: dict[str, str]) -> Cell:
    """A JSON-style result term as a table cell."""
    if term is None:
        return Cell("", kind="unbound")
    kind, value = term["type"], str(term["value"])
    if kind == "uri":
        return Cell(labels.get(value) or compact(value), kind="iri", href=resource_link(value), title=value)
    if kind == "bnode":
        return Cell(f"_:{value}", kind="bnode")
    if kind == "literal":
        if "xml:lang" in term:
            return Cell(value, note=f"@{term['xml:lang']}")
        datatype = str(term.get("datatype", ""))
        note = None
        if datatype and not datatype.startswith(_XSD + "string"):
            note = f"xsd:{datatype[len(_XSD) :]}" if datatype.startswith(_XSD) else compact(datatype)
        return Cell(value, note=note)
    return Cell(str(value), kind="triple")


def _dataset_params() -> dict[str, list[str]]:
    return {name: request.args.getlist(name) for name in _DATASET_PARAMS if name in request.args}


def editor_available() -> bool:
    """Whether the set-up installed the editor's assets (the page falls back to a text area)."""
    return all((STATIC / asset).is_file() for asset in EDITOR_ASSETS)


def render(query: str, answer: Answer | None, config: ServiceConfig, error: str | None = None) -> str:
    """The page for ``query`` and, if it ran, its answer (or what went wrong)."""
    examples = catalog.load(config.queries_dir)
    chosen = request.args.get("example")
    if not query and chosen:
        query = next((e.text for e in examples if e.slug == chosen), "")
    dataset = _dataset_params()
    context: dict[str, object] = {
        "query": query or DEFAULT_QUERY,
        "examples": examples,
        "editor": editor_available(),
        "editor_assets": EDITOR_ASSETS,
        "prefixes": PREFIXES,
        "answer": answer,
        "max_rows": config.max_rows,
        "error": error,
    }
    if answer is not None:
        context["columns"] = answer.variables
        context["rows"] = [[cell(term, answer.labels) for term in row] for row in answer.table]
        context["share_url"] = url_for("sparql.endpoint", query=query, _external=True, **dataset)
        context["downloads"] = [
            (
                fmt.name.upper(),
                url_for("sparql.endpoint", query=query, format=fmt.name, download=1, **dataset),
            )
            for fmt in nego.FORMATS[answer.kind]  # type: ignore[index]
            if fmt is not nego.HTML
        ]
    return render_template("query.html", **context, service_name=current_app.name)
