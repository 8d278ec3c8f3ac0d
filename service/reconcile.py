"""The Reconciliation Service API 0.2 at ``/reconcile``: what OpenRefine speaks.

OpenRefine users match a column of names against the graph's entities, then pull
properties of the matches into new columns, the Wikidata ID among them. Candidates are
the graph's labelled resources; the curated gazetteer adds the other names of the
entities it knows ("DPRK" for North Korea). CORS is always on here: OpenRefine calls the
service from the browser.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for

from kg.gazetteer import Gazetteer
from service import data
from service.browse import fold, index
from service.errors import ApiError
from service.pages import AXIS, WIKIDATA_ENTITY

bp = Blueprint("reconcile", __name__, url_prefix="/reconcile")

MAX_BATCH = 200
MAX_LIMIT = 100
MATCH_SCORE = 90.0
#: Extension properties: id → name. ``wikidata`` gives OpenRefine users the QIDs of their rows.
PROPERTIES = {
    "wikidata": "Wikidata ID",
    "label": "label",
    "altLabel": "other names",
    "description": "description",
    "type": "type",
}
_FACTS = """SELECT ?s ?description ?same WHERE {
  ?s a ?type .
  OPTIONAL { ?s dcterms:description ?description }
  OPTIONAL { ?s owl:sameAs ?same }
  FILTER(isIRI(?s))
}"""
_CLASSES = """SELECT ?class ?label ?super WHERE {
  ?class a owl:Class .
  OPTIONAL { ?class rdfs:label ?label }
  OPTIONAL { ?class rdfs:subClassOf+ ?super }
}"""


@dataclass
class Candidate:
    """A resource one can reconcile against."""

    iri: str
    id: str
    label: str
    types: set[str]
    names: set[str] = field(default_factory=set)
    aliases: list[str] = field(default_factory=list)
    description: str = ""
    wikidata: list[str] = field(default_factory=list)


@dataclass
class Catalogue:
    """Candidates, class names and the class hierarchy, built once per store generation."""

    candidates: list[Candidate]
    by_id: dict[str, Candidate]
    classes: dict[str, str]
    ancestors: dict[str, set[str]]


def _id_of(iri: str) -> str | None:
    prefix = f"{data.base_iri()}id/"
    return iri[len(prefix) :] if iri.startswith(prefix) else None


def catalogue() -> Catalogue:
    """Built once per store generation (see :func:`service.data.per_generation`)."""
    return data.per_generation("reconcile", _build_catalogue)


def _build_catalogue() -> Catalogue:
    """The candidates, with the gazetteer's other names for the entities it knows."""
    gazetteer = Gazetteer.load()
    candidates: dict[str, Candidate] = {}
    for entry in index():
        identifier = _id_of(entry.iri)
        if identifier is None:
            continue
        candidate = Candidate(
            entry.iri, identifier, entry.label, {t for t in entry.types if t.startswith(AXIS)}
        )
        known = gazetteer.entities.get(identifier)
        if known is not None:
            candidate.aliases = list(known.aliases)
        candidate.names = {fold(name) for name in [entry.label, *candidate.aliases]} - {""}
        candidates[entry.iri] = candidate
    for row in data.select(_FACTS):
        candidate = candidates.get(row["s"]["value"])
        if candidate is None:
            continue
        if "description" in row:
            candidate.description = row["description"]["value"]
        same = row.get("same", {}).get("value", "")
        if same.startswith(WIKIDATA_ENTITY) and same[len(WIKIDATA_ENTITY) :] not in candidate.wikidata:
            candidate.wikidata.append(same[len(WIKIDATA_ENTITY) :])
    classes: dict[str, str] = {}
    ancestors: dict[str, set[str]] = {}
    for row in data.select(_CLASSES):
        iri = row["class"]["value"]
        if not iri.startswith(AXIS):
            continue
        local = iri[len(AXIS) :]
        classes[local] = row.get("label", {}).get("value", local)
        ancestors.setdefault(local, {local})
        if "super" in row and row["super"]["value"].startswith(AXIS):
            ancestors[local].add(row["super"]["value"][len(AXIS) :])
    built = Catalogue(list(candidates.values()), {c.id: c for c in candidates.values()}, classes, ancestors)
    return built


