"""Serving the application with gunicorn, a production WSGI server (never Flask's own)."""

from __future__ import annotations

import logging
import sys
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from service.app import ACCESS_LOG, create_app
from service.config import ServiceConfig

#: gunicorn kills a web worker silent for this long past the query timeout; the query
#: worker's own deadline always comes first, so a client gets the 503 that says why.
_GRACE_S = 30


class Server(BaseApplication):
    """gunicorn, configured in code; each web worker builds its own app and query worker."""

    def __init__(self, config: ServiceConfig, host: str, port: int, workers: int) -> None:
        self.service_config = config
        self.options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": 1,
            "keepalive": 5,
            "timeout": int(config.timeout_s + _GRACE_S),
            "graceful_timeout": 5,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "proc_name": "axis-kg",
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        app = create_app(self.service_config)
        app.extensions["axis-kg"]["executor"].start()
        return app


def configure_access_log() -> None:
    """One line per request on standard error."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger = logging.getLogger(ACCESS_LOG)
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False


def serve(config: ServiceConfig, host: str, port: int, workers: int, **_: Any) -> None:
    """Run until interrupted."""
    configure_access_log()
    Server(config, host, port, workers).run()
