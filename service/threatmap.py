"""The threat map: which countermeasures answer which threats, and who should carry them out.

One page, three queries (threats, countermeasures, the claims that back both), whatever the
number of documents:

* a matrix at a glance: a row per threat, a column per actor a countermeasure is recommended
  for, each cell the countermeasures of that actor against that threat; countermeasures that
  answer no particular threat follow, a row per category;
* the threats in detail: who poses them, whom they threaten, what answers them;
* the other recommendations in detail: who should act, against whom, with whom.

Everything links to its page; each threat and countermeasure also to its sentence in the
reading view of its document.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import Blueprint, Response, render_template, url_for

from service import data
from service.pages import href_for

bp = Blueprint("threatmap", __name__)

_THREATS = """SELECT ?threat ?label ?number ?category ?categoryLabel ?by ?byLabel ?target ?targetLabel WHERE {
  ?threat a axis:Threat .
  OPTIONAL { ?threat rdfs:label ?label }
  OPTIONAL { ?threat axis:itemNumber ?number }
  OPTIONAL { ?threat axis:threatCategory ?category OPTIONAL { ?category skos:prefLabel ?categoryLabel } }
  OPTIONAL { ?threat axis:posedBy ?by OPTIONAL { ?by rdfs:label|skos:prefLabel ?byLabel } }
  OPTIONAL { ?threat axis:threatens ?target OPTIONAL { ?target rdfs:label|skos:prefLabel ?targetLabel } }
}"""

_MEASURES = """SELECT ?measure ?label ?number ?category ?categoryLabel ?threat ?actor ?actorLabel
       ?target ?targetLabel ?partner ?partnerLabel WHERE {
  ?measure a axis:Countermeasure .
  OPTIONAL { ?measure rdfs:label ?label }
  OPTIONAL { ?measure axis:itemNumber ?number }
  OPTIONAL {
    ?measure axis:countermeasureCategory ?category OPTIONAL { ?category skos:prefLabel ?categoryLabel }
  }
  OPTIONAL { ?measure axis:addresses ?threat }
  OPTIONAL { ?measure axis:recommendedFor ?actor OPTIONAL { ?actor rdfs:label|skos:prefLabel ?actorLabel } }
  OPTIONAL { ?measure axis:targets ?target OPTIONAL { ?target rdfs:label|skos:prefLabel ?targetLabel } }
  OPTIONAL { ?measure axis:partner ?partner OPTIONAL { ?partner rdfs:label|skos:prefLabel ?partnerLabel } }
}"""

_EVIDENCE = """SELECT ?thing ?claim ?text ?document ?title ?start WHERE {
  VALUES ?type { axis:Threat axis:Countermeasure }
  ?thing a ?type ; axis:evidence ?claim .
  ?claim axis:statedIn ?document ; axis:text ?text ; axis:textSpan/oa:hasSelector ?selector .
  ?selector a oa:TextPositionSelector ; oa:start ?start .
  OPTIONAL { ?document dcterms:title ?title }
}"""


@dataclass
class Link:
    """Something the page names: its label and where it links."""

    iri: str
    label: str
    href: str | None = None


@dataclass
class Threat:
    iri: str
    label: str
    href: str | None
    number: int | None = None
    category: Link | None = None
    posed_by: list[Link] = field(default_factory=list)
    threatens: list[Link] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    source: Link | None = None
    document: Link | None = None


@dataclass
class Measure:
    iri: str
    label: str
    href: str | None
    number: int | None = None
    category: Link | None = None
    threats: list[str] = field(default_factory=list)
    actors: list[Link] = field(default_factory=list)
    targets: list[Link] = field(default_factory=list)
    partners: list[Link] = field(default_factory=list)
    source: Link | None = None
    quote: str = ""

    @property
    def short(self) -> str:
        """A few words that tell this measure from the others of its row and column."""
        if self.targets:
            return "against " + ", ".join(t.label for t in self.targets)
        if self.partners:
            return "with " + ", ".join(p.label for p in self.partners)
        return excerpt(self.quote) if self.quote else self.label


@dataclass
class Row:
    """One row of the matrix: a threat, or a category of countermeasures that answer none."""

    label: str
    href: str | None
    note: str
    cells: list[list[Measure]]
    threat: Threat | None = None


def excerpt(text: str, words: int = 7) -> str:
    """The first words of ``text``, with an ellipsis if there are more.

    >>> excerpt("Encourage multinational companies to relocate from China to India", 5)
    'Encourage multinational companies to relocate…'
    >>> excerpt("Act now.")
    'Act now.'
    """
    parts = text.split()
    return " ".join(parts[:words]).rstrip(",;:") + ("…" if len(parts) > words else "")


def _add(links: list[Link], row: dict[str, dict[str, str]], name: str, label: str) -> None:
    iri = data.cell(row, name)
    if iri and all(link.iri != iri for link in links):
        links.append(Link(iri, data.cell(row, label) or data.local_name(iri), href_for(iri)))


def _category(row: dict[str, dict[str, str]]) -> Link | None:
    iri = data.cell(row, "category")
    return Link(iri, data.cell(row, "categoryLabel") or data.local_name(iri), href_for(iri)) if iri else None


def _number(row: dict[str, dict[str, str]]) -> int | None:
    value = data.cell(row, "number")
    return int(value) if value.isdigit() else None


def _order(item: Threat | Measure) -> tuple[bool, int, str]:
    return (item.number is None, item.number or 0, item.label.casefold())


def actor_columns(measures: Iterable[Measure]) -> list[Link]:
    """The actors countermeasures are recommended for: the busiest first, then by name.

    >>> m = [Measure("m1", "a", None, actors=[Link("x", "X")]), Measure("m2", "b", None,
    ...      actors=[Link("y", "Y"), Link("x", "X")])]
    >>> [a.label for a in actor_columns(m)]
    ['X', 'Y']
    """
    counts: dict[str, int] = {}
    links: dict[str, Link] = {}
    for measure in measures:
        for actor in measure.actors:
            counts[actor.iri] = counts.get(actor.iri, 0) + 1
            links.setdefault(actor.iri, actor)
    return sorted(links.values(), key=lambda a: (-counts[a.iri], a.label.casefold()))


def cells(measures: Iterable[Measure], columns: list[Link]) -> list[list[Measure]]:
    """The measures of each column (one more column at the end: no actor named).

    >>> x = Link("x", "X")
    >>> m = [Measure("m1", "a", None, actors=[x]), Measure("m2", "b", None)]
    >>> [[m.iri for m in cell] for cell in cells(m, [x])]
    [['m1'], ['m2']]
    """
    index = {actor.iri: i for i, actor in enumerate(columns)}
    out: list[list[Measure]] = [[] for _ in range(len(columns) + 1)]
    for measure in measures:
        targets = [index[a.iri] for a in measure.actors if a.iri in index] or [len(columns)]
        for i in targets:
            out[i].append(measure)
    return out


def threat_map_page() -> dict[str, object]:
    """Everything the threat map shows: three queries."""
    threats: dict[str, Threat] = {}
    for row in data.select(_THREATS):
        iri = row["threat"]["value"]
        threat = threats.setdefault(
            iri, Threat(iri, data.cell(row, "label") or data.local_name(iri), href_for(iri), _number(row))
        )
        threat.category = threat.category or _category(row)
        _add(threat.posed_by, row, "by", "byLabel")
        _add(threat.threatens, row, "target", "targetLabel")

    measures: dict[str, Measure] = {}
    for row in data.select(_MEASURES):
        iri = row["measure"]["value"]
        measure = measures.setdefault(
            iri, Measure(iri, data.cell(row, "label") or data.local_name(iri), href_for(iri), _number(row))
        )
        measure.category = measure.category or _category(row)
        if (threat := data.cell(row, "threat")) and threat not in measure.threats:
            measure.threats.append(threat)
        _add(measure.actors, row, "actor", "actorLabel")
        _add(measure.targets, row, "target", "targetLabel")
        _add(measure.partners, row, "partner", "partnerLabel")

    # The earliest sentence that backs each threat and countermeasure: "read in context".
    first: dict[str, tuple[int, str, str, str, str]] = {}
    for row in data.select(_EVIDENCE):
        thing, start = row["thing"]["value"], int(row["start"]["value"])
        if thing not in first or start < first[thing][0]:
            first[thing] = (
                start,
                row["claim"]["value"],
                row["document"]["value"],
                data.cell(row, "title"),
                data.cell(row, "text"),
            )
    for item in [*threats.values(), *measures.values()]:
        if item.iri in first:
            _, claim, document, title, text = first[item.iri]
            slug = data.local_name(document)
            href = url_for("reading.document", slug=slug) + "#claim-" + data.local_name(claim)
            item.source = Link(claim, title or slug, href)
            if isinstance(item, Measure):
                item.quote = text
            else:
                item.document = Link(document, title or slug, url_for("reading.document", slug=slug))

    for measure in sorted(measures.values(), key=_order):
        for threat in measure.threats:
            if threat in threats:
                threats[threat].measures.append(measure)
    ordered = sorted(threats.values(), key=lambda t: ((t.document.label if t.document else ""), *_order(t)))
    unanswered = [t for t in ordered if not t.measures]
    other = sorted((m for m in measures.values() if not any(t in threats for t in m.threats)), key=_order)

    columns = actor_columns(measures.values())
    rows = [
        Row(t.label, t.href, ", ".join(a.label for a in t.posed_by), cells(t.measures, columns), threat=t)
        for t in ordered
    ]
    by_category: dict[str, list[Measure]] = {}
    names: dict[str, Link] = {}
    for measure in other:
        key = measure.category.iri if measure.category else ""
        by_category.setdefault(key, []).append(measure)
        if measure.category:
            names[key] = measure.category
    groups = sorted(by_category.items(), key=lambda kv: (kv[0] == "", names[kv[0]].label if kv[0] else ""))
    other_rows = [
        Row(
            names[key].label if key else "no category",
            names[key].href if key else None,
            "",
            cells(group, columns),
        )
        for key, group in groups
    ]
    documents = {t.document.iri: t.document for t in ordered if t.document}
    return {
        "threats": ordered,
        "unanswered": unanswered,
        "other": [(names[key] if key else None, group) for key, group in groups],
        "columns": columns,
        "rows": rows,
        "other_rows": other_rows,
        "measure_count": len(measures),
        "answering": sum(1 for m in measures.values() if any(t in threats for t in m.threats)),
        "documents": list(documents.values()),
    }


@bp.get("/threats")
def threat_map() -> Response:
    """Threats, the countermeasures that answer them, and who should act."""
    return Response(render_template("threatmap.html", **threat_map_page()), mimetype="text/html")