def _types(candidate: Candidate, catalogue: Catalogue) -> set[str]:
    """The candidate's classes and their superclasses, by local name."""
    found: set[str] = set()
    for iri in candidate.types:
        local = iri[len(AXIS) :]
        found |= catalogue.ancestors.get(local, {local})
    return found


def score(query: str, candidate: Candidate) -> float:
    """100 for the label, 95 for another name, less for near spellings (0 below a ratio of 0.6).

    >>> c = Candidate("x", "north-korea", "North Korea", set(), {"north korea", "dprk"}, ["DPRK"])
    >>> score("DPRK", c), score("north  korea!", c), score("Nort Korea", c) > 80, score("qwerty", c)
    (95.0, 100.0, True, 0.0)
    """
    wanted = fold(query)
    if not wanted:
        return 0.0
    if wanted == fold(candidate.label):
        return 100.0
    if wanted in candidate.names:
        return 95.0
    best = max((difflib.SequenceMatcher(None, wanted, name).ratio() for name in candidate.names), default=0.0)
    return round(best * 90, 1) if best >= 0.6 else 0.0


def _type_id(value: Any) -> str:
    text = str(value)
    return text[len(AXIS) :] if text.startswith(AXIS) else text


def _wanted_types(query: dict[str, Any]) -> set[str]:
    given = query.get("type")
    if given is None:
        return set()
    values = given if isinstance(given, list) else [given]
    return {_type_id(v) for v in values}


def _property_bonus(conditions: list[dict[str, Any]], candidate: Candidate) -> float:
    """Points for property conditions that hold: Wikidata ID, description words, type."""
    bonus = 0.0
    for condition in conditions:
        pid, values = condition["pid"], _condition_values(condition["v"]) or []
        if pid == "wikidata":
            held = candidate.wikidata
        elif pid == "description":
            held = [candidate.description]
        elif pid in ("label", "altLabel"):
            held = [candidate.label, *candidate.aliases]
        else:
            held = []
        if any(fold(v) and any(fold(v) in fold(h) for h in held) for v in values):
            bonus += 5.0
    return bonus


def reconcile_one(query: dict[str, Any], catalogue: Catalogue) -> dict[str, Any]:
    """One query's candidates, best first; ``match`` only for a clear, strong winner."""
    text = query.get("query", "")
    limit = min(int(query.get("limit", 5) or 5), MAX_LIMIT)
    wanted = _wanted_types(query)
    conditions = query.get("properties", [])
    ranked = []
    for candidate in catalogue.candidates:
        if wanted and not (wanted & _types(candidate, catalogue)):
            continue
        bonus = _property_bonus(conditions, candidate)
        # Without text, properties alone decide: a candidate must meet at least one of them.
        points = score(text, candidate) if text else (80.0 if bonus else 0.0)
        if points == 0.0:
            continue
        ranked.append((min(100.0, points + bonus), candidate))
    ranked.sort(key=lambda item: (-item[0], item[1].label))
    results = []
    for position, (points, candidate) in enumerate(ranked[:limit]):
        runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
        results.append(
            {
                "id": candidate.id,
                "name": candidate.label,
                "description": candidate.description,
                "score": points,
                "match": position == 0 and points >= MATCH_SCORE and points - runner_up >= 5,
                "type": [
                    {"id": t[len(AXIS) :], "name": catalogue.classes.get(t[len(AXIS) :], t[len(AXIS) :])}
                    for t in sorted(candidate.types)
                ],
            }
        )
    return {"result": results}


