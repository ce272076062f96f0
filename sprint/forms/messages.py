"""Forms for messages between a host's team and an applicant, and the coordinators' thread list."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from . import Form, options

MESSAGE_MAX = 5000  # the service's limit too (sprint/services/messages/threads.py)


class MessageForm(Form):
    body = TextAreaField(
        _l("Your message"),
        validators=[
            DataRequired(message=_l("Write a message first: an empty one cannot be sent.")),
            Length(max=MESSAGE_MAX, message=_l("A message can be at most %(max)d characters.")),
        ],
        description=_l("Plain text only, at most 5,000 characters. No attachments."),
        render_kw={"rows": 4, "maxlength": MESSAGE_MAX},
    )


class CloseThreadForm(Form):
    reason = TextAreaField(
        "Reason for closing",
        validators=[DataRequired(message="Say why the conversation is closed."), Length(max=500)],
        description="Both sides see that the conversation was closed; the reason is kept in the audit log.",
    )


STATUSES = [("", "Open and closed"), ("open", "Open"), ("closed", "Closed")]


class ThreadFilterForm(Form):
    class Meta:
        csrf = False  # a GET filter changes nothing

    season = SelectField("Season", coerce=int, validators=[Optional()])
    host = SelectField("Host", coerce=int, validators=[Optional()])
    status = SelectField("Status", choices=options(STATUSES), validators=[Optional()])
    page = IntegerField(validators=[Optional()])
