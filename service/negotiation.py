"""Content negotiation: which format a client gets for each kind of result.

A result is a table (SELECT), a boolean (ASK) or a graph (CONSTRUCT, DESCRIBE). Each
kind has its formats, in order of preference when a client accepts anything. A
``format`` parameter (a short name or a media type) overrides the ``Accept`` header.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

Kind = Literal["solutions", "boolean", "graph"]


@dataclass(frozen=True)
class Format:
    """One format: its short name, the media type it is sent as, and types that also ask for it."""

    name: str
    media_type: str
    aliases: tuple[str, ...] = ()
    extension: str = ""

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


JSON = Format("json", "application/sparql-results+json", ("application/json",), "srj")
XML = Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml"), "srx")
CSV = Format("csv", "text/csv", (), "csv")
TSV = Format("tsv", "text/tab-separated-values", (), "tsv")
HTML = Format("html", "text/html", ("application/xhtml+xml",), "html")

TURTLE = Format("ttl", "text/turtle", ("application/x-turtle",), "ttl")
NTRIPLES = Format("nt", "application/n-triples", ("text/plain",), "nt")
NQUADS = Format("nq", "application/n-quads", (), "nq")
RDFXML = Format("rdf", "application/rdf+xml", ("application/xml", "text/xml"), "rdf")
JSONLD = Format("jsonld", "application/ld+json", ("application/json",), "jsonld")
TRIG = Format("trig", "application/trig", (), "trig")

#: The formats of each kind, the first being what ``*/*`` gets.
FORMATS: dict[Kind, tuple[Format, ...]] = {
    "solutions": (JSON, XML, CSV, TSV, HTML),
    "boolean": (JSON, XML, CSV, TSV, HTML),
    "graph": (TURTLE, NTRIPLES, NQUADS, RDFXML, JSONLD, TRIG, HTML),
}

#: Other names the ``format`` parameter accepts (SPARQLWrapper sends some of them).
_ALIASES = {
    "turtle": "ttl",
    "n3": "ttl",
    "ntriples": "nt",
    "n-triples": "nt",
    "nquads": "nq",
    "rdfxml": "rdf",
    "rdf+xml": "rdf",
    "json-ld": "jsonld",
    "text": "tsv",
}


class NotAcceptable(ValueError):
    """Nothing the client accepts can express this kind of result."""


def _by_name(kind: Kind, name: str) -> Format:
    wanted = name.strip().lower()
    wanted = _ALIASES.get(wanted, wanted)
    for fmt in FORMATS[kind]:
        if wanted == fmt.name or wanted in fmt.media_types:
            return fmt
    # "json" and "xml" name a results format; for a graph they mean JSON-LD and RDF/XML.
    if kind == "graph" and wanted in ("json", "xml"):
        return JSONLD if wanted == "json" else RDFXML
    names = ", ".join(fmt.name for fmt in FORMATS[kind])
    raise NotAcceptable(f"format {name!r} cannot express a {_NOUN[kind]}; use one of: {names}")


_NOUN = {"solutions": "SELECT result", "boolean": "ASK result", "graph": "graph (CONSTRUCT/DESCRIBE)"}


def choose(kind: Kind, accept: str | None, format_name: str | None = None) -> Format:
    """The format to send: by ``format_name`` if given, else the best match for ``accept``.

    >>> choose("solutions", "text/csv;q=0.5, application/sparql-results+xml").name
    'xml'
    >>> choose("graph", "*/*").name
    'ttl'
    >>> choose("boolean", None, "application/json").name
    'json'
    """
    if format_name:
        return _by_name(kind, format_name)
    return choose_from(FORMATS[kind], accept, None, _NOUN[kind])


def choose_from(
    formats: tuple[Format, ...], accept: str | None, format_name: str | None, noun: str = "resource"
) -> Format:
    """The best of ``formats`` for ``accept`` (the first for ``*/*``), or the one ``format_name`` names."""
    if format_name:
        wanted = _ALIASES.get(format_name.strip().lower(), format_name.strip().lower())
        for fmt in formats:
            if wanted == fmt.name or wanted in fmt.media_types:
                return fmt
        raise NotAcceptable(
            f"format {format_name!r} is not offered; use one of: {', '.join(f.name for f in formats)}"
        )
    offer = {fmt.media_type: fmt for fmt in formats}
    for fmt in formats:
        for alias in fmt.aliases:
            offer.setdefault(alias, fmt)
    header: MIMEAccept = parse_accept_header(accept or "*/*", MIMEAccept)
    best = header.best_match(list(offer))
    if best is None:
        types = ", ".join(fmt.media_type for fmt in formats)
        raise NotAcceptable(
            f"none of the accepted types ({accept}) can express a {noun}; accept one of: {types}"
        )
    return offer[best]


def prefers_html(accept: str | None) -> bool:
    """Whether a client (a browser) ranks HTML above the machine formats."""
    if not accept or "html" not in accept:
        return False
    header: MIMEAccept = parse_accept_header(accept or "", MIMEAccept)
    return header.best_match(["application/sparql-results+json", "text/turtle", "text/html"]) == "text/html"
