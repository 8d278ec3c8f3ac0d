"""Segmenting a document: title, byline, headings, paragraphs, list items, sentences.

Every piece is a :class:`Span` of the source text, so that ``text[span.start:span.end]``
is exactly ``span.text``. The rules read layout, not wording: blank lines separate
blocks; a bullet or a number starts a list item; a short line without closing
punctuation is a heading; a short capitalized phrase and a colon open a labelled item
("Impact: …"); ``#`` lines are Markdown headings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import pysbd

from kg.reader import Metadata

BlockKind = Literal["front", "title", "byline", "heading", "paragraph", "item", "rule", "back"]

_BULLET = re.compile(r"[ \t]*(?:[•◦▪‣·*+–—-])[ \t]+")
_NUMBER = re.compile(r"[ \t]*\(?(\d{1,3})[.)][ \t]+")
_MD_HEADING = re.compile(r"(#{1,6})[ \t]+")
_RULE = re.compile(r"[ \t]*(?:([-*_=~#])[ \t]*){2,}$")
_END_MARK = re.compile(r"[ \t]*(?:#[ \t]*){3}$|[ \t]*-30-[ \t]*$")
_LABEL = re.compile(r"([A-Z][\w’'&/ ,()-]{0,58}?):[ \t]+(?=\S)")
_CLOSING = ".!?;,"
MAX_HEADING_WORDS = 12
MAX_LABEL_WORDS = 6
MAX_HEADER_WORDS = 16  # a block between title and text this short is byline, date or reading time


@dataclass(frozen=True)
class Span:
    """Characters ``start`` to ``end`` of the source text, and those characters."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Block:
    """A heading, paragraph or item, its content (after marker and label) and its sentences."""

    kind: BlockKind
    span: Span
    content: Span
    sentences: tuple[Span, ...] = ()
    number: int | None = None
    label: str | None = None
    level: int = 0
    section: int | None = None


@dataclass(frozen=True)
class Segmented:
    """The blocks of a document in reading order."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def sentences(self) -> Iterator[tuple[int, Span]]:
        """Each sentence with the index of its block."""
        for index, block in enumerate(self.blocks):
            for sentence in block.sentences:
                yield index, sentence


@lru_cache(maxsize=4)
def _segmenter(language: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=language, clean=False, char_span=True)


def _span(text: str, start: int, end: int) -> Span:
    """The span of ``text[start:end]`` without its surrounding whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end, text[start:end])


def split_sentences(text: str, content: Span, language: str = "en") -> tuple[Span, ...]:
    """The sentences of ``content``, located in ``text``."""
    if not content.text:
        return ()
    try:
        segmenter = _segmenter(language)
    except ValueError:  # a language pysbd does not know: English rules are the closest default
        segmenter = _segmenter("en")
    # A line break inside a block wraps a paragraph; pysbd would end a sentence there.
    # Spaces keep every offset where it was.
    flat = content.text.replace("\r", " ").replace("\n", " ")
    sentences = []
    cursor = 0
    for piece in segmenter.segment(flat):
        stripped = piece.sent.strip()
        if not stripped:
            continue
        # pysbd's spans are right in general; re-find the sentence after the last one to be sure.
        local = flat.find(stripped, cursor)
        if local < 0:
            local = piece.start
        sentences.append(_span(text, content.start + local, content.start + local + len(stripped)))
        cursor = local + len(stripped)
    return tuple(sentences)


@dataclass
class _Raw:
    """A block before classification: its lines' span and how its first line starts."""

    start: int
    end: int
    marker_end: int
    number: int | None
    md_level: int
    bullet: bool
    lines: int = 1
    followed_by_blank: bool = True


