"""The entity ↔ Wikidata links of ``data/wikidata.tsv`` as an SSSOM mapping set (SSSOM/TSV).

A block of ``#``-prefixed YAML (the mapping set's metadata, with its ``curie_map``) comes
first, then one tab-separated row a mapping. Subjects are the graph's entity IRIs
(``{base}id/{slug}``), objects Wikidata items, the predicate ``skos:exactMatch``. Rows
verified by hand are ``semapv:ManualMappingCuration``; rows that ``kg link`` proposed and
a person accepted are ``semapv:LexicalMatching``, with the review date as mapping date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from kg import __version__
from kg.config import DEFAULT_BASE_IRI, check_base_iri
from kg.gazetteer import GAZETTEER_FILE, WIKIDATA_FILE, Gazetteer
from kg.linking import is_link_method, mapping_rows, reviewed_date, tsv_cell

SUBJECT_PREFIX = "axisid"
CURIE_MAP = {
    "wd": "http://www.wikidata.org/entity/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "semapv": "https://w3id.org/semapv/vocab/",
}
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
COLUMNS = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "mapping_tool",
    "mapping_date",
    "comment",
)
MANUAL = "semapv:ManualMappingCuration"
LEXICAL = "semapv:LexicalMatching"
LINK_TOOL = f"axis-kg kg link {__version__}"


def metadata(base_iri: str, published: date) -> dict:
    """The mapping set's metadata, ``curie_map`` first."""
    return {
        "curie_map": {SUBJECT_PREFIX: f"{base_iri}id/", **CURIE_MAP},
        "mapping_set_id": f"{base_iri}mappings/wikidata.sssom.tsv",
        "mapping_set_version": __version__,
        "mapping_set_title": "Axis KG entities and their Wikidata items",
        "mapping_set_description": (
            "The gazetteer entities of the Axis KG graph that have a verified Wikidata item: the "
            "graph states these links as owl:sameAs. Each row's comment gives its source and method."
        ),
        "license": LICENSE,
        "publication_date": published,
    }


def mapping_set(
    base_iri: str = DEFAULT_BASE_IRI,
    gazetteer: Path = GAZETTEER_FILE,
    mapping: Path = WIKIDATA_FILE,
    published: str | None = None,
) -> str:
    """The SSSOM/TSV text of the mapping file's links, labelled from the gazetteer."""
    check_base_iri(base_iri)
    entities = Gazetteer.load(gazetteer, mapping).entities  # checks slugs and Q-ids
    when = date.fromisoformat(published) if published else datetime.now(UTC).date()
    header = yaml.safe_dump(metadata(base_iri, when), sort_keys=False, allow_unicode=True, width=1000)
    lines = ["#" + line for line in header.splitlines()]
    lines.append("\t".join(COLUMNS))
    for row in mapping_rows(mapping):
        method = row["method"]
        lexical = is_link_method(method)
        when = reviewed_date(method) if lexical else None
        values = {
            "subject_id": f"{SUBJECT_PREFIX}:{row['slug']}",
            "subject_label": entities[row["slug"]].label,
            "predicate_id": "skos:exactMatch",
            "object_id": f"wd:{row['wikidata']}",
            "object_label": "",
            "mapping_justification": LEXICAL if lexical else MANUAL,
            "mapping_tool": LINK_TOOL if lexical else "",
            "mapping_date": when.isoformat() if when else "",
            "comment": f"source: {row['source']}; method: {method}",
        }
        lines.append("\t".join(tsv_cell(values[column]) for column in COLUMNS))
    return "\n".join(lines) + "\n"
