"""The words extraction rules read: cue lists from ``data/cues.json``, categories from the schemes.

Both are data so that the rules stay generic: a new genre of essay needs new cue
words, not new code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from kg.errors import InputError
from kg.gazetteer import DATA_DIR
from kg.namespaces import LIKELIHOOD, MEASURE, STATUS, THREAT
from kg.ontology import SCHEMES_FILE

CUES_FILE = DATA_DIR / "cues.json"


def phrase_pattern(phrases: list[str] | tuple[str, ...], plural: bool = False) -> re.Pattern[str]:
    """A case-insensitive whole-word pattern for any of ``phrases``, longest first."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    suffix = r"(?:s|es)?" if plural else ""
    body = "|".join(re.escape(p) for p in ordered) or r"(?!x)x"
    return re.compile(rf"(?<![\w-])(?:{body}){suffix}(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True)
class Cues:
    """Compiled cue patterns."""

    recommendation: re.Pattern[str]
    counterfactual: re.Pattern[str]
    prediction: re.Pattern[str]
    fact: re.Pattern[str]
    evaluation: re.Pattern[str]
    likelihood: tuple[tuple[URIRef, re.Pattern[str]], ...]
    threat_labels: frozenset[str]
    countermeasure_labels: frozenset[str]
    threat_words: re.Pattern[str]
    target_words: re.Pattern[str]
    by_words: re.Pattern[str]
    pacts: tuple[tuple[re.Pattern[str], str], ...]
    pact_anaphora: re.Pattern[str]
    grouping_nouns: frozenset[str]
    imperative_verbs: frozenset[str]


@cache
def load_cues(path: Path = CUES_FILE) -> Cues:
    """Read and compile ``data/cues.json``."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        status, labels = raw["status"], raw["item_labels"]
        return Cues(
            recommendation=phrase_pattern(status["recommendation"]),
            counterfactual=phrase_pattern(raw["counterfactual"]),
            prediction=phrase_pattern(status["prediction"]),
            fact=phrase_pattern(status["fact"]),
            evaluation=phrase_pattern(status["evaluation"]),
            likelihood=tuple(
                (LIKELIHOOD[name], phrase_pattern(words)) for name, words in raw["likelihood"].items()
            ),
            threat_labels=frozenset(labels["threat"]),
            countermeasure_labels=frozenset(labels["countermeasure"]),
            threat_words=phrase_pattern(raw["threat_words"]),
            target_words=phrase_pattern(raw["target_words"]),
            by_words=phrase_pattern(raw["by_words"]),
            pacts=tuple((phrase_pattern([phrase], plural=True), cls) for phrase, cls in raw["pacts"]),
            pact_anaphora=phrase_pattern(raw["pact_anaphora"]),
            grouping_nouns=frozenset(raw["grouping_nouns"]),
            imperative_verbs=frozenset(raw["imperative_verbs"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputError(f"{path}: cannot read the cue lists: {error}") from None


@dataclass(frozen=True)
class Category:
    """A concept and the keywords (labels, alternative and hidden labels) that signal it."""

    concept: URIRef
    label: str
    pattern: re.Pattern[str]


class Categorizer:
    """Picks the concept of a scheme whose keywords weigh most in a text."""

    def __init__(self, categories: list[Category]) -> None:
        self.categories = categories

    def scores(self, text: str) -> dict[URIRef, int]:
        """Sum of matched keywords' lengths in words, per concept (more specific phrases weigh more)."""
        result = {}
        for category in self.categories:
            weight = sum(len(m.group().split()) for m in category.pattern.finditer(text))
            if weight:
                result[category.concept] = weight
        return result

    def best(self, text: str) -> tuple[URIRef | None, int]:
        """The best concept and its score; the scheme's order breaks ties."""
        scores = self.scores(text)
        if not scores:
            return None, 0
        concept = max(scores, key=lambda c: scores[c])
        return concept, scores[concept]

    def label(self, concept: URIRef) -> str:
        return next(c.label for c in self.categories if c.concept == concept)


@cache
def categorizers(path: Path = SCHEMES_FILE) -> tuple[Categorizer, Categorizer]:
    """Threat and countermeasure categorizers built from the concept schemes."""
    graph = Graph().parse(path, format="turtle")
    built = []
    for namespace in (THREAT, MEASURE):
        categories = []
        for name in namespace.__annotations__:
            concept = namespace[name]
            words = [
                str(o)
                for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
                for o in graph.objects(concept, p)
            ]
            label = str(graph.value(concept, SKOS.prefLabel))
            categories.append(Category(concept, label, phrase_pattern(words, plural=True)))
        built.append(Categorizer(categories))
    return built[0], built[1]


def classify(sentence: str, label: str | None, cues: Cues) -> tuple[URIRef, URIRef | None]:
    """The epistemic status of a sentence (and the likelihood of a prediction).

    A recommendation says what should be done (a modal such as 'must', or an
    imperative); a prediction says what will or could happen; a reported fact states
    an event without judging it; anything else is the author's assessment.
    """
    first_word = sentence.split(maxsplit=1)[0].lower().strip("“\"'(") if sentence.split() else ""
    if cues.counterfactual.search(sentence):  # 'should have been': a judgement of the past
        return STATUS.assessment, None
    if label in cues.countermeasure_labels or cues.recommendation.search(sentence):
        return STATUS.recommendation, None
    if first_word in cues.imperative_verbs:
        return STATUS.recommendation, None
    if cues.prediction.search(sentence):
        likelihood = next((concept for concept, pattern in cues.likelihood if pattern.search(sentence)), None)
        return STATUS.prediction, likelihood
    if cues.fact.search(sentence) and not cues.evaluation.search(sentence):
        return STATUS.reportedFact, None
    return STATUS.assessment, None
