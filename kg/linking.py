"""Proposing Wikidata items for gazetteer entities, and taking in the reviewed ones.

``kg link`` asks a Wikidata-compatible SPARQL endpoint, for each gazetteer entity that has
no item in ``data/wikidata.tsv`` yet, which items carry one of its names as English label
(``rdfs:label``) or alias (``skos:altLabel``) and are an instance (``wdt:P31``) of a
Wikidata class that ``data/wikidata-types.tsv`` maps its ontology classes to. Each item
found is scored and written, with its evidence, to a review file. Only the links a person
accepts move into ``data/wikidata.tsv``, with their source and method; only those reach
the graph (as ``owl:sameAs``, at ingest). Nothing here writes the store.

The client is polite: it names itself in the User-Agent, waits as long as an HTTP 429 (or
503) answer's Retry-After asks (within bounds), gives up after a timeout, and keeps the
answers on disk so that a second run asks nothing again.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import re
import time
import urllib.error
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.client import HTTPException
from pathlib import Path
from urllib.parse import urlsplit

from SPARQLWrapper import JSON, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
    URITooLong,
)

from kg import __version__
from kg.errors import InputError, KgError
from kg.gazetteer import DATA_DIR, WIKIDATA_COLUMNS, Entity, Gazetteer, read_tsv
from kg.namespaces import AXIS

WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
TYPES_FILE = DATA_DIR / "wikidata-types.tsv"
TYPES_COLUMNS = ("class", "wikidata", "label")
DEFAULT_REVIEW = Path("var/link-review.tsv")
DEFAULT_CACHE = Path("var/cache/wikidata")
USER_AGENT = f"axis-kg/{__version__} (https://w3id.org/axis-kg/; linking tool)"
LANGUAGE = "en"
CANDIDATE_LIMIT = 100

REVIEW_COLUMNS = (
    "decision",
    "slug",
    "label",
    "types",
    "wikidata",
    "wikidata_label",
    "wikidata_description",
    "wikidata_types",
    "match",
    "score",
    "candidates",
    "evidence",
    "endpoint",
    "date",
)
ACCEPTED = frozenset({"accept", "accepted"})
REJECTED = frozenset({"", "reject", "rejected"})
METHOD_PREFIX = "kg link"
RETRY_STATUSES = frozenset({429, 503})

_QID = re.compile(r"Q[1-9][0-9]*")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_WORD = re.compile(r"[^\W_]+")
_REVIEWED = re.compile(r"\breviewed (\d{4}-\d{2}-\d{2})\b")
# Words that say nothing about which item is meant.
_STOPWORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "is", "it", "its", "of", "on"}
    | {"or", "that", "the", "their", "this", "to", "which", "with"}
)

# Parts of a candidate's score; they add up to at most 1 before the ambiguity discount.
NAME_SCORES = {
    ("label", "label"): 0.5,  # the entity's label is the item's label
    ("label", "alias"): 0.4,  # the entity's label is one of the item's aliases
    ("alias", "label"): 0.35,  # one of the entity's aliases is the item's label
    ("alias", "alias"): 0.25,  # an alias of each
}
EXTRA_NAME_SCORE = 0.05  # each further name of the entity the item also carries ...
EXTRA_NAME_MAX = 0.1  # ... up to this much
TYPE_SCORE = 0.3  # an instance of a mapped class (wdt:P31)
SUBCLASS_TYPE_SCORE = 0.2  # an instance of a subclass of one (wdt:P31/wdt:P279*)
DESCRIPTION_SCORE = 0.2  # times the share of description words the two have in common


class LinkError(KgError):
    """The endpoint cannot be reached, timed out, refused or answered something unusable."""


# ---------------------------------------------------------------------------------------------
# The class table


@dataclass(frozen=True)
class WikidataClass:
    """A Wikidata class (``Q…``) and its English label."""

    qid: str
    label: str

    def __str__(self) -> str:
        return f"{self.label} ({self.qid})"


def load_types(path: Path = TYPES_FILE) -> dict[str, tuple[WikidataClass, ...]]:
    """The Wikidata classes of each ontology class, from ``data/wikidata-types.tsv``."""
    table: dict[str, list[WikidataClass]] = {}
    for row in read_tsv(path, TYPES_COLUMNS):
        name, qid = row["class"].strip(), row["wikidata"].strip()
        if name not in AXIS:
            raise InputError(f"{path}: {name!r} is not a class of the ontology")
        if not _QID.fullmatch(qid):
            raise InputError(f"{path}: {qid!r} is not a Wikidata item id (Q…)")
        table.setdefault(name, []).append(WikidataClass(qid, row["label"].strip()))
    return {name: tuple(classes) for name, classes in table.items()}


def classes_for(entity: Entity, types: dict[str, tuple[WikidataClass, ...]]) -> tuple[WikidataClass, ...]:
    """The Wikidata classes of all the entity's ontology classes, each once, in table order."""
    found: dict[str, WikidataClass] = {}
    for name in entity.types:
        for cls in types.get(name, ()):
            found.setdefault(cls.qid, cls)
    return tuple(found.values())


