"""Forms for logging in, signing up, resetting a password and accepting an invitation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from . import Form, options

PASSWORD_HELP = _l("At least 10 characters. A short phrase of a few words works well.")


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me logged in on this device"))


def _new_password_fields(label: str = "Password") -> tuple[PasswordField, PasswordField]:
    """A new password and its repetition (made fresh for each form, so they sit where declared)."""
    return (
        PasswordField(
            label,
            description=PASSWORD_HELP,
            validators=[
                DataRequired(),
                Length(min=10, max=200, message=_l("Choose a password of at least 10 characters.")),
            ],
        ),
        PasswordField(
            _l("Repeat the password"), validators=[DataRequired(), EqualTo("password", _l("The two passwords differ."))]
        ),
    )


class NewPasswordMixin:
    password, confirm = _new_password_fields()


class RegisterForm(Form):
    """Who you are first, then the program, then the password (fields show in this order)."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    program = SelectField(_l("Program"), coerce=int, validators=[DataRequired(message=_l("Choose your program."))])
    password, confirm = _new_password_fields()


class ForgotPasswordForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class ResetPasswordForm(NewPasswordMixin, Form):
    pass


class AcceptInvitationForm(Form):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    password, confirm = _new_password_fields()


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    password, confirm = _new_password_fields(_l("New password"))


class LanguageForm(Form):
    """The language switch in every page's footer: a button per language, and the page to go back to."""

    locale = SelectField(choices=options([("en", "English"), ("es", "Español")]), validators=[DataRequired()])
    next = StringField(validators=[Optional(), Length(max=2000)])


def _email_choice(label) -> SelectField:
    return SelectField(
        label,
        choices=options(
            [("now", _l("Email me now")), ("digest", _l("Daily digest")), ("off", _l("Off (only in the list)"))]
        ),
    )


class NotificationChoicesForm(Form):
    """Per kind of notification, how the person wants its email (the required kinds are not here)."""

    interview = _email_choice(_l("Invited to interview"))
    message = _email_choice(_l("Message received"))
    deadline = _email_choice(_l("A deadline in 3 days (applications, ranking)"))
    not_certified = _email_choice(_l("Rank list not certified as ranking closes"))
    vacancy_round = _email_choice(_l("A vacancy round is open"))
    bulk = _email_choice(_l("Messages from your coordinator"))

    KINDS = ("interview", "message", "deadline", "not_certified", "vacancy_round", "bulk")
