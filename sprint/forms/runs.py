"""Forms of the match-run console: the run form, placement changes, the audit filter."""

from __future__ import annotations

from wtforms import (
    DateField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..models import MatchMode
from ..models.enums import GROUPS, MAX_TIME_LIMIT_S
from . import Form, SubForm, options

MODES = options((mode, mode.label) for mode in MatchMode)
CAP_SCOPES = options([("", "No college cap"), ("host", "per host company"), ("position", "per position")])
NUMBER = (Optional(), NumberRange(min=0, message="Use 0 or more."))


EMPTY = (None, "", 0, "0")  # "0" was the old pickers' "(none)", and is still nobody


def _chosen(form: SubForm) -> bool:
    return any(f.data not in EMPTY for f in form if f.name != "csrf_token")


class _Pair(SubForm):
    """A lock or a forbid: one student, one position, the reason. The pickers suggest as one types
    (pickers.js); without JavaScript one types the student's email or number and the position's
    number, and the service says which it does not know."""

    student = StringField(
        "Student",
        validators=[Length(max=254)],
        description="Email or #number; type a name for suggestions.",
        render_kw={"data-pick": "student", "autocomplete": "off"},
    )
    position = StringField(
        "Position",
        validators=[Length(max=40)],
        description="#number; type a title or host for suggestions.",
        render_kw={"data-pick": "position", "autocomplete": "off"},
    )
    reason = StringField("Reason", validators=[Length(max=300)])

    def validate_reason(self, field) -> None:
        student, position = self.student.data not in EMPTY, self.position.data not in EMPTY
        if (student or position) and not (field.data or "").strip():
            raise ValidationError("Give a reason for this pair.")
        if (field.data or "").strip() and not (student and position):
            raise ValidationError("Choose both a student and a position.")


class _HostCapacity(SubForm):
    host = StringField(
        "Host",
        validators=[Length(max=40)],
        description="#number; type a host's name for suggestions.",
        render_kw={"data-pick": "host", "autocomplete": "off"},
    )
    total = IntegerField("Total interns", validators=NUMBER)

    def validate_total(self, field) -> None:
        if (self.host.data not in EMPTY) != (field.data is not None):
            raise ValidationError("Choose a host and give its total.")


class RunForm(Form):
    mode = SelectField("Mode", choices=MODES, default=MatchMode.STABLE)
    seed = IntegerField(
        "Seed",
        default=1,
        validators=[
            InputRequired("Give a seed (0 or more)."),
            NumberRange(min=0, max=2**31 - 1, message="Use 0 or more."),
        ],
        description="The same seed and input give the same matching; ties are broken by it.",
    )
    time_limit = IntegerField(
        "Time limit (seconds)", default=20, validators=[InputRequired(), NumberRange(min=1, max=MAX_TIME_LIMIT_S)]
    )
    label = StringField("Label", validators=[Length(max=120)], description="For example: “cap 2 per host”.")
    cap_per = SelectField("College cap", choices=CAP_SCOPES, default="")
    cap_max = IntegerField("At most this many students from one college", validators=NUMBER)
    floor_first_generation = IntegerField("At least this many first-generation students placed", validators=NUMBER)
    floor_pell_eligible = IntegerField("At least this many Pell-eligible students placed", validators=NUMBER)
    floor_cc_transfer = IntegerField("At least this many community-college transfers placed", validators=NUMBER)
    floor_community_college = IntegerField("At least this many community-college students placed", validators=NUMBER)
    host_capacity = FieldList(FormField(_HostCapacity), min_entries=2, max_entries=40)
    locks = FieldList(FormField(_Pair), min_entries=2, max_entries=40)
    forbids = FieldList(FormField(_Pair), min_entries=2, max_entries=40)

    def settings(self) -> dict:
        """The fields of the service's RunSettings, as the coordinator filled them in."""

        def pairs(entries: FieldList) -> list[tuple[int, int, str]]:
            return [
                ((e.form.student.data or "").strip(), (e.form.position.data or "").strip(), e.form.reason.data)
                for e in entries
                if e.form.student.data not in EMPTY or e.form.position.data not in EMPTY
            ]

        return dict(
            mode=self.mode.data,
            seed=self.seed.data,
            time_limit_s=float(self.time_limit.data),
            label=self.label.data or "",
            cap_per=self.cap_per.data or "",
            cap_max=self.cap_max.data,
            floors={group: getattr(self, f"floor_{group}").data or 0 for group in GROUPS},
            host_capacity=[
                ((e.form.host.data or "").strip(), e.form.total.data) for e in self.host_capacity if _chosen(e.form)
            ],
            locks=pairs(self.locks),
            forbids=pairs(self.forbids),
        )


class EndPlacementForm(Form):
    kind = SelectField("What happened")  # choices: the service's endings, set by the view
    reason = TextAreaField(
        "Reason", validators=[DataRequired("Give a reason; it goes into the audit log."), Length(max=500)]
    )


_PICK_STUDENT = {
    "validators": [DataRequired("Choose a student."), Length(max=254)],
    "description": "Email or #number; type a name for suggestions.",
    "render_kw": {"data-pick": "student", "autocomplete": "off"},
}
_PICK_POSITION = {
    "validators": [DataRequired("Choose a position."), Length(max=40)],
    "description": "#number; type a title or host for suggestions.",
    "render_kw": {"data-pick": "position", "autocomplete": "off"},
}


class MovePlacementForm(Form):  # searching pickers, not a list of 12,000 positions (pickers.js)
    position = StringField("Move to", **_PICK_POSITION)
    reason = TextAreaField(
        "Reason", validators=[DataRequired("Give a reason; it goes into the audit log."), Length(max=500)]
    )


class AddPlacementForm(Form):  # searching pickers, not lists of 50,000 students (pickers.js)
    student = StringField("Student", **_PICK_STUDENT)
    position = StringField("Position", **_PICK_POSITION)
    reason = TextAreaField(
        "Reason", validators=[DataRequired("Give a reason; it goes into the audit log."), Length(max=500)]
    )


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # a GET filter changes nothing

    person = SelectField("Person", coerce=int, default=0)
    record = SelectField("Record type", default="")
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end date comes before the start date.")


class OutcomeForm(Form):
    """One outcome of a student's internship (the service checks dates, wage and who may record it)."""

    kind = SelectField("Outcome")  # choices: student_outcomes.kind_choices, set by the view
    occurred_on = DateField("Date", validators=[Optional()])
    hourly_wage = StringField("Hourly wage ($)", validators=[Optional(), Length(max=12)])
    employer = StringField("Employer", validators=[Optional(), Length(max=200)])
    note = TextAreaField("Note", validators=[Optional(), Length(max=500)])
