"""The reading view: a document's text as published, with what the graph says about each part of it.

Every mention links to the page of the entity it names, every claim is marked by its epistemic
status (and has the anchor ``#claim-{id}`` that entity pages link to), and the headings are
listed in a table of contents.

The graph holds where each claim and mention is (code-point offsets into the text, in
``oa:TextPositionSelector`` resources) and the text's digest (``dcterms:identifier
"sha256:…"``), but not the text itself: the text is read from the corpus by the reader that
``kg ingest`` uses, and the offsets are trusted only if its digest is the one the graph
records. Otherwise the page lists the claims' own text instead.

Sections carry no offsets: a heading is found as a line of the text that holds its title
(:func:`locate_headings`).

The markup is built by two pure functions: :func:`segments` cuts the text where any span
starts or ends, and :func:`tokens` turns the pieces into open, text and close tokens that
always nest, closing and reopening a span where spans cross. A page costs five queries.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, render_template, url_for

from kg.errors import InputError
from kg.identifiers import slugify
from kg.reader import TEXT_SUFFIXES, SourceDocument, read_document
from service import data
from service.errors import ApiError
from service.pages import href_for

bp = Blueprint("reading", __name__)

STATUS_SCHEME = "https://w3id.org/axis-kg/scheme/epistemic-status"
#: The order of the legend: from what the author reports to what he recommends.
STATUS_ORDER = ("reportedFact", "assessment", "prediction", "recommendation")

#: Span layers, outermost first: a block holds claims, a claim holds mentions.
BLOCK, CLAIM, MENTION = 0, 1, 2

_DOCUMENTS = """SELECT ?document ?title ?author ?authorLabel ?issued ?claims ?mentions WHERE {
  ?document a axis:Document .
  OPTIONAL { ?document dcterms:title ?title }
  OPTIONAL { ?document dcterms:creator ?author OPTIONAL { ?author rdfs:label ?authorLabel } }
  OPTIONAL { ?document dcterms:issued ?issued }
  OPTIONAL {
    SELECT ?document (COUNT(?claim) AS ?claims) WHERE { ?claim axis:statedIn ?document } GROUP BY ?document
  }
  OPTIONAL {
    SELECT ?document (COUNT(?mention) AS ?mentions) WHERE { ?mention a axis:Mention ; oa:hasSource ?document }
    GROUP BY ?document
  }
} ORDER BY DESC(?issued) ?title"""

_DOCUMENT = """SELECT ?document ?title ?author ?authorLabel ?issued ?publisher ?source ?identifier WHERE {
  ?document a axis:Document .
  OPTIONAL { ?document dcterms:title ?title }
  OPTIONAL { ?document dcterms:creator ?author OPTIONAL { ?author rdfs:label ?authorLabel } }
  OPTIONAL { ?document dcterms:issued ?issued }
  OPTIONAL { ?document dcterms:publisher ?publisher }
  OPTIONAL { ?document dcterms:source ?source }
  OPTIONAL { ?document dcterms:identifier ?identifier }
}"""

_CLAIMS = """SELECT ?document ?claim ?text ?status ?start ?end ?section ?likelihoodLabel WHERE {
  ?claim axis:statedIn ?document ; axis:text ?text ; axis:epistemicStatus ?status ;
         axis:textSpan/oa:hasSelector ?selector .
  ?selector a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  OPTIONAL { ?claim axis:inSection ?section }
  OPTIONAL { ?claim axis:likelihood/skos:prefLabel ?likelihoodLabel }
} ORDER BY ?start ?end"""

_MENTIONS = """SELECT ?document ?mention ?entity ?label ?start ?end WHERE {
  ?mention a axis:Mention ; oa:hasSource ?document ; axis:refersTo ?entity ; oa:hasSelector ?selector .
  ?selector a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  OPTIONAL { ?entity rdfs:label|skos:prefLabel ?label }
} ORDER BY ?start ?end"""

_SECTIONS = """SELECT ?document ?section ?title ?number ?parent WHERE {
  ?section axis:sectionOf ?document ; dcterms:title ?title .
  OPTIONAL { ?section axis:itemNumber ?number }
  OPTIONAL { ?section axis:parentSection ?parent }
}"""

_STATUSES = """SELECT ?scheme ?status ?label ?definition WHERE {
  ?status skos:inScheme ?scheme .
  OPTIONAL { ?status skos:prefLabel ?label }
  OPTIONAL { ?status skos:definition ?definition }
}"""


# ---------------------------------------------------------------------------
# Markup: spans over a text → pieces → nested tokens
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Span:
    """Characters ``start`` to ``end`` of a text that one element wraps.

    ``layer`` orders spans that cover the same characters: lower layers are outer elements.
    ``info`` is whatever the page needs to draw the element. Spans compare by identity.
    """

    start: int
    end: int
    kind: str
    layer: int = 0
    info: Any = field(default=None, repr=False)


@dataclass(frozen=True)
class Segment:
    """A piece of the text that the same spans cover, outermost first."""

    start: int
    end: int
    text: str
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Token:
    """``open`` or ``close`` a span (``first``/``last``: its first or last element), or ``text``."""

    kind: str
    span: Span | None = None
    text: str = ""
    first: bool = False
    last: bool = False


def segments(text: str, spans: Iterable[Span]) -> list[Segment]:
    """Cut ``text`` wherever a span starts or ends; each piece with the spans that cover it.

    The spans of a piece are ordered outermost first: by layer, then the earlier start, then
    the later end. Spans outside the text are clipped to it; empty ones are dropped.

    >>> claim = Span(0, 11, "claim", 1)
    >>> mention = Span(4, 9, "mention", 2)
    >>> [(s.text, [x.kind for x in s.spans]) for s in segments("The Kremlin.", [mention, claim])]
    [('The ', ['claim']), ('Kreml', ['claim', 'mention']), ('in', ['claim']), ('.', [])]
    """
    size = len(text)
    kept = []
    for span in spans:
        start, end = max(0, span.start), min(size, span.end)
        if start < end:
            kept.append((start, end, span))
    cuts = sorted({0, size} | {s for s, _, _ in kept} | {e for _, e, _ in kept})
    order = {id(span): index for index, (_, _, span) in enumerate(kept)}
    by_start = sorted(kept, key=lambda item: item[0])
    active: list[tuple[int, int, Span]] = []
    pieces: list[Segment] = []
    cursor = 0
    for left, right in itertools.pairwise(cuts):
        active = [item for item in active if item[1] > left]
        while cursor < len(by_start) and by_start[cursor][0] <= left:
            active.append(by_start[cursor])
            cursor += 1
        ordered = sorted(active, key=lambda item: (item[2].layer, item[0], -item[1], order[id(item[2])]))
        stack = tuple(span for _, _, span in ordered)
        if pieces and pieces[-1].end == left and _same(pieces[-1].spans, stack):
            last = pieces.pop()
            pieces.append(Segment(last.start, right, text[last.start : right], stack))
        else:
            pieces.append(Segment(left, right, text[left:right], stack))
    return pieces


def _same(a: Sequence[Span], b: Sequence[Span]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def tokens(pieces: Iterable[Segment]) -> list[Token]:
    """Open, text and close tokens for the pieces, always well nested.

    Where spans cross, the inner one is closed and opened again: ``first`` marks a span's
    first element (the one to carry its ``id``), ``last`` the close of its last one.

    >>> a, b = Span(0, 4, "claim", 1, "a"), Span(2, 6, "claim", 1, "b")
    >>> " ".join(
    ...     t.text if t.kind == "text" else f"{'<' if t.kind == 'open' else '</'}{t.span.info}"
    ...     f"{'*' if t.first or t.last else ''}>"
    ...     for t in tokens(segments("abcdef", [a, b]))
    ... )
    '<a*> ab <b*> cd </b> </a*> <b> ef </b*>'
    """
    pieces = list(pieces)
    final = {id(span): index for index, piece in enumerate(pieces) for span in piece.spans}
    out: list[Token] = []
    stack: list[Span] = []
    opened: set[int] = set()

    def close_to(depth: int, before: int) -> None:
        while len(stack) > depth:
            span = stack.pop()
            out.append(Token("close", span, last=final[id(span)] < before))

    for index, piece in enumerate(pieces):
        common = 0
        while common < min(len(stack), len(piece.spans)) and stack[common] is piece.spans[common]:
            common += 1
        close_to(common, index)
        for span in piece.spans[common:]:
            out.append(Token("open", span, first=id(span) not in opened))
            opened.add(id(span))
            stack.append(span)
        out.append(Token("text", text=piece.text))
    close_to(0, len(pieces))
    return out


def with_breaks(stream: Iterable[Token]) -> list[Token]:
    """Line breaks inside text tokens as ``break`` tokens (a ``<br>`` each).

    >>> [(t.kind, t.text) for t in with_breaks([Token("text", text="a\\nb")])]
    [('text', 'a'), ('break', ''), ('text', 'b')]
    """
    out: list[Token] = []
    for token in stream:
        if token.kind != "text" or "\n" not in token.text:
            out.append(token)
            continue
        for index, line in enumerate(token.text.split("\n")):
            if index:
                out.append(Token("break"))
            if line.strip("\r"):
                out.append(Token("text", text=line.rstrip("\r")))
    return out


# ---------------------------------------------------------------------------
# Where the headings and paragraphs are
# ---------------------------------------------------------------------------

_BLOCK = re.compile(r"[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*")
_MARKER = r"[ \t]*(?:#{1,6}[ \t]+|\(?\d{1,3}[.)][ \t]+|[•◦▪‣·*+–—-][ \t]+)?"


def locate_headings(
    text: str, headings: Sequence[tuple[str, str, int | None]], body_start: int = 0
) -> dict[str, tuple[int, int]]:
    """Where each heading's line is: ``(key, title, before)`` → ``{key: (start, end)}``.

    A heading's line holds its title alone, after an optional number, bullet or ``#``
    marker. ``before`` (the offset of the section's first claim, or None) picks among lines
    with the same title: the last one before it; without it, the first line still free.

    >>> text = "Intro\\n\\nSummary\\nA.\\n\\n1. Summary\\nB.\\n"
    >>> locate_headings(text, [("one", "Summary", 15), ("two", "Summary", 30), ("x", "Missing", None)])
    {'one': (7, 14), 'two': (19, 29)}
    """
    found: dict[str, tuple[int, int]] = {}
    taken: set[int] = set()
    ordered = sorted(headings, key=lambda h: (h[2] is None, h[2] or 0))
    for key, title, before in ordered:
        if not title.strip():
            continue
        pattern = re.compile(rf"^{_MARKER}{re.escape(title.strip())}[ \t\r]*$", re.MULTILINE)
        lines = [(m.start(), m.end()) for m in pattern.finditer(text, body_start) if m.start() not in taken]
        if before is not None and (earlier := [line for line in lines if line[1] <= before]):
            choice = earlier[-1]
        elif lines:
            choice = lines[0]
        else:
            continue
        end = choice[1]
        while end > choice[0] and text[end - 1] in " \t\r":
            end -= 1
        found[key] = (choice[0], end)
        taken.add(choice[0])
    return found


def blocks(text: str, body_start: int, headings: Iterable[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """Paragraphs (runs of non-blank lines) and heading lines: ``(start, end, is_heading)``.

    >>> blocks("Title\\nText goes on\\nand on.\\n\\nMore.", 0, [(0, 5)])
    [(0, 5, True), (6, 26, False), (28, 33, False)]
    """
    lines = sorted(headings)
    out: list[tuple[int, int, bool]] = []
    for match in _BLOCK.finditer(text, body_start):
        start, end = match.start(), match.end()
        for head_start, head_end in lines:
            if start <= head_start < end:
                if head_start > start:
                    out.append((start, _trim(text, start, head_start), False))
                out.append((head_start, head_end, True))
                start = head_end + 1 if text[head_end : head_end + 1] == "\n" else head_end
                while start < end and text[start] in "\r\n":
                    start += 1
        if start < end:
            out.append((start, end, False))
    return [(s, e, h) for s, e, h in out if e > s]


def _trim(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


# ---------------------------------------------------------------------------
# Reading the graph and the text
# ---------------------------------------------------------------------------


def document_iri(slug: str) -> str:
    """The IRI of the document ``slug``; a 404 if no IRI can be made of it."""
    from service.resources import resource_iri  # resources imports the page modules

    return resource_iri(f"document/{slug}", f"/document/{slug} names no document; see the list at /document/")


def corpus_dir() -> Path:
    """Where the documents' texts are: the service's ``corpus_dir`` or the corpus ``kg ingest`` reads."""
    configured = current_app.extensions["axis-kg"]["config"].corpus_dir
    if configured is not None:
        return Path(configured)
    from kg.ingest import CORPUS_DIR  # kg.ingest is slow to import: only when a page needs it

    return CORPUS_DIR


def read_text(slug: str, digest: str | None) -> SourceDocument | None:
    """The document's text from the corpus, if there and (when a digest is known) the one ingested."""
    folder = corpus_dir()
    candidates = [folder / f"{slug}{suffix}" for suffix in TEXT_SUFFIXES]
    if not any(path.is_file() for path in candidates) and folder.is_dir():
        candidates = sorted(p for p in folder.iterdir() if p.suffix.lower() in TEXT_SUFFIXES)
    for path in candidates:
        if not path.is_file() or slugify(path.stem) != slug:
            continue
        try:
            document = read_document(path)
        except InputError:
            continue
        if digest is None or hashlib.sha256(document.text.encode("utf-8")).hexdigest() == digest:
            return document
    return None


@dataclass
class Claim:
    """A claim as the page marks it."""

    iri: str
    key: str
    text: str
    start: int
    end: int
    status: str
    status_key: str
    status_label: str
    likelihood: str
    section: str | None
    href: str | None


@dataclass
class Mention:
    """A mention as the page links it."""

    iri: str
    entity: str
    label: str
    start: int
    end: int
    href: str | None


@dataclass
class Section:
    """A section: its heading's place in the text (if found) and its subsections."""

    iri: str
    anchor: str
    title: str
    number: str
    parent: str | None
    level: int = 2
    start: int | None = None
    end: int | None = None
    href: str | None = None
    children: list[Section] = field(default_factory=list)


def _legend(rows: list[dict[str, dict[str, str]]], claims: list[Claim]) -> list[dict[str, object]]:
    counts: dict[str, int] = {}
    for claim in claims:
        counts[claim.status] = counts.get(claim.status, 0) + 1
    entries: dict[str, dict[str, object]] = {}
    for row in rows:
        iri = row["status"]["value"]
        entry = entries.setdefault(
            iri,
            {
                "iri": iri,
                "key": data.local_name(iri),
                "label": "",
                "definition": "",
                "count": counts.get(iri, 0),
            },
        )
        entry["label"] = entry["label"] or data.cell(row, "label")
        entry["definition"] = entry["definition"] or data.cell(row, "definition")
    for claim in claims:  # a status outside the scheme still gets its line
        entries.setdefault(
            claim.status,
            {
                "iri": claim.status,
                "key": claim.status_key,
                "label": claim.status_label,
                "definition": "",
                "count": counts[claim.status],
            },
        )
    rank = {key: index for index, key in enumerate(STATUS_ORDER)}
    for entry in entries.values():
        entry["label"] = entry["label"] or entry["key"]
        entry["href"] = href_for(str(entry["iri"]))
    return sorted(entries.values(), key=lambda e: (rank.get(str(e["key"]), len(rank)), str(e["label"])))


def _sections(
    rows: list[dict[str, dict[str, str]]], claims: list[Claim], text: str | None, body_start: int
) -> tuple[list[Section], dict[str, Section]]:
    sections: dict[str, Section] = {}
    for row in rows:
        iri = row["section"]["value"]
        sections.setdefault(
            iri,
            Section(
                iri,
                "section-" + data.local_name(iri),
                data.cell(row, "title"),
                data.cell(row, "number"),
                data.cell(row, "parent") or None,
            ),
        )
    first_claim: dict[str, Claim] = {}
    for claim in claims:
        if claim.section and claim.section not in first_claim:
            first_claim[claim.section] = claim
    if text is not None:
        hints = [
            (iri, s.title, first_claim[iri].start if iri in first_claim else None)
            for iri, s in sections.items()
        ]
        for iri, (start, end) in locate_headings(text, hints, body_start).items():
            sections[iri].start, sections[iri].end = start, end
    for section in sections.values():
        if section.start is not None:
            section.href = f"#{section.anchor}"
        elif section.iri in first_claim:
            section.href = f"#claim-{first_claim[section.iri].key}"
        depth, parent, seen = 2, section.parent, {section.iri}
        while parent in sections and parent not in seen:
            seen.add(parent)
            depth += 1
            parent = sections[parent].parent
        if parent in seen:  # parents that go round in a circle: show the section at the top level
            section.parent, depth = None, 2
        section.level = min(depth, 6)

    def position(section: Section) -> tuple[int, int, str]:
        if section.start is not None:
            return (0, section.start, section.title)
        if section.iri in first_claim:
            return (0, first_claim[section.iri].start, section.title)
        return (1, int(section.number or 0), section.title)

    roots: list[Section] = []
    for section in sorted(sections.values(), key=position):
        if section.parent in sections:
            sections[section.parent].children.append(section)
        else:
            roots.append(section)
    return roots, sections


def build_markup(
    text: str, body_start: int, claims: list[Claim], mentions: list[Mention], sections: dict[str, Section]
) -> list[Token]:
    """The tokens of the whole text: blocks (paragraphs, headings), claims and mentions."""
    heading_at = {(s.start, s.end): s for s in sections.values() if s.start is not None and s.end is not None}
    spans = []
    for start, end, is_heading in blocks(text, body_start, heading_at):
        section = heading_at.get((start, end)) if is_heading else None
        if section is not None:
            info = {"tag": f"h{min(section.level, 6)}", "id": section.anchor, "css": "heading"}
        else:
            info = {"tag": "p", "id": None, "css": "text"}
        spans.append(Span(start, end, "block", BLOCK, info))
    spans += [Span(c.start, c.end, "claim", CLAIM, c) for c in claims]
    spans += [Span(m.start, m.end, "mention", MENTION, m) for m in without_overlaps(mentions)]
    pieces = [
        piece
        for piece in segments(text, spans)
        if any(span.kind == "block" for span in piece.spans)
        or not (piece.text.isspace() or piece.end <= body_start)
    ]
    return with_breaks(tokens(pieces))


def without_overlaps(mentions: Iterable[Mention]) -> list[Mention]:
    """The mentions to link: where two overlap (a link cannot hold a link), the longer one, then the earlier.

    >>> m = [Mention("a", "x", "X", 0, 5, None), Mention("b", "y", "Y", 3, 12, None)]
    >>> m.append(Mention("c", "z", "Z", 12, 14, None))
    >>> [x.iri for x in without_overlaps(m)]
    ['b', 'c']
    """
    kept: list[Mention] = []
    for mention in sorted(mentions, key=lambda m: (m.start - m.end, m.start)):
        if all(mention.end <= other.start or other.end <= mention.start for other in kept):
            kept.append(mention)
    return sorted(kept, key=lambda m: (m.start, m.end))


def claim_markup(claim: Claim, mentions: list[Mention]) -> list[Token]:
    """One claim's own text with its mentions linked, the mentions placed by the claim's offsets."""
    inner = [
        Span(m.start - claim.start, m.end - claim.start, "mention", MENTION, m)
        for m in without_overlaps(mentions)
        if claim.start <= m.start and m.end <= claim.end
    ]
    outer = Span(0, len(claim.text), "claim", CLAIM, claim)
    return tokens(segments(claim.text, [outer, *inner]))


def reading_page(slug: str) -> dict[str, object]:
    """Everything the reading view of ``slug`` shows: five queries."""
    iri = document_iri(slug)
    rows = data.select(_DOCUMENT, document=iri)
    if not rows:
        raise ApiError(404, f"there is no document {slug!r}; the documents are listed at /document/")
    meta = rows[0]
    identifier = data.cell(meta, "identifier")
    digest = identifier[len("sha256:") :] if identifier.startswith("sha256:") else None

    claims: dict[str, Claim] = {}  # a claim in two sections, or with two labels, comes in two rows
    for row in data.select(_CLAIMS, document=iri):
        claim, status = row["claim"]["value"], row["status"]["value"]
        claims.setdefault(
            claim,
            Claim(
                iri=claim,
                key=data.local_name(claim),
                text=row["text"]["value"],
                start=int(row["start"]["value"]),
                end=int(row["end"]["value"]),
                status=status,
                status_key=data.local_name(status),
                status_label="",
                likelihood=data.cell(row, "likelihoodLabel"),
                section=data.cell(row, "section") or None,
                href=href_for(claim),
            ),
        )
    mentions: dict[str, Mention] = {}
    for row in data.select(_MENTIONS, document=iri):
        mention, entity = row["mention"]["value"], row["entity"]["value"]
        mentions.setdefault(
            mention,
            Mention(
                iri=mention,
                entity=entity,
                label=data.cell(row, "label") or data.local_name(entity),
                start=int(row["start"]["value"]),
                end=int(row["end"]["value"]),
                href=href_for(entity),
            ),
        )
    section_rows = data.select(_SECTIONS, document=iri)
    claim_list = sorted(claims.values(), key=lambda c: (c.start, c.end))
    legend = _legend(data.select(_STATUSES, scheme=STATUS_SCHEME), claim_list)
    labels = {str(entry["iri"]): str(entry["label"]) for entry in legend}
    for claim in claim_list:
        claim.status_label = labels.get(claim.status, claim.status_key)

    source = read_text(slug, digest)
    text = source.text if source is not None else None
    if text is not None and any(text[c.start : c.end] != c.text for c in claim_list):
        text = None  # the digest matched but the offsets do not: trust neither
    body_start = source.body_start if source is not None else 0
    toc, sections = _sections(section_rows, claim_list, text, body_start)
    mention_list = sorted(mentions.values(), key=lambda m: (m.start, m.end))
    if text is not None:
        markup = build_markup(text, body_start, claim_list, mention_list, sections)
        fallback = []
    else:
        markup = []
        fallback = [(claim, claim_markup(claim, mention_list)) for claim in claim_list]

    author = data.cell(meta, "author")
    return {
        "slug": slug,
        "iri": iri,
        "title": data.cell(meta, "title") or slug,
        "author": data.cell(meta, "authorLabel") or (data.local_name(author) if author else ""),
        "author_href": href_for(author) if author else None,
        "issued": data.cell(meta, "issued"),
        "publisher": data.cell(meta, "publisher"),
        "source": data.cell(meta, "source"),
        "document_href": href_for(iri),
        "markup": markup,
        "fallback": fallback,
        "toc": toc,
        "legend": legend,
        "claims": len(claim_list),
        "mentions": len(mention_list),
        "verified": text is not None,
    }


@bp.get("/document/")
def index() -> Response:
    """The documents of the graph, each linked to its reading view: one query."""
    documents = []
    for row in data.select(_DOCUMENTS):
        iri = row["document"]["value"]
        author = data.cell(row, "author")
        documents.append(
            {
                "title": data.cell(row, "title") or data.local_name(iri),
                "href": url_for("reading.document", slug=data.local_name(iri)),
                "data_href": href_for(iri),
                "author": data.cell(row, "authorLabel") or (data.local_name(author) if author else ""),
                "author_href": href_for(author) if author else None,
                "issued": data.cell(row, "issued"),
                "claims": int(data.cell(row, "claims", "0")),
                "mentions": int(data.cell(row, "mentions", "0")),
            }
        )
    return Response(render_template("reading.html", documents=documents, page=None), mimetype="text/html")


@bp.get("/document/<slug>")
def document(slug: str) -> Response:
    """A document's reading view."""
    page = reading_page(slug)
    return Response(render_template("reading.html", page=page, documents=None), mimetype="text/html")
