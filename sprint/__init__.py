"""SPRINT Placement: the Flask application factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

from . import access, cli, email_text, errors, i18n, observability, templating
from .config import (
    Defaults,
    Production,
    base_url,
    check_production,
    environment_overrides,
    instance_secret_key,
    load_prefixed_settings,
    normalise_database_url,
    trusted_hosts,
)
from .extensions import CONTENT_SECURITY_POLICY, babel, bootstrap, csrf, db, limiter, login_manager, mail, migrate
from .services.accounts.users import user_for_session
from .services.directory import bulk_messages, import_jobs
from .services.market import interviews
from .services.matching import (
    offers_board,
    publication_emails,
    run_queue,
    scheduled_publication,
    student_outcomes,
    vacancy_emails,
)
from .services.messages import email_digest
from .services.notifications import digest
from .services.season import deadline_notices, reminders
from .services.summer import reminders as summer_reminders
from .services.support import job_status, jobs, outbox
from .templating import page_zone
from .views import (
    admin,
    auth,
    company,
    coordinator,
    dashboards,
    liaison,
    main,
    messages,
    notifications,
    runs,
    student,
    vacancy_host,
    vacancy_rounds,
    vacancy_student,
)

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent


def shipped(name: str) -> Path:
    """templates/ or migrations/: inside the package when installed from a wheel (pyproject.toml maps
    them there), at the top of the checkout otherwise."""
    inside = PACKAGE / name
    return inside if inside.is_dir() else ROOT / name


def default_instance_path() -> str | None:
    """SPRINT_INSTANCE_PATH, else the checkout's instance/; installed from a wheel, Flask's own choice
    (<prefix>/var/sprint-instance)."""
    if os.environ.get("SPRINT_INSTANCE_PATH"):
        return os.environ["SPRINT_INSTANCE_PATH"]
    return str(ROOT / "instance") if (ROOT / "pyproject.toml").exists() else None


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, instance/config.py (or the test dict), then the environment."""
    app = Flask(
        __name__,
        instance_path=default_instance_path(),
        instance_relative_config=True,
        template_folder=str(shipped("templates")),
    )
    production = os.environ.get("SPRINT_ENV") == "production"
    app.config.from_object(Production if production else Defaults)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(environment_overrides(os.environ))
        load_prefixed_settings(app.config, os.environ)
    else:
        app.config.update(test_config)
    _finish_config(app, production)
    observability.init_app(app)
    _trust_proxies(app)
    _init_extensions(app)
    _register_blueprints(app)
    access.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    i18n.init_app(app)
    email_text.init_app(app)
    cli.init_app(app)
    run_queue.init_app(app)
    jobs.init_app(
        app,
        [
            *jobs.JOBS,
            *outbox.JOBS,
            *run_queue.JOBS,
            *publication_emails.JOBS,
            *scheduled_publication.JOBS,
            *reminders.JOBS,
            *offers_board.JOBS,
            *student_outcomes.JOBS,
            *summer_reminders.JOBS,
            *vacancy_emails.JOBS,
            *import_jobs.JOBS,
            *interviews.JOBS,
            *email_digest.JOBS,
            *digest.JOBS,
            *deadline_notices.JOBS,
            *bulk_messages.JOBS,
        ],
    )
    job_status.record_failures(jobs.jobs_of(app))
    return app


def _finish_config(app: Flask, production: bool) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:////"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(Path(app.instance_path) / uri[10:])
    if production:
        check_production(app.config)
    elif not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    app.config["BASE_URL"] = base_url(app.config, production)
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config, production)
    app.config.setdefault("MAIL_FILE_PATH", str(Path(app.instance_path) / "outbox"))
    app.config.setdefault("UPLOAD_FOLDER", str(Path(app.instance_path) / "uploads"))


def _trust_proxies(app: Flask) -> None:
    """Behind N proxies, the client address and scheme are the ones the proxies report (ProxyFix);
    with none configured, forwarded headers are ignored, so nobody can pick their own address."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(shipped("migrations")))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please log in to see that page.")
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    mail.init_app(app)
    bootstrap.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=lambda: page_zone().key,
        default_translation_directories=str(PACKAGE / "translations"),
    )
    limiter.init_app(app)
    Talisman(  # one per app: Talisman keeps its settings on the instance
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src"],
        frame_options="DENY",
        referrer_policy="same-origin",
    )
    login_manager.user_loader(user_for_session)  # the session cookie and the remember cookie alike


def _register_blueprints(app: Flask) -> None:
    for module in (
        main,
        auth,
        student,
        company,
        coordinator,
        runs,
        admin,
        dashboards,
        liaison,
        vacancy_rounds,
        vacancy_student,
        vacancy_host,
        notifications,
    ):
        app.register_blueprint(module.bp)
    for blueprint in messages.BLUEPRINTS:
        app.register_blueprint(blueprint)
