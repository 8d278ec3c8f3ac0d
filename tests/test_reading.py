"""The reading view and the threat map: the markup functions, then the pages over a real server."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.config import Settings
from kg.ingest import CORPUS_DIR
from kg.reader import read_document
from service.reading import (
    Mention,
    Segment,
    Span,
    Token,
    blocks,
    locate_headings,
    segments,
    tokens,
    with_breaks,
    without_overlaps,
)
from tests.conftest import Server

BASE = "https://w3id.org/axis-kg/"
SLUG = "new-axis-of-totalitarianism"
DOCUMENT = f"{BASE}id/document/{SLUG}"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PREFIXES = """PREFIX axis: <https://w3id.org/axis-kg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


# ---------------------------------------------------------------------------
# The markup functions
# ---------------------------------------------------------------------------


def _shape(stream: list[Token]) -> str:
    """Tokens as a compact string: ``<name>`` opens, ``</name>`` closes, ``|`` breaks a line.

    A ``*`` marks a span's first opening and its last closing.
    """
    out = []
    for token in stream:
        if token.kind == "text":
            out.append(token.text)
        elif token.kind == "break":
            out.append("|")
        elif token.kind == "open":
            out.append(f"<{token.span.info}{'*' if token.first else ''}>")  # type: ignore[union-attr]
        else:
            out.append(f"</{token.span.info}{'*' if token.last else ''}>")  # type: ignore[union-attr]
    return "".join(out)


def test_a_mention_nests_inside_its_claim() -> None:
    text = "Russia and China met."
    spans = [
        Span(0, 21, "claim", 1, "c"),
        Span(0, 6, "mention", 2, "m1"),
        Span(11, 16, "mention", 2, "m2"),
    ]
    assert _shape(tokens(segments(text, spans))) == "<c*><m1*>Russia</m1*> and <m2*>China</m2*> met.</c*>"


def test_spans_with_the_same_characters_nest_by_layer() -> None:
    spans = [Span(0, 5, "mention", 2, "m"), Span(0, 5, "claim", 1, "c")]
    assert _shape(tokens(segments("Kyiv.", spans))) == "<c*><m*>Kyiv.</m*></c*>"


def test_crossing_spans_are_closed_and_reopened() -> None:
    # a mention that starts before a claim and ends inside it
    spans = [Span(4, 12, "claim", 1, "c"), Span(0, 6, "mention", 2, "m")]
    assert _shape(tokens(segments("abcdefghijklmn", spans))) == "<m*>abcd</m><c*><m>ef</m*>ghijkl</c*>mn"
    # two claims that overlap
    spans = [Span(0, 4, "claim", 1, "a"), Span(2, 6, "claim", 1, "b")]
    assert _shape(tokens(segments("abcdef", spans))) == "<a*>ab<b*>cd</b></a*><b>ef</b*>"


def test_blocks_are_outermost_and_claims_crossing_them_are_split() -> None:
    text = "One two.\n\nThree."
    spans = [
        Span(0, 8, "block", 0, "p1"),
        Span(10, 16, "block", 0, "p2"),
        Span(4, 16, "claim", 1, "c"),
    ]
    pieces = [p for p in segments(text, spans) if any(s.kind == "block" for s in p.spans)]
    assert _shape(tokens(pieces)) == "<p1*>One <c*>two.</c></p1*><p2*><c>Three.</c*></p2*>"


def test_out_of_range_and_empty_spans_are_clipped_or_dropped() -> None:
    spans = [Span(-3, 2, "claim", 1, "a"), Span(2, 2, "claim", 1, "empty"), Span(3, 99, "claim", 1, "b")]
    assert _shape(tokens(segments("abcde", spans))) == "<a*>ab</a*>c<b*>de</b*>"
    assert segments("", [Span(0, 3, "claim", 1, "x")]) == []
    assert segments("ab", []) == [Segment(0, 2, "ab", ())]


def test_line_breaks_become_break_tokens() -> None:
    stream = with_breaks(tokens(segments("a\nb\r\nc", [Span(0, 6, "claim", 1, "c")])))
    assert _shape(stream) == "<c*>a|b|c</c*>"


