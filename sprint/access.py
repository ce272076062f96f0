"""Who may see what: role guards for blueprints and program scoping."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask, Response, abort, request
from flask_login import current_user

from .extensions import login_manager
from .models import Role


def role_required(*roles: Role) -> Callable:
    """Send anonymous users to log in (and back); refuse other roles with 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def same_program(user, record_program_id: int | None) -> bool:
    """Coordinators and hosts see only their own program's records; admins see all."""
    return user.role == Role.ADMIN or (record_program_id is not None and user.program_id == record_program_id)


STATIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})


def init_app(app: Flask) -> None:
    @app.after_request
    def no_store(response: Response) -> Response:
        """Pages carry personal data (a profile, a résumé, a rank list, an invitation's email), so no
        browser or proxy cache keeps them: the next person at a shared computer cannot page Back
        into them. Only the static files (CSS, scripts, Bootstrap) may be cached."""
        if request.endpoint not in STATIC_ENDPOINTS:
            response.headers["Cache-Control"] = "no-store"
        return response
