"""What an entity page shows, gathered in a fixed handful of queries.

The description (one DESCRIBE), its JSON-LD (the same DESCRIBE), the links into it, the
quotes that back it and, for a threat, the countermeasures that answer it: at most five
queries whatever the size of the entity.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from flask import url_for

from service import data
from service.querypage import compact

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABELS = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
)
DESCRIPTIONS = ("http://purl.org/dc/terms/description", "http://www.w3.org/2004/02/skos/core#definition")
SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
AXIS = "https://w3id.org/axis-kg/ontology#"
SCHEME = "https://w3id.org/axis-kg/scheme/"

_INCOMING = """SELECT ?resource ?s ?p ?sLabel ?pLabel WHERE {
  ?s ?p ?resource .
  OPTIONAL { ?s rdfs:label|skos:prefLabel|dcterms:title ?sLabel }
  OPTIONAL { ?p rdfs:label ?pLabel }
} ORDER BY ?p ?s LIMIT 400"""

_QUOTES = """SELECT DISTINCT ?resource ?claim ?text ?status ?statusLabel ?start ?end ?document WHERE {
  { ?resource axis:evidence ?claim } UNION { ?claim axis:mentions ?resource }
  ?claim a axis:Claim ; axis:text ?text ; axis:epistemicStatus ?status ; axis:statedIn ?document ;
         axis:textSpan/oa:hasSelector ?selector .
  ?selector a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  OPTIONAL { ?status skos:prefLabel ?statusLabel }
} ORDER BY ?document ?start LIMIT 200"""

#: A claim's own quote: the same columns, with the claim bound.
_OWN_QUOTE = _QUOTES.replace("DISTINCT ?resource ?claim", "DISTINCT ?claim").replace(
    "{ ?resource axis:evidence ?claim } UNION { ?claim axis:mentions ?resource }", ""
)

_ANSWERS = """SELECT ?resource ?measure ?measureLabel ?actor ?actorLabel WHERE {
  ?measure axis:addresses ?resource .
  OPTIONAL { ?measure rdfs:label ?measureLabel }
  OPTIONAL { ?measure axis:recommendedFor ?actor OPTIONAL { ?actor rdfs:label ?actorLabel } }
} ORDER BY ?measureLabel"""


@dataclass
class Value:
    """A value as a page shows it: text, and a link for IRIs."""

    text: str
    href: str | None = None
    title: str | None = None
    note: str | None = None


@dataclass
class Group:
    """One property with its values."""

    label: str
    iri: str
    href: str | None
    values: list[Value] = field(default_factory=list)


def href_for(iri: str) -> str | None:
    """Where an IRI links on this site: entity pages, ontology and scheme docs, or itself."""
    from service.resources import local_path

    if (path := local_path(iri)) is not None:
        return path.replace("/id/", "/page/", 1)
    if iri.startswith(AXIS) or iri == AXIS.rstrip("#"):
        return url_for("ontology.ontology") + "#" + iri[len(AXIS) :]
    if iri.startswith(SCHEME):
        name, _, concept = iri[len(SCHEME) :].partition("#")
        return url_for("ontology.scheme", name=name) + (f"#{concept}" if concept else "")
    if iri.startswith(("http://", "https://")):
        return iri
    return None


def value_of(term: dict[str, str], labels: dict[str, str]) -> Value:
    """A JSON-style term as a page value."""
    if term["type"] == "uri":
        iri = term["value"]
        return Value(labels.get(iri) or short_name(iri), href_for(iri), title=iri)
    if term["type"] == "bnode":
        return Value(f"_:{term['value']}")
    note = term.get("xml:lang")
    datatype = term.get("datatype")
    if datatype and not note:
        note = compact(datatype)
    return Value(term["value"], note=note)


def short_name(iri: str) -> str:
    """A readable name for an unlabelled IRI: ``claim e814b36b6653`` for this dataset's IRIs.

    >>> short_name("https://w3id.org/axis-kg/id/claim/essay/e814b36b6653#span")
    'claim e814b36b6653#span'
    """
    if "/id/" in iri:
        path = iri.split("/id/", 1)[1]
        kind, _, rest = path.partition("/")
        return f"{kind} {rest.rsplit('/', 1)[-1]}" if rest else kind
    return compact(iri)


def slug_of(iri: str) -> str:
    """The part after ``{base}id/``: a document's or an entity's slug."""
    return iri.split("/id/", 1)[-1].split("#", 1)[0]


def neighbourhood(iri: str, label: str, links: list[tuple[str, str, str | None, bool]]) -> dict[str, object]:
    """An SVG layout: the entity in the middle, up to 12 neighbours on a circle (out and in)."""
    seen: dict[str, tuple[str, str, str | None, bool]] = {}
    for target, name, href, outgoing in links:
        if target != iri and target not in seen:
            seen[target] = (target, name, href, outgoing)
    chosen = list(seen.values())[:12]
    width, height, radius = 640, 380, 140
    centre = (width / 2, height / 2)
    nodes = []
    for index, (target, name, href, outgoing) in enumerate(chosen):
        angle = 2 * math.pi * index / max(len(chosen), 1) - math.pi / 2
        x = centre[0] + radius * 1.6 * math.cos(angle)
        y = centre[1] + radius * math.sin(angle)
        short = name if len(name) <= 28 else name[:27] + "…"
        nodes.append(
            {
                "x": round(x, 1),
                "y": round(y, 1),
                "label": short,
                "title": target,
                "href": href,
                "outgoing": outgoing,
            }
        )
    return {
        "width": width,
        "height": height,
        "cx": centre[0],
        "cy": centre[1],
        "label": label if len(label) <= 32 else label[:31] + "…",
        "nodes": nodes,
    }


def entity_page(iri: str) -> dict[str, object] | None:
    """Everything the page of ``iri`` shows, or None if the graph knows nothing about it."""
    description = data.describe(iri)
    own = [(p, o) for s, p, o in description.triples if s["type"] == "uri" and s["value"] == iri]
    if not own:
        return None
    labels = description.labels
    label = next((o["value"] for p, o in own if p["value"] in LABELS), "") or compact(iri)
    about = next((o["value"] for p, o in own if p["value"] in DESCRIPTIONS), "")
    types = [value_of(o, labels) for p, o in own if p["value"] == RDF_TYPE]
    type_iris = {o["value"] for p, o in own if p["value"] == RDF_TYPE}
    wikidata = [
        (
            o["value"][len(WIKIDATA_ENTITY) :],
            "https://www.wikidata.org/wiki/" + o["value"][len(WIKIDATA_ENTITY) :],
        )
        for p, o in own
        if p["value"] == SAME_AS and o["value"].startswith(WIKIDATA_ENTITY)
    ]
    groups: dict[str, Group] = {}
    for p, o in own:
        if p["value"] in (RDF_TYPE, *LABELS[:2]):
            continue
        group = groups.setdefault(
            p["value"], Group(labels.get(p["value"]) or compact(p["value"]), p["value"], href_for(p["value"]))
        )
        group.values.append(value_of(o, labels))
    parts = defaultdict(list)
    for s, p, o in description.triples:
        if s["type"] == "uri" and s["value"].startswith(iri + "#"):
            parts[s["value"]].append((labels.get(p["value"]) or compact(p["value"]), value_of(o, labels)))

    incoming: dict[str, Group] = {}
    links: list[tuple[str, str, str | None, bool]] = []
    for row in data.select(_INCOMING, resource=iri):
        predicate, subject = row["p"]["value"], row["s"]["value"]
        name = row.get("sLabel", {}).get("value") or short_name(subject)
        group = incoming.setdefault(
            predicate,
            Group(row.get("pLabel", {}).get("value") or compact(predicate), predicate, href_for(predicate)),
        )
        group.values.append(Value(name, href_for(subject), title=subject))
        if row["s"]["type"] == "uri":
            links.append((subject, name, href_for(subject), False))
    for p, o in own:
        if (
            o["type"] == "uri"
            and p["value"] not in (RDF_TYPE, SAME_AS)
            and not o["value"].startswith(iri + "#")
        ):
            links.insert(
                0, (o["value"], labels.get(o["value"]) or short_name(o["value"]), href_for(o["value"]), True)
            )

    quotes = [
        {
            "text": row["text"]["value"],
            "status": row.get("statusLabel", {}).get("value") or compact(row["status"]["value"]),
            "status_key": row["status"]["value"].rsplit("#", 1)[-1],
            "start": int(row["start"]["value"]),
            "end": int(row["end"]["value"]),
            "claim": row["claim"]["value"],
            "claim_href": href_for(row["claim"]["value"]),
            "reading_href": url_for(
                "reading.document", slug=slug_of(row["document"]["value"]).split("/", 1)[-1]
            )
            + "#claim-"
            + row["claim"]["value"].rsplit("/", 1)[-1],
        }
        for row in (
            data.select(_OWN_QUOTE, claim=iri)
            if AXIS + "Claim" in type_iris
            else data.select(_QUOTES, resource=iri)
        )
    ]

    answers = []
    if AXIS + "Threat" in type_iris:
        measures: dict[str, dict[str, object]] = {}
        for row in data.select(_ANSWERS, resource=iri):
            measure = row["measure"]["value"]
            entry = measures.setdefault(
                measure,
                {
                    "label": row.get("measureLabel", {}).get("value") or compact(measure),
                    "href": href_for(measure),
                    "actors": [],
                },
            )
            if "actor" in row:
                entry["actors"].append(  # type: ignore[union-attr]
                    Value(
                        row.get("actorLabel", {}).get("value") or compact(row["actor"]["value"]),
                        href_for(row["actor"]["value"]),
                    )
                )
        answers = list(measures.values())

    # A countermeasure's own links, shown first: what it answers and who should act.
    remedy = {
        "addresses": [value_of(o, labels) for p, o in own if p["value"] == AXIS + "addresses"],
        "actors": [value_of(o, labels) for p, o in own if p["value"] == AXIS + "recommendedFor"],
        "targets": [value_of(o, labels) for p, o in own if p["value"] == AXIS + "targets"],
    }

    jsonld = data.describe_as(iri, "jsonld").body.decode()
    return {
        "iri": iri,
        "label": label,
        "about": about,
        "types": types,
        "wikidata": wikidata,
        "groups": list(groups.values()),
        "parts": dict(parts),
        "incoming": list(incoming.values()),
        "quotes": quotes,
        "answers": answers,
        "is_threat": AXIS + "Threat" in type_iris,
        "is_measure": AXIS + "Countermeasure" in type_iris,
        "remedy": remedy,
        "diagram": neighbourhood(iri, label, links),
        # Safe inside <script>: the JSON comes from the store, and "</" cannot close the element.
        "jsonld": jsonld.replace("</", "<\\/"),
    }
