"""The text of emails: templates/email/<name>.txt, rendered by the app's Jinja with its filters.

Web side (it knows the templates); services send through `services.support.notify.send_email`,
which asks the app for this renderer (`init_app` registers it), so no service renders a template.
"""

from __future__ import annotations

from flask import Flask, render_template


def render_email(template: str, **context) -> str:
    return render_template(f"email/{template}.txt", **context)


def init_app(app: Flask) -> None:
    app.extensions["sprint.render_email"] = render_email  # what notify.send_email calls
