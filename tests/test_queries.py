"""The example query catalog in data/queries: documented, valid, and answered by the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.config import Settings
from tests.conftest import PROJECT_ROOT, run_query

CATALOG = sorted((PROJECT_ROOT / "data" / "queries").glob("*.rq"))


def test_the_catalog_is_not_empty() -> None:
    assert len(CATALOG) >= 2


@pytest.mark.parametrize("query", CATALOG, ids=[q.name for q in CATALOG])
def test_each_query_has_a_title_and_a_description(query: Path) -> None:
    header = [line for line in query.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    assert header[0].startswith("# title: ") and len(header[0]) > len("# title: ")
    assert header[1].startswith("# description: ")


@pytest.mark.parametrize("query", CATALOG, ids=[q.name for q in CATALOG])
def test_each_query_runs_and_answers(query: Path, essay_store: Settings) -> None:
    assert len(run_query(essay_store, query)) >= 1
