"""Configuration: defaults, then instance/config.py, then the environment."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit


class Defaults:
    """Settings for development on SQLite; production overrides a few of them."""

    SQLALCHEMY_DATABASE_URI = "sqlite:///sprint.sqlite"  # relative to instance/
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session
    BOOTSTRAP_SERVE_LOCAL = True  # never a CDN: the app works offline
    BOOTSTRAP_BOOTSWATCH_THEME = None
    MAIL_BACKEND = "file"  # one file per message in instance/outbox
    MAIL_DEFAULT_SENDER = "SPRINT Placement <no-reply@sprint.local>"
    RATELIMIT_STORAGE_URI = "memory://"  # production refuses it unless RATELIMIT_ALLOW_MEMORY is set
    RATELIMIT_ALLOW_MEMORY = False
    RATELIMIT_STRATEGY = "moving-window"  # "10 per minute" means any 60 seconds, not each clock minute
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute; 50 per hour"  # password-reset requests per client address
    # Failed logins only (a correct password costs nothing): per account, and per client address.
    LOGIN_FAILURES_PER_ACCOUNT = "10 per minute; 50 per hour"
    LOGIN_FAILURES_PER_ADDRESS = "30 per minute; 300 per hour"
    TRUSTED_PROXIES = 0  # how many proxies in front of the app set X-Forwarded-For/-Proto (ProxyFix)
    BASE_URL = ""  # e.g. https://placement.example.org: every emailed link starts with it
    TRUSTED_HOSTS: list[str] | None = None  # None: the BASE_URL's host (and localhost outside production)
    INVITATION_MAX_AGE_DAYS = 14
    PASSWORD_RESET_MAX_AGE_HOURS = 2
    SIGN_UP_MAX_AGE_HOURS = 48
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # "Keep me logged in" lasts a month, not Flask-Login's default year: long enough for the weeks
    # between applying, ranking and answering an offer, short enough that a forgotten shared
    # computer does not stay logged in all season. A password change ends it at once.
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024  # a résumé is at most 5 MB; the form says so
    RESUME_MAX_BYTES = 5 * 1024 * 1024
    FORCE_HTTPS = False
    PAGE_SIZE = 25
    QUEUE_URL = "sqlite"  # the job queue: instance/queue.sqlite; redis://host:6379/0 in production
    QUEUE_NAME = "sprint"  # one name per installation sharing a Redis
    OUTBOX_BATCH_SIZE = 50  # emails one sender job sends over one SMTP connection
    OUTBOX_MAX_ATTEMPTS = 8  # temporary failures (1, 2, 4 … 60 min apart, about 2 h) before an email is failed
    RUN_NICE = 10  # how much lower the CPU priority of a solving thread or worker is (Linux nice)
    RUN_IN_WEB = True  # with the SQLite queue only: the web process solves match runs in a thread of its own
    RUN_HEARTBEAT_S = 10  # a worker solving a run writes its heartbeat this often
    RUN_LEASE_S = 60  # a running run whose heartbeat is older than this lost its worker: marked failed
    BABEL_DEFAULT_LOCALE = "en_US"
    BABEL_DEFAULT_TIMEZONE = "America/New_York"  # a program's own zone (Program.time_zone) wins
    PAY_FLOOR = 16.94  # Connecticut minimum wage from January 2026, dollars per hour
    ENV_NAME = "development"


class Production(Defaults):
    """Selected with SPRINT_ENV=production."""

    MAIL_BACKEND = "smtp"
    RUN_IN_WEB = False  # match runs are solved by `sprint worker` processes
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    FORCE_HTTPS = True
    ENV_NAME = "production"


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app refuses to start."""