# ---------------------------------------------------------------------------------------------
# The query and the client


def sparql_string(text: str, language: str = LANGUAGE) -> str:
    r"""A SPARQL string literal with a language tag.

    >>> print(sparql_string('Say "hi"'))
    "Say \"hi\""@en
    """
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"@{language}'


def candidate_query(
    names: Sequence[str],
    classes: Sequence[WikidataClass],
    subclasses: bool = False,
    language: str = LANGUAGE,
) -> str:
    """The items whose label or alias is one of ``names`` and that are instances of ``classes``.

    With ``subclasses``, instances of their subclasses too (``wdt:P31/wdt:P279*``): more found,
    but a heavier query on the Wikidata query service.
    """
    values_names = " ".join(sparql_string(name, language) for name in names)
    values_classes = " ".join(f"wd:{cls.qid}" for cls in classes)
    if subclasses:
        typing = "?item wdt:P31/wdt:P279* ?class .\n  BIND(EXISTS { ?item wdt:P31 ?class } AS ?direct)"
    else:
        typing = "?item wdt:P31 ?class .\n  BIND(true AS ?direct)"
    return f"""PREFIX wd: <{WIKIDATA_ENTITY}>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
SELECT ?item ?name ?field ?class ?direct ?label ?description WHERE {{
  VALUES ?name {{ {values_names} }}
  VALUES ?class {{ {values_classes} }}
  {{ ?item rdfs:label ?name . BIND("label" AS ?field) }}
  UNION
  {{ ?item skos:altLabel ?name . BIND("alias" AS ?field) }}
  {typing}
  OPTIONAL {{ ?item rdfs:label ?label . FILTER(LANG(?label) = "{language}") }}
  OPTIONAL {{ ?item schema:description ?description . FILTER(LANG(?description) = "{language}") }}
}}
LIMIT {CANDIDATE_LIMIT}
"""


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date.

    >>> retry_after_seconds("7")
    7.0
    >>> retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT", datetime(2015, 10, 21, 7, 28, tzinfo=UTC))
    30.0
    >>> retry_after_seconds("soon") is None
    True
    """
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def today() -> str:
    """Today's date (UTC) in ISO 8601."""
    return datetime.now(UTC).date().isoformat()


@dataclass(frozen=True)
class Answer:
    """An endpoint's SPARQL JSON results, the date it gave them, and whether they came from the cache."""

    results: dict
    date: str
    cached: bool


