"""Forms for the coordinator's season set-up: seasons, dates, phases, directories, imports."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..models import CollegeKind, ExtensionKind, HostSize
from . import options

DATE_HELP = "Date and time in UTC."


def _date_field(label: str) -> DateTimeLocalField:
    return DateTimeLocalField(label, validators=[Optional()], description=DATE_HELP,
                              format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])


DATE_FIELDS = ("applications_open_at", "applications_close_at", "ranking_close_at", "match_published_at",
               "offer_deadline_at")


def dates_of(form: FlaskForm) -> dict:
    """The phase dates a cycle form holds, by column name."""
    return {name: form[name].data for name in DATE_FIELDS}


class CycleDatesForm(FlaskForm):
    applications_open_at = _date_field("Applications open")
    applications_close_at = _date_field("Applications close")
    ranking_close_at = _date_field("Ranking closes")
    match_published_at = _date_field("Match publication")
    offer_deadline_at = _date_field("Offer deadline")


class CycleForm(FlaskForm):
    year = IntegerField("Year", validators=[InputRequired(), NumberRange(2000, 2100)])
    name = StringField("Name", validators=[DataRequired(), Length(max=80)], description='e.g. "Summer 2028".')
    applications_open_at = _date_field("Applications open")
    applications_close_at = _date_field("Applications close")
    ranking_close_at = _date_field("Ranking closes")
    match_published_at = _date_field("Match publication")
    offer_deadline_at = _date_field("Offer deadline")
    copy_positions = BooleanField("Copy last year's positions as drafts",
                                  description="Same hosts, dates moved by a year, skills copied; "
                                              "hosts review and open them.")


class CollegeForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=options([(kind.value, kind.label) for kind in CollegeKind]))
    confirmed = BooleanField("Confirmed (a real college, spelled right)")


class NewHostForm(FlaskForm):
    name = StringField("Company name", validators=[DataRequired(), Length(max=200)])
    sector = StringField("Sector", validators=[Optional(), Length(max=120)])
    site_town = StringField("Site town", validators=[Optional(), Length(max=120)])
    size = SelectField("Size", choices=options([(HostSize.SMALL, "Small (under 50 staff)"),
                                                (HostSize.MEDIUM, "Medium (50 to 499)"),
                                                (HostSize.LARGE, "Large (500 and over)")]))
    owner_email = EmailField("First owner's email", validators=[DataRequired(), Email(), Length(max=254)],
                             description="We email them an invitation to set up the company's team.")


class ExtensionForm(FlaskForm):
    email = EmailField("Person's email", validators=[DataRequired(), Email(), Length(max=254)],
                       description="A student or host member of your program.")
    kind = SelectField("Deadline", choices=options([(ExtensionKind.APPLICATIONS, "Applications"),
                                                    (ExtensionKind.RANKING, "Ranking"),
                                                    (ExtensionKind.OFFER, "Offer response")]))
    until = DateTimeLocalField("New deadline", validators=[InputRequired(message="Choose the new deadline.")],
                               description=DATE_HELP, format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=1000)],
                           description="Kept on record with the extension.")


IMPORT_KINDS = (("colleges", "Colleges"), ("hosts", "Host companies"), ("positions", "Positions"),
                ("students", "Students"))


class ImportForm(FlaskForm):
    has_file = True  # render_form then sends the form as multipart/form-data

    kind = SelectField("What the file holds", choices=options(IMPORT_KINDS))
    cycle = SelectField("Season (for positions)", coerce=int, default=0, validate_choice=False)
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to upload.")])

    def validate_cycle(self, field: SelectField) -> None:
        if self.kind.data == "positions" and not field.data:
            raise ValidationError("Choose the season to import the positions into.")


class ImportConfirmForm(FlaskForm):
    payload = HiddenField(validators=[DataRequired()])
