"""gunicorn settings for SPRINT Placement: `gunicorn -c docs/deploy/gunicorn.conf.py 'sprint:create_app()'`.

Workers and threads come from the environment (WEB_CONCURRENCY, WEB_THREADS; 2 x cores and 4 by
default); gunicorn's own lines (its errors, and one access line per request, its request_id the id the
app answered with) are written in LOG_FORMAT like the app's, to stderr and stdout."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("WEB_THREADS", 4))
timeout = 30
keepalive = 10
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'

_format = os.environ.get("SPRINT_LOG_FORMAT", "json" if os.environ.get("SPRINT_ENV") == "production" else "plain")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "sprint.observability.RequestIdFilter"},
        "answered_id": {"()": "sprint.observability.AccessLogRequestIdFilter"},
    },
    "formatters": {"sprint": {"()": "sprint.observability.log_formatter", "kind": _format}},
    "handlers": {
        "error": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "sprint",
            "filters": ["request_id"],
        },
        "access": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "sprint",
            "filters": ["answered_id"],
        },
    },
    "root": {"level": "INFO", "handlers": []},  # the app puts its own handler there (sprint/observability.py)
    "loggers": {
        "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}
