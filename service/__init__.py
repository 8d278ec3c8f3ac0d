"""The web service: the SPARQL 1.1 endpoint, its query page and the dataset's descriptions.

``create_app(config)`` builds the Flask application; ``kg serve`` runs it under gunicorn.
"""

from service.app import create_app
from service.config import ServiceConfig

__all__ = ["ServiceConfig", "create_app"]
