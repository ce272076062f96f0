"""The text of emails: templates/email/<name>.txt, rendered by the app's Jinja with its filters.

Web side (it knows the templates); services send through `services.support.notify.send_email`,
which asks the app for this renderer (`init_app` registers it), so no service renders a template.
"""

from __future__ import annotations

from flask import Flask, current_app


def render_email(template: str, **context) -> str:
    """The template with the app's filters and globals, without the page context (no request, no
    current user: a publication renders thousands of these in one request)."""
    return current_app.jinja_env.get_template(f"email/{template}.txt").render(**context)


def init_app(app: Flask) -> None:
    app.extensions["sprint.render_email"] = render_email  # what notify.send_email calls
