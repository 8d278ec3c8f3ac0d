"""The project's vocabularies as rdflib ``DefinedNamespace`` classes.

``_fail = True`` turns a misspelt term into an ``AttributeError`` instead of a
silently minted IRI. ``tests/test_namespaces.py`` keeps these classes and the
Turtle files in ``ontology/`` in step.
"""

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace


class AXIS(DefinedNamespace):
    """Axis KG ontology (``ontology/axis.ttl``)."""

    _NS = Namespace("https://w3id.org/axis-kg/ontology#")
    _fail = True

    # classes
    Actor: URIRef
    AllianceAgreement: URIRef
    Capability: URIRef
    Claim: URIRef
    Coalition: URIRef
    Countermeasure: URIRef
    Document: URIRef
    InternationalOrganization: URIRef
    Mention: URIRef
    MutualDefensePact: URIRef
    NonStateGroup: URIRef
    Pact: URIRef
    Person: URIRef
    Place: URIRef
    PoliticalParty: URIRef
    Region: URIRef
    Section: URIRef
    State: URIRef
    StrategicPartnership: URIRef
    Threat: URIRef
    Treaty: URIRef
    WeaponSystem: URIRef

    # properties
    about: URIRef
    addressedBy: URIRef
    addresses: URIRef
    countermeasureCategory: URIRef
    epistemicStatus: URIRef
    evidence: URIRef
    inClaim: URIRef
    inSection: URIRef
    involvesCapability: URIRef
    itemNumber: URIRef
    leaderOf: URIRef
    likelihood: URIRef
    locatedIn: URIRef
    member: URIRef
    memberOf: URIRef
    mentions: URIRef
    parentSection: URIRef
    partner: URIRef
    party: URIRef
    partyTo: URIRef
    posedBy: URIRef
    recommendedFor: URIRef
    refersTo: URIRef
    sectionOf: URIRef
    signingDate: URIRef
    signingPlace: URIRef
    statedIn: URIRef
    targets: URIRef
    text: URIRef
    textSpan: URIRef
    threatCategory: URIRef
    threatens: URIRef


class THREAT(DefinedNamespace):
    """Threat categories (``ontology/schemes.ttl``)."""

    _NS = Namespace("https://w3id.org/axis-kg/scheme/threat-category#")
    _fail = True

    armsRace: URIRef
    balanceOfPower: URIRef
    cyber: URIRef
    diplomatic: URIRef
    economic: URIRef
    energy: URIRef
    hybrid: URIRef
    maritime: URIRef
    military: URIRef
    nuclear: URIRef
    political: URIRef
    territorial: URIRef
    terrorism: URIRef


class MEASURE(DefinedNamespace):
    """Countermeasure categories (``ontology/schemes.ttl``)."""

    _NS = Namespace("https://w3id.org/axis-kg/scheme/countermeasure-category#")
    _fail = True

    allianceCooperation: URIRef
    armsControl: URIRef
    counterterrorism: URIRef
    cyberDefense: URIRef
    defenseCapability: URIRef
    diplomacy: URIRef
    economicDiversification: URIRef
    energyDiversification: URIRef
    informationResilience: URIRef
    intelligenceSharing: URIRef
    maritimeSecurity: URIRef
    sanctions: URIRef
    stateSupport: URIRef
    technologyResearch: URIRef


class STATUS(DefinedNamespace):
    """Epistemic status of a claim (``ontology/schemes.ttl``)."""

    _NS = Namespace("https://w3id.org/axis-kg/scheme/epistemic-status#")
    _fail = True

    assessment: URIRef
    prediction: URIRef
    recommendation: URIRef
    reportedFact: URIRef


class LIKELIHOOD(DefinedNamespace):
    """Likelihood of a prediction (``ontology/schemes.ttl``)."""

    _NS = Namespace("https://w3id.org/axis-kg/scheme/likelihood#")
    _fail = True

    almostCertain: URIRef
    likely: URIRef
    possible: URIRef


class OA(DefinedNamespace):
    """The W3C Web Annotation vocabulary terms the graph uses (text positions)."""

    _NS = Namespace("http://www.w3.org/ns/oa#")
    _fail = True

    SpecificResource: URIRef
    TextPositionSelector: URIRef
    TextQuoteSelector: URIRef
    end: URIRef
    exact: URIRef
    hasSelector: URIRef
    hasSource: URIRef
    prefix: URIRef
    start: URIRef
    suffix: URIRef


#: Scheme IRI for each concept namespace, in the order the schemes are documented.
SCHEMES: dict[str, type[DefinedNamespace]] = {
    "https://w3id.org/axis-kg/scheme/threat-category": THREAT,
    "https://w3id.org/axis-kg/scheme/countermeasure-category": MEASURE,
    "https://w3id.org/axis-kg/scheme/epistemic-status": STATUS,
    "https://w3id.org/axis-kg/scheme/likelihood": LIKELIHOOD,
}

#: Prefixes bound when the project serializes RDF or parses SPARQL.
PREFIXES: dict[str, str] = {
    "axis": str(AXIS._NS),
    "threat": str(THREAT._NS),
    "measure": str(MEASURE._NS),
    "status": str(STATUS._NS),
    "likely": str(LIKELIHOOD._NS),
    "oa": str(OA._NS),
    "dcterms": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "wd": "http://www.wikidata.org/entity/",
}