@st.composite
def _texts_and_spans(draw: st.DrawFn) -> tuple[str, list[Span]]:
    text = draw(st.text(alphabet="ab \n", min_size=0, max_size=40))
    count = draw(st.integers(min_value=0, max_value=8))
    spans = []
    for index in range(count):
        start = draw(st.integers(min_value=-2, max_value=len(text) + 2))
        end = draw(st.integers(min_value=-2, max_value=len(text) + 2))
        spans.append(Span(start, end, "claim", draw(st.integers(min_value=0, max_value=2)), f"s{index}"))
    return text, spans


@settings(max_examples=300, deadline=None)
@given(_texts_and_spans())
def test_tokens_always_nest_and_cover_exactly_each_span(case: tuple[str, list[Span]]) -> None:
    text, spans = case
    stream = tokens(segments(text, spans))
    stack: list[Span] = []
    covered: dict[int, list[tuple[int, int]]] = {id(s): [] for s in spans}
    firsts: Counter[int] = Counter()
    lasts: Counter[int] = Counter()
    position = 0
    for token in stream:
        if token.kind == "open":
            assert token.span is not None
            stack.append(token.span)
            firsts[id(token.span)] += token.first
        elif token.kind == "close":
            assert stack and stack[-1] is token.span  # well nested
            stack.pop()
            lasts[id(token.span)] += token.last
        else:
            for span in stack:
                covered[id(span)].append((position, position + len(token.text)))
            position += len(token.text)
    assert not stack
    assert "".join(t.text for t in stream) == text
    for span in spans:
        start, end = max(0, span.start), min(len(text), span.end)
        characters = {i for a, b in covered[id(span)] for i in range(a, b)}
        if start < end:
            assert characters == set(range(start, end))
            assert firsts[id(span)] == 1
            assert lasts[id(span)] == 1
        else:
            assert not characters


def test_locate_headings_takes_whole_lines_with_markers() -> None:
    text = (
        "Economic Diversification: not a heading, a labelled item.\n\n"
        "2. Economic Diversification\n\nText.\n\n## Economic Diversification\nMore.\n"
    )
    found = locate_headings(
        text, [("a", "Economic Diversification", None), ("b", "Economic Diversification", 90)]
    )
    assert {key: text[s:e] for key, (s, e) in found.items()} == {
        "b": "2. Economic Diversification",
        "a": "## Economic Diversification",
    }
    assert locate_headings(text, [("x", "Economic", None), ("y", "", None)]) == {}
    assert locate_headings("Intro\n\nTitle\n", [("t", "Title", None)], body_start=8) == {}


def test_blocks_split_a_heading_line_from_the_paragraph_under_it() -> None:
    text = "Front\n\nHeading\nParagraph line one\nline two\n\n\n  • Item: x\n  • Item: y\n"
    found = blocks(text, 7, [(7, 14)])
    assert [(text[s:e], heading) for s, e, heading in found] == [
        ("Heading", True),
        ("Paragraph line one\nline two", False),
        ("  • Item: x\n  • Item: y", False),
    ]


def test_overlapping_mentions_keep_the_longer() -> None:
    mentions = [
        Mention("m1", "e", "North Korea", 0, 11, "/page/north-korea"),
        Mention("m2", "e", "Korea", 6, 11, "/page/korea"),
        Mention("m3", "e", "Seoul", 20, 25, "/page/seoul"),
    ]
    assert [m.iri for m in without_overlaps(mentions)] == ["m1", "m3"]


# ---------------------------------------------------------------------------
# A small HTML tree, to read the pages
# ---------------------------------------------------------------------------

_VOID = {"br", "link", "meta", "img", "input", "hr", "source", "wbr"}
_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def text(self, skip: Callable[[Node], bool] = lambda node: False) -> str:
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag == "br":
                parts.append("\n")
            elif child.tag in _BLOCKS and not skip(child):
                parts.append(f"\n{child.text(skip)}\n")
            elif not skip(child):
                parts.append(child.text(skip))
        return "".join(parts)

    def find_all(self, match: Callable[[Node], bool]) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                if match(child):
                    yield child
                yield from child.find_all(match)

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>: the markup does not nest"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    tree = _Tree()
    tree.feed(html)
    tree.close()
    return tree.root


def _words(text: str) -> str:
    return " ".join(text.split())


def _queries(response: requests.Response) -> int:
    match = re.search(r'desc="(\d+) queries"', response.headers.get("Server-Timing", ""))
    assert match, "the page says how many queries it ran (Server-Timing)"
    return int(match.group(1))


