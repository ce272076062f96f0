"""Email through the configured backend (files in instance/outbox in development, SMTP in production).

Emails are sent after the work is committed, and one that cannot be sent (a mail server outage, an
address the server refuses) is logged, never raised: it must not undo the work or stop the rest
of a batch. Subjects are built from names people typed, so they are flattened to one line first.
Services say what is sent and when; the text comes from the renderer the app registered
(`sprint.email_text`, on the web side), so no service renders a template itself.
"""

from __future__ import annotations

from flask import current_app
from flask_mailman import EmailMessage

from ...models import Program
from .local_time import zone_of
from .plain_text import one_line


def send_email(to: str | list[str], subject: str, template: str, *, program: Program | None, **context) -> bool:
    """Render the app's email <template> and send it as plain text; False if it was not sent.

    `program` is the one the email is about: its time zone renders every date (`|when`), with no
    request needed, so background jobs send the same text as pages do."""
    recipients = [to] if isinstance(to, str) else list(to)
    try:
        render = current_app.extensions["sprint.render_email"]
        body = render(template, program=program, time_zone=zone_of(program), **context)
        EmailMessage(subject=one_line(f"[SPRINT] {subject}"), body=body, to=recipients).send()
    except Exception:  # noqa: BLE001 - any failure of one message is logged and the caller goes on
        current_app.logger.exception("Email %r to %s was not sent", template, ", ".join(recipients))
        return False
    return True
