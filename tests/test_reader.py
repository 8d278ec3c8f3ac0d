"""Reading documents: text as published, metadata from a sidecar or front matter, clear errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.reader import read_document
from tests.conftest import PROJECT_ROOT

ESSAY = PROJECT_ROOT / "data" / "corpus" / "new-axis-of-totalitarianism.txt"
META = {"title": "A Title", "author": "Ann Author", "published": "2024-01-31"}


def write(tmp_path: Path, name: str, content: bytes, meta: dict | None = META) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    if meta is not None:
        path.with_name(f"{path.stem}.meta.json").write_text(json.dumps(meta))
    return path


def test_the_essay_reads_with_its_sidecar() -> None:
    document = read_document(ESSAY)
    assert document.slug == "new-axis-of-totalitarianism"
    assert document.metadata.author == "Kal Korff"
    assert document.metadata.published == dt.date(2024, 6, 19)
    assert document.text == ESSAY.read_bytes().decode("utf-8")  # as read: curly quotes and bullets intact
    assert "’" in document.text and "•" in document.text


def test_markdown_front_matter_gives_metadata_and_the_body_start(tmp_path: Path) -> None:
    text = (
        "---\ntitle: Notes on Ruritania\nauthor: Ann Author\npublished: 2024-02-01\n"
        "url: https://example.org/n\n---\n# Notes\n\nRuritania is a state.\n"
    )
    document = read_document(write(tmp_path, "notes.md", text.encode(), meta=None))
    assert document.metadata.title == "Notes on Ruritania"
    assert document.metadata.url == "https://example.org/n"
    assert document.text[document.body_start :].startswith("# Notes")


@pytest.mark.parametrize(
    ("name", "content", "meta", "message"),
    [
        ("empty.txt", b"", META, "the file is empty"),
        ("blank.txt", b" \n\t\n", META, "the file is empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", META, "binary"),
        (
            "latin1.txt",
            "Caf\xe9 society".encode("latin-1"),
            META,
            "not valid UTF-8 at byte offset 3 (byte 0xe9)",
        ),
        ("nometa.txt", b"Some text.", None, "no metadata; add nometa.meta.json"),
        ("partial.txt", b"Some text.", {"title": "T"}, "metadata lacks author, published"),
        ("baddate.txt", b"Some text.", {**META, "published": "19/06/2024"}, "ISO date"),
        ("extra.txt", b"Some text.", {**META, "genre": "essay"}, "unknown metadata key(s) genre"),
        ("essay.pdf", b"%PDF-1.4", META, "documents are .txt or .md files"),
        ("bad.md", b"---\ntitle: [unclosed\n---\nText.", None, "front matter is not valid YAML"),
        ("headless.md", b"---\ntitle: T\nauthor: A\npublished: 2024-01-01\n---\n\n", None, "no text"),
    ],
)
def test_bad_documents_are_clear_errors(
    tmp_path: Path, name: str, content: bytes, meta: dict | None, message: str
) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_document(write(tmp_path, name, content, meta))
