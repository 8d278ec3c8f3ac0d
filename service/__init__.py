"""The HTTP service over the graph (SPARQL endpoint, entity pages).

The Flask application lives here; until it exists, ``kg`` builds and queries the
store from the command line.
"""
