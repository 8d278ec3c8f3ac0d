"""Settings shared by the CLI and the service: the base IRI and where the store lives.

Each setting has a default, an environment variable and (in the CLI) an option.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from kg.errors import KgError

DEFAULT_BASE_IRI = "https://w3id.org/axis-kg/"
DEFAULT_STORE_PATH = Path("var/store")

BASE_IRI_ENV = "AXIS_KG_BASE"
STORE_ENV = "AXIS_KG_STORE"


def check_base_iri(base_iri: str) -> str:
    """Return ``base_iri`` if it is an absolute http(s) IRI ending in ``/``; raise otherwise."""
    parts = urlsplit(base_iri)
    if parts.scheme not in ("http", "https") or not parts.netloc or not base_iri.endswith("/"):
        raise KgError(
            f"base IRI {base_iri!r} must be an absolute http(s) IRI ending in '/', "
            f"such as {DEFAULT_BASE_IRI!r}"
        )
    return base_iri


@dataclass(frozen=True)
class Settings:
    """Where things are and how they are named."""

    base_iri: str = DEFAULT_BASE_IRI
    store_path: Path = field(default=DEFAULT_STORE_PATH)

    def __post_init__(self) -> None:
        check_base_iri(self.base_iri)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """Settings from ``AXIS_KG_BASE`` and ``AXIS_KG_STORE``, defaults otherwise."""
        return cls(
            base_iri=environ.get(BASE_IRI_ENV, DEFAULT_BASE_IRI),
            store_path=Path(environ.get(STORE_ENV, DEFAULT_STORE_PATH)),
        )

    def graph_iri(self, slug: str) -> str:
        """The named graph of a document (or of the ontology, slug ``ontology``)."""
        return f"{self.base_iri}graph/{slug}"

    def entity_iri(self, slug: str) -> str:
        """The IRI of a thing the graph describes, such as ``{base}id/russia``."""
        return f"{self.base_iri}id/{slug}"

    @property
    def ontology_graph(self) -> str:
        """The named graph that holds the ontology and its concept schemes."""
        return self.graph_iri("ontology")
