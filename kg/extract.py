"""Extraction: from a segmented document and its mentions to claims, threats, countermeasures,
pacts and groupings — plain records, not yet RDF.

The rules read structure (numbered sections, labelled items such as 'Impact:' and
'Solution:', headings), cue words from ``data/cues.json`` (modal verbs, threat and
sanction words) and where entities stand in a sentence (before the verb, after 'by',
after 'sanctions on'). Nothing here knows any one essay's sentences.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import URIRef

from kg.cues import Cues, categorizers, classify, load_cues
from kg.gazetteer import Gazetteer
from kg.identifiers import slugify
from kg.namespaces import MEASURE, STATUS
from kg.reader import SourceDocument
from kg.segment import Block, Segmented, Span

ACTOR_TYPES = frozenset(
    {"State", "InternationalOrganization", "Coalition", "Person", "PoliticalParty", "NonStateGroup"}
)
TARGET_TYPES = ACTOR_TYPES | {"Region", "Place"}
CAPABILITY_TYPES = frozenset({"WeaponSystem", "Capability"})
TEXT_BLOCKS = frozenset({"title", "heading", "paragraph", "item"})
STATEMENT_BLOCKS = frozenset({"paragraph", "item"})
# Where the subject of a sentence ends: its first auxiliary, modal or common main verb.
_VERB = re.compile(
    r"(?<![\w-])(?:is|are|was|were|be|been|has|have|had|will|would|could|may|might|must|should|can|shall"
    r"|does|do|did|means|seeks|stands|gains|faces|knows|views|lead|leads|threatens|threaten|need|needs)(?![\w-])",
    re.IGNORECASE,
)
# Where a phrase after 'sanctions on' or 'by' stops.
_PHRASE_STOP = re.compile(
    r"[,;:.!?]|(?<![\w-])"
    r"(?:is|are|was|were|must|should|will|would|can|could|to|that|which|in order)(?![\w-])",
    re.IGNORECASE,
)
_LIST_STOP = re.compile(
    r"[;:.!?]|,\s+(?=[a-z])|(?<![\w-])(?:is|are|was|were|must|should|will|would|can|could|to|that|which)(?![\w-])",
    re.IGNORECASE,
)
_PACT_NOUNS = {
    "Pact": "pact",
    "StrategicPartnership": "strategic partnership",
    "Treaty": "treaty",
    "MutualDefensePact": "mutual defense pact",
}
_QUOTED = re.compile(r"[“\"]([^”\"]{3,80})[”\"]")


@dataclass(frozen=True)
class Mention:
    """An entity named at ``span`` of the source, in block ``block`` (and sentence, if any)."""

    span: Span
    slug: str
    block: int
    sentence: Span | None


@dataclass
class Claim:
    """One sentence's statement: its status, what it mentions and what it is about."""

    key: str
    sentence: Span
    block: int
    status: URIRef
    likelihood: URIRef | None
    entities: list[str]
    about: str | None


@dataclass
class Statement:
    """What threats and countermeasures share: a label, a category, a list number, evidence claims."""

    key: str
    label: str
    category: URIRef | None
    number: int | None
    evidence: list[str] = field(default_factory=list)


@dataclass
class Threat(Statement):
    posed_by: list[str] = field(default_factory=list)
    pacts: list[str] = field(default_factory=list)
    threatens: list[str] = field(default_factory=list)


@dataclass
class Countermeasure(Statement):
    addresses: list[str] = field(default_factory=list)
    recommended_for: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    capabilities: list[str] = field(default_factory=list)


@dataclass
class Pact:
    key: str
    label: str
    kind: str
    parties: list[str]
    evidence: list[str] = field(default_factory=list)
    signed: dt.date | None = None


@dataclass
class Grouping:
    key: str
    label: str
    members: list[str]
    evidence: list[str] = field(default_factory=list)


@dataclass
class Extraction:
    """Everything the rules found in one document."""

    document: SourceDocument
    segmented: Segmented
    mentions: list[Mention]
    claims: dict[str, Claim]
    threats: dict[str, Threat]
    countermeasures: dict[str, Countermeasure]
    pacts: dict[str, Pact]
    groupings: dict[str, Grouping]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def find_mentions(gazetteer: Gazetteer, segmented: Segmented) -> list[Mention]:
    """Every gazetteer name in the essay's own blocks (not captions, bylines or the author's note)."""
    mentions = []
    for index, block in enumerate(segmented.blocks):
        if block.kind not in TEXT_BLOCKS:
            continue
        for match in gazetteer.find(segmented.text, block.span.start, block.span.end):
            sentence = next((s for s in block.sentences if s.start <= match.start < s.end), None)
            mentions.append(Mention(Span(match.start, match.end, match.text), match.slug, index, sentence))
    return mentions


