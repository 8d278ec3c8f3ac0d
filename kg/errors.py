"""Errors the project raises for bad input: each carries a message that says what to fix."""


class KgError(Exception):
    """Base class: an error a user can act on. The CLI prints it without a traceback."""


class StoreLockedError(KgError):
    """The store is open for writing in another process."""


class StoreMissingError(KgError):
    """No store exists at the given path."""


class QuerySyntaxError(KgError):
    """A SPARQL query or update does not parse; the message gives line and column."""


class UnsupportedFormatError(KgError):
    """A format name or file type the project cannot read or write."""


class InputError(KgError):
    """An input file is missing, unreadable or malformed."""


class ValidationError(KgError):
    """Data does not conform to the SHACL shapes; ``report`` holds the details."""

    def __init__(self, message: str, report: str = "") -> None:
        super().__init__(message)
        self.report = report
