"""Forms of vacancy rounds: the coordinator's round settings, a student's application with its note."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from . import Form
from .coordinator import LocalDateTimeField


class VacancyRoundForm(Form):
    opens_at = LocalDateTimeField(
        "Applications open ({zone})", validators=[InputRequired(message="Choose when applications open.")]
    )
    closes_at = LocalDateTimeField(
        "Applications and host rankings close ({zone})",
        validators=[InputRequired(message="Choose when the window closes.")],
    )
    max_applications = IntegerField(
        "Applications per student",
        default=3,
        validators=[InputRequired(), NumberRange(min=1, max=20)],
        description="The most positions one student may apply to in this round (1 to 20).",
    )
    include_declined = BooleanField(
        "Students who declined an offer (or let it expire) may take part",
        description="Students with a live placement (offered, accepted) never take part.",
    )
    offer_hours = IntegerField(
        "Hours to answer an offer",
        default=48,
        validators=[InputRequired(), NumberRange(min=1, max=720)],
        description="The round's offers are due this many hours after its publication.",
    )


class VacancyApplyForm(Form):
    note = TextAreaField(
        _l("Note to the host (optional)"),
        validators=[Optional(), Length(max=1000)],
        description=_l("A line or two on why this position; the host sees it with your profile and résumé."),
    )
