"""Forms for students: profile, résumé, position search, applying and ranking."""

from __future__ import annotations

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

YES_NO_UNSAID = options([("", "Prefer not to say"), ("yes", "Yes"), ("no", "No")])
GENDERS = options(
    [
        ("", "Prefer not to say"),
        ("Woman", "Woman"),
        ("Man", "Man"),
        ("Non-binary", "Non-binary"),
        ("Self-described", "I describe myself another way"),
    ]
)
RACE_ETHNICITY = options(
    [
        (value, value)
        for value in (
            "American Indian or Alaska Native",
            "Asian",
            "Black or African American",
            "Hispanic or Latino",
            "Middle Eastern or North African",
            "Native Hawaiian or Pacific Islander",
            "White",
        )
    ]
)
WORK_MODES = options([("", "Any"), *((mode.value, mode.label) for mode in WorkMode)])


class ProfileForm(Form):
    college = SelectField(
        "College",
        coerce=int,
        validators=[Optional()],
        description="Choose your college. Not listed? Leave this and type it below.",
    )
    other_college = StringField(
        "College not in the list",
        validators=[Optional(), Length(max=200)],
        description="A coordinator will confirm it.",
    )
    other_college_state = StringField(
        "Its state (two letters)",
        validators=[Optional(), Regexp(r"^[A-Za-z]{2}$", message="Use the two-letter state code, e.g. CT.")],
    )
    major = StringField("Major or program of study", validators=[DataRequired(), Length(max=120)])
    class_year = IntegerField("Expected graduation year", validators=[DataRequired(), NumberRange(2000, 2100)])
    skills = StringField(
        "Skills",
        validators=[Optional(), Length(max=600)],
        description="Separate skills with commas, e.g. cell culture, Python, Excel. "
        "Hosts see these first: skills count more than degrees here.",
    )
    phone = TelField(
        "Phone",
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9+()\-. ]*$", message="Use digits, spaces and + ( ) - only."),
        ],
    )
    home_town = StringField("Home town", validators=[Optional(), Length(max=120)])
    work_authorized = BooleanField("I am authorized to work in the United States this summer")
    age_confirmed = BooleanField("I will be 18 or older when the internship starts")
    first_generation = SelectField("First in my family to attend college", choices=YES_NO_UNSAID, default="")
    pell_eligible = SelectField("Eligible for a Pell grant", choices=YES_NO_UNSAID, default="")
    cc_transfer = SelectField("Transferred from a community college", choices=YES_NO_UNSAID, default="")
    gender = SelectField("Gender", choices=GENDERS, default="")
    race_ethnicity = SelectMultipleField(
        "Race and ethnicity (choose any)", choices=RACE_ETHNICITY, validators=[Optional()]
    )

    self_id_fields = ("first_generation", "pell_eligible", "cc_transfer", "gender", "race_ethnicity")


class ResumeForm(Form):
    resume = FileField("Résumé (PDF, at most 5 MB)", validators=[FileRequired("Choose a PDF file to upload.")])

    has_file = True


class PositionSearchForm(Form):
    """GET filters for browsing positions (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=100)])
    skill = StringField("Skill", validators=[Optional(), Length(max=60)])
    town = StringField("Town", validators=[Optional(), Length(max=120)])
    min_pay = AmountField("Minimum pay ($/hour)", places=2, validators=[Optional(), NumberRange(0, 500)])
    work_mode = SelectField("Where", choices=WORK_MODES, default="", validators=[Optional()])


class ApplyForm(Form):
    statement = TextAreaField(
        "Why this position? (a few sentences)",
        validators=[
            DataRequired("Write a short statement for the host."),
            Length(min=20, max=2000, message="Write between 20 and 2,000 characters."),
        ],
    )


class RankListForm(Form):
    """Rank numbers come as rank_<position id> fields; the version guards concurrent edits."""

    version = HiddenField()
    action = HiddenField()
