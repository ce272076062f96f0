"""Configuration: defaults, then instance/config.py, then the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class Defaults:
    """Settings for development on SQLite; production overrides a few of them."""

    SQLALCHEMY_DATABASE_URI = "sqlite:///sprint.sqlite"  # relative to instance/
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session
    BOOTSTRAP_SERVE_LOCAL = True  # never a CDN: the app works offline
    BOOTSTRAP_BOOTSWATCH_THEME = None
    MAIL_BACKEND = "file"  # one file per message in instance/outbox
    MAIL_DEFAULT_SENDER = "SPRINT Placement <no-reply@sprint.local>"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute; 50 per hour"
    INVITATION_MAX_AGE_DAYS = 14
    PASSWORD_RESET_MAX_AGE_HOURS = 2
    SIGN_UP_MAX_AGE_HOURS = 48
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024  # a résumé is at most 5 MB; the form says so
    RESUME_MAX_BYTES = 5 * 1024 * 1024
    FORCE_HTTPS = False
    PAGE_SIZE = 25
    RUN_EXECUTOR = "thread"  # or "worker": match runs are solved by `sprint run-worker` processes
    RUN_NICE = 10  # how much lower the CPU priority of a solving thread or worker is (Linux nice)
    BABEL_DEFAULT_LOCALE = "en_US"
    BABEL_DEFAULT_TIMEZONE = "America/New_York"  # a program's own zone (Program.time_zone) wins
    PAY_FLOOR = 16.94  # Connecticut minimum wage from January 2026, dollars per hour
    ENV_NAME = "development"


class Production(Defaults):
    """Selected with SPRINT_ENV=production."""

    MAIL_BACKEND = "smtp"
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
    for key in ("SECRET_KEY", "MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD",
                "MAIL_DEFAULT_SENDER", "RATELIMIT_STORAGE_URI", "MAIL_BACKEND"):
        if environ.get(key):
            overrides[key] = environ[key]
    if environ.get("RUN_EXECUTOR") in ("thread", "worker"):
        overrides["RUN_EXECUTOR"] = environ["RUN_EXECUTOR"]
    if environ.get("MAIL_PORT"):
        overrides["MAIL_PORT"] = int(environ["MAIL_PORT"])
    if environ.get("MAIL_USE_TLS"):
        overrides["MAIL_USE_TLS"] = environ["MAIL_USE_TLS"].lower() in {"1", "true", "yes"}
    return overrides


def normalise_database_url(url: str) -> str:
    """Accept the URLs hosting platforms hand out and pick psycopg 3 for PostgreSQL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
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
