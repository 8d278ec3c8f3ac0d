"""The SPARQL 1.1 Protocol at ``/sparql``: queries, updates (with a token), and the query page.

A request carries one operation: ``query`` by GET, by POST form or by POST direct
(``application/sparql-query``); ``update`` by POST form or direct
(``application/sparql-update``). Dataset parameters override the query's ``FROM``; with
none, the default graph is the union of all graphs. A bare GET returns the service
description, or the query page to a browser.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from urllib.parse import parse_qsl

from flask import Blueprint, Response, current_app, g, request

from service import description, guard, querypage
from service import negotiation as nego
from service.cache import AnswerCache
from service.config import ServiceConfig
from service.errors import ApiError
from service.executor import Executor, QueryTimeout, WorkerUnavailable
from service.worker import Answer, Job

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
_SEND = f"send a query as 'query' (GET, or POST {FORM}) or as a {QUERY_TYPE} body"


@dataclass(frozen=True)
class Operation:
    """What a request asks for, read from its URL, form or body."""

    kind: str
    text: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None


def _params(raw: bytes, where: str) -> dict[str, list[str]]:
    """URL-encoded parameters, decoded strictly as UTF-8."""
    try:
        pairs = parse_qsl(raw.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as error:
        raise ApiError(
            400, f"the {where} is not valid UTF-8 ({error.reason}); percent-encode UTF-8"
        ) from None
    params: dict[str, list[str]] = {}
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params


def _check_charset() -> None:
    charset = request.mimetype_params.get("charset")
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise ApiError(415, f"charset {charset} is not supported; send the body in UTF-8")


def _body_text(what: str) -> str:
    _check_charset()
    try:
        return read_body().decode("utf-8")
    except UnicodeDecodeError as error:
        raise ApiError(400, f"the {what} is not valid UTF-8 (byte {error.start}); send it in UTF-8") from None


def read_body() -> bytes:
    """The request body, or a 413 if it is over the limit, however it was sent.

    A body sent in chunks has no length to check up front; reading one byte past the limit
    tells, so that a long body is refused rather than cut and run.
    """
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    stream = request.environ.get("wsgi.input") if request.content_length is None else request.stream
    body = stream.read(limit + 1) if stream is not None else b""
    if len(body) > limit:
        raise ApiError(
            413, f"the request body is larger than the limit of {limit:,} bytes; send a smaller one"
        )
    return body


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise ApiError(400, f"the request has {len(values)} '{name}' parameters; send exactly one")
    return values[0] if values else None


def _graphs(params: dict[str, list[str]], name: str) -> tuple[str, ...]:
    return tuple(params.get(name, []))


def read_operation() -> tuple[Operation | None, dict[str, list[str]]]:
    """The operation in the request and all its parameters; ``None`` for a bare GET."""
    url = _params(request.query_string, "URL")
    if request.method in ("GET", "HEAD"):
        if "update" in url:
            raise ApiError(400, f"an update must be sent by POST, as {FORM} or {UPDATE_TYPE}")
        params, text, kind = url, _one(url, "query"), "query"
        if text is None:
            return None, url
    else:
        mimetype = request.mimetype
        if mimetype == FORM:
            _check_charset()
            form = _params(read_body(), "form body")
            params = {k: url.get(k, []) + form.get(k, []) for k in url.keys() | form.keys()}
            query, update = _one(params, "query"), _one(params, "update")
            if query is not None and update is not None:
                raise ApiError(400, "the form has both 'query' and 'update'; send one operation")
            if query is None and update is None:
                raise ApiError(400, f"the form has no 'query' or 'update' field; {_SEND}")
            kind, text = ("query", query) if query is not None else ("update", update)
        elif mimetype in (QUERY_TYPE, UPDATE_TYPE):
            kind = "query" if mimetype == QUERY_TYPE else "update"
            if kind in url:
                raise ApiError(400, f"the {kind} is in both the URL and the body; send it once")
            params, text = url, _body_text(kind)
        elif not mimetype:
            raise ApiError(415, f"the POST has no Content-Type; use {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}")
        else:
            raise ApiError(
                415, f"{mimetype} is not a SPARQL request type; use {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}"
            )
    if not text or not text.strip():
        raise ApiError(400, f"the {kind} is empty; {_SEND}")
    dataset = ("default-graph-uri", "named-graph-uri")
    if kind == "update":
        dataset = ("using-graph-uri", "using-named-graph-uri")
    given = any(name in params for name in dataset)
    default_graphs = _graphs(params, dataset[0]) if given else None
    named_graphs = _graphs(params, dataset[1]) if given else None
    return Operation(kind, text, default_graphs, named_graphs), params


def endpoint_url() -> str:
    """This endpoint's URL, the base IRI of relative IRIs in queries and updates."""
    return f"{request.scheme}://{request.host}{request.path}"