def _load_json(raw: str, name: str) -> Any:
    try:
        return json.loads(raw)
    except RecursionError:
        raise ApiError(400, f"'{name}' is nested too deeply to read") from None
    except ValueError as error:
        raise ApiError(400, f"'{name}' is not JSON: {error}") from None


_SCALAR = (str, int, float)


def _condition_values(value: Any) -> list[str] | None:
    """A property condition's values as strings, or None if it holds anything else."""
    values = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            item = item.get("id", item.get("name"))
        if isinstance(item, bool) or not isinstance(item, _SCALAR):
            return None
        values.append(str(item))
    return values


def _checked_batch(raw: str) -> dict[str, dict[str, Any]]:
    """A query batch, or a 400 that says what is wrong with it."""
    batch = _load_json(raw, "queries")
    if not isinstance(batch, dict) or not batch:
        raise ApiError(
            400, '\'queries\' must be a JSON object of queries, such as {"q0": {"query": "Russia"}}'
        )
    if len(batch) > MAX_BATCH:
        raise ApiError(400, f"a batch holds at most {MAX_BATCH} queries; this one has {len(batch)}")
    for key, query in batch.items():
        if not isinstance(query, dict):
            raise ApiError(400, f"query {key!r} must be an object with a 'query' string")
        text = query.get("query")
        conditions = query.get("properties", [])
        if text is not None and not isinstance(text, str):
            raise ApiError(400, f"query {key!r}: 'query' must be a string")
        if not (text or "").strip() and not conditions:
            raise ApiError(400, f"query {key!r} has no 'query' text and no properties")
        if "limit" in query and (not isinstance(query["limit"], int) or query["limit"] < 1):
            raise ApiError(400, f"query {key!r}: 'limit' must be a positive whole number")
        if not isinstance(conditions, list) or any(
            not isinstance(c, dict)
            or not isinstance(c.get("pid"), str)
            or _condition_values(c.get("v")) is None
            for c in conditions
        ):
            raise ApiError(400, f'query {key!r}: \'properties\' must be a list of {{"pid": …, "v": …}}')
        if query.get("type_strict", "any") not in ("any", "all", "should"):
            raise ApiError(400, f"query {key!r}: 'type_strict' is one of any, all, should")
    return batch


def _json(document: Any, status: int = 200) -> Response:
    return Response(json.dumps(document, ensure_ascii=False), status=status, mimetype="application/json")