@dataclass
class SparqlClient:
    """SELECT queries against one endpoint through SPARQLWrapper, with retries and a disk cache."""

    endpoint: str
    timeout_s: float = 30.0
    retries: int = 3
    max_wait_s: float = 60.0
    cache_dir: Path | None = None
    user_agent: str = USER_AGENT
    sleep: Callable[[float], None] = time.sleep
    sent: int = field(default=0, init=False)
    from_cache: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise LinkError(f"endpoint {self.endpoint!r} is not an http(s) URL")

    def cache_path(self, query: str) -> Path | None:
        """Where the answer to ``query`` is kept: a hash of the endpoint and the query."""
        if self.cache_dir is None:
            return None
        key = hashlib.sha256(f"{self.endpoint}\n{query}".encode()).hexdigest()
        return self.cache_dir / f"{key}.json"

    def select(self, query: str) -> Answer:
        """The results of a SELECT query, from the cache if it has them."""
        path = self.cache_path(query)
        if path is not None and path.is_file():
            try:
                kept = json.loads(path.read_text(encoding="utf-8"))
                answer = Answer(kept["results"], kept["date"], cached=True)
            except (OSError, ValueError, KeyError, TypeError):
                pass  # unreadable: ask again and overwrite it
            else:
                self.from_cache += 1
                return answer
        answer = Answer(self._ask(query), today(), cached=False)
        if path is not None:
            kept = {"endpoint": self.endpoint, "query": query, "date": answer.date, "results": answer.results}
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
            except OSError as error:
                raise LinkError(f"cannot write the cache {path}: {error.strerror or error}") from None
        return answer

    def _ask(self, query: str) -> dict:
        """Ask; after a 429 (or 503) wait as Retry-After says (or back off) and ask again, a few times."""
        attempt = 0
        while True:
            try:
                return self._fetch(query)
            except urllib.error.HTTPError as error:
                if error.code not in RETRY_STATUSES:
                    raise LinkError(f"{self.endpoint} answered HTTP {error.code} {error.reason}") from None
                if attempt == self.retries:
                    raise LinkError(
                        f"{self.endpoint} still answers HTTP {error.code} ({error.reason}) after "
                        f"{attempt + 1} tries; try again later"
                    ) from None
                asked = retry_after_seconds(error.headers.get("Retry-After") if error.headers else None)
                wait = asked if asked is not None else min(2.0**attempt, self.max_wait_s)
                if wait > self.max_wait_s:
                    raise LinkError(
                        f"{self.endpoint} answered HTTP {error.code} and asks to wait {wait:.0f} s, "
                        f"longer than the {self.max_wait_s:g} s allowed (--max-wait-s); try again later"
                    ) from None
                self.sleep(wait)
                attempt += 1

    def _fetch(self, query: str) -> dict:
        wrapper = SPARQLWrapper(self.endpoint, agent=self.user_agent)
        wrapper.setOnlyConneg(True)
        wrapper.setReturnFormat(JSON)
        wrapper.setQuery(query)
        # setTimeout() rounds down to whole seconds; the attribute takes a float.
        wrapper.timeout = self.timeout_s
        self.sent += 1
        try:
            results = wrapper.query().convert()
        except urllib.error.HTTPError:
            raise
        except TimeoutError:
            raise self._timed_out() from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise self._timed_out() from None
            raise LinkError(f"cannot reach {self.endpoint}: {_reason(error.reason)}") from None
        except SPARQLWrapperException as error:
            raise LinkError(f"{self.endpoint} {_refusal(error)}") from None
        except (OSError, HTTPException) as error:
            raise LinkError(f"cannot reach {self.endpoint}: {_reason(error)}") from None
        except ValueError:
            raise LinkError(f"{self.endpoint} did not answer with SPARQL JSON results") from None
        found = results.get("results") if isinstance(results, dict) else None
        if not isinstance(found, dict) or not isinstance(found.get("bindings"), list):
            raise LinkError(f"{self.endpoint} did not answer with SPARQL JSON results")
        return results

    def _timed_out(self) -> LinkError:
        return LinkError(f"{self.endpoint} did not answer within {self.timeout_s:g} s (--timeout-s)")


def _refusal(error: SPARQLWrapperException) -> str:
    """What an HTTP error that SPARQLWrapper turned into an exception means."""
    if isinstance(error, EndPointNotFound):
        return "is not a SPARQL endpoint (HTTP 404): check --endpoint"
    if isinstance(error, QueryBadFormed):
        return "rejected the query as malformed (HTTP 400)"
    if isinstance(error, Unauthorized):
        return "asks for credentials (HTTP 401)"
    if isinstance(error, URITooLong):
        return "found the query too long (HTTP 414)"
    if isinstance(error, EndPointInternalError):
        return "failed to answer the query (HTTP 500); try again later"
    return f"refused the query: {type(error).__name__}"


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or type(reason).__name__


