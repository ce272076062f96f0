"""Forms for interviews: a host's slots (one, or a weekly series), its cut-off; a student's booking."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import InterviewFormat
from . import WEB_LINK, Form, options

WEEKDAY_CHOICES = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


class _When(Form):  # declared first: wtforms shows fields in the order they were created
    day = DateField("Day", validators=[InputRequired()])
    start = TimeField("Start time", validators=[InputRequired()])


class _Series(Form):
    first_day = DateField("From", validators=[InputRequired()])
    last_day = DateField("Until", validators=[InputRequired()])
    weekdays = SelectMultipleField(
        "Weekdays",
        coerce=int,
        choices=options(WEEKDAY_CHOICES),
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    window_start = TimeField("Window starts", validators=[InputRequired()])
    window_end = TimeField("Window ends", validators=[InputRequired()])

    # the series' own rules, shown with the other fields' errors at once (the service checks them too)
    def validate_last_day(self, field) -> None:
        if self.first_day.data and field.data and field.data < self.first_day.data:
            raise ValidationError("The series' last day comes before its first.")

    def validate_weekdays(self, field) -> None:
        if not field.data:
            raise ValidationError("Choose at least one weekday.")

    def validate_window_end(self, field) -> None:
        if self.window_start.data and field.data and field.data <= self.window_start.data:
            raise ValidationError("The window's end must come after its start.")


class _Details(Form):
    minutes = IntegerField("Length (minutes)", default=30, validators=[InputRequired(), NumberRange(10, 240)])
    format = SelectField(
        "Format",
        choices=options([(f.value, f.label) for f in InterviewFormat]),
        default=InterviewFormat.VIDEO.value,
    )
    address = StringField("Address (on site)", validators=[Length(max=300)])  # checked by format below
    link = StringField("Video link (https://…)", validators=[Length(max=500)])
    interviewer = StringField("Interviewer", validators=[Optional(), Length(max=120)])

    def validate_address(self, field) -> None:
        if self.format.data == InterviewFormat.ONSITE and not (field.data or "").strip():
            raise ValidationError("Give the address of an on-site interview.")

    def validate_link(self, field) -> None:
        if self.format.data == InterviewFormat.VIDEO and not WEB_LINK.fullmatch((field.data or "").strip()):
            raise ValidationError("Give the video call's link, starting with https:// (or http://).")


class SlotForm(_When, _Details):
    """One slot: a day and a start time in the program's zone, and its details."""


class SeriesForm(_Series, _Details):
    """A weekly series: weekdays between two dates, back-to-back slots within a daily window."""


class CutoffForm(Form):
    hours = IntegerField(
        "Students may move or decline until (hours before)", validators=[InputRequired(), NumberRange(0, 336)]
    )


class BookForm(Form):
    slot = IntegerField(_l("Time"), validators=[InputRequired(message=_l("Choose a time."))])


class MarkForm(Form):
    outcome = SelectField(
        "Outcome", choices=options([("done", "Done"), ("no_show", "No-show"), ("cancelled", "Cancel invitation")])
    )
