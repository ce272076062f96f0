"""What the app says about itself: log lines (plain or JSON), a request id on each, and Sentry.

- LOG_FORMAT=json (production's default) writes one JSON object per line (python-json-logger):
  time (UTC), level, logger, message, request_id, and the traceback of an error; "plain" (the
  development default) the same fields as text. The handler sits on the root logger, so the app's,
  Huey's and Werkzeug's lines come out alike; gunicorn keeps its own (docs/deploy/gunicorn.conf.py).
- Every request has an id: the X-Request-ID its proxy sent, when proxies are trusted
  (TRUSTED_PROXIES) and the value is sane, else a new one. It is on every log line of the request,
  in the X-Request-ID response header, and on the error pages, so a person can quote it.
- SENTRY_DSN set: errors also go to Sentry (sentry-sdk's Flask integration), tagged with the id.
"""

from __future__ import annotations

import logging
import re
import uuid

from flask import Flask, Response, current_app, g, has_request_context, request
from flask.logging import default_handler, wsgi_errors_stream
from pythonjsonlogger.json import JsonFormatter

from .config import ConfigError

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+/=-]{0,127}")  # what proxies and tracers send
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(levelname)s %(name)s %(message)s %(request_id)s"


def request_id() -> str:
    """This request's id, chosen on first use ("-" outside a request)."""
    if not has_request_context():
        return "-"
    if "request_id" not in g:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        trusted = int(current_app.config.get("TRUSTED_PROXIES") or 0) > 0
        g.request_id = given if trusted and SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    return g.request_id


class RequestIdFilter(logging.Filter):
    """Puts the request id on every record that passes the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


class AccessLogRequestIdFilter(logging.Filter):
    """For gunicorn's access lines (docs/deploy/gunicorn.conf.py): the id the app answered with."""

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args if isinstance(record.args, dict) else {}
        record.request_id = atoms.get("{x-request-id}o") or "-"
        return True


def log_formatter(kind: str) -> logging.Formatter:
    """The formatter LOG_FORMAT names."""
    if kind == "json":
        return JsonFormatter(
            JSON_FIELDS,
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
            json_ensure_ascii=False,
        )
    if kind == "plain":
        return logging.Formatter(PLAIN_FORMAT)
    raise ConfigError(f"Refusing to start: LOG_FORMAT must be json or plain, not {kind!r}.")


def configure_logging(app: Flask) -> logging.Handler:
    """One handler on the root logger, in LOG_FORMAT, replacing the one an earlier app put there."""
    handler = logging.StreamHandler(wsgi_errors_stream)  # the server's error stream in a request, else stderr
    handler.setFormatter(log_formatter(str(app.config.get("LOG_FORMAT") or "plain")))
    handler.addFilter(RequestIdFilter())
    handler.sprint = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    for old in [old for old in root.handlers if getattr(old, "sprint", False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    level = str(app.config.get("LOG_LEVEL") or "INFO").upper()
    if level not in logging.getLevelNamesMapping():
        raise ConfigError(f"Refusing to start: LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level!r}.")
    root.setLevel(level)
    app.logger.removeHandler(default_handler)  # the app's lines reach the root handler, once
    return handler


def init_sentry(app: Flask) -> bool:
    """Report errors to Sentry when SENTRY_DSN is set; nothing is loaded or sent otherwise."""
    if not app.config.get("SENTRY_DSN"):
        return False
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration

    sentry_sdk.init(
        dsn=app.config["SENTRY_DSN"],
        integrations=[FlaskIntegration()],
        environment=app.config.get("ENV_NAME"),
        traces_sample_rate=float(app.config.get("SENTRY_TRACES_SAMPLE_RATE") or 0),
        send_default_pii=False,  # no user emails, cookies or form bodies leave the installation
    )

    @app.before_request
    def tag_request() -> None:
        sentry_sdk.set_tag("request_id", request_id())

    return True


def init_app(app: Flask) -> None:
    configure_logging(app)
    init_sentry(app)

    @app.after_request
    def send_request_id(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = request_id()
        return response

    app.add_template_global(request_id, "request_id")
