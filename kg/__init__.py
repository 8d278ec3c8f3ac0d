"""Axis KG: geopolitical analysis essays as an attributed, quoted linked-data graph."""

__version__ = "0.1.0"
