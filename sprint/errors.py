"""Error pages and the service-layer exceptions."""

from __future__ import annotations

from flask import Flask, Response, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import SecurityError


class ServiceError(Exception):
    """A business rule was broken; the message is shown to the user, next to `field` if given."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotAllowed(ServiceError):
    """The actor may not do this to this record."""


class StaleEdit(ServiceError):
    """Someone (or another tab) changed the record first; nothing was written. Answered with 409."""


TITLES = {
    400: "That request could not be understood",
    403: "You do not have access to that page",
    404: "We could not find that page",
    405: "That action is not available here",
    409: "That was already done or changed meanwhile",
    413: "That file is too large",
    429: "Too many attempts",
    500: "Something went wrong on our side",
}


def init_app(app: Flask) -> None:
    def render(code: int, message: str | None = None):
        return render_template("errors/error.html", code=code, title=TITLES[code],
                               message=message), code

    def own_message(error) -> str | None:
        """The description given to abort(code, description=...), not Werkzeug's stock text."""
        description = getattr(error, "description", None)
        return description if description and description != type(error).description else None

    for code in (400, 403, 404, 405, 409, 413, 429):
        app.register_error_handler(code, lambda error, code=code: render(code, own_message(error)))

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        """A Host header outside TRUSTED_HOSTS: no page can be built for it (its links would name the
        host), so a plain answer."""
        return Response("This site does not answer to that host name.\n", 400, mimetype="text/plain")

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render(400, "The form was out of date or missing its security token. "
                           "Please go back, reload the page and try again.")

    @app.errorhandler(NotAllowed)
    def not_allowed(error: NotAllowed):
        return render(403, str(error))

    @app.errorhandler(StaleEdit)
    def stale_edit(error: StaleEdit):
        return render(409, str(error))

    @app.errorhandler(500)
    def server_error(error):
        from .extensions import db

        db.session.rollback()
        return render(500)
