"""The example query catalog in data/queries: documented, valid, and answered by the store."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.config import Settings
from tests.conftest import PROJECT_ROOT

CATALOG = sorted((PROJECT_ROOT / "data" / "queries").glob("*.rq"))


@pytest.fixture(scope="module")
def ontology_store(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(store_path=tmp_path_factory.mktemp("catalog") / "store")
    result = CliRunner().invoke(main, ["ingest", "--store", str(settings.store_path)])
    assert result.exit_code == 0, result.output
    return settings


def test_the_catalog_is_not_empty() -> None:
    assert len(CATALOG) >= 2


@pytest.mark.parametrize("query", CATALOG, ids=[q.name for q in CATALOG])
def test_each_query_has_a_title_and_a_description(query: Path) -> None:
    header = [line for line in query.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    assert header[0].startswith("# title: ") and len(header[0]) > len("# title: ")
    assert header[1].startswith("# description: ")


@pytest.mark.parametrize("query", CATALOG, ids=[q.name for q in CATALOG])
def test_each_query_runs_and_answers(query: Path, ontology_store: Settings) -> None:
    result = CliRunner().invoke(
        main, ["query", "--file", str(query), "--format", "csv", "--store", str(ontology_store.store_path)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) >= 1
