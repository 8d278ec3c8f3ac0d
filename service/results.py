"""Writing query results: SPARQL results formats for tables and booleans, RDF for graphs.

Tables are collected before they are written, so the result cap can stop at the limit and
say so; pyoxigraph serializes graphs, and this module writes the four SPARQL results
formats (JSON, XML, CSV, TSV) from the collected rows.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from service import negotiation as nego

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row = Sequence[Term | None]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

_RDF_FORMATS = {
    nego.TURTLE.name: ox.RdfFormat.TURTLE,
    nego.NTRIPLES.name: ox.RdfFormat.N_TRIPLES,
    nego.NQUADS.name: ox.RdfFormat.N_QUADS,
    nego.RDFXML.name: ox.RdfFormat.RDF_XML,
    nego.JSONLD.name: ox.RdfFormat.JSON_LD,
    nego.TRIG.name: ox.RdfFormat.TRIG,
}


class NotRepresentable(ValueError):
    """The result holds something the chosen format cannot carry."""


#: Characters XML 1.0 cannot carry, not even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    if _NOT_XML.search(text):
        raise NotRepresentable(
            "a value holds a control character that XML 1.0 cannot carry; ask for JSON or TSV"
        )
    return escape(text)


def term_json(term: Term) -> dict[str, object]:
    """A term as a SPARQL 1.1 JSON results binding."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        binding: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            binding["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            binding["datatype"] = term.datatype.value
        return binding
    return {
        "type": "triple",
        "value": {
            "subject": term_json(term.subject),
            "predicate": term_json(term.predicate),
            "object": term_json(term.object),
        },
    }


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{_xml_text(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{_xml_text(term.value)}</literal>"
        return f"<literal>{_xml_text(term.value)}</literal>"
    parts = zip(("subject", "predicate", "object"), (term.subject, term.predicate, term.object), strict=True)
    return "<triple>" + "".join(f"<{n}>{_xml_term(t)}</{n}>" for n, t in parts) + "</triple>"


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def _tsv_value(term: Term | None) -> str:
    # N-Triples syntax, with tabs escaped too so that a value never splits a column.
    return "" if term is None else str(term).replace("\t", "\\t")


def write_table(fmt: nego.Format, variables: Sequence[str], rows: Sequence[Row], truncated: bool) -> bytes:
    """A SELECT result in a SPARQL results format."""
    if fmt is nego.JSON:
        bindings = [
            {name: term_json(term) for name, term in zip(variables, row, strict=True) if term is not None}
            for row in rows
        ]
        document: dict[str, object] = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
        if truncated:
            document["truncated"] = True
        return json.dumps(document, ensure_ascii=False).encode()
    if fmt is nego.XML:
        out = io.StringIO()
        out.write('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>')
        out.write("".join(f"<variable name={quoteattr(name)}/>" for name in variables))
        out.write("</head>\n<results>\n")
        for row in rows:
            out.write("<result>")
            for name, term in zip(variables, row, strict=True):
                if term is not None:
                    out.write(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>")
            out.write("</result>\n")
        out.write("</results>\n</sparql>\n")
        return out.getvalue().encode()
    if fmt is nego.CSV:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_csv_value(term) for term in row] for row in rows)
        return out.getvalue().encode()
    if fmt is nego.TSV:
        lines = ["\t".join(f"?{name}" for name in variables)]
        lines += ["\t".join(_tsv_value(term) for term in row) for row in rows]
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(f"not a table format: {fmt.name}")


def write_boolean(fmt: nego.Format, value: bool) -> bytes:
    """An ASK result in a SPARQL results format (CSV and TSV as Oxigraph writes them)."""
    word = "true" if value else "false"
    if fmt is nego.JSON:
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt is nego.XML:
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{word}</boolean></sparql>\n"
        ).encode()
    if fmt in (nego.CSV, nego.TSV):
        return f"{word}\n".encode()
    raise ValueError(f"not a boolean format: {fmt.name}")


def write_graph(fmt: nego.Format, triples: Sequence[ox.Triple]) -> bytes:
    """A CONSTRUCT or DESCRIBE result in an RDF format, with the project's prefixes."""
    rdf_format = _RDF_FORMATS[fmt.name]
    statements: Sequence[ox.Triple | ox.Quad] = triples
    if rdf_format.supports_datasets:
        statements = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    prefixes = dict(PREFIXES) if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    try:
        return ox.serialize(statements, format=rdf_format, prefixes=prefixes)
    except (OSError, ValueError) as error:
        # Such as a triple term (RDF 1.2) in a format that has no syntax for it yet.
        raise NotRepresentable(
            f"the result cannot be written as {fmt.name}: {error}; ask for Turtle or N-Triples"
        ) from None
