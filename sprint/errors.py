"""Error pages, and the one handler that answers the services' errors (sprint/services/errors.py)."""

from __future__ import annotations

from flask import Flask, Response, render_template
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import SecurityError

from .extensions import db
from .services.errors import NotAllowed, NotFound, ServiceError, StaleEdit, TooMany

# The status that answers each service error; a subclass takes its nearest listed class's.
STATUS_OF = {NotFound: 404, NotAllowed: 403, StaleEdit: 409, TooMany: 429, ServiceError: 400}


def status_of(error: ServiceError) -> int:
    """The HTTP status of a service error, from its type (never from its message)."""
    return next(STATUS_OF[kind] for kind in type(error).__mro__ if kind in STATUS_OF)


def is_refusal(error: ServiceError) -> bool:
    """A 403 or 404: answered with the error page, never shown on the form that was sent."""
    return status_of(error) in (403, 404)


def discard_failed_call() -> None:
    """Roll back what a failed service call may have left in the session (and end its transaction,
    with any row lock it took), so the page built next shows the records as they are."""
    db.session.rollback()


TITLES = {
    400: _l("That request could not be understood"),
    403: _l("You do not have access to that page"),
    404: _l("We could not find that page"),
    405: _l("That action is not available here"),
    409: _l("That was already done or changed meanwhile"),
    413: _l("That file is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}


def init_app(app: Flask) -> None:
    def render(code: int, message: str | None = None):
        return render_template("errors/error.html", code=code, title=TITLES[code], message=message), code

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
        return render(
            400,
            gettext(
                "The form was out of date or missing its security token. Please go back, reload the page and try again."
            ),
        )

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):
        """Any service error a view did not show on its form: nothing of the failed call is kept, and
        the error page says why, with the status of the error's type."""
        discard_failed_call()
        return render(status_of(error), str(error))

    @app.errorhandler(500)
    def server_error(error):
        discard_failed_call()
        return render(500)
