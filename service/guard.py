"""What a query or update may do here, decided before Oxigraph sees it.

A small SPARQL lexer finds the keywords that matter for safety and for the protocol's
dataset rules: ``FROM`` (the query names its own dataset), ``SERVICE`` (a federated call,
allowed only to listed endpoints), ``LOAD`` (never), ``USING``/``WITH`` (an update names
its own dataset). It blanks out comments, strings and IRIs first, so a keyword inside a
literal, an IRI, a variable or a prefixed name is never mistaken for the real thing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from pyoxigraph import NamedNode

# Order matters: long strings before short ones; comments only outside strings and IRIs.
_TOKENS = re.compile(
    r"""
      (?P<long>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
    | (?P<short>'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<comment>\#[^\n\r]*)
    """,
    re.VERBOSE | re.DOTALL,
)
_PREFIX = re.compile(r"(?i)(?<![\w?$:])PREFIX\s+([A-Za-z][\w.-]*)?:\s*(<_*>)")
_IRI_TOKEN = re.compile(r"<_*>")


def _keyword(word: str) -> re.Pattern[str]:
    # Not part of a variable (?x, $x), a prefixed name (ex:from, from:x) or a longer word.
    return re.compile(rf"(?i)(?<![\w?$:]){word}(?![\w:-])")


_FROM = _keyword("FROM")
_SERVICE = _keyword("SERVICE")
_LOAD = _keyword("LOAD")
_USING = _keyword("USING")
_WITH = _keyword("WITH")
_WHERE = _keyword("WHERE")
_DELETE_BEFORE = re.compile(r"(?i)(?<![\w?$:])DELETE\s*$")
_SILENT = re.compile(r"(?i)\s*SILENT(?![\w:])")
_CLEAR = _keyword("CLEAR")
_PNAME = re.compile(r"\s*([A-Za-z][\w.-]*)?:([\w.%-]*)")


class GuardError(ValueError):
    """A query or update this service will not run; the message says why."""


@dataclass(frozen=True)
class Masked:
    """The text with comments and strings blanked and IRIs kept only as ``<___>``.

    Offsets are unchanged, so a position found in ``masked`` reads the real IRI in ``text``.
    """

    text: str
    masked: str

    @classmethod
    def of(cls, text: str) -> Masked:
        """The masked text; the same query is checked several times, so the last few are kept."""
        return _masked(text)

    def has(self, keyword: re.Pattern[str]) -> bool:
        return keyword.search(self.masked) is not None

    def iri_at(self, start: int) -> str:
        """The IRI whose ``<`` is at ``start``, without its angle brackets."""
        end = self.masked.index(">", start)
        return self.text[start + 1 : end]

    def prefixes(self) -> dict[str, str]:
        return {(m.group(1) or ""): self.iri_at(m.start(2)) for m in _PREFIX.finditer(self.masked)}


_DESCRIBE = _keyword("DESCRIBE")


def is_describe(query: str) -> bool:
    """Whether a query is a DESCRIBE query.

    >>> is_describe("PREFIX d: <http://x/describe#> DESCRIBE d:a")
    True
    >>> is_describe("ASK { ?describe ?p 'DESCRIBE' }")
    False
    """
    return Masked.of(query).has(_DESCRIBE)


_VOLATILE = re.compile(r"(?i)(?<![\w?$:])(?:NOW|RAND|UUID|STRUUID|BNODE)\s*\(")


def is_volatile(query: str) -> bool:
    """Whether a query's answer changes from one run to the next (NOW, RAND, UUID, BNODE).

    >>> is_volatile("SELECT (RAND() AS ?r) {}"), is_volatile("SELECT ?rand { ?s ?p 'NOW()' }")
    (True, False)
    """
    return _VOLATILE.search(Masked.of(query).masked) is not None


def _blank(match: re.Match[str]) -> str:
    token = match.group(0)
    if match.lastgroup == "iri":
        return "<" + "_" * (len(token) - 2) + ">"
    return " " * len(token)


@lru_cache(maxsize=64)
def _masked(text: str) -> Masked:
    return Masked(text, _TOKENS.sub(_blank, text))


def names_dataset(query: str) -> bool:
    """Whether a query has its own ``FROM`` or ``FROM NAMED`` clause.

    >>> names_dataset("SELECT * FROM <http://g> { ?s ?p ?o }")
    True
    >>> names_dataset("SELECT ?from { ?from <http://ex/from> 'FROM' } # FROM")
    False
    """
    return Masked.of(query).has(_FROM)


def _service_spans(query: str) -> list[tuple[int, int, str]]:
    """Where each ``SERVICE`` names its endpoint: the token's start and end, and the absolute IRI."""
    if "service" not in query.lower():
        return []
    masked = Masked.of(query)
    spans = []
    for match in _SERVICE.finditer(masked.masked):
        position = match.end()
        silent = _SILENT.match(masked.masked, position)
        if silent:
            position = silent.end()
        while position < len(masked.masked) and masked.masked[position].isspace():
            position += 1
        # Fail closed: anything but a plain absolute IRI, or a prefixed name that expands to one,
        # is refused rather than resolved here in a way the engine might not (BASE, escapes).
        if masked.masked.startswith("<", position):
            token = _IRI_TOKEN.match(masked.masked, position)
            if token is None:
                raise GuardError("SERVICE must name its endpoint with a plain IRI, without escapes")
            spans.append((position, token.end(), _absolute(masked.iri_at(position))))
        elif (pname := _PNAME.match(masked.masked, position)) and pname.group(0).strip():
            after = masked.masked[pname.end() : pname.end() + 1]
            namespace = masked.prefixes().get(pname.group(1) or "")
            if namespace is None:
                raise GuardError(f"SERVICE uses the undeclared prefix '{pname.group(1) or ''}:'")
            if after and not (after.isspace() or after == "{"):
                raise GuardError(
                    "SERVICE must name its endpoint with a plain IRI or prefixed name, without escapes"
                )
            start = pname.start(1) if pname.group(1) else position
            spans.append((start, pname.end(), _absolute(namespace + pname.group(2))))
        else:
            raise GuardError("SERVICE must name its endpoint with an IRI; a variable endpoint is not allowed")
    return spans


def _absolute(iri: str) -> str:
    """``iri`` if it is an absolute http(s) IRI; SERVICE endpoints are never resolved against BASE."""
    parts = urlsplit(iri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise GuardError(f"SERVICE must name its endpoint with an absolute http(s) IRI, not <{iri}>")
    return iri


def service_targets(query: str) -> list[str]:
    """The endpoints a query's ``SERVICE`` clauses call, as absolute IRIs.

    >>> service_targets('PREFIX wd: <https://query.wikidata.org/> '
    ...                 'SELECT * { SERVICE SILENT wd:sparql { ?s ?p ?o } }')
    ['https://query.wikidata.org/sparql']
    >>> service_targets("SELECT * { ?s <http://ex/SERVICE> 'SERVICE <http://x>' }")
    []
    """
    return [target for _, _, target in _service_spans(query)]


def redirect_services(query: str, redirects: Mapping[str, str]) -> str:
    """The query with each ``SERVICE`` endpoint in ``redirects`` replaced by its stand-in.

    A mirror, or a local stand-in in tests, answers in the named endpoint's place.

    >>> redirect_services("SELECT * { SERVICE <https://a/sparql> { ?s ?p ?o } }", {"https://a/sparql": "http://b/q"})
    'SELECT * { SERVICE <http://b/q> { ?s ?p ?o } }'
    """
    if not redirects:
        return query
    pieces, last = [], 0
    for start, end, target in _service_spans(query):
        if target in redirects:
            pieces.append(query[last:start] + str(NamedNode(redirects[target])))
            last = end
    pieces.append(query[last:])
    return "".join(pieces)


def check_query(query: str, allowed_services: Iterable[str]) -> None:
    """Refuse a query that calls an endpoint not on the allow-list."""
    allowed = set(allowed_services)
    for target in service_targets(query):
        if target not in allowed:
            listed = ", ".join(sorted(allowed)) or "none"
            raise GuardError(f"SERVICE <{target}> is not allowed; this endpoint may call only: {listed}")


def check_update(update: str) -> None:
    """Refuse an update that loads from the network or the file system.

    >>> check_update("LOAD <file:///etc/passwd>")
    Traceback (most recent call last):
    ...
    service.guard.GuardError: LOAD is not allowed here: ...
    """
    masked = Masked.of(update)
    if masked.has(_LOAD):
        raise GuardError(
            "LOAD is not allowed here: this endpoint does not fetch documents; "
            "send the data in an INSERT DATA update instead"
        )
    check_query(update, ())


def clear_silently(update: str) -> str:
    """``CLEAR`` made ``SILENT``: clearing a graph that does not exist leaves what was asked for.

    Oxigraph records empty graphs and would fail the request; the protocol test suite (and
    stores that do not record empty graphs) treat it as done.

    >>> clear_silently("CLEAR GRAPH <http://g> ; CLEAR SILENT ALL")
    'CLEAR SILENT GRAPH <http://g> ; CLEAR SILENT ALL'
    """
    masked = Masked.of(update)
    pieces, last = [], 0
    for match in _CLEAR.finditer(masked.masked):
        if not _SILENT.match(masked.masked, match.end()):
            pieces.append(update[last : match.end()] + " SILENT")
            last = match.end()
    pieces.append(update[last:])
    return "".join(pieces)


def with_using(update: str, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> str:
    """The update with the protocol's ``using-graph-uri``/``using-named-graph-uri`` applied.

    Each ``WHERE`` of a ``DELETE``/``INSERT`` operation gets the ``USING`` clauses. An update
    that names its own dataset (``USING`` or ``WITH``) conflicts with the parameters.

    >>> with_using("INSERT { ?s a <http://c> } WHERE { ?s ?p ?o }", ["http://g"], [])
    'INSERT { ?s a <http://c> } USING <http://g> WHERE { ?s ?p ?o }'
    """
    if not default_graphs and not named_graphs:
        return update
    masked = Masked.of(update)
    if masked.has(_USING) or masked.has(_WITH):
        raise GuardError(
            "the update has its own USING or WITH clause; drop it or the "
            "using-graph-uri/using-named-graph-uri parameters, not both"
        )
    clauses = " ".join(
        [f"USING {NamedNode(iri)}" for iri in default_graphs]
        + [f"USING NAMED {NamedNode(iri)}" for iri in named_graphs]
    )
    pieces, depth, last = [], 0, 0
    for index, char in enumerate(masked.masked):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0 and (where := _WHERE.match(masked.masked, index)):
            if _DELETE_BEFORE.search(masked.masked, 0, index):
                raise GuardError(
                    "DELETE WHERE cannot take using-graph-uri; write it as DELETE { ... } WHERE { ... }"
                )
            pieces.append(update[last:index] + clauses + " ")
            last = where.start()
    pieces.append(update[last:])
    return "".join(pieces)
