"""Email through the configured backend (files in instance/outbox in development, SMTP in production)."""

from __future__ import annotations

from flask import render_template
from flask_mailman import EmailMessage

from ..models import Program
from .local_time import zone_of


def send_email(to: str | list[str], subject: str, template: str, *, program: Program | None, **context) -> None:
    """Render templates/email/<template>.txt and send it as plain text.

    `program` is the one the email is about: its time zone renders every date (`|when`), with no
    request needed, so background jobs send the same text as pages do."""
    recipients = [to] if isinstance(to, str) else list(to)
    body = render_template(f"email/{template}.txt", program=program, time_zone=zone_of(program), **context)
    EmailMessage(subject=f"[SPRINT] {subject}", body=body, to=recipients).send()
