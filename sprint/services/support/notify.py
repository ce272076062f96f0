"""Emails: rendered now, written to the outbox in the caller's transaction, sent by jobs.

`send_email` renders the message and adds one outbox row per recipient to the caller's session:
the rows are inserted when the caller commits its work (and sent only then, by the
`support.send_outbox` job; see outbox.py), so work that is rolled back sends nothing, and a mail
server outage never slows a request or undoes its work. A caller whose use case writes nothing
else commits after calling it. Subjects are built from names people typed, so they are flattened
to one line first. Services say what is sent and when; the text comes from the renderer the app
registered (`sprint.email_text`, on the web side), so no service renders a template itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from flask import current_app
from flask_babel import force_locale

from ...models import Program
from .local_time import DEFAULT_LOCALE, zone_of
from .outbox import queue_email
from .plain_text import one_line


def send_email(
    to: str | list[str],
    subject: str,
    template: str,
    *,
    program: Program | None,
    attachment: tuple[str, str] | None = None,
    locale: str | None = None,
    **context,
) -> bool:
    """Render the app's email <template> as plain text and queue it for each recipient; False if it
    could not be rendered (logged: the caller's work goes on).

    `program` is the one the email is about: its time zone renders every date (`|when`), with no
    request needed, so background jobs send the same text as pages do. `attachment` (file name,
    text) goes with every copy (an interview's .ics). `locale` is the recipient's saved language
    (User.locale; None: English), whatever the language of the page that sent it; a lazy_gettext
    subject is translated in it too."""
    recipients = [to] if isinstance(to, str) else list(to)
    try:
        render = current_app.extensions["sprint.render_email"]
        with force_locale(locale or DEFAULT_LOCALE):
            body = render(template, program=program, time_zone=zone_of(program), **context)
            subject = str(subject)
    except Exception:  # noqa: BLE001 - a message that cannot be rendered is logged and the caller goes on
        current_app.logger.exception("Email %r to %s could not be rendered", template, ", ".join(recipients))
        return False
    title = one_line(f"[SPRINT] {subject}")[:300]
    for recipient in recipients:
        queue_email(recipient, title, template, body, program.id if program is not None else None, attachment)
    return True


def send_emails_merged(
    messages: list[tuple[str, dict[str, str]]],
    subject: str,
    template: str,
    *,
    program: Program | None,
    context: Callable[[dict[str, str]], dict],
) -> int:
    """`send_email` for many recipients of one template whose messages differ only by a few strings
    (a mail merge): `messages` are (recipient, {name: text}), `context(values)` builds the template's
    context from them. The template is rendered once with a marker in place of each text and every
    message is that text with its own values put back, so 50,000 welcome emails do not cost 50,000
    renders. Every value must appear in the text: if a marker does not come out of the template as it
    went in (a filter changed it, or the template does not use it), every message is rendered on its
    own instead, and a warning says so. Returns how many were queued."""
    if not messages:
        return 0
    markers = {name: f"@@{name}-{secrets.token_hex(8)}@@" for name in messages[0][1]}
    try:
        render = current_app.extensions["sprint.render_email"]
        with force_locale(DEFAULT_LOCALE):  # a merge goes to many people: the English text
            body = render(template, program=program, time_zone=zone_of(program), **context(markers))
    except Exception:  # noqa: BLE001 - as send_email: logged, the caller goes on
        current_app.logger.exception("Email %r could not be rendered", template)
        return 0
    if not all(marker in body for marker in markers.values()):
        current_app.logger.warning("Email %r cannot be merged; rendering each of %s", template, len(messages))
        return sum(send_email(to, subject, template, program=program, **context(values)) for to, values in messages)
    title = one_line(f"[SPRINT] {subject}")[:300]
    program_id = program.id if program is not None else None
    for recipient, values in messages:
        text = body
        for name, marker in markers.items():
            text = text.replace(marker, values[name])
        queue_email(recipient, title, template, text, program_id)
    return len(messages)
