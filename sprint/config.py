"""Configuration: defaults, then instance/config.py, then the environment.

Every setting below can be set in the environment as SPRINT_<NAME> (Flask's `from_prefixed_env`:
the value is read as JSON where it parses, so `SPRINT_TRUSTED_PROXIES=1` is a number and
`SPRINT_REQUIRE_WORKER=true` a boolean; `SPRINT_SQLALCHEMY_ENGINE_OPTIONS__pool_size=10` sets one
key of a dict). A few conventional names (DATABASE_URL, SECRET_KEY, ...; `ALIASES`) are read too;
the SPRINT_ name wins. The README's settings table lists every one."""

from __future__ import annotations

import copy
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import Config


class Defaults:
    """Settings for development on SQLite; production overrides a few of them."""

    SECRET_KEY: str | None = None  # required in production; in development generated into instance/secret_key
    SQLALCHEMY_DATABASE_URI = "sqlite:///sprint.sqlite"  # relative to instance/
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session
    WTF_I18N_ENABLED = True  # WTForms' own messages ("This field is required.") in the page's language
    BOOTSTRAP_SERVE_LOCAL = True  # never a CDN: the app works offline
    BOOTSTRAP_BOOTSWATCH_THEME = None
    MAIL_BACKEND = "file"  # one file per message in instance/outbox
    MAIL_DEFAULT_SENDER = "SPRINT Placement <no-reply@sprint.local>"
    MAIL_SERVER = "localhost"  # SMTP (Flask-Mailman's defaults, listed so the environment can set them)
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    RATELIMIT_STORAGE_URI = "memory://"  # production refuses it unless RATELIMIT_ALLOW_MEMORY is set
    RATELIMIT_ALLOW_MEMORY = False
    RATELIMIT_STRATEGY = "moving-window"  # "10 per minute" means any 60 seconds, not each clock minute
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute; 50 per hour"  # password-reset requests per client address
    # Failed logins only (a correct password costs nothing): per account, and per client address.
    LOGIN_FAILURES_PER_ACCOUNT = "10 per minute; 50 per hour"
    LOGIN_FAILURES_PER_ADDRESS = "30 per minute; 300 per hour"
    MESSAGES_POST_LIMIT = "10 per minute; 60 per hour"  # per person, on top of the service's caps
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
    MAX_CONTENT_LENGTH = 9 * 1024 * 1024  # a résumé is at most 5 MB (its form checks); a CSV import 8 MB
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
    LOG_FORMAT = "plain"  # or "json": one JSON object per line (sprint/observability.py)
    LOG_LEVEL = "INFO"
    SENTRY_DSN = ""  # errors reported to Sentry only when set
    SENTRY_TRACES_SAMPLE_RATE = 0.0  # share of requests traced for Sentry's performance pages
    REQUIRE_WORKER = False  # /healthz answers 503 when no scheduling worker was seen lately
    WORKER_STALE_MINUTES = 5  # how long since a worker was seen before /healthz reports it


