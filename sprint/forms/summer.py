"""Forms of the summer: confirming a start and an end, a coordinator's correction, the check-in,
the host's evaluation and the intern's survey (the services check statuses, dates and windows)."""

from __future__ import annotations

from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..models import EndReason, PlacementStatus
from . import Form, options

ONE_TO_FIVE = options([(5, "5, excellent"), (4, "4"), (3, "3"), (2, "2"), (1, "1, poor")])
END_REASONS = options([("", "(only when ended early)"), *((reason.value, reason.label) for reason in EndReason)])
ENDINGS = options([(PlacementStatus.COMPLETED.value, "Completed"), (PlacementStatus.ENDED_EARLY.value, "Ended early")])
SUMMER_STATUSES = options(
    [
        (PlacementStatus.ACCEPTED.value, "Accepted, not started"),
        (PlacementStatus.STARTED.value, "Started"),
        (PlacementStatus.COMPLETED.value, "Completed"),
        (PlacementStatus.ENDED_EARLY.value, "Ended early"),
    ]
)
HOURS = (Optional(), NumberRange(min=0, max=3000, message="Between 0 and 3000 hours."))


def _scale(label: str) -> SelectField:
    return SelectField(label, choices=ONE_TO_FIVE, coerce=int, validators=[InputRequired()])


class StartForm(Form):
    started_on = DateField("Start date", validators=[DataRequired()])


class EndForm(Form):
    outcome = SelectField("How it ended", choices=ENDINGS, validators=[DataRequired()])
    ended_on = DateField("Last day", validators=[DataRequired()])
    hours_worked = IntegerField("Hours worked in all (optional)", validators=HOURS)
    end_reason = SelectField("If ended early: why", choices=END_REASONS, validators=[Optional()])
    end_detail = StringField("In a few words", validators=[Optional(), Length(max=300)])


class CorrectSummerForm(Form):
    status = SelectField("Status", choices=SUMMER_STATUSES, validators=[DataRequired()])
    started_on = DateField("Start date", validators=[Optional()])
    ended_on = DateField("End date", validators=[Optional()])
    hours_worked = IntegerField("Hours worked (optional)", validators=HOURS)
    end_reason = SelectField("If ended early: why", choices=END_REASONS, validators=[Optional()])
    end_detail = StringField("In a few words", validators=[Optional(), Length(max=300)])
    why = StringField("Why you are correcting it", validators=[DataRequired(), Length(max=300)])


class CheckInForm(Form):
    going = _scale("How is it going?")
    note = TextAreaField("Anything the coordinator should know (optional)", validators=[Optional(), Length(max=2000)])
    wants_call = BooleanField("I would like a call from the program's coordinator")


class EvaluationForm(Form):
    skills = StringField(
        "Skills the intern demonstrated",
        validators=[Optional(), Length(max=2000)],
        description="Separated by commas, as on profiles and positions (e.g. pipetting, excel).",
    )
    rating = _scale("Overall rating")
    comments = TextAreaField("Comments (optional)", validators=[Optional(), Length(max=2000)])
    share = BooleanField("Share this evaluation with the student")


class SurveyForm(Form):
    pay_benefits = _scale("Pay and benefits")
    mentorship = _scale("Mentorship")
    schedule = _scale("Schedule")
    safety = _scale("Safety")
    learning = _scale("What you learned")
    would_recommend = RadioField(
        "Would you recommend this internship to another student?",
        choices=options([("yes", "Yes"), ("no", "No")]),
        validators=[InputRequired()],
    )
    comment = TextAreaField("Comment (optional)", validators=[Optional(), Length(max=2000)])
