"""The gazetteer: curated names, verified Wikidata items, longest whole-word matches."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import InputError
from kg.gazetteer import Gazetteer
from tests.conftest import FIXTURES

SMALL = FIXTURES / "gazetteer"


@pytest.fixture(scope="module")
def small() -> Gazetteer:
    return Gazetteer.load(SMALL / "gazetteer.tsv", SMALL / "wikidata.tsv")


def found(gazetteer: Gazetteer, text: str) -> list[tuple[str, str]]:
    return [(m.text, m.slug) for m in gazetteer.find(text)]


def test_longest_name_wins(small: Gazetteer) -> None:
    text = "North Korea and the Korean Peninsula; Korea; Latin America and America."
    assert found(small, text) == [
        ("North Korea", "north-korea"),
        ("Korean Peninsula", "korea"),
        ("Korea", "korea"),
        ("Latin America", "latin-america"),
        ("America", "united-states"),
    ]


def test_whole_words_possessives_demonyms_and_abbreviations(small: Gazetteer) -> None:
    text = "China’s and the PRC’s plans; North Korean weapons; the U.S. and USA; us, USB, Chinatown."
    assert found(small, text) == [
        ("China", "china"),
        ("PRC", "china"),
        ("North Korean", "north-korea"),
        ("U.S.", "united-states"),
        ("USA", "united-states"),
    ]


def test_offsets_are_absolute_and_exact(small: Gazetteer) -> None:
    text = "Intro. Then Pyongyang spoke."
    (match,) = small.find(text, start=7)
    assert text[match.start : match.end] == match.text == "Pyongyang"


def test_wikidata_items_come_with_their_source(small: Gazetteer) -> None:
    assert small.entities["north-korea"].wikidata == "Q423"
    assert "DESIGN.md" in small.entities["north-korea"].wikidata_source
    assert small.entities["china"].wikidata is None


def test_a_name_owned_twice_is_refused(tmp_path: Path) -> None:
    rows = (SMALL / "gazetteer.tsv").read_text() + "dprk\tDPRK\tState\t\t\tduplicate\n"
    (tmp_path / "g.tsv").write_text(rows)
    with pytest.raises(InputError, match="'DPRK' belongs to both north-korea and dprk"):
        Gazetteer.load(tmp_path / "g.tsv", SMALL / "wikidata.tsv")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("atlantis\tQ999\ts\tm\n", "no gazetteer entity for atlantis"),
        ("china\t148\ts\tm\n", "not a Wikidata item"),
    ],
)
def test_bad_wikidata_rows_are_refused(tmp_path: Path, row: str, message: str) -> None:
    (tmp_path / "w.tsv").write_text("slug\twikidata\tsource\tmethod\n" + row)
    with pytest.raises(InputError, match=message):
        Gazetteer.load(SMALL / "gazetteer.tsv", tmp_path / "w.tsv")


def test_wrong_columns_are_refused(tmp_path: Path) -> None:
    (tmp_path / "g.tsv").write_text("slug\tname\n")
    with pytest.raises(InputError, match="the columns must be"):
        Gazetteer.load(tmp_path / "g.tsv", SMALL / "wikidata.tsv")


def test_a_row_with_missing_columns_is_refused(tmp_path: Path) -> None:
    rows = (SMALL / "gazetteer.tsv").read_text() + "atlantis\tAtlantis\tState\n"
    (tmp_path / "g.tsv").write_text(rows)
    with pytest.raises(InputError, match="line 7: needs exactly 6 tab-separated columns"):
        Gazetteer.load(tmp_path / "g.tsv", SMALL / "wikidata.tsv")