# ---------------------------------------------------------------------------------------------
# Candidates and their scores


@dataclass(frozen=True)
class NameMatch:
    """One of the entity's names found on the item: whose label or alias, and the item's field."""

    name: str
    ours: str  # "label" or "alias" of the gazetteer entity
    theirs: str  # "label" (rdfs:label) or "alias" (skos:altLabel) on Wikidata

    def __str__(self) -> str:
        field_name = "rdfs:label" if self.theirs == "label" else "skos:altLabel"
        return f'{self.ours} "{self.name}" = {field_name}@{LANGUAGE}'


@dataclass
class Candidate:
    """A Wikidata item that may be the entity, with the evidence for it."""

    qid: str
    label: str = ""
    description: str = ""
    matches: list[NameMatch] = field(default_factory=list)
    classes: list[WikidataClass] = field(default_factory=list)
    direct: bool = False
    score: float = 0.0
    shared_words: tuple[str, ...] = ()

    @property
    def best_match(self) -> NameMatch:
        return max(self.matches, key=lambda m: NAME_SCORES[(m.ours, m.theirs)])


def words(text: str) -> set[str]:
    """The content words of a description, lowercased.

    >>> sorted(words("Sovereign state in the South Caucasus"))
    ['caucasus', 'south', 'sovereign', 'state']
    """
    return {w for w in (m.group().lower() for m in _WORD.finditer(text)) if w not in _STOPWORDS}


def description_overlap(ours: str, theirs: str) -> tuple[float, tuple[str, ...]]:
    """The share of words two descriptions have in common (of the shorter one), and the words."""
    a, b = words(ours), words(theirs)
    if not a or not b:
        return 0.0, ()
    shared = a & b
    return len(shared) / min(len(a), len(b)), tuple(sorted(shared))


def parse_candidates(results: dict, entity: Entity, classes: Sequence[WikidataClass]) -> list[Candidate]:
    """Gather the result rows into one candidate an item, and score them."""
    by_qid = {cls.qid: cls for cls in classes}
    names = {entity.label: "label", **{alias: "alias" for alias in entity.aliases if alias != entity.label}}
    found: dict[str, Candidate] = {}
    for row in results["results"]["bindings"]:
        item = row.get("item", {}).get("value", "")
        if not item.startswith(WIKIDATA_ENTITY) or not _QID.fullmatch(item[len(WIKIDATA_ENTITY) :]):
            continue
        candidate = found.setdefault(item[len(WIKIDATA_ENTITY) :], Candidate(item[len(WIKIDATA_ENTITY) :]))
        candidate.label = candidate.label or row.get("label", {}).get("value", "")
        candidate.description = candidate.description or row.get("description", {}).get("value", "")
        name = row.get("name", {}).get("value", "")
        theirs = row.get("field", {}).get("value", "")
        if name in names and theirs in ("label", "alias"):
            match = NameMatch(name, names[name], theirs)
            if match not in candidate.matches:
                candidate.matches.append(match)
        cls = by_qid.get(row.get("class", {}).get("value", "").removeprefix(WIKIDATA_ENTITY))
        if cls is not None and cls not in candidate.classes:
            candidate.classes.append(cls)
        if row.get("direct", {}).get("value") in ("true", "1"):
            candidate.direct = True
    candidates = [c for c in found.values() if c.matches and c.classes]
    for candidate in candidates:
        candidate.classes.sort(key=list(classes).index)
        score_candidate(candidate, entity, len(candidates))
    candidates.sort(key=lambda c: (-c.score, int(c.qid[1:])))
    return candidates


def score_candidate(candidate: Candidate, entity: Entity, how_many: int) -> None:
    """Name, type and description evidence, discounted when several items are candidates."""
    best = max(NAME_SCORES[(m.ours, m.theirs)] for m in candidate.matches)
    extra = min(EXTRA_NAME_MAX, EXTRA_NAME_SCORE * (len({m.name for m in candidate.matches}) - 1))
    overlap, candidate.shared_words = description_overlap(entity.description, candidate.description)
    score = (
        best + extra + (TYPE_SCORE if candidate.direct else SUBCLASS_TYPE_SCORE) + DESCRIPTION_SCORE * overlap
    )
    candidate.score = round(min(score, 1.0) / max(how_many, 1), 2)


