"""Email through the configured backend (files in instance/outbox in development, SMTP in production)."""

from __future__ import annotations

from flask import render_template
from flask_mailman import EmailMessage


def send_email(to: str | list[str], subject: str, template: str, **context) -> None:
    """Render templates/email/<template>.txt and send it as plain text."""
    recipients = [to] if isinstance(to, str) else list(to)
    body = render_template(f"email/{template}.txt", **context)
    EmailMessage(subject=f"[SPRINT] {subject}", body=body, to=recipients).send()