def _select(server: Server, query: str) -> list[dict[str, str]]:
    response = requests.get(
        server.sparql,
        params={"query": PREFIXES + query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    response.raise_for_status()
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def _page_of(iri: str) -> str:
    return "/page/" + iri[len(f"{BASE}id/") :]


# ---------------------------------------------------------------------------
# The reading view over a real server
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def essay_text() -> str:
    return read_document(CORPUS_DIR / f"{SLUG}.txt").text


@pytest.fixture(scope="module")
def reading(endpoint: Server) -> requests.Response:
    response = requests.get(f"{endpoint.url}/document/{SLUG}", headers={"Accept": BROWSER}, timeout=30)
    assert response.status_code == 200, response.text
    return response


@pytest.fixture(scope="module")
def reading_tree(reading: requests.Response) -> Node:
    return parse(reading.text)


def _text_div(tree: Node) -> Node:
    return next(tree.find_all(lambda n: n.tag == "div" and "text" in n.classes()))


def test_reading_view_is_html_and_costs_a_fixed_handful_of_queries(reading: requests.Response) -> None:
    assert reading.headers["Content-Type"].startswith("text/html")
    assert _queries(reading) == 5
    assert "<script" not in reading.text  # nothing to run: the page is markup and a style sheet


def test_reading_view_shows_the_whole_text_as_published(reading_tree: Node, essay_text: str) -> None:
    shown = _text_div(reading_tree).text(skip=lambda n: "claim-ref" in n.classes())
    assert _words(shown) == _words(essay_text)
    paragraphs = [n for n in _text_div(reading_tree).children if isinstance(n, Node)]
    assert len(paragraphs) == len([b for b in re.split(r"\n\s*\n", essay_text) if b.strip()])


def test_every_mention_links_to_its_entity(endpoint: Server, reading_tree: Node, essay_text: str) -> None:
    rows = _select(
        endpoint,
        f"""SELECT ?entity ?start ?end WHERE {{
          ?m a axis:Mention ; oa:hasSource <{DOCUMENT}> ; axis:refersTo ?entity ; oa:hasSelector ?s .
          ?s a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }}""",
    )
    assert len(rows) > 200
    expected = Counter((_page_of(r["entity"]), essay_text[int(r["start"]) : int(r["end"])]) for r in rows)
    links = reading_tree.find_all(lambda n: n.tag == "a" and "mention" in n.classes())
    shown = Counter((a.attrs["href"], a.text()) for a in links)
    assert shown == expected


def test_every_claim_is_marked_with_its_id_and_status(
    endpoint: Server, reading_tree: Node, essay_text: str
) -> None:
    rows = _select(
        endpoint,
        f"""SELECT ?claim ?status ?start ?end WHERE {{
          ?claim axis:statedIn <{DOCUMENT}> ; axis:epistemicStatus ?status ; axis:textSpan/oa:hasSelector ?s .
          ?s a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }}""",
    )
    assert len(rows) > 50
    marks = {
        n.attrs["id"]: n
        for n in reading_tree.find_all(
            lambda n: n.tag == "mark" and n.attrs.get("id", "").startswith("claim-")
        )
    }
    assert len(marks) == len(rows)
    hrefs = {a.attrs.get("href") for a in reading_tree.find_all(lambda n: n.tag == "a")}
    for row in rows:
        key = row["claim"].rsplit("/", 1)[-1]
        mark = marks[f"claim-{key}"]
        quote = essay_text[int(row["start"]) : int(row["end"])]
        fragments = reading_tree.find_all(lambda n, key=key: n.attrs.get("data-claim") == key)
        assert _words("".join(f.text() for f in fragments)) == _words(quote)
        assert f"status-{row['status'].rsplit('#', 1)[-1]}" in mark.classes()
        assert _page_of(row["claim"]) in hrefs  # the claim's page is one click away


def test_the_legend_explains_every_status_with_its_count(endpoint: Server, reading_tree: Node) -> None:
    rows = _select(
        endpoint,
        f"""SELECT ?status ?label (COUNT(?claim) AS ?n) WHERE {{
          ?status skos:inScheme <{BASE}scheme/epistemic-status> ; skos:prefLabel ?label .
          OPTIONAL {{ ?claim axis:statedIn <{DOCUMENT}> ; axis:epistemicStatus ?status }}
        }} GROUP BY ?status ?label""",
    )
    assert len(rows) == 4
    legend = next(reading_tree.find_all(lambda n: "legend" in n.classes()))
    text = _words(legend.text()).casefold()
    for row in rows:
        key = row["status"].rsplit("#", 1)[-1]
        swatch = next(legend.find_all(lambda n, key=key: f"status-{key}" in n.classes()))
        assert _words(swatch.text()).casefold() == row["label"].casefold()
        count = int(row["n"])
        assert f"{row['label'].casefold()} {count} claim{'' if count == 1 else 's'}" in text


def test_the_contents_link_to_every_section_heading(endpoint: Server, reading_tree: Node) -> None:
    sections = _select(
        endpoint,
        f"SELECT ?section ?title WHERE {{ ?section axis:sectionOf <{DOCUMENT}> ; dcterms:title ?title }}",
    )
    toc = next(reading_tree.find_all(lambda n: n.tag == "nav" and "toc" in n.classes()))
    targets = {a.attrs["href"][1:]: _words(a.text()) for a in toc.find_all(lambda n: n.tag == "a")}
    assert len(targets) == len(sections)
    headings = {
        n.attrs["id"]: _words(n.text())
        for n in reading_tree.find_all(
            lambda n: re.fullmatch(r"h[2-6]", n.tag) is not None and "id" in n.attrs
        )
    }
    for section in sections:
        anchor = "section-" + section["section"].rsplit("/", 1)[-1]
        assert anchor in targets, section
        assert headings[anchor].endswith(_words(section["title"]))
        assert targets[anchor].endswith(_words(section["title"]))


def test_links_of_the_reading_view_work(endpoint: Server, reading_tree: Node) -> None:
    def hrefs(css: str) -> list[str]:
        return sorted(
            {a.attrs["href"] for a in reading_tree.find_all(lambda n: n.tag == "a" and css in n.classes())}
        )

    for href in hrefs("mention") + hrefs("claim-ref")[:5]:
        response = requests.get(f"{endpoint.url}{href}", headers={"Accept": BROWSER}, timeout=30)
        assert response.status_code == 200, href


def test_an_unknown_document_is_a_404_that_says_where_to_look(endpoint: Server) -> None:
    response = requests.get(f"{endpoint.url}/document/no-such-essay", timeout=30)
    assert response.status_code == 404
    assert response.json()["status"] == 404
    assert "/document/" in response.json()["message"]
    page = requests.get(
        f"{endpoint.url}/document/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        headers={"Accept": BROWSER},
        timeout=30,
    )
    assert page.status_code == 404
    assert "<script>alert(1)" not in page.text


def test_the_document_index_links_to_the_reading_view(endpoint: Server) -> None:
    response = requests.get(f"{endpoint.url}/document/", headers={"Accept": BROWSER}, timeout=30)
    assert response.status_code == 200
    assert _queries(response) == 1
    tree = parse(response.text)
    links = {a.attrs["href"]: _words(a.text()) for a in tree.find_all(lambda n: n.tag == "a")}
    assert links[f"/document/{SLUG}"] == "New Axis of Totalitarianism: North Korea, Russia and China"
    assert requests.get(f"{endpoint.url}/document", allow_redirects=True, timeout=30).url.endswith(
        "/document/"
    )


# ---------------------------------------------------------------------------
# When the text is not the one ingested
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app_store(essay_store: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("reading") / "store"
    shutil.copytree(essay_store.store_path, copy)
    return copy


@pytest.mark.parametrize("corpus", ["missing", "changed"])
def test_without_the_ingested_text_the_claims_are_listed(
    app_store: Path, tmp_path: Path, corpus: str
) -> None:
    from service.app import create_app
    from service.config import ServiceConfig

    if corpus == "changed":
        for name in (f"{SLUG}.txt", f"{SLUG}.meta.json"):
            shutil.copy(CORPUS_DIR / name, tmp_path / name)
        text = tmp_path / f"{SLUG}.txt"
        text.write_text("An added line.\n\n" + text.read_text(encoding="utf-8"), encoding="utf-8")
    app = create_app(ServiceConfig(store_path=app_store, corpus_dir=tmp_path))
    try:
        response = app.test_client().get(f"/document/{SLUG}", headers={"Accept": BROWSER})
    finally:
        app.extensions["axis-kg"]["executor"].close()
    assert response.status_code == 200
    tree = parse(response.get_data(as_text=True))
    assert "kg ingest" in _words(next(tree.find_all(lambda n: "notice" in n.classes())).text())
    assert not list(tree.find_all(lambda n: n.tag == "div" and "text" in n.classes()))
    items = next(tree.find_all(lambda n: n.tag == "ol" and "claims-only" in n.classes()))
    marks = list(items.find_all(lambda n: n.tag == "mark" and "id" in n.attrs))
    assert len(marks) > 50
    assert "An added line" not in response.get_data(as_text=True)
    mentions = list(items.find_all(lambda n: n.tag == "a" and "mention" in n.classes()))
    assert any(a.attrs["href"] == "/page/russia" and a.text() == "Russia" for a in mentions)


# ---------------------------------------------------------------------------
# The threat map
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def threat_map(endpoint: Server) -> requests.Response:
    response = requests.get(f"{endpoint.url}/threats", headers={"Accept": BROWSER}, timeout=30)
    assert response.status_code == 200, response.text
    return response


def test_threat_map_costs_at_most_three_queries(threat_map: requests.Response) -> None:
    assert _queries(threat_map) <= 3


def test_threat_map_lists_every_threat_in_the_matrix_and_the_detail(
    endpoint: Server, threat_map: requests.Response
) -> None:
    (count,) = _select(endpoint, "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a axis:Threat }")
    threats = {r["t"] for r in _select(endpoint, "SELECT DISTINCT ?t WHERE { ?t a axis:Threat }")}
    assert len(threats) == int(count["n"]) > 0
    tree = parse(threat_map.text)
    for table in ("matrix", "threats"):
        node = next(tree.find_all(lambda n, table=table: n.tag == "table" and table in n.classes()))
        linked = {a.attrs["href"] for a in node.find_all(lambda n: n.tag == "a")}
        assert {_page_of(t) for t in threats} <= linked, table
    rows = next(tree.find_all(lambda n: n.tag == "table" and "threats" in n.classes())).find_all(
        lambda n: n.tag == "tr" and n.attrs.get("id", "").startswith("threat-")
    )
    assert len(list(rows)) == len(threats)


def test_threat_map_pairs_measures_with_threats_and_actors(
    endpoint: Server, threat_map: requests.Response
) -> None:
    pairs = _select(
        endpoint,
        """SELECT ?measure ?threat ?actor WHERE {
          ?measure a axis:Countermeasure . OPTIONAL { ?measure axis:addresses ?threat }
          OPTIONAL { ?measure axis:recommendedFor ?actor } }""",
    )
    tree = parse(threat_map.text)
    page_links = {a.attrs.get("href") for a in tree.find_all(lambda n: n.tag == "a")}
    assert {_page_of(p["measure"]) for p in pairs} <= page_links  # every countermeasure
    assert {_page_of(p["actor"]) for p in pairs if "actor" in p} <= page_links  # every actor who should act

    matrix = next(tree.find_all(lambda n: n.tag == "table" and "matrix" in n.classes()))
    header = next(matrix.find_all(lambda n: n.tag == "thead"))
    columns = [
        next((a.attrs["href"] for a in th.find_all(lambda n: n.tag == "a")), None)
        for th in header.find_all(lambda n: n.tag == "th")
    ]
    cell_of: dict[tuple[str, str | None], set[str]] = {}
    for tr in matrix.find_all(lambda n: n.tag == "tr"):
        cells = [c for c in tr.children if isinstance(c, Node) and c.tag in ("th", "td")]
        if len(cells) != len(columns):
            continue
        row = next((a.attrs["href"] for a in cells[0].find_all(lambda n: n.tag == "a")), "")
        for column, cell in zip(columns[1:], cells[1:], strict=True):
            cell_of[(row, column)] = {a.attrs["href"] for a in cell.find_all(lambda n: n.tag == "a")}
    for pair in pairs:
        if "threat" in pair:
            column = _page_of(pair["actor"]) if "actor" in pair else None
            assert _page_of(pair["measure"]) in cell_of[(_page_of(pair["threat"]), column)], pair
