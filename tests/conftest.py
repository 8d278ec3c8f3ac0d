"""Shared fixtures: settings pointing at a temporary store, a CLI runner, test data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

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