@bp.after_request
def _cors(response: Response) -> Response:
    """OpenRefine calls from the browser: every answer here, errors too, allows any origin."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    return response


def _param(name: str) -> str | None:
    return (
        request.form.get(name)
        if request.method == "POST" and name in request.form
        else request.args.get(name)
    )


def manifest() -> dict[str, Any]:
    """The service manifest: where OpenRefine finds views, previews, suggest and extension."""
    root = request.host_url.rstrip("/")
    classes = catalogue().classes
    return {
        "versions": ["0.2"],
        "name": "Axis KG",
        "identifierSpace": f"{data.base_iri()}id/",
        "schemaSpace": AXIS,
        "view": {"url": f"{root}/page/{{{{id}}}}"},
        "defaultTypes": [{"id": "Actor", "name": classes.get("Actor", "actor")}],
        "preview": {
            "url": f"{root}{url_for('reconcile.preview')}?id={{{{id}}}}",
            "width": 400,
            "height": 140,
        },
        "suggest": {
            kind: {"service_url": root, "service_path": url_for("reconcile.suggest", kind=kind)}
            for kind in ("entity", "type", "property")
        },
        "extend": {
            "propose_properties": {
                "service_url": root,
                "service_path": url_for("reconcile.propose_properties"),
            },
            "property_settings": [],
        },
    }


def extend(raw: str) -> dict[str, Any]:
    """A data extension: the requested properties of the requested ids."""
    query = _load_json(raw, "extend")
    if (
        not isinstance(query, dict)
        or not isinstance(query.get("ids"), list)
        or not isinstance(query.get("properties"), list)
    ):
        raise ApiError(400, '\'extend\' must be {"ids": [...], "properties": [{"id": "wikidata"}, ...]}')
    wanted = [p.get("id") if isinstance(p, dict) else None for p in query["properties"]]
    unknown = [p for p in wanted if not isinstance(p, str) or p not in PROPERTIES]
    if unknown:
        raise ApiError(
            400, f"unknown properties {unknown}; propose_properties lists: {', '.join(PROPERTIES)}"
        )
    known = catalogue()
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for identifier in query["ids"]:
        candidate = known.by_id.get(str(identifier))
        row: dict[str, list[dict[str, Any]]] = {}
        for prop in wanted:
            if candidate is None:
                row[prop] = []
            elif prop == "wikidata":
                row[prop] = [{"str": qid} for qid in candidate.wikidata]
            elif prop == "label":
                row[prop] = [{"str": candidate.label}]
            elif prop == "altLabel":
                row[prop] = [{"str": alias} for alias in candidate.aliases]
            elif prop == "description":
                row[prop] = [{"str": candidate.description}] if candidate.description else []
            else:
                row[prop] = [
                    {"id": t[len(AXIS) :], "name": known.classes.get(t[len(AXIS) :], t[len(AXIS) :])}
                    for t in sorted(candidate.types)
                ]
        rows[str(identifier)] = row
    return {"meta": [{"id": p, "name": PROPERTIES[p]} for p in wanted], "rows": rows}


@bp.route("", methods=["GET", "POST"])
def endpoint() -> Response:
    """The manifest, or the answers to a batch of ``queries``, or a data extension (``extend``)."""
    queries, extension = _param("queries"), _param("extend")
    if queries is not None:
        known = catalogue()
        return _json({key: reconcile_one(q, known) for key, q in _checked_batch(queries).items()})
    if extension is not None:
        return _json(extend(extension))
    return _json(manifest())


@bp.get("/suggest/<kind>")
def suggest(kind: str) -> Response:
    """Suggestions as one types: entities, types or properties starting with ``prefix``."""
    prefix = fold(request.args.get("prefix", ""))
    known = catalogue()
    if kind == "entity":
        hits = (
            [c for c in known.candidates if any(name.startswith(prefix) for name in c.names)]
            if prefix
            else []
        )
        hits.sort(key=lambda c: (not fold(c.label).startswith(prefix), c.label))
        result = [{"id": c.id, "name": c.label, "description": c.description} for c in hits[:20]]
    elif kind == "type":
        result = [
            {"id": local, "name": name}
            for local, name in sorted(known.classes.items())
            if fold(name).startswith(prefix) or fold(local).startswith(prefix)
        ]
    elif kind == "property":
        result = [
            {"id": pid, "name": name}
            for pid, name in PROPERTIES.items()
            if fold(name).startswith(prefix) or fold(pid).startswith(prefix)
        ]
    else:
        raise ApiError(404, f"no suggest service {kind!r}; there are entity, type and property")
    return _json({"result": result})


@bp.get("/preview")
def preview() -> Response:
    """A small HTML card for OpenRefine's preview pane."""
    candidate = catalogue().by_id.get(request.args.get("id", ""))
    if candidate is None:
        raise ApiError(404, "no entity with that id; ids are what reconciliation returned, such as 'russia'")
    body = render_template(
        "preview.html", candidate=candidate, href=url_for("resources.page", slug=candidate.id)
    )
    return Response(body, mimetype="text/html")


@bp.get("/propose_properties")
def propose_properties() -> Response:
    """The properties a data extension can fetch."""
    try:
        limit = int(request.args.get("limit", len(PROPERTIES)))
    except ValueError:
        raise ApiError(400, "limit must be a whole number") from None
    kind = request.args.get("type", "Actor")
    properties = [{"id": pid, "name": name} for pid, name in PROPERTIES.items()][: max(limit, 0)]
    return _json({"type": kind, "limit": limit, "properties": properties})
