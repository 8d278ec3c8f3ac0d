"""Building RDF: one document's extraction as the triples of its named graph.

IRIs are stable: entities by their slug, claims and statement nodes by a hash of
their text, so re-ingesting a document, or adding a sentence elsewhere in it, keeps
the IRIs of everything else.
"""

from __future__ import annotations

import hashlib

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, XSD

from kg.config import Settings
from kg.extract import Extraction, Statement
from kg.gazetteer import Gazetteer
from kg.identifiers import slugify
from kg.namespaces import AXIS, OA, PREFIXES
from kg.segment import Span

WIKIDATA = "http://www.wikidata.org/entity/"
QUOTE_CONTEXT = 32  # characters of prefix and suffix in a text quote selector


def document_iri(settings: Settings, slug: str) -> URIRef:
    return URIRef(settings.entity_iri(f"document/{slug}"))


class _Builder:
    def __init__(self, extraction: Extraction, gazetteer: Gazetteer, settings: Settings) -> None:
        self.x = extraction
        self.gazetteer = gazetteer
        self.settings = settings
        self.graph = Graph()
        for prefix, namespace in PREFIXES.items():
            self.graph.bind(prefix, namespace)
        self.graph.bind("id", settings.entity_iri(""))
        self.doc_slug = extraction.document.slug
        self.doc = document_iri(settings, self.doc_slug)
        author = extraction.document.metadata.author
        # a name with no Latin letters has no slug; a hash of it keeps the IRI stable
        author_slug = slugify(author) or "author-" + hashlib.sha1(author.encode("utf-8")).hexdigest()[:10]  # noqa: S324
        self.author = URIRef(settings.entity_iri(author_slug))
        self.entities: set[str] = set()

    def iri(self, kind: str, key: str) -> URIRef:
        return URIRef(self.settings.entity_iri(f"{kind}/{self.doc_slug}/{key}"))

    def entity(self, slug: str) -> URIRef:
        self.entities.add(slug)
        return URIRef(self.settings.entity_iri(slug))

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.graph.add((s, p, o))

    def text_position(self, node: URIRef, span: Span) -> None:
        """The Web Annotation selectors of a span: position (code points) and quote."""
        text = self.x.document.text
        base = str(node).split("#", 1)[0]
        position, quote = URIRef(f"{base}#position"), URIRef(f"{base}#quote")
        self.add(node, OA.hasSource, self.doc)
        self.add(node, OA.hasSelector, position)
        self.add(node, OA.hasSelector, quote)
        self.add(position, RDF.type, OA.TextPositionSelector)
        self.add(position, OA.start, Literal(span.start, datatype=XSD.integer))
        self.add(position, OA.end, Literal(span.end, datatype=XSD.integer))
        self.add(quote, RDF.type, OA.TextQuoteSelector)
        self.add(quote, OA.exact, Literal(span.text))
        self.add(quote, OA.prefix, Literal(text[max(0, span.start - QUOTE_CONTEXT) : span.start]))
        self.add(quote, OA.suffix, Literal(text[span.end : span.end + QUOTE_CONTEXT]))

    def build(self) -> Graph:
        self.document()
        sections = self.sections()
        for key, claim in self.x.claims.items():
            node = self.iri("claim", key)
            span = URIRef(f"{node}#span")
            self.add(node, RDF.type, AXIS.Claim)
            self.add(node, AXIS.text, Literal(claim.sentence.text))
            self.add(node, AXIS.epistemicStatus, claim.status)
            if claim.likelihood is not None:
                self.add(node, AXIS.likelihood, claim.likelihood)
            self.add(node, PROV.wasAttributedTo, self.author)
            self.add(node, AXIS.statedIn, self.doc)
            self.add(node, AXIS.textSpan, span)
            self.add(span, RDF.type, OA.SpecificResource)
            self.text_position(span, claim.sentence)
            for slug in claim.entities:
                self.add(node, AXIS.mentions, self.entity(slug))
            if claim.about:
                self.add(node, AXIS.about, self.entity(claim.about))
            section = self.x.segmented.blocks[claim.block].section
            if section in sections:
                self.add(node, AXIS.inSection, sections[section])
        self.mentions()
        self.statements()
        self.entity_descriptions()
        return self.graph

    def document(self) -> None:
        meta = self.x.document.metadata
        self.add(self.doc, RDF.type, AXIS.Document)
        self.add(self.doc, DCTERMS.title, Literal(meta.title))
        self.add(self.doc, RDFS.label, Literal(meta.title, lang=meta.language))
        self.add(self.doc, DCTERMS.creator, self.author)
        self.add(self.doc, PROV.wasAttributedTo, self.author)
        self.add(self.doc, DCTERMS.issued, Literal(meta.published.isoformat(), datatype=XSD.date))
        self.add(self.doc, DCTERMS.language, Literal(meta.language))
        digest = hashlib.sha256(self.x.document.text.encode("utf-8")).hexdigest()
        self.add(self.doc, DCTERMS.identifier, Literal(f"sha256:{digest}"))
        if meta.publisher:
            self.add(self.doc, DCTERMS.publisher, Literal(meta.publisher))
        if meta.url:
            self.add(self.doc, DCTERMS.source, URIRef(meta.url))
        self.add(self.author, RDF.type, AXIS.Person)
        self.add(self.author, RDFS.label, Literal(meta.author, lang="en"))

    def sections(self) -> dict[int, URIRef]:
        nodes: dict[int, URIRef] = {}
        for index, block in enumerate(self.x.segmented.blocks):
            if block.kind != "heading":
                continue
            node = self.iri("section", f"{slugify(block.content.text)[:60] or 'section'}-{block.span.start}")
            nodes[index] = node
            self.add(node, RDF.type, AXIS.Section)
            self.add(node, DCTERMS.title, Literal(block.content.text))
            self.add(node, AXIS.sectionOf, self.doc)
            if block.number is not None:
                self.add(node, AXIS.itemNumber, Literal(block.number, datatype=XSD.integer))
            if block.section in nodes:
                self.add(node, AXIS.parentSection, nodes[block.section])
        return nodes

    def mentions(self) -> None:
        claim_of = {(c.sentence.start, c.sentence.end): key for key, c in self.x.claims.items()}
        ordinal: dict[int, int] = {}
        for mention in self.x.mentions:
            block = self.x.segmented.blocks[mention.block]
            ordinal[mention.block] = ordinal.get(mention.block, 0) + 1
            digest = hashlib.sha1(block.content.text.encode("utf-8")).hexdigest()[:12]  # noqa: S324 (an id)
            node = self.iri("mention", f"{digest}-{ordinal[mention.block]}")
            self.add(node, RDF.type, AXIS.Mention)
            self.add(node, AXIS.refersTo, self.entity(mention.slug))
            self.text_position(node, mention.span)
            if mention.sentence is not None and (mention.sentence.start, mention.sentence.end) in claim_of:
                self.add(
                    node,
                    AXIS.inClaim,
                    self.iri("claim", claim_of[mention.sentence.start, mention.sentence.end]),
                )

    def statements(self) -> None:
        for key, pact in self.x.pacts.items():
            node = URIRef(self.settings.entity_iri(f"pact/{key}"))
            self.add(node, RDF.type, AXIS[pact.kind])
            self.add(node, RDFS.label, Literal(pact.label, lang="en"))
            for party in pact.parties:
                self.add(node, AXIS.party, self.entity(party))
            if pact.signed is not None:
                self.add(node, AXIS.signingDate, Literal(pact.signed.isoformat(), datatype=XSD.date))
            for claim in pact.evidence:
                self.add(node, AXIS.evidence, self.iri("claim", claim))
        for key, grouping in self.x.groupings.items():
            node = self.entity(key)
            self.entities.discard(key)
            self.add(node, RDF.type, AXIS.Coalition)
            self.add(node, RDFS.label, Literal(grouping.label, lang="en"))
            self.add(
                node,
                DCTERMS.description,
                Literal(f"A grouping of actors named in “{self.x.document.metadata.title}”", lang="en"),
            )
            for member in grouping.members:
                self.add(node, AXIS.member, self.entity(member))
            for claim in grouping.evidence:
                self.add(node, AXIS.evidence, self.iri("claim", claim))
        for key, threat in self.x.threats.items():
            node = self.statement(self.iri("threat", key), AXIS.Threat, AXIS.threatCategory, threat)
            for slug in threat.posed_by:
                self.add(node, AXIS.posedBy, self.entity(slug))
            for pact in threat.pacts:
                self.add(node, AXIS.posedBy, URIRef(self.settings.entity_iri(f"pact/{pact}")))
            for slug in threat.threatens:
                self.add(node, AXIS.threatens, self.entity(slug))
        for key, measure in self.x.countermeasures.items():
            node = self.statement(
                self.iri("countermeasure", key), AXIS.Countermeasure, AXIS.countermeasureCategory, measure
            )
            for threat in measure.addresses:
                self.add(node, AXIS.addresses, self.iri("threat", threat))
            for prop, slugs in (
                (AXIS.recommendedFor, measure.recommended_for),
                (AXIS.targets, measure.targets),
                (AXIS.partner, measure.partners),
                (AXIS.involvesCapability, measure.capabilities),
            ):
                for slug in slugs:
                    self.add(node, prop, self.entity(slug))

    def statement(self, node: URIRef, cls: URIRef, category_property: URIRef, statement: Statement) -> URIRef:
        """The triples a threat and a countermeasure share: type, label, category, number, evidence."""
        self.add(node, RDF.type, cls)
        self.add(node, RDFS.label, Literal(statement.label, lang="en"))
        if statement.category is not None:
            self.add(node, category_property, statement.category)
        if statement.number is not None:
            self.add(node, AXIS.itemNumber, Literal(statement.number, datatype=XSD.integer))
        for claim in statement.evidence:
            self.add(node, AXIS.evidence, self.iri("claim", claim))
        return node

    def entity_descriptions(self) -> None:
        """Each entity the document refers to: types, neutral label and description, Wikidata link."""
        for slug in sorted(self.entities):
            entity = self.gazetteer.entities.get(slug)
            if entity is None:
                continue
            node = URIRef(self.settings.entity_iri(slug))
            for kind in entity.types:
                self.add(node, RDF.type, AXIS[kind])
            self.add(node, RDFS.label, Literal(entity.label, lang="en"))
            if entity.description:
                self.add(node, DCTERMS.description, Literal(entity.description, lang="en"))
            if entity.wikidata:
                self.add(node, OWL.sameAs, URIRef(WIKIDATA + entity.wikidata))


def build_graph(extraction: Extraction, gazetteer: Gazetteer, settings: Settings) -> Graph:
    """The triples of one document's named graph."""
    return _Builder(extraction, gazetteer, settings).build()
