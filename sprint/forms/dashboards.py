"""Dashboard filters (a GET form) and the liaison invitation."""

from __future__ import annotations

from wtforms import EmailField, SelectField, SelectMultipleField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..models import CollegeKind
from . import Form, options


class LiaisonFilterForm(Form):
    """Seasons and major: what a college liaison can narrow their page to."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    seasons = SelectMultipleField(
        "Seasons", coerce=int, validators=[Optional()], description="None selected means every season."
    )
    major = SelectField("Major", validators=[Optional()])

    def fill(self, choices) -> LiaisonFilterForm:
        self.seasons.choices = options((year, f"Summer {year}") for year in choices.years)
        self.major.choices = options([("", "All majors"), *((major, major) for major in choices.majors)])
        return self


class FilterForm(LiaisonFilterForm):
    """Every dashboard page's filters: seasons, college kind, host and major (and program, for admins)."""

    kind = SelectField(
        "College kind",
        default="",
        choices=options([("", "All kinds"), *((kind.value, kind.label) for kind in CollegeKind)]),
    )
    host = SelectField("Host company", coerce=int, default=0)
    program = SelectField("Program", coerce=int, default=0)

    def fill(self, choices) -> FilterForm:
        super().fill(choices)
        self.host.choices = options([(0, "All hosts"), *choices.hosts])
        self.program.choices = options([(0, "(first program)"), *choices.programs])
        return self


class LiaisonInviteForm(Form):
    email = EmailField(
        "Email of the college's career office contact", validators=[DataRequired(), Email(), Length(max=254)]
    )