def config() -> ServiceConfig:
    return current_app.extensions["axis-kg"]["config"]


def executor() -> Executor:
    return current_app.extensions["axis-kg"]["executor"]


def execute(job: Job) -> Answer:
    """Run a job (or reuse a cached answer); a timeout or a dead worker is a 503 that says why."""
    runner = executor()
    cache: AnswerCache = current_app.extensions["axis-kg"]["cache"]
    if job.operation == "query" and (cached := cache.get(job, runner.generation)) is not None:
        return cached
    generation = runner.generation
    try:
        answer = runner.run(job)
    except QueryTimeout as error:
        raise ApiError(503, str(error)) from None
    except WorkerUnavailable as error:
        raise ApiError(503, f"the store is unavailable: {error}") from None
    if answer.error:
        raise ApiError(answer.status, answer.error)
    if job.operation == "query" and not guard.is_volatile(job.text):
        cache.put(job, generation, answer)
    return answer


def _authorize_update() -> None:
    token = config().update_token
    if not token:
        raise ApiError(
            403,
            "this endpoint is read-only: updates are refused unless the service is started "
            "with --update-token, and then need 'Authorization: Bearer <token>'",
        )
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise ApiError(401, "updates need 'Authorization: Bearer <token>'", {"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise ApiError(403, "the bearer token is not the update token this service was started with")


def _format_param(params: dict[str, list[str]]) -> str | None:
    for name in ("format", "output"):
        if values := params.get(name):
            return values[0]
    return None


def _run_update(operation: Operation) -> Response:
    _authorize_update()
    try:
        guard.check_update(operation.text)
    except guard.GuardError as error:
        raise ApiError(403, str(error)) from None
    g.query_text = operation.text
    job = Job(
        "update",
        operation.text,
        base_iri=endpoint_url(),
        default_graphs=operation.default_graphs,
        named_graphs=operation.named_graphs,
    )
    execute(job)
    return Response(status=204)


def _run_query(operation: Operation, params: dict[str, list[str]]) -> Response:
    settings = config()
    g.query_text = operation.text
    try:
        guard.check_query(operation.text, settings.allowed_services)
    except guard.GuardError as error:
        raise ApiError(403, str(error)) from None
    format_name = _format_param(params)
    job = Job(
        "query",
        guard.redirect_services(operation.text, dict(settings.service_redirects)),
        base_iri=endpoint_url(),
        default_graphs=operation.default_graphs,
        named_graphs=operation.named_graphs,
        accept=request.headers.get("Accept"),
        format_name=format_name,
        max_rows=settings.max_rows,
    )
    answer = execute(job)
    if answer.media_type == nego.HTML.media_type:
        response = Response(querypage.render(operation.text, answer, settings), mimetype="text/html")
    else:
        response = Response(answer.body, content_type=_content_type(answer.media_type))
        if "download" in params:
            extension = next(
                f.extension for f in nego.FORMATS[answer.kind] if f.media_type == answer.media_type
            )
            response.headers["Content-Disposition"] = f'attachment; filename="result.{extension}"'
    if answer.truncated:
        response.headers["X-Result-Truncated"] = "true"
        response.headers["X-SPARQL-MaxRows"] = str(settings.max_rows)
    response.vary.add("Accept")
    return response


def _content_type(media_type: str) -> str:
    textual = media_type.startswith("text/") or media_type.endswith(("+xml", "+json", "/trig", "/n-triples"))
    return f"{media_type}; charset=utf-8" if textual else media_type


@bp.route("/query", methods=["GET", "POST"], strict_slashes=False, endpoint="query")
@bp.route("/sparql", methods=["GET", "POST"], strict_slashes=False)
def endpoint() -> Response:
    """The SPARQL endpoint (and, for browsers, the query page)."""
    operation, params = read_operation()
    browser = nego.prefers_html(request.headers.get("Accept"))
    if operation is not None and operation.kind == "query" and browser:
        # A person at the query page sees what went wrong above the query, ready to fix it.
        try:
            return _run_query(operation, params)
        except ApiError as error:
            page = querypage.render(operation.text, None, config(), error=error.description)
            return Response(page, status=error.code, mimetype="text/html")
    if operation is None:
        if browser:
            return Response(querypage.render("", None, config()), mimetype="text/html")
        return description.service_description_response(_format_param(params))
    if operation.kind == "update":
        return _run_update(operation)
    return _run_query(operation, params)
