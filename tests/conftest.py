"""Shared fixtures: settings pointing at a temporary store, a CLI runner, test data."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.cli import main
from kg.config import BASE_IRI_ENV, STORE_ENV, Settings
from kg.store import OxigraphStore

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Tools shared beside the project; a user's clone does not have them.
SHARED = PROJECT_ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's store or base IRI."""
    monkeypatch.delenv(STORE_ENV, raising=False)
    monkeypatch.delenv(BASE_IRI_ENV, raising=False)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store_path=tmp_path / "store")


@pytest.fixture
def store(settings: Settings) -> Iterator[OxigraphStore]:
    with OxigraphStore.open(settings.store_path) as opened:
        yield opened


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def valid_document() -> Graph:
    """A small hand-made document graph that conforms to the shapes."""
    return Graph().parse(FIXTURES / "valid-document.ttl")


@pytest.fixture(scope="session")
def essay_store(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A store built by a plain ``kg ingest``: the ontology and the corpus (the essay).

    A test that writes to it must leave it as it was.
    """
    settings = Settings(store_path=tmp_path_factory.mktemp("essay") / "store")
    result = CliRunner().invoke(main, ["ingest", "--store", str(settings.store_path)])
    assert result.exit_code == 0, result.output
    return settings


def run_query(settings: Settings, query_file: Path) -> list[dict[str, str]]:
    """Run a catalog query with ``kg query --format csv``; the rows as dictionaries."""
    result = CliRunner().invoke(
        main, ["query", "--file", str(query_file), "--format", "csv", "--store", str(settings.store_path)]
    )
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))
