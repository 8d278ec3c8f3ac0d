"""Reading a document: its text exactly as published, and its metadata.

A document is a ``.txt`` or ``.md`` file. Its metadata comes from a sidecar
``NAME.meta.json`` beside it or, for Markdown, from YAML front matter. The text is
decoded from UTF-8 and kept as is (no normalization), so that character offsets into
``SourceDocument.text`` are offsets into the file as read.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kg.errors import InputError
from kg.identifiers import slugify

TEXT_SUFFIXES = (".txt", ".md")
REQUIRED_KEYS = ("title", "author", "published")
OPTIONAL_KEYS = ("publisher", "url", "language")

# YAML front matter: a first line '---', the YAML, a closing '---' (or '...') line.
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)


@dataclass(frozen=True)
class Metadata:
    """What the graph says about a document: title, author, publication date and source."""

    title: str
    author: str
    published: dt.date
    publisher: str | None = None
    url: str | None = None
    language: str = "en"


@dataclass(frozen=True)
class SourceDocument:
    """A document's text as read, where its body starts, and its metadata."""

    path: Path
    slug: str
    text: str
    body_start: int
    metadata: Metadata


def sidecar_path(path: Path) -> Path:
    """``essay.txt`` → ``essay.meta.json``."""
    return path.with_name(f"{path.stem}.meta.json")


def decode(path: Path, data: bytes) -> str:
    """UTF-8 text of ``data``, or an error that names the first bad byte."""
    if not data.strip():
        raise InputError(f"{path}: the file is empty")
    if b"\x00" in data:
        raise InputError(f"{path}: the file is binary (it contains NUL bytes), not UTF-8 text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{path}: not valid UTF-8 at byte offset {error.start} "
            f"(byte 0x{data[error.start]:02x}); save the file as UTF-8"
        ) from None


def parse_metadata(source: str, raw: Any) -> Metadata:
    """Check and convert a metadata mapping; ``source`` names where it came from in errors."""
    if not isinstance(raw, dict):
        raise InputError(f"{source}: metadata must be a mapping of keys to values")
    missing = [key for key in REQUIRED_KEYS if not str(raw.get(key) or "").strip()]
    if missing:
        raise InputError(f"{source}: metadata lacks {', '.join(missing)} (needs {', '.join(REQUIRED_KEYS)})")
    unknown = sorted(set(raw) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise InputError(f"{source}: unknown metadata key(s) {', '.join(unknown)}")
    published = raw["published"]
    if not isinstance(published, dt.date):
        try:
            published = dt.date.fromisoformat(str(published).strip())
        except ValueError:
            raise InputError(f"{source}: published must be an ISO date such as 2024-06-19") from None
    optional = {key: str(raw[key]).strip() for key in OPTIONAL_KEYS if raw.get(key)}
    return Metadata(
        title=str(raw["title"]).strip(), author=str(raw["author"]).strip(), published=published, **optional
    )


def _front_matter(path: Path, text: str) -> tuple[Any, int] | None:
    match = _FRONT_MATTER.match(text)
    if match is None:
        return None
    try:
        return yaml.safe_load(match.group(1)), match.end()
    except yaml.YAMLError as error:
        raise InputError(f"{path}: the front matter is not valid YAML: {error}") from None


def read_document(path: Path) -> SourceDocument:
    """Read a ``.txt`` or ``.md`` document and its metadata."""
    if path.suffix.lower() not in TEXT_SUFFIXES:
        raise InputError(f"{path}: documents are {' or '.join(TEXT_SUFFIXES)} files")
    try:
        text = decode(path, path.read_bytes())
    except OSError as error:
        raise InputError(f"{path}: cannot read the file: {error.strerror or error}") from None

    body_start = 0
    sidecar = sidecar_path(path)
    front = _front_matter(path, text) if path.suffix.lower() == ".md" else None
    if sidecar.is_file():
        try:
            raw = json.loads(sidecar.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InputError(f"{sidecar}: not valid UTF-8 JSON: {error}") from None
        metadata = parse_metadata(str(sidecar), raw)
        if front is not None:
            body_start = front[1]
    elif front is not None:
        metadata = parse_metadata(f"{path} front matter", front[0])
        body_start = front[1]
    else:
        raise InputError(
            f"{path}: no metadata; add {sidecar.name} beside it with "
            f"{', '.join(REQUIRED_KEYS)} (or YAML front matter in a .md file)"
        )
    if not text[body_start:].strip():
        raise InputError(f"{path}: the document has metadata but no text")
    slug = slugify(path.stem)
    return SourceDocument(path=path, slug=slug, text=text, body_start=body_start, metadata=metadata)
