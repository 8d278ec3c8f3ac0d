"""The service's settings: what ``kg serve`` options and ``create_app(config)`` accept."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg.config import DEFAULT_BASE_IRI, DEFAULT_STORE_PATH, check_base_iri

WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"


@dataclass(frozen=True)
class ServiceConfig:
    """How the service runs. Defaults are the safe ones: read-only, no CORS, Wikidata only."""

    store_path: Path | None = DEFAULT_STORE_PATH
    base_iri: str = DEFAULT_BASE_IRI
    timeout_s: float = 10.0
    max_rows: int = 10_000
    max_body_bytes: int = 1 << 20
    cors: bool = False
    update_token: str | None = None
    allowed_services: tuple[str, ...] = (WIKIDATA_SPARQL,)
    #: Allowed endpoints answered by a stand-in (a mirror, or a local server in tests): (endpoint, stand-in).
    service_redirects: tuple[tuple[str, str], ...] = ()
    #: Answers kept per web worker (0: none); the store changes only through this service.
    cache_entries: int = 256
    license: str = "https://creativecommons.org/licenses/by/4.0/"
    queries_dir: Path = field(default=Path(__file__).resolve().parent.parent / "data" / "queries")
    #: Where the reading view finds the documents' texts (None: the corpus ``kg ingest`` reads).
    corpus_dir: Path | None = None
    #: The ontology's HTML documentation (``kg docs``); built on first use if missing.
    docs_dir: Path = Path("var/docs")

    def __post_init__(self) -> None:
        check_base_iri(self.base_iri)
        if self.timeout_s <= 0:
            raise ValueError(f"timeout must be positive, not {self.timeout_s}")
        if self.max_rows < 1:
            raise ValueError(f"the result cap must be at least 1 row, not {self.max_rows}")

    @property
    def updates_enabled(self) -> bool:
        """Updates need a token; without one the store is opened read-only."""
        return bool(self.update_token)