def _raw_blocks(text: str, body_start: int) -> list[_Raw]:
    raw: list[_Raw] = []
    position = body_start
    previous_blank = True
    for line in text[body_start:].splitlines(keepends=True):
        start, position = position, position + len(line)
        content_end = start + len(line.rstrip("\r\n"))
        body = text[start:content_end]
        if not body.strip():
            if raw:
                raw[-1].followed_by_blank = True
            previous_blank = True
            continue
        bullet = _BULLET.match(body)
        number = _NUMBER.match(body)
        md = _MD_HEADING.match(body)
        starts_block = previous_blank or bullet or number or md or _RULE.match(body) or raw[-1].md_level
        if starts_block or not raw:
            marker = bullet or number or md
            raw.append(
                _Raw(
                    start=start,
                    end=content_end,
                    marker_end=start + (marker.end() if marker else 0),
                    number=int(number.group(1)) if number else None,
                    md_level=len(md.group(1)) if md else 0,
                    bullet=bool(bullet),
                    followed_by_blank=False,
                )
            )
        else:  # a wrapped line continues the block
            raw[-1].end = content_end
            raw[-1].lines += 1
            raw[-1].followed_by_blank = False
        previous_blank = False
    return raw


def _looks_like_heading(text: str, raw: _Raw, content: Span) -> bool:
    words = content.text.split()
    return (
        raw.lines == 1
        and raw.followed_by_blank
        and not raw.bullet
        and 0 < len(words) <= MAX_HEADING_WORDS
        and content.text[-1] not in _CLOSING
        and (content.text[0].isupper() or content.text[0].isdigit())
        and text[raw.start] not in " \t"
    )


def _normal(words: str) -> str:
    return " ".join(words.lower().split())


def segment(text: str, metadata: Metadata, body_start: int = 0) -> Segmented:
    """Split ``text`` (from ``body_start``) into classified blocks with their sentences."""
    blocks: list[Block] = []
    in_header = False  # between the title and the first paragraph: byline, date, reading time
    ended = False  # after an end mark such as '###': the author's note
    headings: list[tuple[int, int]] = []  # (level, block index) of the open headings
    author_words = {w.lower() for w in metadata.author.split() if len(w) > 1}

    raws = _raw_blocks(text, body_start)
    # Lines before the title's own line are captions and credits, not the essay.
    title = _normal(metadata.title)
    title_index = next((i for i, r in enumerate(raws) if _normal(text[r.marker_end : r.end]) == title), None)
    for index, raw in enumerate(raws):
        span = _span(text, raw.start, raw.end)
        content = _span(text, raw.marker_end, raw.end)
        body = text[raw.start : raw.end]
        kind: BlockKind
        label = None
        level = 0
        if _END_MARK.match(body):
            kind, ended = "rule", True
        elif _RULE.match(body):
            kind = "rule"
        elif ended:
            kind = "back"
        elif title_index is not None and index < title_index:
            kind = "front"
        elif index == title_index:
            kind, in_header = "title", True
        elif in_header and len(content.text.split()) <= MAX_HEADER_WORDS:
            kind = "byline"
        elif raw.md_level:
            kind, level = "heading", raw.md_level
        elif _looks_like_heading(text, raw, content):
            name_like = set(w.lower() for w in content.text.split()) & author_words
            if in_header or (len(content.text.split()) <= 5 and len(name_like) >= 2):
                kind = "byline"
            else:
                kind, level = "heading", 2 if raw.number is not None else 1
        else:
            kind = "item" if (raw.bullet or raw.number is not None) else "paragraph"
            in_header = False
            labelled = _LABEL.match(content.text)
            if labelled and len(labelled.group(1).split()) <= MAX_LABEL_WORDS:
                label = labelled.group(1)
                content = _span(text, content.start + labelled.end(), content.end)

        if kind == "heading":
            while headings and headings[-1][0] >= level:
                headings.pop()
        section = headings[-1][1] if headings else None
        sentences: tuple[Span, ...] = ()
        if kind in ("paragraph", "item"):
            sentences = split_sentences(text, content, metadata.language)
        elif kind in ("heading", "title") and content.text:
            sentences = (content,)
        blocks.append(
            Block(
                kind=kind,
                span=span,
                content=content,
                sentences=sentences,
                number=raw.number,
                label=label,
                level=level,
                section=section,
            )
        )
        if kind == "heading":
            headings.append((level, len(blocks) - 1))
    return Segmented(text=text, blocks=blocks)
