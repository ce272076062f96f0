"""Forms for logging in, signing up, resetting a password and accepting an invitation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

PASSWORD_HELP = "At least 10 characters. A short phrase of a few words works well."


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me logged in on this device")


def _new_password() -> PasswordField:
    return PasswordField("Password", description=PASSWORD_HELP, validators=[
        DataRequired(), Length(min=10, max=200, message="Choose a password of at least 10 characters.")])


def _repeat_password() -> PasswordField:
    return PasswordField("Repeat the password",
                         validators=[DataRequired(), EqualTo("password", "The two passwords differ.")])


class NewPasswordMixin:
    password = _new_password()
    confirm = _repeat_password()


class RegisterForm(FlaskForm):
    """Who you are first, then the program, then the password (fields show in this order)."""

    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    program = SelectField("Program", coerce=int, validators=[DataRequired(message="Choose your program.")])
    password = _new_password()
    confirm = _repeat_password()


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    pass


class AcceptInvitationForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    password = _new_password()
    confirm = _repeat_password()
