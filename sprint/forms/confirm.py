"""The second step of every irreversible action: a page that says what will happen, an optional reason,
and a confirming button. A POST without that button's value (an old one-tap form, a stray script)
confirms nothing: the view shows the confirmation page instead."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from . import Form
from .coordinator import LocalDateTimeField

REASON_MAX = 500


class ButtonForm(Form):
    """A confirmation with nothing to fill in (accepting an offer): only its confirming button acts."""

    confirm = SubmitField(_l("Confirm"))

    @property
    def confirmed(self) -> bool:
        """Submitted with the confirming button, and valid."""
        return self.validate_on_submit() and bool(self.confirm.data)


class ConfirmForm(ButtonForm):  # Form refuses control characters in the reason, as in every field
    reason = TextAreaField(
        _l("Reason (optional)"),
        validators=[Optional(), Length(max=REASON_MAX)],
        description=_l("Your program coordinator sees it."),
    )


class StaffConfirmForm(ConfirmForm):
    reason = TextAreaField(
        "Reason (optional)",
        validators=[Optional(), Length(max=REASON_MAX)],
        description="Kept in the audit log with this change.",
    )


class PhaseForm(StaffConfirmForm):
    target = HiddenField(validators=[DataRequired()])


class PublishForm(StaffConfirmForm):
    unstable_ok = BooleanField("Publish anyway: I have read the blocking pairs above and accept them")


class SchedulePublicationForm(PublishForm):
    """Publish later: the same reason and "publish anyway", and when (typed in the program's zone)."""

    publish_at = LocalDateTimeField(
        "Publish at ({zone})", validators=[InputRequired(message="Choose the date and time to publish.")]
    )
    reason = TextAreaField(
        "Reason (optional)",
        validators=[Optional(), Length(max=300)],
        description="Kept in the audit log with the publication.",
    )
    confirm = SubmitField("Schedule publication")
