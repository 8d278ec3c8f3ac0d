"""HTML documentation of the ontology and its concept schemes, generated with pyLODE."""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import re
import sys
import types
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import SKOS

from kg.namespaces import SCHEMES
from kg.ontology import ONTOLOGY_FILE, SCHEMES_FILE


def _pylode() -> types.ModuleType:
    """Import pyLODE, working around 3.4.1, whose ``version.py`` reads a file its wheel lacks."""
    try:
        return importlib.import_module("pylode")
    except FileNotFoundError:
        for name in [m for m in sys.modules if m == "pylode" or m.startswith("pylode.")]:
            del sys.modules[name]
        shim = types.ModuleType("pylode.version")
        shim.__version__ = importlib.metadata.version("pylode")
        sys.modules["pylode.version"] = shim
        return importlib.import_module("pylode")
    finally:
        # pyLODE logs its progress at INFO on the root logger; keep the CLI quiet.
        logging.getLogger().setLevel(logging.WARNING)


def _scheme_graph(schemes: Graph, scheme: URIRef) -> Graph:
    """One concept scheme and its concepts: pyLODE's vocabulary profile renders one at a time."""
    subgraph = Graph(namespace_manager=schemes.namespace_manager)
    todo = [scheme, *schemes.subjects(SKOS.inScheme, scheme)]
    while todo:
        node = todo.pop()
        for triple in schemes.triples((node, None, None)):
            subgraph.add(triple)
            if isinstance(triple[2], BNode):
                todo.append(triple[2])
    return subgraph


def scheme_slug(scheme_iri: str) -> str:
    """The last path segment of a scheme IRI, e.g. ``threat-category``."""
    return scheme_iri.rstrip("/").rsplit("/", 1)[-1]


_ANCHORED = re.compile(
    r'id="([^"]+)"((?:(?!id=").){0,800}?)<code>(https?://[^<#]+#([^<]+))</code>', re.DOTALL
)


def anchor_terms(html: str) -> str:
    """Give each term's section the id of its IRI's fragment, so that the IRI lands on it.

    pyLODE names some sections after a label (``id="actor"`` for ``…#Actor``); a browser
    resolving ``…/ontology#Actor`` needs ``id="Actor"``. Links to the old ids follow.

    >>> anchor_terms('<a href="#actor">a</a><div id="actor"><code>https://x/o#Actor</code></div>')
    '<a href="#Actor">a</a><div id="Actor"><code>https://x/o#Actor</code></div>'
    """
    taken = set(re.findall(r'id="([^"]+)"', html))
    renames = {}
    for match in _ANCHORED.finditer(html):
        old, new = match.group(1), match.group(4)
        if old != new and new not in taken and old not in renames:
            renames[old] = new
            taken.add(new)
    for old, new in renames.items():
        html = html.replace(f'id="{old}"', f'id="{new}"').replace(f'href="#{old}"', f'href="#{new}"')
    return html


def _anchor_file(path: Path) -> None:
    path.write_text(anchor_terms(path.read_text(encoding="utf-8")), encoding="utf-8")


def build_docs(out_dir: Path) -> list[Path]:
    """Write ``ontology.html`` and ``schemes/{scheme}.html`` into ``out_dir``; return the files."""
    pylode = _pylode()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "schemes").mkdir(exist_ok=True)
    written = [out_dir / "ontology.html"]
    pylode.OntPub(str(ONTOLOGY_FILE)).make_html(destination=written[0])
    _anchor_file(written[0])
    schemes = Graph().parse(SCHEMES_FILE, format="turtle")
    for scheme_iri in SCHEMES:
        target = out_dir / "schemes" / f"{scheme_slug(scheme_iri)}.html"
        pylode.VocPub(_scheme_graph(schemes, URIRef(scheme_iri))).make_html(destination=target)
        _anchor_file(target)
        written.append(target)
    return written