_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_DATES = (
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b"),
    re.compile(r"\b(?P<d>\d{1,2})\s+(?P<month>[A-Z][a-z]+)\s+(?P<y>\d{4})\b"),
    re.compile(r"\b(?P<month>[A-Z][a-z]+)\s+(?P<d>\d{1,2}),?\s+(?P<y>\d{4})\b"),
)


def find_date(text: str) -> dt.date | None:
    """The first full calendar date written in ``text`` (ISO, '12 March 2024' or 'March 12, 2024')."""
    for pattern in _DATES:
        for found in pattern.finditer(text):
            parts = found.groupdict()
            month = int(parts["m"]) if parts.get("m") else _MONTHS.get(parts["month"].lower())
            try:
                return dt.date(int(parts["y"]), month or 0, int(parts["d"]))
            except ValueError:
                continue
    return None


class _Extractor:
    """Holds what one document's rules share: its text, mentions, cues and categories."""

    def __init__(self, document: SourceDocument, segmented: Segmented, gazetteer: Gazetteer) -> None:
        self.document = document
        self.segmented = segmented
        self.gazetteer = gazetteer
        self.cues: Cues = load_cues()
        self.threat_categories, self.measure_categories = categorizers()
        self.mentions = find_mentions(gazetteer, segmented)
        self.claims: dict[str, Claim] = {}
        self.claim_by_sentence: dict[tuple[int, int], str] = {}
        self.threats: dict[str, Threat] = {}
        self.countermeasures: dict[str, Countermeasure] = {}
        self.pacts: dict[str, Pact] = {}
        self.groupings: dict[str, Grouping] = {}
        self._keys: set[str] = set()

    # -- helpers -------------------------------------------------------------------

    def types(self, slug: str) -> tuple[str, ...]:
        return self.gazetteer.entities[slug].types

    def label(self, slug: str) -> str:
        return self.gazetteer.entities[slug].label

    def in_range(self, start: int, end: int, kinds: frozenset[str] = ACTOR_TYPES) -> list[str]:
        """Entities of the given types named between two offsets, in order."""
        return _unique(
            m.slug for m in self.mentions if start <= m.span.start < end and set(self.types(m.slug)) & kinds
        )

    def after(
        self, pattern: re.Pattern[str], span: Span, kinds: frozenset[str] = ACTOR_TYPES, lists: bool = False
    ) -> list[str]:
        """Entities in the phrases that follow each match of ``pattern`` in ``span``.

        With ``lists``, a phrase runs on through commas ('on Russia, China and Iran').
        """
        stops = _LIST_STOP if lists else _PHRASE_STOP
        found: list[str] = []
        for match in pattern.finditer(span.text):
            start = span.start + match.end()
            stop = stops.search(span.text, match.end())
            end = span.start + (stop.start() if stop else len(span.text))
            found += self.in_range(start, end, kinds)
        return _unique(found)

    def subject_end(self, sentence: Span) -> int:
        words = sentence.text.split(maxsplit=1)
        if not words or words[0].lower().endswith("ing"):
            return sentence.start  # 'Providing support to X is crucial': an action, not an actor, leads
        verb = _VERB.search(sentence.text)
        return sentence.start + verb.start() if verb else sentence.start

    def stable_key(self, *parts: str) -> str:
        """A key from content, not position: it stays when text is added elsewhere."""
        return self._claim_key(hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:12])  # noqa: S324

    def slug_key(self, label: str) -> str:
        """A readable key from a heading or label."""
        return self._claim_key(slugify(label)[:80] or "item")

    def _claim_key(self, base: str) -> str:
        """``base``, or ``base-2``, ``base-3``… when the same text or label occurs again."""
        key, n = base, 1
        while key in self._keys:
            n += 1
            key = f"{base}-{n}"
        self._keys.add(key)
        return key

    def claim_for(self, block_index: int, sentence: Span) -> str:
        """The claim of a sentence, made on first use."""
        position = (sentence.start, sentence.end)
        if position in self.claim_by_sentence:
            return self.claim_by_sentence[position]
        block = self.segmented.blocks[block_index]
        status, likelihood = classify(sentence.text, block.label, self.cues)
        entities = _unique(m.slug for m in self.mentions if sentence.start <= m.span.start < sentence.end)
        subjects = self.in_range(sentence.start, self.subject_end(sentence), ACTOR_TYPES | TARGET_TYPES)
        key = self.stable_key("claim", sentence.text)
        self.claims[key] = Claim(
            key, sentence, block_index, status, likelihood, entities, (subjects or entities or [None])[0]
        )
        self.claim_by_sentence[position] = key
        return key

    def heading_of(self, block: Block) -> Block | None:
        return self.segmented.blocks[block.section] if block.section is not None else None

    def context_actors(self, block: Block) -> list[str]:
        """Actors named in the enclosing headings, innermost first."""
        actors: list[str] = []
        heading = self.heading_of(block)
        while heading is not None:
            actors += self.in_range(heading.span.start, heading.span.end)
            heading = self.heading_of(heading)
        return _unique(actors)

    def document_pact(self, span: Span) -> list[str]:
        """The pacts a sentence refers to: by name with its parties, or 'the pact' when there is one."""
        if not self.pacts or not (
            self.cues.pact_anaphora.search(span.text) or any(p.search(span.text) for p, _ in self.cues.pacts)
        ):
            return []
        named = set(self.in_range(span.start, span.end))
        by_parties = [k for k, pact in self.pacts.items() if set(pact.parties) <= named]
        if by_parties:
            return by_parties
        return list(self.pacts) if len(self.pacts) == 1 else []

    # -- rules ---------------------------------------------------------------------

    def run(self) -> Extraction:
        self.extract_pacts()
        self.extract_groupings()
        self.extract_sections()
        self.extract_statements()
        for index, block in enumerate(self.segmented.blocks):
            if block.kind in STATEMENT_BLOCKS:
                for sentence in block.sentences:
                    if any(sentence.start <= m.span.start < sentence.end for m in self.mentions):
                        self.claim_for(index, sentence)
        return Extraction(
            self.document,
            self.segmented,
            self.mentions,
            dict(sorted(self.claims.items(), key=lambda kv: kv[1].sentence.start)),
            self.threats,
            self.countermeasures,
            self.pacts,
            self.groupings,
        )

    def extract_pacts(self) -> None:
        """A pact word with its parties: 'a pact between X and Y' or 'the X–Y pact'."""
        specificity = {"Pact": 0, "StrategicPartnership": 1, "Treaty": 2, "MutualDefensePact": 3}
        for index, sentence in self.segmented.sentences():
            if self.segmented.blocks[index].kind not in STATEMENT_BLOCKS:
                continue
            for pattern, kind in self.cues.pacts:
                found = pattern.search(sentence.text)
                if not found:
                    continue
                parties = self.pact_parties(sentence, sentence.start + found.start())
                if len(parties) >= 2:
                    key = slugify("-".join(self.label(p) for p in parties) + "-pact")
                    pact = self.pacts.setdefault(key, Pact(key, "", kind, parties))
                    if specificity[kind] > specificity[pact.kind]:
                        pact.kind = kind
                    pact.evidence.append(self.claim_for(index, sentence))
                    if pact.signed is None and re.search(r"\bsign(?:ed|ing)\b", sentence.text):
                        pact.signed = find_date(sentence.text)
                break
        for pact in self.pacts.values():
            pact.label = f"{'–'.join(self.label(p) for p in pact.parties)} {_PACT_NOUNS[pact.kind]}"

    def pact_parties(self, sentence: Span, pact_at: int) -> list[str]:
        """States after 'between' in the sentence, or the states compounded just before the pact word."""
        states: list[str] = []
        if re.search(r"\bbetween\b", sentence.text):
            states = self.after(re.compile(r"\bbetween\b"), sentence)
        if len(states) < 2:
            # 'North Korea-Russia pact', 'North Korea Russia defense alliance'
            before = [m for m in self.mentions if sentence.start <= m.span.start and m.span.end <= pact_at]
            compound = []
            for mention in reversed(before):
                gap = self.segmented.text[
                    mention.span.end : (compound[-1].span.start if compound else pact_at)
                ]
                limit = 40 if not compound else 6
                if (
                    len(gap) > limit
                    or not re.fullmatch(r"[\s\w–—/-]*?", gap)
                    or (compound and gap.strip("-–— /and"))
                ):
                    break
                compound.append(mention)
            states = [m.slug for m in reversed(compound)]
        states = [s for s in _unique(states) if "State" in self.types(s)]
        return sorted(states, key=self.label) if len(states) >= 2 else []

    def extract_groupings(self) -> None:
        """A quoted name whose head is a grouping noun ('Axis', 'Bloc'): a coalition the author names."""
        for index, sentence in self.segmented.sentences():
            block = self.segmented.blocks[index]
            if block.kind not in STATEMENT_BLOCKS:
                continue
            for quoted in _QUOTED.finditer(sentence.text):
                name = quoted.group(1).strip(" ,.")
                words = name.split()
                # 'Axis of X' or 'X Bloc': the grouping noun heads the name
                heads = [w for w in (words[0], words[-1]) if w in self.cues.grouping_nouns] if words else []
                if not heads:
                    continue
                key = slugify(name)
                if key not in self.groupings:
                    members = self.grouping_members(name, heads[0], sentence)
                    self.groupings[key] = Grouping(key, name, members)
                grouping = self.groupings[key]
                grouping.evidence.append(self.claim_for(index, sentence))

    def grouping_members(self, name: str, noun: str, sentence: Span) -> list[str]:
        """States listed with the grouping's name in the title, or named as subjects of sentences about it."""
        members: list[str] = []
        for block in self.segmented.blocks:
            if block.kind == "title" and name.lower() in block.content.text.lower():
                members += [
                    s for s in self.in_range(block.span.start, block.span.end) if "State" in self.types(s)
                ]
        noun_pattern = re.compile(
            rf"\b(?:this|the|that|its)\b[^.]{{0,40}}\b{re.escape(noun)}\b", re.IGNORECASE
        )
        for index, other in self.segmented.sentences():
            if self.segmented.blocks[index].kind in STATEMENT_BLOCKS and (
                other == sentence or noun_pattern.search(other.text)
            ):
                subjects = self.in_range(other.start, self.subject_end(other))
                members += [s for s in subjects if "State" in self.types(s)]
        return _unique(members)

    def extract_sections(self) -> None:
        """Sections with threat-labelled and countermeasure-labelled items ('Impact:', 'Solution:')."""
        sections: dict[int | None, list[int]] = {}
        for index, block in enumerate(self.segmented.blocks):
            if block.kind == "item" and block.label:
                sections.setdefault(block.section, []).append(index)
        for section, items in sections.items():
            heading = self.segmented.blocks[section] if section is not None else None
            threat_items = [i for i in items if self.segmented.blocks[i].label in self.cues.threat_labels]
            measure_items = [
                i for i in items if self.segmented.blocks[i].label in self.cues.countermeasure_labels
            ]
            if not threat_items and not measure_items:
                continue
            threat_key = None
            if threat_items and heading is not None and self.is_threat_heading(heading):
                threat_key = self.section_threat(heading, threat_items)
            for item in measure_items:
                self.section_countermeasure(heading, item, threat_key)

    def is_threat_heading(self, heading: Block) -> bool:
        """A heading names a threat unless it names a capability or reads more as a countermeasure."""
        if self.in_range(heading.span.start, heading.span.end, CAPABILITY_TYPES):
            return False
        _, threat_score = self.threat_categories.best(heading.content.text)
        _, measure_score = self.measure_categories.best(heading.content.text)
        return threat_score >= measure_score

    def section_threat(self, heading: Block, items: list[int]) -> str:
        texts = " ".join(self.segmented.blocks[i].content.text for i in items)
        category, _ = self.threat_categories.best(heading.content.text)
        if category is None:
            category, _ = self.threat_categories.best(texts)
        threat = Threat(self.slug_key(heading.content.text), heading.content.text, category, heading.number)
        for item in items:
            block = self.segmented.blocks[item]
            for sentence in block.sentences:
                threat.evidence.append(self.claim_for(item, sentence))
                self.fill_threat_sides(threat, sentence)
        if not threat.threatens:
            threat.threatens = [a for a in self.context_actors(heading) if a not in threat.posed_by]
        if not threat.threatens:
            # the actors and places an impact names, other than those posing it
            named = [
                self.in_range(
                    self.segmented.blocks[i].span.start, self.segmented.blocks[i].span.end, TARGET_TYPES
                )
                for i in items
            ]
            threat.threatens = [
                a for a in _unique(slug for found in named for slug in found) if a not in threat.posed_by
            ]
        self.threats[threat.key] = threat
        return threat.key

    def fill_threat_sides(self, threat: Threat, sentence: Span) -> None:
        """Who poses a threat (subject, 'by X', 'the pact') and whom it threatens (after a threat word)."""
        passive = re.search(r"\bthreatened\s+by\b", sentence.text, re.IGNORECASE)
        subjects = self.in_range(
            sentence.start, self.subject_end(sentence), TARGET_TYPES if passive else ACTOR_TYPES
        )
        after_by = self.after(self.cues.by_words, sentence, lists=True)
        after_threat = self.after(self.cues.threat_words, sentence, TARGET_TYPES, lists=True)
        # 'X is threatened by Y' names the threatened first; otherwise they stand after the threat word
        posers = after_by if passive else _unique(subjects + after_by)
        threatened = subjects if passive else []
        if not threatened:
            threatened = [s for s in after_threat if s not in posers]
        threat.posed_by = _unique(threat.posed_by + posers)
        threat.pacts = _unique(threat.pacts + self.document_pact(sentence))
        threat.threatens = _unique(threat.threatens + [t for t in threatened if t not in threat.posed_by])

    def section_countermeasure(self, heading: Block | None, item: int, threat_key: str | None) -> None:
        block = self.segmented.blocks[item]
        if not block.sentences:
            return
        first = block.sentences[0]
        label_base = (
            self.threats[threat_key].label
            if threat_key
            else (heading.content.text if heading else first.text)
        )
        label = f"Response to {label_base}"
        measure = self.make_countermeasure(self.slug_key(label), label, first, block.number)
        measure.evidence.append(self.claim_for(item, first))
        if threat_key:
            measure.addresses.append(threat_key)
            if not measure.recommended_for:
                measure.recommended_for = list(self.threats[threat_key].threatens)
        if heading is not None:
            measure.capabilities = _unique(
                measure.capabilities + self.in_range(heading.span.start, heading.span.end, CAPABILITY_TYPES)
            )
        if not measure.recommended_for:
            measure.recommended_for = self.context_actors(block)
        measure.partners = [p for p in measure.partners if p not in measure.recommended_for]
        self.countermeasures[measure.key] = measure

    def make_countermeasure(self, key: str, label: str, clause: Span, number: int | None) -> Countermeasure:
        """A countermeasure from one clause: who should act, against whom, with whom, with what."""
        category, _ = self.measure_categories.best(clause.text)
        targets = self.after(self.cues.target_words, clause, lists=True)
        if category is None and targets:
            category = MEASURE.sanctions
        subjects = [s for s in self.in_range(clause.start, self.subject_end(clause)) if s not in targets]
        modal = self.cues.recommendation.search(clause.text)
        recommended = subjects if modal else []
        everyone = self.in_range(clause.start, clause.end)
        partners = [a for a in everyone if a not in targets and a not in recommended]
        capabilities = self.in_range(clause.start, clause.end, CAPABILITY_TYPES)
        return Countermeasure(
            key,
            label,
            category,
            number,
            recommended_for=recommended,
            targets=targets,
            partners=partners,
            capabilities=capabilities,
        )

    def extract_statements(self) -> None:
        """Recommendations and threat statements outside labelled item sections."""
        for index, sentence in self.segmented.sentences():
            block = self.segmented.blocks[index]
            if block.kind not in STATEMENT_BLOCKS or (
                block.label in self.cues.threat_labels | self.cues.countermeasure_labels
            ):
                continue
            status, _ = classify(sentence.text, block.label, self.cues)
            if status == STATUS.recommendation:
                self.recommendations(index, block, sentence)
            elif self.cues.threat_words.search(sentence.text):
                self.threat_statement(index, sentence)

    def recommendations(self, index: int, block: Block, sentence: Span) -> None:
        """One countermeasure per recommended action: 'X must A, B and C' gives three."""
        subjects = self.in_range(sentence.start, self.subject_end(sentence))
        imperative = sentence.text.split()[0].lower() in self.cues.imperative_verbs
        for clause in self.clauses(sentence):
            key = self.stable_key("countermeasure", clause.text)
            measure = self.make_countermeasure(key, "", clause, block.number)
            if measure.category is None:
                continue  # a recommendation the categories do not cover stays a claim only
            measure.recommended_for = _unique(
                measure.recommended_for + [s for s in subjects if s not in measure.targets]
            )
            if not measure.recommended_for and imperative:
                # an imperative addresses the actors its section is about
                measure.recommended_for = [a for a in self.context_actors(block) if a not in measure.targets]
            measure.partners = [p for p in measure.partners if p not in measure.recommended_for]
            measure.label = self.countermeasure_label(measure)
            measure.evidence.append(self.claim_for(index, sentence))
            self.countermeasures[measure.key] = measure

    def clauses(self, sentence: Span) -> list[Span]:
        """The actions of a recommendation: the predicate after the modal, split before each verb."""
        modal = self.cues.recommendation.search(sentence.text)
        start = modal.end() if modal else 0
        pieces: list[tuple[int, int]] = []
        for part in re.finditer(r"[^,;]+", sentence.text[start:]):
            words = part.group().split()
            first = words[0].lower() if words else ""
            if first == "and" and len(words) > 1:
                first = words[1].lower()
            if not pieces or first in self.cues.imperative_verbs:
                pieces.append((start + part.start(), start + part.end()))
            else:
                pieces[-1] = (pieces[-1][0], start + part.end())
        spans = []
        for begin, end in pieces:
            # split 'improve X and eliminate Y' before a second verb
            inner = re.search(r"\band\s+(\w+)", sentence.text[begin:end])
            if inner and inner.group(1).lower() in self.cues.imperative_verbs:
                cut = begin + inner.start()
                spans += [(begin, cut), (begin + inner.end(1) - len(inner.group(1)), end)]
            else:
                spans.append((begin, end))
        result = []
        for begin, end in spans:
            clause = Span(sentence.start + begin, sentence.start + end, sentence.text[begin:end])
            if start and begin == start:
                # the first action keeps the subject before the modal ('The EU must …')
                clause = Span(sentence.start, clause.end, sentence.text[:end])
            stripped = clause.text.strip(" ,;.")
            if stripped:
                offset = clause.text.index(stripped)
                result.append(Span(clause.start + offset, clause.start + offset + len(stripped), stripped))
        return result or [sentence]

    def countermeasure_label(self, measure: Countermeasure) -> str:
        """A neutral label: category, then whom it targets or who should act."""
        what = self.measure_categories.label(measure.category) if measure.category else "countermeasure"
        if measure.targets:
            return f"{what} targeting {', '.join(self.label(t) for t in measure.targets)}"
        if measure.recommended_for:
            return f"{what} recommended for {', '.join(self.label(w) for w in measure.recommended_for)}"
        if measure.partners:
            return f"{what} involving {', '.join(self.label(w) for w in measure.partners)}"
        return what

    def threat_statement(self, index: int, sentence: Span) -> None:
        """A sentence that speaks of a threat, not negated: who poses it and whom it threatens."""
        threat_word = self.cues.threat_words.search(sentence.text)
        before = sentence.text[max(0, threat_word.start() - 25) : threat_word.start()].lower()
        if re.search(r"\b(?:never|not|no|nor)\b", before):
            return
        threat = Threat("", "", None, None)
        self.fill_threat_sides(threat, sentence)
        if not threat.posed_by and not threat.pacts:
            return
        if not threat.threatens:
            return
        threat.category, _ = self.threat_categories.best(sentence.text)
        what = self.threat_categories.label(threat.category) if threat.category else "threat"
        threat.label = f"{what[0].upper()}{what[1:]} to {', '.join(self.label(t) for t in threat.threatens)}"
        threat.key = self.stable_key("threat", sentence.text)
        threat.evidence.append(self.claim_for(index, sentence))
        self.threats[threat.key] = threat


def extract(document: SourceDocument, segmented: Segmented, gazetteer: Gazetteer) -> Extraction:
    """Run every rule over one document."""
    return _Extractor(document, segmented, gazetteer).run()
