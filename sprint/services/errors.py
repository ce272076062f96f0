"""What a service raises when a use case cannot go ahead. No Flask here: `sprint/errors.py` (the web
layer) answers each type with its status (400, 403, 404, 409); the CLI prints the message."""

from __future__ import annotations


class ServiceError(Exception):
    """A business rule was broken; the message is shown to the user, next to `field` if given (400)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotAllowed(ServiceError):
    """The actor may not do this to this record (403)."""


class NotFound(ServiceError):
    """No such record for this actor (404): also what another program's ids give, so they reveal nothing."""


class StaleEdit(ServiceError):
    """Someone (or another tab) changed the record first; nothing was written (409)."""


class TooMany(ServiceError):
    """The actor did this too often in a short time; nothing was written (429)."""