def environment_overrides(environ: os._Environ | dict) -> dict:
    """Settings taken from the process environment (12-factor style)."""
    overrides: dict = {}
    if environ.get("DATABASE_URL"):
        overrides["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(environ["DATABASE_URL"])
    for key in (
        "SECRET_KEY",
        "MAIL_SERVER",
        "MAIL_USERNAME",
        "MAIL_PASSWORD",
        "MAIL_DEFAULT_SENDER",
        "RATELIMIT_STORAGE_URI",
        "MAIL_BACKEND",
        "BASE_URL",
        "LOGIN_FAILURES_PER_ACCOUNT",
        "LOGIN_FAILURES_PER_ADDRESS",
        "QUEUE_URL",
        "QUEUE_NAME",
    ):
        if environ.get(key):
            overrides[key] = environ[key]
    if environ.get("TRUSTED_HOSTS"):
        overrides["TRUSTED_HOSTS"] = [host.strip() for host in environ["TRUSTED_HOSTS"].split(",") if host.strip()]
    if environ.get("TRUSTED_PROXIES"):
        overrides["TRUSTED_PROXIES"] = int(environ["TRUSTED_PROXIES"])
    if environ.get("RATELIMIT_ALLOW_MEMORY"):
        overrides["RATELIMIT_ALLOW_MEMORY"] = _yes(environ["RATELIMIT_ALLOW_MEMORY"])
    if environ.get("RUN_IN_WEB"):
        overrides["RUN_IN_WEB"] = _yes(environ["RUN_IN_WEB"])
    if environ.get("MAIL_PORT"):
        overrides["MAIL_PORT"] = int(environ["MAIL_PORT"])
    if environ.get("MAIL_USE_TLS"):
        overrides["MAIL_USE_TLS"] = _yes(environ["MAIL_USE_TLS"])
    return overrides


def _yes(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes"}


DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"  # where `sprint run` serves
LOCAL_HOSTS = ("localhost", "127.0.0.1")


def base_url(config: dict, production: bool) -> str:
    """Where emailed links point: BASE_URL, else SERVER_NAME with PREFERRED_URL_SCHEME, else (outside
    production) the development server. Never the Host header of a request."""
    if config.get("BASE_URL"):
        return str(config["BASE_URL"]).rstrip("/")
    if config.get("SERVER_NAME"):
        root = str(config.get("APPLICATION_ROOT") or "/").rstrip("/")
        return f"{config.get('PREFERRED_URL_SCHEME') or 'http'}://{config['SERVER_NAME']}{root}"
    if production:
        raise ConfigError(
            "Refusing to start: set BASE_URL (e.g. https://placement.example.org) so that "
            "emailed links never take their host from a request."
        )
    return DEVELOPMENT_BASE_URL


def trusted_hosts(config: dict, production: bool) -> list[str]:
    """The Host headers the app answers: the base URL's host, any TRUSTED_HOSTS, and outside
    production the local names. Any other host gets 400 (Flask's TRUSTED_HOSTS)."""
    hosts = [urlsplit(config["BASE_URL"]).hostname or ""]
    hosts += list(config.get("TRUSTED_HOSTS") or [])
    if not production:
        hosts += LOCAL_HOSTS
    return list(dict.fromkeys(host for host in hosts if host))


def normalise_database_url(url: str) -> str:
    """Accept the URLs hosting platforms hand out and pick psycopg 3 for PostgreSQL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret_key(instance_path: str) -> str:
    """Read the secret key generated once into instance/, creating it on first use."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def check_production(config: dict) -> None:
    """Refuse to run a production configuration that is unsafe."""
    if config.get("DEBUG"):
        raise ConfigError("Refusing to start: debug mode is on in production.")
    if not config.get("SECRET_KEY"):
        raise ConfigError("Refusing to start: set SECRET_KEY in the environment for production.")
    if len(str(config["SECRET_KEY"])) < 32:
        raise ConfigError("Refusing to start: SECRET_KEY must be at least 32 characters.")
    if urlsplit(base_url(config, production=True)).scheme != "https":
        raise ConfigError("Refusing to start: BASE_URL must be an https:// address in production.")
    if str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://") and not config.get(
        "RATELIMIT_ALLOW_MEMORY"
    ):
        raise ConfigError(
            "Refusing to start: login limits kept in memory:// count per worker process. Set "
            "RATELIMIT_STORAGE_URI=redis://host:6379/0 (shared by every worker), or "
            "RATELIMIT_ALLOW_MEMORY=1 for a single-process installation."
        )
