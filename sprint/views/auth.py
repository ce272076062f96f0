"""Logging in and out, signing up, password resets and invitations."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required, login_user, logout_user
from flask_login.config import COOKIE_NAME
from flask_wtf import FlaskForm

from .. import i18n
from ..extensions import limiter
from ..forms import options
from ..forms.auth import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    NotificationChoicesForm,
    RegisterForm,
    ResetPasswordForm,
)
from ..links import absolute_url
from ..login_limits import LoginLimits, remember_device
from ..services.accounts import users
from ..services.errors import ServiceError
from ..services.market import interview_calendar
from ..services.notifications import inbox
from ..services.season import programs
from .forms_support import errors_shown_on, status_for

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    """Only follow a `next` that stays on this site (browsers read a backslash as a slash: "/\\evil")."""
    if (
        target
        and urlsplit(target).netloc == ""
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    ):
        return target
    return url_for("main.index")


def _start_session(user, remember: bool = False) -> None:
    session.clear()  # a fresh session at login: nothing carries over from before
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        limits = LoginLimits(form.email.data)  # failures only; see sprint/login_limits.py
        if limits.exhausted():
            return _too_many_attempts(form, limits)
        user = users.authenticate(form.email.data, form.password.data)
        if user is not None:
            chosen = request.cookies.get(i18n.COOKIE)
            if user.locale is None and chosen in i18n.LOCALES:  # switched before logging in: keep it
                users.set_locale(user, chosen)
            _start_session(user, remember=form.remember.data)
            flash(gettext("Welcome, %(name)s.", name=user.name), "success")
            return remember_device(redirect(_safe_next(request.args.get("next"))), user.email)
        if not limits.count_failure():
            return _too_many_attempts(form, limits)
        flash(
            gettext(
                "That email and password do not match an account. If you just signed up, open the link "
                "we emailed you first."
            ),
            "danger",
        )
    return render_template("auth/login.html", form=form), status_for(form)


def _remember_cookie() -> str:
    return current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)


def _too_many_attempts(form: LoginForm, limits: LoginLimits):
    wait = limits.retry_after()
    minutes = max(1, round(wait / 60))
    flash(
        ngettext(
            "Too many failed logins for this account or from your network. Try again in about %(num)d "
            "minute, or reset your password.",
            "Too many failed logins for this account or from your network. Try again in about %(num)d "
            "minutes, or reset your password.",
            minutes,
        ),
        "danger",
    )
    return render_template("auth/login.html", form=form), 429, {"Retry-After": str(wait)}


@bp.post("/language")
def language():
    """The language switch: saved on the person when logged in, in a cookie for everyone (so it
    holds before login and after logout); back to the page it was pressed on."""
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400, description=gettext("Choose English or Spanish."))
    if current_user.is_authenticated:
        try:
            users.set_locale(current_user, form.locale.data)
        except ServiceError as error:
            abort(400, description=str(error))
    response = redirect(_safe_next(form.next.data))
    response.set_cookie(
        i18n.COOKIE,
        form.locale.data,
        max_age=i18n.COOKIE_MAX_AGE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


@bp.post("/logout")
@login_required
def logout():
    session.clear()
    logout_user()  # after the clear: it leaves the mark that deletes the "keep me logged in" cookie
    flash(gettext("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with errors_shown_on(form):
            user = users.change_password(
                current_user._get_current_object(),  # the user, not the proxy: the new session holds it
                form.current_password.data,
                form.password.data,
            )
            _start_session(user, remember=_remember_cookie() in request.cookies)
            flash(
                gettext("Your password is changed. You stay logged in here; every other device is logged out."),
                "success",
            )
            return redirect(url_for("auth.account"))
    return _account_page(form, NotificationChoicesForm(data=inbox.choices_of(current_user)), status_for(form))


def _account_page(form, choices, status: int):
    return render_template(
        "auth/account.html",
        form=form,
        choices=choices,
        fixed=inbox.FIXED,
        calendar_url=absolute_url("main.calendar_feed", token=interview_calendar.feed_token(current_user)),
        calendar_form=FlaskForm(),
    ), status


@bp.post("/account/calendar/reset")
@login_required
def reset_calendar():
    """A new private calendar link; the old one stops working at once."""
    if FlaskForm().validate_on_submit():
        interview_calendar.reset_feed(current_user)
        flash(gettext("Your calendar link is new: the old one no longer works."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/notifications")
@login_required
def notification_choices():
    choices = NotificationChoicesForm()
    if choices.validate_on_submit():
        with errors_shown_on(choices):
            inbox.set_choices(current_user, {kind: choices[kind].data for kind in choices.KINDS})
            flash(gettext("Your email choices are saved."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(ChangePasswordForm(formdata=None), choices, status_for(choices))


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere():
    if FlaskForm().validate_on_submit():
        users.log_out_everywhere(current_user)
        session.clear()
        logout_user()
        flash(gettext("You are logged out on every device, this one included."), "info")
    return redirect(url_for("main.index"))


@bp.route("/register", methods=["GET", "POST"])
@bp.route("/p/<slug>/register", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def register(slug: str | None = None):
    """Student sign-up: a program's own link signs up for that program; the general page offers the
    programs taking sign-ups now and preselects none."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    program = programs.program_by_slug(slug) if slug else None
    if slug and program is None:
        abort(404)
    choices = [program] if program else programs.taking_sign_ups()
    form = RegisterForm()
    if program:
        del form.program
    else:
        form.program.choices = options([(0, gettext("Choose your program")), *((p.id, p.name) for p in choices)])
    if choices and form.validate_on_submit():
        chosen = program or next(p for p in choices if p.id == form.program.data)
        with errors_shown_on(form):
            users.register_student(chosen, form.name.data, form.email.data, form.password.data)
            signed_up = gettext(
                "Check your email: we sent a link to %(email)s. Open it to finish signing up "
                "(if the address already has an account, the email tells you how to log in).",
                email=users.normalise_email(form.email.data),
            )
            flash(signed_up, "info")
            return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form, program=program, choices=choices), status_for(
        form
    ) if choices else (400 if request.method == "POST" else 200)


@bp.get("/register/confirm/<token>")
def confirm_sign_up(token: str):
    try:
        user = users.confirm_sign_up(token)
    except ServiceError as error:
        return render_template(
            "auth/invitation_invalid.html",
            message=str(error),
            title=gettext("Sign-up link"),
            heading=gettext("This sign-up link cannot be used"),
        ), 400
    _start_session(user)
    flash(gettext("Your email is confirmed and your account is ready. Start with your profile."), "success")
    return redirect(url_for("student.dashboard"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        users.request_password_reset(form.email.data)
        flash(gettext("If that address has an account, we have emailed it a link to reset the password."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), status_for(form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = ResetPasswordForm()
    if form.validate_on_submit():
        with errors_shown_on(form):
            users.reset_password(token, form.password.data)
            flash(gettext("Your password is changed. Log in with the new one."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), status_for(form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    try:
        invitation = users.invitation_from_token(token)
    except ServiceError as error:
        return render_template("auth/invitation_invalid.html", message=str(error)), 400
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        with errors_shown_on(form):
            user = users.accept_invitation(token, form.name.data, form.password.data)
            _start_session(user)
            flash(gettext("Welcome to SPRINT Placement."), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation), status_for(form)
