"""SHACL validation of instance data against ``ontology/shapes.ttl``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.ontology import ontology_graph, shapes_graph


@dataclass(frozen=True)
class Violation:
    """One SHACL result, reduced to what a person needs to fix the data."""

    focus: str
    path: str
    message: str
    severity: str
    shape: str


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating one graph."""

    conforms: bool
    violations: list[Violation]

    def text(self) -> str:
        """One line per violation, or a single line saying the data conforms."""
        if self.conforms:
            return "conforms to the shapes"
        lines = [f"{len(self.violations)} violation(s):"]
        lines += [f"  {v.severity}: {v.focus} {v.path}: {v.message}" for v in self.violations]
        return "\n".join(lines)


@lru_cache(maxsize=1)
def _shapes_and_ontology() -> tuple[Graph, Graph]:
    return shapes_graph(), ontology_graph()


def _short(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef | Literal):
        return node.n3()
    return "[]"


def validate(data: Graph) -> ValidationReport:
    """Validate ``data`` with the ontology and schemes mixed in, so subclasses and schemes count.

    pyshacl's own ``ont_graph`` mixes in only class and property axioms, not the
    concepts' ``skos:inScheme``; hence the plain union.
    """
    shapes, ontology = _shapes_and_ontology()
    combined = Graph()
    combined += ontology
    combined += data
    conforms, report, _ = shacl_validate(combined, shacl_graph=shapes, inference="none", allow_warnings=True)
    violations = sorted(
        (
            Violation(
                focus=_short(report.value(result, SH.focusNode)),
                path=_short(report.value(result, SH.resultPath)),
                message=str(report.value(result, SH.resultMessage) or ""),
                severity=_short(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1].rstrip(">"),
                shape=_short(report.value(result, SH.sourceShape)),
            )
            for result in report.subjects(SH.resultSeverity, None)
        ),
        key=lambda v: (v.focus, v.path, v.message),
    )
    return ValidationReport(conforms=bool(conforms), violations=violations)
