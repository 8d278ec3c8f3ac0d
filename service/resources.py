"""Dereferenceable IRIs, after the W3C note "Cool URIs for the Semantic Web".

``/id/{slug}`` names a thing; it answers 303 See Other to a document about it: the page
``/page/{slug}`` for people, or the data ``/data/{slug}.{ttl,nt,jsonld,rdf}`` for machines,
by ``Accept`` (or a ``format`` parameter). The data is the resource's DESCRIBE answer.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, redirect, render_template, request, url_for
from pyoxigraph import NamedNode

from service import data
from service import negotiation as nego
from service.errors import ApiError
from service.pages import entity_page

bp = Blueprint("resources", __name__)

#: The data formats of a resource: extension → negotiation format.
DATA_FORMATS = {"ttl": nego.TURTLE, "nt": nego.NTRIPLES, "jsonld": nego.JSONLD, "rdf": nego.RDFXML}
_OFFER = (nego.HTML, *DATA_FORMATS.values())


def resource_iri(slug: str, missing: str | None = None) -> str:
    """The IRI that ``/id/{slug}`` stands for; a 404 (saying ``missing``) if it is not a valid IRI."""
    iri = f"{data.base_iri()}id/{slug}"
    try:
        NamedNode(iri)
    except ValueError:
        raise ApiError(404, missing or f"/id/{slug} is not an IRI this dataset could mint") from None
    return iri


def local_path(iri: str) -> str | None:
    """Where an IRI of this dataset is served here (``/id/…``), or None for other IRIs."""
    base = data.base_iri()
    if iri.startswith(f"{base}id/"):
        return (
            "/"
            + quote(iri[len(base) :].split("#", 1)[0], safe="/-_.~")
            + ("#" + iri.split("#", 1)[1] if "#" in iri else "")
        )
    return None


def _alternates(slug: str) -> list[tuple[str, str]]:
    links = [(url_for("resources.page", slug=slug), nego.HTML.media_type)]
    links += [
        (url_for("resources.data_file", name=f"{slug}.{ext}"), f.media_type)
        for ext, f in DATA_FORMATS.items()
    ]
    return links


def _link_header(slug: str) -> str:
    return ", ".join(
        f'<{href}>; rel="alternate"; type="{media_type}"' for href, media_type in _alternates(slug)
    )


def _exists(iri: str) -> bool:
    rows = data.select(
        "SELECT ?resource WHERE { { ?resource ?p ?o } UNION { ?s ?p ?resource } } LIMIT 1", resource=iri
    )
    return bool(rows)


@bp.get("/id/<path:slug>")
def identifier(slug: str) -> Response:
    """303 to the page or the data about the thing, by Accept or ``format``."""
    iri = resource_iri(slug)
    if not _exists(iri):
        raise ApiError(404, f"nothing is known about <{iri}>; search at / or query at /sparql")
    try:
        fmt = nego.choose_from(_OFFER, request.headers.get("Accept"), request.args.get("format"))
    except nego.NotAcceptable as error:
        raise ApiError(406, str(error)) from None
    if fmt is nego.HTML:
        target = url_for("resources.page", slug=slug)
    else:
        extension = next(ext for ext, f in DATA_FORMATS.items() if f is fmt)
        target = url_for("resources.data_file", name=f"{slug}.{extension}")
    response = redirect(target, code=303)
    response.vary.add("Accept")
    response.headers["Link"] = _link_header(slug)
    return response


@bp.get("/data/<path:name>")
def data_file(name: str) -> Response:
    """The resource's description in the format its extension names."""
    slug, _, extension = name.rpartition(".")
    fmt = DATA_FORMATS.get(extension)
    if not slug or fmt is None:
        raise ApiError(404, f"/data/{name}: end the name with one of .{', .'.join(DATA_FORMATS)}")
    iri = resource_iri(slug)
    answer = data.describe_as(iri, fmt.name)
    if not answer.rows:
        raise ApiError(404, f"nothing is known about <{iri}>")
    response = Response(answer.body, content_type=f"{fmt.media_type}; charset=utf-8")
    response.headers["Link"] = _link_header(slug)
    return response


@bp.get("/page/<path:slug>")
def page(slug: str) -> Response:
    """The resource's HTML page."""
    iri = resource_iri(slug)
    context = entity_page(iri)
    if context is None:
        raise ApiError(404, f"nothing is known about <{iri}>; search at / or query at /sparql")
    context["alternates"] = _alternates(slug)
    response = Response(render_template("entity.html", **context), mimetype="text/html")
    response.headers["Link"] = _link_header(slug)
    return response
