"""The gazetteer: curated names of actors, places and weapon systems, and finding them in text.

``data/gazetteer.tsv`` holds one entity a row (slug, label, types, aliases, demonyms,
description); ``data/wikidata.tsv`` the verified Wikidata items, with where each came
from. Matching is case-sensitive and whole-word, and the longest name wins where names
overlap, so "North Korea" is never also "Korea" and "Latin America" never "America".
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from kg.errors import InputError
from kg.ontology import PROJECT_ROOT

DATA_DIR = PROJECT_ROOT / "data"
GAZETTEER_FILE = DATA_DIR / "gazetteer.tsv"
WIKIDATA_FILE = DATA_DIR / "wikidata.tsv"
GAZETTEER_COLUMNS = ("slug", "label", "types", "aliases", "demonyms", "description")
WIKIDATA_COLUMNS = ("slug", "wikidata", "source", "method")
_QID = re.compile(r"Q[1-9][0-9]*")


@dataclass(frozen=True)
class Entity:
    """One gazetteer row, with its verified Wikidata item if there is one."""

    slug: str
    label: str
    types: tuple[str, ...]
    aliases: tuple[str, ...]
    demonyms: tuple[str, ...]
    description: str
    wikidata: str | None = None
    wikidata_source: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Every string that names the entity in text."""
        return (self.label, *self.aliases, *self.demonyms)


@dataclass(frozen=True)
class Match:
    """A name found in text: ``text[start:end]`` names the entity ``slug``."""

    start: int
    end: int
    text: str
    slug: str


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|") if part.strip())


def read_tsv(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            if tuple(reader.fieldnames or ()) != columns:
                raise InputError(f"{path}: the columns must be {', '.join(columns)}")
            rows = []
            for row in reader:
                if None in row or None in row.values():
                    raise InputError(
                        f"{path}, line {reader.line_num}: needs exactly {len(columns)} tab-separated columns"
                    )
                rows.append(row)
            return rows
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from None


class Gazetteer:
    """Entities by slug, and a matcher over all their names."""

    def __init__(self, entities: list[Entity]) -> None:
        self.entities = {entity.slug: entity for entity in entities}
        owners: dict[str, str] = {}
        for entity in entities:
            for name in entity.names:
                if owners.setdefault(name, entity.slug) != entity.slug:
                    raise InputError(f"the name {name!r} belongs to both {owners[name]} and {entity.slug}")
        self._owner = owners

    @classmethod
    def load(cls, gazetteer: Path = GAZETTEER_FILE, wikidata: Path = WIKIDATA_FILE) -> Gazetteer:
        """Read the curated files; every Wikidata row must name a gazetteer slug and a Q-id."""
        links = {}
        for row in read_tsv(wikidata, WIKIDATA_COLUMNS):
            if not _QID.fullmatch(row["wikidata"] or ""):
                raise InputError(f"{wikidata}: {row['wikidata']!r} is not a Wikidata item id (Q…)")
            links[row["slug"]] = (row["wikidata"], row["source"])
        entities = []
        for row in read_tsv(gazetteer, GAZETTEER_COLUMNS):
            qid, source = links.pop(row["slug"], (None, None))
            entities.append(
                Entity(
                    slug=row["slug"],
                    label=row["label"],
                    types=_split(row["types"]),
                    aliases=_split(row["aliases"]),
                    demonyms=_split(row["demonyms"]),
                    description=row["description"],
                    wikidata=qid,
                    wikidata_source=source,
                )
            )
        if links:
            raise InputError(f"{wikidata}: no gazetteer entity for {', '.join(sorted(links))}")
        return cls(entities)

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        # Longest names first: at any position the regex takes the first alternative that fits.
        names = sorted(self._owner, key=len, reverse=True)
        return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")

    def find(self, text: str, start: int = 0, end: int | None = None) -> Iterator[Match]:
        """Every name in ``text[start:end]``, leftmost and longest first, with absolute offsets."""
        for found in self._pattern.finditer(text, start, len(text) if end is None else end):
            yield Match(found.start(), found.end(), found.group(), self._owner[found.group()])