class Production(Defaults):
    """Selected with SPRINT_ENV=production."""

    MAIL_BACKEND = "smtp"
    RUN_IN_WEB = False  # match runs are solved by `sprint worker` processes
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    FORCE_HTTPS = True
    ENV_NAME = "production"
    LOG_FORMAT = "json"


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app refuses to start."""


PREFIX = "SPRINT"
# The unprefixed names hosting platforms and older set-ups use, and the setting each one sets.
ALIASES = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SECRET_KEY": "SECRET_KEY",
    "BASE_URL": "BASE_URL",
    "TRUSTED_HOSTS": "TRUSTED_HOSTS",
    "TRUSTED_PROXIES": "TRUSTED_PROXIES",
    "MAIL_SERVER": "MAIL_SERVER",
    "MAIL_PORT": "MAIL_PORT",
    "MAIL_USERNAME": "MAIL_USERNAME",
    "MAIL_PASSWORD": "MAIL_PASSWORD",
    "MAIL_USE_TLS": "MAIL_USE_TLS",
    "MAIL_DEFAULT_SENDER": "MAIL_DEFAULT_SENDER",
    "MAIL_BACKEND": "MAIL_BACKEND",
    "RATELIMIT_STORAGE_URI": "RATELIMIT_STORAGE_URI",
    "RATELIMIT_ALLOW_MEMORY": "RATELIMIT_ALLOW_MEMORY",
    "LOGIN_FAILURES_PER_ACCOUNT": "LOGIN_FAILURES_PER_ACCOUNT",
    "LOGIN_FAILURES_PER_ADDRESS": "LOGIN_FAILURES_PER_ADDRESS",
    "QUEUE_URL": "QUEUE_URL",
    "QUEUE_NAME": "QUEUE_NAME",
    "RUN_IN_WEB": "RUN_IN_WEB",
    "SENTRY_DSN": "SENTRY_DSN",
}
# Read by create_app before any setting (they choose the settings and the instance folder).
PROCESS_VARIABLES = ("SPRINT_ENV", "SPRINT_INSTANCE_PATH")


def environment_overrides(environ: os._Environ | dict) -> dict:
    """Settings taken from the unprefixed names in ALIASES (an empty value counts as unset)."""
    return {setting: parse_setting(setting, environ[name]) for name, setting in ALIASES.items() if environ.get(name)}


def load_prefixed_settings(config: Config, environ: os._Environ | dict) -> None:
    """SPRINT_<NAME> variables into `config` (Flask's from_prefixed_env), each then read as its
    setting's type: a SECRET_KEY of digits stays a string, "yes" is true, "a,b" is a list."""
    for key, value in config.items():  # SPRINT_X__key writes into the dict: never into the defaults' own
        if isinstance(value, dict):
            config[key] = copy.deepcopy(value)
    config.from_prefixed_env(PREFIX)
    for variable in PROCESS_VARIABLES:
        config.pop(variable[len(PREFIX) + 1 :], None)
    for name, raw in environ.items():
        setting = name[len(PREFIX) + 1 :]
        if name.startswith(PREFIX + "_") and name not in PROCESS_VARIABLES and "__" not in setting:
            config[setting] = parse_setting(setting, config[setting], raw)


# Settings whose default is None, and the type they take when set.
NONE_DEFAULT_TYPES = {
    "SECRET_KEY": str,
    "TRUSTED_HOSTS": list,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "WTF_CSRF_TIME_LIMIT": int,
}


def parse_setting(setting: str, value: object, raw: str | None = None) -> object:
    """A value from the environment as the type of its default (unknown settings stay as given).
    A value that cannot be read so stops the app with the setting's name."""
    default = getattr(Production, setting, None)  # Production: every default, and its own few
    kind = NONE_DEFAULT_TYPES.get(setting, type(default) if default is not None else None)
    text = raw if raw is not None else value
    try:
        if kind is None or value is None:
            return value
        if kind is str:
            return str(text)
        if kind is bool:
            return value if isinstance(value, bool) else _yes_or_no(str(text))
        if kind is int:
            return int(str(text).strip())
        if kind is float:
            return float(str(text).strip())
        if kind is list:
            return value if isinstance(value, list) else [item.strip() for item in str(text).split(",") if item.strip()]
        if kind is timedelta:
            return value if isinstance(value, timedelta) else timedelta(seconds=float(str(text)))
        if kind is dict and not isinstance(value, dict):
            raise ValueError("expected a JSON object")
    except ValueError as error:
        raise ConfigError(f"Refusing to start: {setting}={text!r} is not a valid {kind.__name__} ({error}).") from None
    return value


def _yes_or_no(value: str) -> bool:
    word = value.strip().lower()
    if word in {"1", "true", "yes", "on"}:
        return True
    if word in {"", "0", "false", "no", "off"}:
        return False
    raise ValueError("say true or false")


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
