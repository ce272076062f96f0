"""Forms for host company members: company, team, positions, applicants and rank lists."""

from __future__ import annotations

from flask import current_app
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
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

from ..models import InterviewStatus, WorkMode
from ..services.market.positions import date_problem, pay_problem
from . import AmountField, Form, options

SIZES = options([("small", "Under 50 staff"), ("medium", "50 to 499 staff"), ("large", "500 staff or more")])
WORK_MODES = options((mode.value, mode.label) for mode in WorkMode)


class CompanyForm(Form):
    name = StringField("Company name", validators=[DataRequired(), Length(max=200)])
    sector = StringField("Sector", validators=[DataRequired(), Length(max=120)])
    site_town = StringField("Site town", validators=[DataRequired(), Length(max=120)])
    size = SelectField("Size", choices=SIZES)
    website = URLField("Website", validators=[Optional(), Length(max=300)])
    description = TextAreaField("About the company", validators=[Optional(), Length(max=4000)])


class InviteColleagueForm(Form):
    email = EmailField("Colleague's email", validators=[DataRequired(), Email(), Length(max=254)])
    host_role = SelectField("Role", choices=options([("member", "Member"), ("owner", "Owner (manages the team)")]))


class PositionForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=160)])
    team = StringField("Team", validators=[Optional(), Length(max=120)])
    description = TextAreaField("What the intern will do", validators=[DataRequired(), Length(max=6000)])
    required_skills = StringField(
        "Required skills",
        validators=[Optional(), Length(max=600)],
        description="Separate with commas. Skills, not degrees.",
    )
    preferred_skills = StringField("Preferred skills", validators=[Optional(), Length(max=600)])
    slots = IntegerField("Intern slots", validators=[InputRequired(), NumberRange(1, 50)])
    hourly_pay = AmountField(
        "Hourly pay ($)",
        places=2,
        validators=[InputRequired("Pay is required: SPRINT places only paid internships."), NumberRange(1, 500)],
    )
    hours_per_week = IntegerField(
        "Hours per week", validators=[InputRequired("Hours are required."), NumberRange(1, 60)]
    )
    start_date = DateField("Start date", validators=[DataRequired()])
    end_date = DateField("End date", validators=[DataRequired()])
    site_town = StringField("Site town", validators=[DataRequired(), Length(max=120)])
    work_mode = SelectField("Where", choices=WORK_MODES)
    housing_help = BooleanField("We help with housing")

    def __init__(self, *args, season_year: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.season_year = season_year
        self.hourly_pay.description = (
            f"At least ${current_app.config['PAY_FLOOR']:.2f} an hour, Connecticut's "
            "minimum wage. Every student sees the pay."
        )
        if season_year:
            self.start_date.description = f"In {season_year}, the year of the season."

    def validate_hourly_pay(self, field) -> None:  # with the other errors, not after them
        problem = pay_problem(field.data) if field.data is not None and not field.errors else None
        if problem:
            raise ValidationError(problem)

    def validate_start_date(self, field) -> None:
        self._in_season(field)

    def validate_end_date(self, field) -> None:
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError("The end date must be on or after the start date.")
        self._in_season(field)

    def _in_season(self, field) -> None:
        problem = date_problem(self.season_year, field.data) if self.season_year else None
        if problem:
            raise ValidationError(problem)


class ApplicantFilterForm(Form):
    class Meta:
        csrf = False

    position = SelectField("Position", coerce=int, validators=[Optional()])
    skill = StringField("Skill", validators=[Optional(), Length(max=60)])
    college = SelectField("College", coerce=int, validators=[Optional()])
    major = StringField("Major", validators=[Optional(), Length(max=120)])
    class_year = IntegerField("Class year", validators=[Optional(), NumberRange(2000, 2100)])


class RankViewForm(Form):
    """How the host's rank page is sorted and filtered: query arguments, so it works without JavaScript."""

    NAMES = ("sort", "fit", "interview", "ranked")

    class Meta:
        csrf = False

    sort = SelectField(
        "Sort by",
        choices=options([("rank", "Rank (tiers)"), ("fit", "Skills fit, best first"), ("name", "Name")]),
        default="rank",
    )
    fit = SelectField(
        "Skills fit",
        coerce=int,
        choices=options([(0, "Any fit"), (34, "34% or more"), (67, "67% or more")]),
        default=0,
    )
    interview = SelectField(
        "Interview",
        choices=options(
            [
                ("", "Anyone"),
                ("interviewed", "Marked interviewed"),
                ("not_interviewed", "Not marked interviewed"),
                ("not_invited", "Not invited to interview"),
            ]
            + [(status.value, f"Interview: {status.label.lower()}") for status in InterviewStatus]
        ),
        default="",
    )
    ranked = SelectField(
        "Ranked", choices=options([("", "Ranked or not"), ("ranked", "Ranked"), ("unranked", "Not ranked")]), default=""
    )


class ReviewForm(Form):
    note = TextAreaField("Private note (your team only)", validators=[Optional(), Length(max=4000)])
    interviewed = BooleanField("Interviewed")


class HostRankForm(Form):
    """Rank numbers come as rank_<student id> fields (blank = do not rank)."""

    version = HiddenField()
    action = HiddenField()