def evidence(candidate: Candidate, how_many: int) -> str:
    """What the score rests on, in a line a reviewer can check."""
    parts = ["; ".join(str(m) for m in candidate.matches)]
    relation = "P31" if candidate.direct else "P31/P279*"
    parts.append(f"{relation} " + ", ".join(str(c) for c in candidate.classes))
    if candidate.shared_words:
        parts.append("description shares " + ", ".join(candidate.shared_words))
    else:
        parts.append("descriptions share no word")
    if how_many > 1:
        parts.append(f"ambiguous: {how_many} candidates, score divided by {how_many}")
    return "; ".join(parts)


# ---------------------------------------------------------------------------------------------
# Proposals and the review file


@dataclass
class LinkRun:
    """What one ``kg link`` found: review rows, and figures for the summary."""

    rows: list[dict[str, str]] = field(default_factory=list)
    proposed: dict[str, list[Candidate]] = field(default_factory=dict)
    without: list[str] = field(default_factory=list)
    skipped: list[Entity] = field(default_factory=list)


def unlinked(gazetteer: Gazetteer, slugs: Sequence[str] = ()) -> list[Entity]:
    """The entities to link: ``slugs`` (each must exist and have no item yet), or all without one."""
    if not slugs:
        return [entity for entity in gazetteer.entities.values() if not entity.wikidata]
    chosen = []
    for slug in dict.fromkeys(slugs):
        check_slug(slug, gazetteer)
        entity = gazetteer.entities[slug]
        if entity.wikidata:
            raise InputError(f"{slug} already has the Wikidata item {entity.wikidata}")
        chosen.append(entity)
    return chosen


def check_slug(slug: str, gazetteer: Gazetteer) -> None:
    if not _SLUG.fullmatch(slug):
        raise InputError(f"{slug!r} is not a slug (lowercase letters, digits and single hyphens)")
    if slug not in gazetteer.entities:
        raise InputError(f"{slug!r} is not an entity of the gazetteer")


def check_qid(qid: str) -> None:
    if not _QID.fullmatch(qid):
        raise InputError(f"{qid!r} is not a Wikidata item id (Q followed by digits, such as Q42)")


def propose(
    entities: Iterable[Entity],
    types: dict[str, tuple[WikidataClass, ...]],
    client: SparqlClient,
    subclasses: bool = False,
    progress: Callable[[Entity], None] | None = None,
) -> LinkRun:
    """Query the endpoint for each entity and gather the review rows."""
    run = LinkRun()
    for entity in entities:
        base = {
            "decision": "",
            "slug": entity.slug,
            "label": entity.label,
            "types": "|".join(entity.types),
            "endpoint": client.endpoint,
        }
        classes = classes_for(entity, types)
        if not classes:
            run.skipped.append(entity)
            run.rows.append(
                {**base, "evidence": f"not queried: no Wikidata class for {', '.join(entity.types)}"}
            )
            if progress:
                progress(entity)
            continue
        names = list(dict.fromkeys((entity.label, *entity.aliases)))
        answer = client.select(candidate_query(names, classes, subclasses))
        candidates = parse_candidates(answer.results, entity, classes)
        base["date"] = answer.date
        if not candidates:
            run.without.append(entity.slug)
            relation = "P31/P279*" if subclasses else "P31"
            run.rows.append(
                {
                    **base,
                    "candidates": "0",
                    "evidence": f"no item with {LANGUAGE} label or alias "
                    + " | ".join(f'"{n}"' for n in names)
                    + f" and {relation} "
                    + ", ".join(str(c) for c in classes),
                }
            )
        else:
            run.proposed[entity.slug] = candidates
            for candidate in candidates:
                run.rows.append(
                    {
                        **base,
                        "wikidata": candidate.qid,
                        "wikidata_label": candidate.label,
                        "wikidata_description": candidate.description,
                        "wikidata_types": "|".join(str(c) for c in candidate.classes),
                        "match": str(candidate.best_match),
                        "score": f"{candidate.score:.2f}",
                        "candidates": str(len(candidates)),
                        "evidence": evidence(candidate, len(candidates)),
                    }
                )
        if progress:
            progress(entity)
    return run


