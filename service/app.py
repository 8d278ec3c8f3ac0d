"""The application factory: ``create_app(config)`` wires the blueprints, the worker and the log."""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path
from urllib.parse import quote

from flask import Flask, Response, g, jsonify, request

from kg.errors import StoreMissingError
from service import (
    browse,
    description,
    errors,
    ontology_docs,
    reading,
    reconcile,
    resources,
    sparql,
    threatmap,
)
from service.cache import AnswerCache
from service.config import ServiceConfig
from service.executor import Executor, QueryTimeout, WorkerUnavailable
from service.worker import Job

ACCESS_LOG = "axis_kg.access"

#: Scripts only from this site; nothing a request carries is ever written into one.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def _check_store(config: ServiceConfig) -> None:
    if config.store_path is not None and not (Path(config.store_path) / "CURRENT").is_file():
        raise StoreMissingError(f"no store at {config.store_path}: build one first with 'kg ingest'")


def _access_log(response: Response) -> Response:
    started = g.get("started")
    duration_ms = (time.perf_counter() - started) * 1000 if started else 0.0
    text = g.get("query_text")
    digest = hashlib.sha256(text.encode()).hexdigest()[:12] if text else "-"
    logging.getLogger(ACCESS_LOG).info(
        "%s %s %d %.1fms query=%s",
        request.method,
        quote(request.path, safe="/:@!$&'()*+,;=-._~"),  # no line breaks or control bytes in the log
        response.status_code,
        duration_ms,
        digest,
    )
    return response


def create_app(config: ServiceConfig | None = None) -> Flask:
    """A Flask application serving the store named in ``config`` (the defaults if omitted)."""
    config = config or ServiceConfig()
    _check_store(config)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    executor = Executor(config.store_path, writable=config.updates_enabled, timeout_s=config.timeout_s)
    cache = AnswerCache(entries=config.cache_entries)
    app.extensions["axis-kg"] = {"config": config, "executor": executor, "cache": cache}

    errors.register(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(description.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(ontology_docs.bp)
    app.register_blueprint(browse.bp)
    app.register_blueprint(reading.bp)
    app.register_blueprint(threatmap.bp)
    app.register_blueprint(reconcile.bp)

    @app.get("/healthz")
    def healthz() -> Response:
        """Liveness and readiness: the query worker itself answers a trivial query (never the cache)."""
        try:
            executor.run(Job("query", "ASK {}", format_name="json"))
        except (QueryTimeout, WorkerUnavailable) as error:
            return errors.error_response(503, f"not ready: {error}")
        return jsonify(
            status="ok", updates=config.updates_enabled, cache={"hits": cache.hits, "misses": cache.misses}
        )

    @app.before_request
    def _start_timer() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if config.cors:
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, Authorization"
            response.headers["Access-Control-Expose-Headers"] = "X-Result-Truncated, X-SPARQL-MaxRows"
        if "queries" in g:
            response.headers["Server-Timing"] = f'sparql;desc="{g.queries} queries"'
        return _access_log(response)

    return app
