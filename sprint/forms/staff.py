"""Forms for coordinators and admins: invitations and programs."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from ..models import CollegeKind
from ..services.support import local_time
from . import Form, options


class InviteForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField("Role", choices=options([("host", "Host company member"), ("coordinator", "Coordinator")]))
    host = SelectField(
        "Host company", coerce=int, validators=[Optional()], description="Needed when inviting a host company member."
    )
    host_role = SelectField(
        "Role at the company", choices=options([("owner", "Owner (manages the team)"), ("member", "Member")])
    )


def _time_zone_field() -> SelectField:
    return SelectField(
        "Time zone",
        default=local_time.DEFAULT_ZONE,
        choices=options((name, name.replace("_", " ")) for name in local_time.zone_names()),
        description="Every date and time the program's people read or type is in this zone.",
    )


class MoveStudentForm(Form):
    email = EmailField("Student's email", validators=[DataRequired(), Email(), Length(max=254)])
    program = SelectField("Move to", coerce=int, validators=[DataRequired()])


class TimeZoneForm(Form):
    time_zone = _time_zone_field()


class ProgramForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        "Short name",
        description="Lower-case letters, digits and dashes, e.g. sprint.",
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^[a-z0-9-]+$", message="Use lower-case letters, digits and dashes."),
        ],
    )
    region = StringField("Region", validators=[Optional(), Length(max=120)])
    contact_email = EmailField("Contact email", validators=[Optional(), Email(), Length(max=254)])
    time_zone = _time_zone_field()


class DirectorySearchForm(Form):
    """The search box of a directory list (a GET form that changes nothing)."""

    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=100)])
    unconfirmed = BooleanField("Only colleges to confirm")


class CollegeForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=options([(kind.value, kind.label) for kind in CollegeKind]))
    confirmed = BooleanField("Confirmed (a real college, spelled right)")