def tsv_cell(value: str) -> str:
    """A value fit for a plain TSV cell: tabs and line breaks become spaces."""
    return " ".join(value.split()) if any(c in value for c in "\t\r\n") else value


def write_tsv(path: Path, columns: Sequence[str], rows: Iterable[dict[str, str]]) -> None:
    """A plain TSV (no quoting): tabs and line breaks inside a value become spaces."""
    lines = ["\t".join(columns)]
    lines += ["\t".join(tsv_cell(row.get(column, "")) for column in columns) for row in rows]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as error:
        raise InputError(f"{path}: cannot write: {error.strerror or error}") from None


def write_review(path: Path, rows: Iterable[dict[str, str]]) -> None:
    write_tsv(path, REVIEW_COLUMNS, rows)


def merge_review(
    old: Sequence[dict[str, str]], new: Sequence[dict[str, str]], gazetteer: Gazetteer
) -> list[dict[str, str]]:
    """The review rows after a run: this run's rows replace those of the same entities.

    Decisions already written for an item carry over; rows of entities that now have an item
    in the mapping file, or are gone from the gazetteer, are dropped. Rows keep the order of
    the gazetteer, and within an entity the order of the run.
    """
    decisions = {(r["slug"], r["wikidata"]): r["decision"] for r in old if r["decision"].strip()}
    fresh = {r["slug"] for r in new}
    order = {slug: index for index, slug in enumerate(gazetteer.entities)}
    rows = [
        r
        for r in old
        if r["slug"] not in fresh and r["slug"] in order and not gazetteer.entities[r["slug"]].wikidata
    ]
    for row in new:
        rows.append({**row, "decision": decisions.get((row["slug"], row.get("wikidata", "")), "")})
    return sorted(rows, key=lambda r: order[r["slug"]])


def read_old_review(path: Path) -> list[dict[str, str]]:
    """The rows of an earlier review file, or none if there is none."""
    return read_review(path) if path.is_file() else []


