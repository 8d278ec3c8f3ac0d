"""One error shape: JSON for API clients, an HTML page for browsers.

Every error the service sends, from a syntax error to a 404, has the same JSON body::

    {"status": 400, "title": "Bad Request", "message": "what went wrong and what to do"}
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from service.negotiation import prefers_html


class ApiError(HTTPException):
    """An error with a status and a message that says what to fix."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(description=message)
        self.code = status
        self.extra_headers = headers or {}


_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The error as JSON, or as an HTML page when the client is a browser."""
    title = _TITLES.get(status, "Error")
    if prefers_html(request.headers.get("Accept")):
        response = Response(
            render_template("error.html", status=status, title=title, message=message),
            status=status,
            mimetype="text/html",
        )
    else:
        response = jsonify(status=status, title=title, message=message)
        response.status_code = status
    response.headers.update(headers or {})
    response.vary.add("Accept")
    return response


def _handle_http(error: HTTPException) -> Response:
    headers = dict(getattr(error, "extra_headers", {}))
    if error.code == 405:
        allowed = error.valid_methods if hasattr(error, "valid_methods") else None
        if allowed:
            headers["Allow"] = ", ".join(allowed)
    message = error.description or _TITLES.get(error.code or 500, "")
    if error.code == 413:
        limit = request.max_content_length
        message = f"the request body is larger than the limit of {limit:,} bytes; send a smaller one"
    elif error.code == 405:
        message = f"{request.method} is not allowed on {request.path}; use {headers.get('Allow', 'GET')}"
    return error_response(error.code or 500, message, headers)


def register(app: Flask) -> None:
    """Send every HTTP error in the one shape."""
    app.register_error_handler(HTTPException, _handle_http)
