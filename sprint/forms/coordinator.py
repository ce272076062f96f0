"""Forms for the coordinator's season set-up: seasons, dates, phases, directories, imports."""

from __future__ import annotations

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

from ..models import ExpiredOffers, ExtensionKind, HostSize
from ..services.support import local_time
from . import Form, options


class LocalDateTimeField(DateTimeLocalField):
    """A date and time typed in the program's time zone (the form's `meta={"zone": ...}`).

    `.data` is the stored instant (naive UTC) both ways: a saved value is shown back in local
    time, and what is typed is converted by `local_time.to_utc`, the one place that does it.
    "{zone}" in the label becomes the zone's short name ("Publish at ({zone})": "Publish at (ET)")."""

    def __init__(self, label: str, validators=None, **kwargs) -> None:
        super().__init__(label, validators or [Optional()], format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], **kwargs)
        self.zone = getattr(self.meta, "zone", None) or local_time.zone(None)
        self.label.text = self.label.text.replace("{zone}", local_time.zone_abbreviation(self.zone))
        self.description = f"Date and time in {local_time.zone_label(self.zone)}; daylight saving is handled."

    def process_formdata(self, valuelist) -> None:
        super().process_formdata(valuelist)
        if self.data is not None:
            self.data = local_time.to_utc(self.data, self.zone)  # a skipped hour raises ValueError

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return local_time.to_local(self.data, self.zone).strftime("%Y-%m-%dT%H:%M") if self.data else ""


def _date_field(label: str) -> LocalDateTimeField:
    """An optional local date and time (named here: the forms add their plain-text check to the list,
    which would otherwise take the place of the default Optional and refuse an empty box)."""
    return LocalDateTimeField(label, validators=[Optional()])


DATE_FIELDS = (
    "applications_open_at",
    "applications_close_at",
    "ranking_close_at",
    "match_published_at",
    "offer_deadline_at",
)


def dates_of(form: Form) -> dict:
    """The phase dates a season form holds, by column name."""
    return {name: form[name].data for name in DATE_FIELDS}


class SeasonDatesForm(Form):
    applications_open_at = _date_field("Applications open")
    applications_close_at = _date_field("Applications close")
    ranking_close_at = _date_field("Ranking closes")
    match_published_at = _date_field("Match publication")
    offer_deadline_at = _date_field("Offer deadline")
    expired_offers = SelectField(
        "An offer still unanswered at its deadline",
        choices=options([(choice.value, choice.label) for choice in ExpiredOffers]),
        validators=[DataRequired()],
        description="The deadline is the student's own: an extension you grant moves it later.",
    )


class SeasonForm(Form):
    year = IntegerField("Year", validators=[InputRequired(), NumberRange(2000, 2100)])
    name = StringField("Name", validators=[DataRequired(), Length(max=80)], description='e.g. "Summer 2028".')
    applications_open_at = _date_field("Applications open")
    applications_close_at = _date_field("Applications close")
    ranking_close_at = _date_field("Ranking closes")
    match_published_at = _date_field("Match publication")
    offer_deadline_at = _date_field("Offer deadline")
    copy_positions = BooleanField(
        "Copy last year's positions as drafts",
        description="Same hosts, dates moved by a year, skills copied; hosts review and open them.",
    )


class PhaseForm(Form):
    target = HiddenField(validators=[DataRequired()])


class NewHostForm(Form):
    name = StringField("Company name", validators=[DataRequired(), Length(max=200)])
    sector = StringField("Sector", validators=[Optional(), Length(max=120)])
    site_town = StringField("Site town", validators=[Optional(), Length(max=120)])
    size = SelectField(
        "Size",
        choices=options(
            [
                (HostSize.SMALL, "Small (under 50 staff)"),
                (HostSize.MEDIUM, "Medium (50 to 499)"),
                (HostSize.LARGE, "Large (500 and over)"),
            ]
        ),
    )
    owner_email = EmailField(
        "First owner's email",
        validators=[DataRequired(), Email(), Length(max=254)],
        description="We email them an invitation to set up the company's team.",
    )


class ExtensionForm(Form):
    email = EmailField(
        "Person's email",
        validators=[DataRequired(), Email(), Length(max=254)],
        description="A student or host member of your program.",
    )
    kind = SelectField(
        "Deadline",
        choices=options(
            [
                (ExtensionKind.APPLICATIONS, "Applications"),
                (ExtensionKind.RANKING, "Ranking"),
                (ExtensionKind.OFFER, "Offer response"),
            ]
        ),
    )
    until = LocalDateTimeField("New deadline", validators=[InputRequired(message="Choose the new deadline.")])
    reason = TextAreaField(
        "Reason", validators=[DataRequired(), Length(max=1000)], description="Kept on record with the extension."
    )


IMPORT_KINDS = (
    ("colleges", "Colleges"),
    ("hosts", "Host companies"),
    ("positions", "Positions"),
    ("students", "Students"),
    ("outcomes", "Outcomes of internships (hired, return offers...)"),
)


class ImportForm(Form):
    has_file = True  # render_form then sends the form as multipart/form-data

    kind = SelectField("What the file holds", choices=options(IMPORT_KINDS))
    season = SelectField("Season (for positions)", coerce=int, default=0, validate_choice=False)
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to upload.")])

    def validate_season(self, field: SelectField) -> None:
        if self.kind.data == "positions" and not field.data:
            raise ValidationError("Choose the season to import the positions into.")


class ImportConfirmForm(Form):
    payload = HiddenField(validators=[DataRequired()])


class BulkMessageForm(Form):
    """A message to a segment of the season: who, the subject (one line) and the plain-text body."""

    segment = SelectField("Send to", choices=[])
    college_id = SelectField("College (for “Students of one college”)", choices=[], coerce=int, validate_choice=False)
    subject = StringField("Subject", validators=[DataRequired(), Length(max=150)])
    body = TextAreaField("Message", validators=[DataRequired(), Length(max=5000)], render_kw={"rows": 8})
    required = BooleanField(
        "Required: email it to everyone, whatever they chose for coordinator messages",
    )
    token = HiddenField()