def read_review(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise InputError(f"no review file at {path}: run 'kg link' first (or give --review)")
    return read_tsv(path, REVIEW_COLUMNS)


# ---------------------------------------------------------------------------------------------
# Accepting reviewed links


@dataclass(frozen=True)
class Accepted:
    """A link moved into the mapping file."""

    slug: str
    qid: str
    source: str
    method: str


def parse_pair(text: str) -> tuple[str, str]:
    """``SLUG=QID`` as a pair.

    >>> parse_pair("georgia=Q230")
    ('georgia', 'Q230')
    """
    slug, sep, qid = text.partition("=")
    if not sep or not slug.strip() or not qid.strip():
        raise InputError(f"{text!r}: give a reviewed link as SLUG=QID, such as georgia=Q230")
    return slug.strip(), qid.strip()


def accepted_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a review file whose decision is 'accepted'."""
    chosen = []
    for number, row in enumerate(read_review(path), start=2):
        decision = row["decision"].strip().lower()
        if decision in ACCEPTED:
            if not row["wikidata"].strip():
                raise InputError(f"{path}, line {number}: accepted, but the row has no Wikidata item")
            chosen.append(row)
        elif decision not in REJECTED:
            raise InputError(
                f"{path}, line {number}: decision {row['decision']!r} is neither 'accepted' nor 'rejected'"
            )
    return chosen


def method_for(row: dict[str, str], reviewed: str) -> str:
    """The method cell: how the link was found, when it was queried, when it was reviewed."""
    relation = "P31/P279*" if "P31/P279*" in row.get("evidence", "") else "P31"
    types = row.get("wikidata_types", "").replace("|", ", ")
    parts = [f"{METHOD_PREFIX}: exact {row.get('match', '')} + {relation} {types}".strip()]
    if row.get("score"):
        parts.append(f"score {row['score']}")
    if row.get("date"):
        parts.append(f"queried {row['date']}")
    parts.append(f"reviewed {reviewed}")
    return "; ".join(parts)


def reviewed_date(method: str) -> date | None:
    """The review date that ``kg link --accept`` wrote into a method cell, if any.

    >>> reviewed_date("kg link: exact label; queried 2025-01-02; reviewed 2025-01-03")
    datetime.date(2025, 1, 3)
    >>> reviewed_date("manual, verified") is None
    True
    """
    found = _REVIEWED.search(method)
    return date.fromisoformat(found.group(1)) if found else None


def is_link_method(method: str) -> bool:
    """Whether a mapping row came from ``kg link`` (lexical matching, reviewed)."""
    return method.startswith(METHOD_PREFIX)


def accept(
    mapping: Path,
    gazetteer: Gazetteer,
    review_rows: Sequence[dict[str, str]],
    pairs: Sequence[tuple[str, str]],
    marked: Sequence[dict[str, str]] = (),
    reviewed: str | None = None,
) -> list[Accepted]:
    """Append reviewed links to the mapping file; check everything before writing anything.

    ``pairs`` (SLUG, QID) must each be a proposal of the review file; ``marked`` are review
    rows already marked accepted.
    """
    reviewed = reviewed or today()
    chosen: list[dict[str, str]] = []
    for slug, qid in pairs:
        check_slug(slug, gazetteer)
        check_qid(qid)
        if gazetteer.entities[slug].wikidata:
            raise InputError(f"{slug} already has the Wikidata item {gazetteer.entities[slug].wikidata}")
        row = next((r for r in review_rows if r["slug"] == slug and r["wikidata"] == qid), None)
        if row is None:
            raise InputError(
                f"{slug}={qid} is not among the proposals of the review file: run 'kg link {slug}' "
                "first, or add a link found another way to the mapping file by hand, with its source"
            )
        chosen.append(row)
    for row in marked:
        check_slug(row["slug"], gazetteer)
        check_qid(row["wikidata"])
        chosen.append(row)
    items = {entity.wikidata: entity.slug for entity in gazetteer.entities.values() if entity.wikidata}
    done: list[Accepted] = []
    seen: dict[str, str] = {}
    for row in chosen:
        slug, qid = row["slug"], row["wikidata"]
        if seen.get(slug) == qid:
            continue
        if slug in seen:
            raise InputError(f"{slug}: two items accepted ({seen[slug]} and {qid}); accept one")
        current = gazetteer.entities[slug].wikidata
        if current:
            raise InputError(f"{slug} already has the Wikidata item {current} in {mapping}")
        if qid in items or qid in seen.values():
            other = items.get(qid) or next(s for s, q in seen.items() if q == qid)
            raise InputError(f"{qid} is already the Wikidata item of {other}; one item, one entity")
        seen[slug] = qid
        endpoint = row.get("endpoint", "").strip()
        if not endpoint:
            raise InputError(f"{slug}={qid}: the review row does not say which endpoint it came from")
        done.append(Accepted(slug, qid, endpoint, method_for(row, reviewed)))
    if done:
        append_mapping(mapping, done)
    return done


def append_mapping(mapping: Path, links: Sequence[Accepted]) -> None:
    """Append rows to the mapping file, keeping what it holds."""
    read_tsv(mapping, WIKIDATA_COLUMNS)  # still the expected columns
    text = mapping.read_text(encoding="utf-8")
    lines = [
        "\t".join(tsv_cell(v) for v in (link.slug, link.qid, link.source, link.method)) for link in links
    ]
    try:
        with mapping.open("a", encoding="utf-8", newline="") as handle:
            if text and not text.endswith("\n"):
                handle.write("\n")
            handle.write("\n".join(lines) + "\n")
    except OSError as error:
        raise InputError(f"{mapping}: cannot write: {error.strerror or error}") from None


def mapping_rows(mapping: Path) -> Iterator[dict[str, str]]:
    """The rows of the mapping file, in order."""
    yield from read_tsv(mapping, WIKIDATA_COLUMNS)
