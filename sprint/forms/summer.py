"""Forms of the summer: confirming a start and an end, a coordinator's correction, the check-in,
the host's evaluation and the intern's survey (the services check statuses, dates and windows)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..models import EndReason, PlacementStatus
from . import Form, options

ONE_TO_FIVE = options([(5, _l("5, excellent")), (4, "4"), (3, "3"), (2, "2"), (1, _l("1, poor"))])
END_REASONS = options([("", _l("(only when ended early)")), *((reason.value, reason.label) for reason in EndReason)])
ENDINGS = options(
    [(PlacementStatus.COMPLETED.value, _l("Completed")), (PlacementStatus.ENDED_EARLY.value, _l("Ended early"))]
)
SUMMER_STATUSES = options(
    [
        (PlacementStatus.ACCEPTED.value, _l("Accepted, not started")),
        (PlacementStatus.STARTED.value, _l("Started")),
        (PlacementStatus.COMPLETED.value, _l("Completed")),
        (PlacementStatus.ENDED_EARLY.value, _l("Ended early")),
    ]
)
HOURS = (Optional(), NumberRange(min=0, max=3000, message=_l("Between 0 and 3000 hours.")))


def _scale(label: str) -> SelectField:
    return SelectField(label, choices=ONE_TO_FIVE, coerce=int, validators=[InputRequired()])


class StartForm(Form):
    started_on = DateField(_l("Start date"), validators=[DataRequired()])


class EndForm(Form):
    outcome = SelectField(_l("How it ended"), choices=ENDINGS, validators=[DataRequired()])
    ended_on = DateField(_l("Last day"), validators=[DataRequired()])
    hours_worked = IntegerField(_l("Hours worked in all (optional)"), validators=HOURS)
    end_reason = SelectField(_l("If ended early: why"), choices=END_REASONS, validators=[Optional()])
    end_detail = StringField(_l("In a few words"), validators=[Optional(), Length(max=300)])


class CorrectSummerForm(Form):
    status = SelectField(_l("Status"), choices=SUMMER_STATUSES, validators=[DataRequired()])
    started_on = DateField(_l("Start date"), validators=[Optional()])
    ended_on = DateField(_l("End date"), validators=[Optional()])
    hours_worked = IntegerField(_l("Hours worked (optional)"), validators=HOURS)
    end_reason = SelectField(_l("If ended early: why"), choices=END_REASONS, validators=[Optional()])
    end_detail = StringField(_l("In a few words"), validators=[Optional(), Length(max=300)])
    why = StringField(_l("Why you are correcting it"), validators=[DataRequired(), Length(max=300)])


class CheckInForm(Form):
    going = _scale(_l("How is it going?"))
    note = TextAreaField(
        _l("Anything the coordinator should know (optional)"), validators=[Optional(), Length(max=2000)]
    )
    wants_call = BooleanField(_l("I would like a call from the program's coordinator"))


class EvaluationForm(Form):
    skills = StringField(
        _l("Skills the intern demonstrated"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Separated by commas, as on profiles and positions (e.g. pipetting, excel)."),
    )
    rating = _scale(_l("Overall rating"))
    comments = TextAreaField(_l("Comments (optional)"), validators=[Optional(), Length(max=2000)])
    share = BooleanField(_l("Share this evaluation with the student"))


class SurveyForm(Form):
    pay_benefits = _scale(_l("Pay and benefits"))
    mentorship = _scale(_l("Mentorship"))
    schedule = _scale(_l("Schedule"))
    safety = _scale(_l("Safety"))
    learning = _scale(_l("What you learned"))
    would_recommend = RadioField(
        _l("Would you recommend this internship to another student?"),
        choices=options([("yes", _l("Yes")), ("no", _l("No"))]),
        validators=[InputRequired()],
    )
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=2000)])
