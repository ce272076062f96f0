"""Forms for students: profile, résumé, position search, applying and ranking."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from ..models import WorkMode
from . import AmountField, Form, options

YES_NO_UNSAID = options([("", _l("Prefer not to say")), ("yes", _l("Yes")), ("no", _l("No"))])
GENDERS = options(
    [
        ("", _l("Prefer not to say")),
        ("Woman", _l("Woman")),
        ("Man", _l("Man")),
        ("Non-binary", _l("Non-binary")),
        ("Self-described", _l("I describe myself another way")),
    ]
)
RACE_ETHNICITY = options(  # the stored value stays English; the label is in the page's language
    [
        ("American Indian or Alaska Native", _l("American Indian or Alaska Native")),
        ("Asian", _l("Asian")),
        ("Black or African American", _l("Black or African American")),
        ("Hispanic or Latino", _l("Hispanic or Latino")),
        ("Middle Eastern or North African", _l("Middle Eastern or North African")),
        ("Native Hawaiian or Pacific Islander", _l("Native Hawaiian or Pacific Islander")),
        ("White", _l("White")),
    ]
)
WORK_MODES = options(
    [
        ("", _l("Any")),
        (WorkMode.ONSITE, _l("On site")),
        (WorkMode.HYBRID, _l("Hybrid")),
        (WorkMode.REMOTE, _l("Remote")),
    ]
)


class ProfileForm(Form):
    college = SelectField(
        _l("College"),
        coerce=int,
        validators=[Optional()],
        description=_l("Choose your college. Not listed? Leave this and type it below."),
    )
    other_college = StringField(
        _l("College not in the list"),
        validators=[Optional(), Length(max=200)],
        description=_l("A coordinator will confirm it."),
    )
    other_college_state = StringField(
        _l("Its state (two letters)"),
        validators=[Optional(), Regexp(r"^[A-Za-z]{2}$", message=_l("Use the two-letter state code, e.g. CT."))],
    )
    major = StringField(_l("Major or program of study"), validators=[DataRequired(), Length(max=120)])
    class_year = IntegerField(_l("Expected graduation year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    skills = StringField(
        _l("Skills"),
        validators=[Optional(), Length(max=600)],
        description=_l(
            "Separate skills with commas, e.g. cell culture, Python, Excel. "
            "Hosts see these first: skills count more than degrees here."
        ),
    )
    phone = TelField(
        _l("Phone"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9+()\-. ]*$", message=_l("Use digits, spaces and + ( ) - only.")),
        ],
    )
    home_town = StringField(_l("Home town"), validators=[Optional(), Length(max=120)])
    work_authorized = BooleanField(_l("I am authorized to work in the United States this summer"))
    age_confirmed = BooleanField(_l("I will be 18 or older when the internship starts"))
    first_generation = SelectField(_l("First in my family to attend college"), choices=YES_NO_UNSAID, default="")
    pell_eligible = SelectField(_l("Eligible for a Pell grant"), choices=YES_NO_UNSAID, default="")
    cc_transfer = SelectField(_l("Transferred from a community college"), choices=YES_NO_UNSAID, default="")
    gender = SelectField(_l("Gender"), choices=GENDERS, default="")
    race_ethnicity = SelectMultipleField(
        _l("Race and ethnicity (choose any)"), choices=RACE_ETHNICITY, validators=[Optional()]
    )

    self_id_fields = ("first_generation", "pell_eligible", "cc_transfer", "gender", "race_ethnicity")


class ResumeForm(Form):
    resume = FileField(_l("Résumé (PDF, at most 5 MB)"), validators=[FileRequired(_l("Choose a PDF file to upload."))])

    has_file = True


class PositionSearchForm(Form):
    """GET filters for browsing positions (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    skill = StringField(_l("Skill"), validators=[Optional(), Length(max=60)])
    town = StringField(_l("Town"), validators=[Optional(), Length(max=120)])
    min_pay = AmountField(_l("Minimum pay ($/hour)"), places=2, validators=[Optional(), NumberRange(0, 500)])
    work_mode = SelectField(_l("Where"), choices=WORK_MODES, default="", validators=[Optional()])


class ApplyForm(Form):
    statement = TextAreaField(
        _l("Why this position? (a few sentences)"),
        validators=[
            DataRequired(_l("Write a short statement for the host.")),
            Length(min=20, max=2000, message=_l("Write between 20 and 2,000 characters.")),
        ],
    )


class RankListForm(Form):
    """Rank numbers come as rank_<position id> fields; the version guards concurrent edits."""

    version = HiddenField()
    action = HiddenField()
