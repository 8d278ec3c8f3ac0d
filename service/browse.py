"""Home, search and lists by class: finding one's way into the graph.

All of them read one label index (every labelled resource with its types), built by one
query and kept until the store changes; searching and paging cost no further query.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, render_template, request, url_for

from service import data, description
from service.errors import ApiError
from service.pages import AXIS, href_for, short_name
from service.querypage import compact

bp = Blueprint("browse", __name__)

PAGE_SIZE = 50
_INDEX = """SELECT ?s ?label ?type WHERE {
  ?s rdfs:label|skos:prefLabel ?label .
  OPTIONAL { ?s a ?type }
  FILTER(isIRI(?s))
}"""


@dataclass(frozen=True)
class Entry:
    """A labelled resource."""

    iri: str
    label: str
    types: tuple[str, ...]
    key: str

    @property
    def href(self) -> str | None:
        return href_for(self.iri)


def fold(text: str) -> str:
    """Lowercase, without accents or punctuation: what search compares.

    >>> fold("Ukraine’s Zelenskyy!")
    'ukraine s zelenskyy'
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


def index() -> list[Entry]:
    """Built once per store generation (see :func:`service.data.per_generation`)."""
    return data.per_generation("label_index", _build_index)


def _build_index() -> list[Entry]:
    """Every labelled resource, English labels first, cached per store generation."""
    labels: dict[str, str] = {}
    types: dict[str, set[str]] = {}
    for row in data.select(_INDEX):
        iri = row["s"]["value"]
        if iri not in labels or row["label"].get("xml:lang") == "en":
            labels[iri] = row["label"]["value"]
        types.setdefault(iri, set())
        if "type" in row:
            types[iri].add(row["type"]["value"])
    entries = [Entry(iri, labels[iri], tuple(sorted(types[iri])), fold(labels[iri])) for iri in labels]
    entries.sort(key=lambda e: e.key)
    return entries


def search(entries: list[Entry], text: str, limit: int = 50) -> list[Entry]:
    """Entries whose label starts with, has a word starting with, or nearly spells ``text``.

    >>> e = [Entry("x:1", "North Korea", (), "north korea"), Entry("x:2", "Russia", (), "russia")]
    >>> [x.label for x in search(e, "kor")], [x.label for x in search(e, "Rusia")]
    (['North Korea'], ['Russia'])
    """
    wanted = fold(text)
    if not wanted:
        return []
    ranked: dict[str, tuple[int, Entry]] = {}

    def offer(rank: int, entry: Entry) -> None:
        if entry.iri not in ranked or rank < ranked[entry.iri][0]:
            ranked[entry.iri] = (rank, entry)

    for entry in entries:
        if entry.key == wanted:
            offer(0, entry)
        elif entry.key.startswith(wanted):
            offer(1, entry)
        elif any(word.startswith(wanted) for word in entry.key.split()):
            offer(2, entry)
    if len(ranked) < limit:
        keys = {entry.key: entry for entry in entries}
        words: dict[str, list[Entry]] = {}
        for entry in entries:
            for word in entry.key.split():
                words.setdefault(word, []).append(entry)
        for close in difflib.get_close_matches(wanted, list(keys), n=limit, cutoff=0.75):
            offer(3, keys[close])
        for close in difflib.get_close_matches(wanted, list(words), n=limit, cutoff=0.8):
            for entry in words[close]:
                offer(4, entry)
    return [entry for _, entry in sorted(ranked.values(), key=lambda item: (item[0], item[1].key))][:limit]


def _class_label(iri: str, entries: list[Entry]) -> str:
    return next((e.label for e in entries if e.iri == iri), compact(iri))


@bp.get("/")
def home() -> Response:
    """The dataset in figures, its classes, a search box, the ways in."""
    stats = description.statistics()
    entries = index()
    classes = [
        {
            "iri": iri,
            "label": _class_label(iri, entries),
            "count": count,
            "href": url_for("browse.by_class", name=iri[len(AXIS) :]) if iri.startswith(AXIS) else None,
        }
        for iri, count in sorted(stats.classes, key=lambda item: (not item[0].startswith(AXIS), -item[1]))
    ]
    documents = [
        {"graph": graph, "title": title, "triples": triples} for graph, triples, _, title in stats.graphs
    ]
    body = render_template("home.html", totals=stats.totals, classes=classes, documents=documents)
    return Response(body, mimetype="text/html")


@bp.get("/search")
def find() -> Response:
    """Labels by prefix, word prefix or near spelling: ``/search?q=kor``."""
    text = request.args.get("q", "")
    if len(text) > 200:
        raise ApiError(400, "the search text is longer than 200 characters; search for a name")
    results = search(index(), text) if text else []
    if request.accept_mimetypes.best == "application/json" or request.args.get("format") == "json":
        return Response(
            current_app.json.dumps(
                [{"iri": e.iri, "label": e.label, "types": list(e.types)} for e in results]
            ),
            mimetype="application/json",
        )
    return Response(render_template("search.html", q=text, results=results), mimetype="text/html")


_MEMBERS = """SELECT ?class ?s (SAMPLE(?named) AS ?name) WHERE {
  ?s a ?class .
  OPTIONAL { ?s rdfs:label|skos:prefLabel|dcterms:title|axis:text ?named }
} GROUP BY ?class ?s ORDER BY LCASE(STR(SAMPLE(?named))) ?s"""
_COUNT = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class"


@dataclass(frozen=True)
class Member:
    """One instance in a class list."""

    iri: str
    label: str

    @property
    def href(self) -> str | None:
        return href_for(self.iri)


@bp.get("/class/<name>")
def by_class(name: str) -> Response:
    """The instances of an ontology class, 50 a page, by label (or text)."""
    iri = AXIS + name
    if not name.isidentifier():
        raise ApiError(404, f"no class axis:{name}; the home page lists the classes")
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        raise ApiError(400, "page must be a whole number, such as page=2") from None
    counted = data.select(_COUNT, **{"class": iri})
    total = int(counted[0]["n"]["value"]) if counted else 0
    if not total:
        raise ApiError(404, f"nothing is of class axis:{name}; the home page lists the classes")
    pages = -(-total // PAGE_SIZE)
    if page > pages:
        raise ApiError(404, f"there are {pages} pages of axis:{name}")
    query = f"{_MEMBERS} LIMIT {PAGE_SIZE} OFFSET {(page - 1) * PAGE_SIZE:d}"
    members = [
        Member(row["s"]["value"], _shorten(row.get("name", {}).get("value")) or short_name(row["s"]["value"]))
        for row in data.select(query, **{"class": iri})
    ]
    label = next((e.label for e in index() if e.iri == iri), name)
    body = render_template(
        "class.html",
        name=name,
        iri=iri,
        label=label,
        members=members,
        page=page,
        pages=pages,
        total=total,
        class_href=href_for(iri),
    )
    return Response(body, mimetype="text/html")


def _shorten(text: str | None, limit: int = 140) -> str:
    if not text:
        return ""
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
