"""The serialization formats the project reads and writes, by short name.

Query results (SELECT, ASK) use the SPARQL results formats; graphs (CONSTRUCT,
DESCRIBE, exports, input files) use the RDF formats. pyoxigraph knows each
format's media type and file extension; this module only names them.
"""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import QueryResultsFormat, RdfFormat

from kg.errors import UnsupportedFormatError

RESULTS_FORMATS: dict[str, QueryResultsFormat] = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}

RDF_FORMATS: dict[str, RdfFormat] = {
    "ttl": RdfFormat.TURTLE,
    "nt": RdfFormat.N_TRIPLES,
    "nq": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "jsonld": RdfFormat.JSON_LD,
    "rdf": RdfFormat.RDF_XML,
}

#: Formats that hold named graphs (the others flatten a dataset into one graph).
DATASET_FORMATS = frozenset(name for name, fmt in RDF_FORMATS.items() if fmt.supports_datasets)

#: File suffixes read as RDF, beyond the formats' own extensions.
_EXTRA_SUFFIXES = {".turtle": "ttl", ".ntriples": "nt", ".nquads": "nq", ".owl": "rdf", ".xml": "rdf"}


def _unknown(name: str, known: dict[str, object]) -> UnsupportedFormatError:
    return UnsupportedFormatError(f"unknown format {name!r}; use one of: {', '.join(known)}")


def results_format(name: str) -> QueryResultsFormat:
    """The SPARQL results format called ``name`` (json, xml, csv, tsv)."""
    try:
        return RESULTS_FORMATS[name]
    except KeyError:
        raise _unknown(name, RESULTS_FORMATS) from None


def rdf_format(name: str) -> RdfFormat:
    """The RDF format called ``name`` (ttl, nt, nq, trig, jsonld, rdf)."""
    try:
        return RDF_FORMATS[name]
    except KeyError:
        raise _unknown(name, RDF_FORMATS) from None


def rdf_format_for_path(path: Path) -> RdfFormat:
    """The RDF format of a file, from its suffix."""
    suffix = path.suffix.lower()
    name = _EXTRA_SUFFIXES.get(suffix)
    if name is None:
        name = next((n for n, f in RDF_FORMATS.items() if "." + f.file_extension == suffix), None)
    if name is None:
        known = sorted({"." + f.file_extension for f in RDF_FORMATS.values()} | set(_EXTRA_SUFFIXES))
        raise UnsupportedFormatError(
            f"{path}: cannot tell the RDF format from the suffix {suffix or '(none)'!r}; "
            f"use one of: {', '.join(known)}"
        )
    return RDF_FORMATS[name]
