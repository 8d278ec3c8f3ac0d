"""Segmentation: blocks and sentences with exact offsets, on the essay and on any text."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.reader import Metadata, read_document
from kg.segment import segment
from tests.test_reader import ESSAY

META = Metadata(title="A Title", author="Ann Author", published=dt.date(2024, 1, 1))


def all_spans(segmented):
    for block in segmented.blocks:
        yield block.span
        yield block.content
        yield from block.sentences


def test_the_essay_structure() -> None:
    document = read_document(ESSAY)
    segmented = segment(document.text, document.metadata, document.body_start)
    kinds = [b.kind for b in segmented.blocks]
    assert kinds[:3] == ["front", "title", "byline"]
    assert kinds[-1] == "back"
    numbered = [b for b in segmented.blocks if b.kind == "heading" and b.number is not None]
    assert [b.number for b in numbered] == list(range(1, 11))
    assert numbered[0].content.text == "Increased Military Threat"
    assert numbered[-1].content.text == "Energy Security"
    for heading in numbered:
        index = segmented.blocks.index(heading)
        items = [b for b in segmented.blocks if b.section == index]
        assert [b.label for b in items] == ["Impact", "Solution"]
    labelled_items = [b for b in segmented.blocks if b.kind == "item" and b.number is not None]
    assert [b.label for b in labelled_items][:2] == [
        "Strengthening Military Readiness",
        "Diplomatic Alliances",
    ]
    for span in all_spans(segmented):
        assert document.text[span.start : span.end] == span.text


def test_markdown_headings_nest_and_paragraphs_wrap() -> None:
    text = (
        "# Part one\n\nFirst line of a paragraph\nthat wraps. Second sentence.\n\n"
        "## Detail\n\n- Item: one.\n- Item: two.\n"
    )
    segmented = segment(text, META)
    kinds = [(b.kind, b.level) for b in segmented.blocks]
    assert kinds == [("heading", 1), ("paragraph", 0), ("heading", 2), ("item", 0), ("item", 0)]
    paragraph = segmented.blocks[1]
    assert [s.text for s in paragraph.sentences] == [
        "First line of a paragraph\nthat wraps.",
        "Second sentence.",
    ]
    assert segmented.blocks[2].section == 0 and segmented.blocks[3].section == 2
    assert segmented.blocks[3].label == "Item" and segmented.blocks[3].content.text == "one."


def test_abbreviations_do_not_end_sentences() -> None:
    text = "The U.S. and the E.U. agreed on Jan. 5 to act. Russia did not."
    sentences = [s.text for s in segment(text, META).blocks[0].sentences]
    assert sentences == ["The U.S. and the E.U. agreed on Jan. 5 to act.", "Russia did not."]


line = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=80),
    st.sampled_from(
        ["", "  • Impact: a “quoted” thing.", "1. Heading", "###", "--", "# Title", "Done. Next!"]
    ),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(line, max_size=25))
def test_every_span_is_the_text_it_claims(lines: list[str]) -> None:
    text = "\n".join(lines)
    segmented = segment(text, META)
    previous_end = 0
    for block in segmented.blocks:
        assert block.span.start >= previous_end
        previous_end = block.span.end
        for sentence in block.sentences:
            assert block.content.start <= sentence.start < sentence.end <= block.content.end
    for span in all_spans(segmented):
        assert text[span.start : span.end] == span.text
