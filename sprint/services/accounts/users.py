"""Accounts: registration, login, password resets, invitations, admins."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...links import absolute_url
from ...models import (
    College,
    HostCompany,
    HostMember,
    HostMemberRole,
    Invitation,
    Program,
    Role,
    StudentProfile,
    User,
    utcnow,
)
from ..errors import NotAllowed, ServiceError
from ..support import audit
from ..support.concurrency import lock_row
from ..support.notify import send_email
from .tokens import fingerprint, make_token, read_token

MIN_PASSWORD_LENGTH = 10
REPEAT_WINDOW_S = 60  # the same invitation asked for again within a minute is the one already sent
COMMON_PASSWORDS = frozenset(
    {
        "password123",
        "1234567890",
        "qwertyuiop",
        "iloveyou12",
        "password12",
        "letmein123",
        "welcome123",
        "sprint2027",
        "internship",
        "0123456789",
        "abcdefghij",
        "passw0rd12",
    }
)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_policy(password: str, email: str = "") -> None:
    """At least ten characters, not a common password, not the email address."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters.", "password")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        raise ServiceError("That password is too easy to guess. Try a short phrase of a few words.", "password")
    local_part = normalise_email(email).split("@")[0]
    if local_part and len(local_part) >= 4 and local_part in lowered:
        raise ServiceError("Your password should not contain your email address.", "password")


def _email_taken(email: str) -> bool:
    return db.session.scalar(db.select(User.id).where(User.email == email)) is not None


def _new_user(email: str, name: str, password: str, role: Role, program: Program | None) -> User:
    email = normalise_email(email)
    check_password_policy(password, email)
    if _email_taken(email):
        raise ServiceError("An account with this email already exists. Log in, or reset your password.", "email")
    user = User(email=email, name=name.strip(), role=role, program=program)
    user.set_password(password)
    db.session.add(user)
    return user


def _commit_new_account() -> None:
    try:
        db.session.commit()
    except IntegrityError as error:  # two sign-ups with one email at the same moment
        db.session.rollback()
        raise ServiceError(
            "An account with this email already exists. Log in, or reset your password.", "email"
        ) from error


def register_student(program: Program, name: str, email: str, password: str) -> None:
    """A student signs up for a program. The answer never says whether the email has an account:
    a new email gets an account that waits for its emailed link (`confirm_sign_up`); an address
    with an account gets a note to its owner instead; a sign-up still waiting for its link is
    replaced by this one (the newest wins, older links stop working)."""
    email = normalise_email(email)
    check_password_policy(password, email)
    user = db.session.scalar(db.select(User).where(User.email == email))
    if user is not None and user.email_confirmed_at is not None:
        User(password_hash="").set_password(password)  # spend the time a new account does
        send_email(
            user.email,
            _l("Someone tried to sign up with your email"),
            "sign_up_existing",
            locale=user.locale,
            user=user,
            program=user.program,
            login=absolute_url("auth.login"),
            reset=absolute_url("auth.forgot_password"),
        )
        db.session.commit()  # the note's outbox row
        return
    if user is None:
        user = User(email=email, role=Role.STUDENT)
        db.session.add(user)
        db.session.add(StudentProfile(user=user))
    elif user.role != Role.STUDENT:
        return  # an invited account never finishes through a student sign-up
    user.name, user.program = name.strip(), program
    user.set_password(password)
    db.session.flush()
    user.email_confirmed_at = None  # after the INSERT: the column's default (confirmed) is for everyone else
    audit.record(user, "account.registered", user, program_id=program.id)
    send_sign_up_link(user)
    try:
        db.session.commit()
    except IntegrityError:  # the same email signed up at the same moment: that sign-up's link stands
        db.session.rollback()
        return


def send_sign_up_link(user: User) -> None:
    token = make_token("sign-up", {"user": user.id, "fp": fingerprint(user.password_hash)})
    send_email(
        user.email,
        _l("Confirm your email to finish signing up"),
        "sign_up_confirm",
        locale=user.locale,
        user=user,
        program=user.program,
        link=absolute_url("auth.confirm_sign_up", token=token),
        hours=current_app.config["SIGN_UP_MAX_AGE_HOURS"],
    )


def confirm_sign_up(token: str) -> User:
    """The emailed link of a sign-up: the email is confirmed and the account can log in."""
    payload = read_token("sign-up", token, current_app.config["SIGN_UP_MAX_AGE_HOURS"] * 3600)
    user = db.session.get(User, payload.get("user"))
    if user is None or user.email_confirmed_at is not None or payload.get("fp") != fingerprint(user.password_hash):
        raise ServiceError(
            "This sign-up link was already used, or a newer sign-up replaced it. "
            "Log in, or use the newest link we emailed you."
        )
    user.email_confirmed_at = utcnow()
    audit.record(user, "account.email_confirmed", user, program_id=user.program_id)
    db.session.commit()
    return user


def create_admin(email: str, name: str, password: str) -> User:
    user = _new_user(email, name, password, Role.ADMIN, None)
    audit.record(None, "account.admin_created", user, email=user.email)
    _commit_new_account()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; the caller gives one answer for every failure."""
    user = db.session.scalar(db.select(User).where(User.email == normalise_email(email)))
    if user is None:
        User(password_hash="").set_password(password)  # spend the same time as a real check
        return None
    if not user.check_password(password) or not user.active:
        return None
    if user.email_confirmed_at is None:  # the same answer as a wrong password; the link goes out again
        send_sign_up_link(user)
        db.session.commit()
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


SESSION_ID = re.compile(r"([0-9]{1,18}):([0-9]{1,9})")


def user_for_session(alternative_id: str) -> User | None:
    """The active user a session or remember cookie names, if its session version is still current."""
    match = SESSION_ID.fullmatch(alternative_id or "")
    if match is None:
        return None
    user = db.session.get(User, int(match.group(1)))
    if user is None or not user.active or user.session_version != int(match.group(2)):
        return None
    return user


def end_sessions(user: User) -> None:
    """Every session and remember cookie of the user stops working (the caller commits)."""
    db.session.execute(db.update(User).where(User.id == user.id).values(session_version=User.session_version + 1))
    db.session.refresh(user, ["session_version"])


def log_out_everywhere(user: User) -> None:
    """End the user's sessions on every device, this one included."""
    end_sessions(user)
    audit.record(user, "account.logged_out_everywhere", user)
    db.session.commit()


LOCALES = ("en", "es")


def set_locale(user: User, locale: str) -> None:
    """Save the person's language: their pages and the emails sent to them use it from now on."""
    if locale not in LOCALES:
        raise ServiceError(gettext("Choose English or Spanish."))
    if user.locale != locale:
        audit.record(user, "account.locale_changed", user, locale=locale, previous=user.locale)
        user.locale = locale
        db.session.commit()


def change_password(user: User, current: str, new: str) -> User:
    """A new password after the current one; every other session ends (the caller renews this one)."""
    if not user.check_password(current):
        raise ServiceError("That is not your current password.", "current_password")
    check_password_policy(new, user.email)
    if user.check_password(new):
        raise ServiceError("Choose a password different from the current one.", "password")
    user.set_password(new)
    end_sessions(user)
    audit.record(user, "account.password_changed", user)
    db.session.commit()
    return user


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists; say nothing either way."""
    user = db.session.scalar(db.select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        return
    token = make_token("reset", {"user": user.id, "fp": fingerprint(user.password_hash)})
    send_email(
        user.email,
        _l("Reset your password"),
        "password_reset",
        locale=user.locale,
        user=user,
        program=user.program,
        link=absolute_url("auth.reset_password", token=token),
        hours=current_app.config["PASSWORD_RESET_MAX_AGE_HOURS"],
    )
    db.session.commit()


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link; the link stops working once used."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE_HOURS"] * 3600
    payload = read_token("reset", token, max_age)
    user = db.session.get(User, payload.get("user"))
    if user is None or payload.get("fp") != fingerprint(user.password_hash):
        raise ServiceError("This reset link has already been used. Please ask for a new one.")
    check_password_policy(password, user.email)
    used = db.session.execute(  # the link opened in two tabs: the first new password counts
        db.update(User)
        .where(User.id == user.id, User.password_hash == user.password_hash)
        .values(password_hash=User.new_password_hash(password))
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        db.session.rollback()
        raise ServiceError("This reset link has already been used. Please ask for a new one.")
    db.session.refresh(user)
    user.email_confirmed_at = user.email_confirmed_at or utcnow()  # the link proved the email is theirs
    end_sessions(user)  # whoever held a session or remember cookie before the reset is out
    audit.record(user, "account.password_reset", user)
    db.session.commit()
    return user


def invite(
    actor: User,
    email: str,
    role: Role,
    host: HostCompany | None = None,
    host_role: HostMemberRole = HostMemberRole.MEMBER,
    program: Program | None = None,
    college: College | None = None,
) -> Invitation:
    """Invite a coordinator, a host member or a college liaison into the host's program (or the actor's,
    or the given one)."""
    email = normalise_email(email)
    program = host.program if host is not None else (program or actor.program)
    _check_may_invite(actor, role, host, program, college)
    lock_row(Program, program.id)  # the same invitation sent from two tabs: the second waits here
    if _email_taken(email):
        raise ServiceError(f"{email} already has an account.", "email")
    college = college if role == Role.LIAISON else None
    earlier = _just_invited(program, email, role, host, college)
    if earlier is not None:  # a double click: that invitation and its email stand
        db.session.commit()
        return earlier
    invitation = Invitation(
        program=program, email=email, role=role, host=host, host_role=host_role, invited_by=actor, college=college
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(actor, "invitation.sent", invitation, program_id=program.id, email=email, role=str(role))
    _send_invitation(invitation)  # in the same transaction: no email for an invitation that does not exist
    db.session.commit()
    return invitation


def _just_invited(
    program: Program, email: str, role: Role, host: HostCompany | None, college: College | None
) -> Invitation | None:
    """The same pending invitation sent moments ago (an invitation sent again later is a new one)."""
    recent = db.session.scalars(
        db.select(Invitation).where(
            Invitation.program_id == program.id,
            Invitation.email == email,
            Invitation.role == role,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.created_at >= utcnow() - timedelta(seconds=REPEAT_WINDOW_S),
        )
    )
    return next(
        (
            invitation
            for invitation in recent
            if invitation.host_id == (host.id if host else None)
            and invitation.college_id == (college.id if college else None)
        ),
        None,
    )


def _check_may_invite(
    actor: User, role: Role, host: HostCompany | None, program: Program | None, college: College | None = None
) -> None:
    """Admins invite anyone; coordinators into their program; a host's owner into their host."""
    if role not in (Role.HOST, Role.COORDINATOR, Role.LIAISON):
        raise ServiceError("Only host members, coordinators and college liaisons join by invitation.", "role")
    if role == Role.HOST and host is None:
        raise ServiceError("Choose the host company the person will join.", "host")
    if role == Role.LIAISON and college is None:
        raise ServiceError("Choose the college the liaison works for.", "college")
    if program is None:
        raise ServiceError("Choose the program to invite into.")
    if actor.role == Role.ADMIN:
        return
    if actor.role == Role.COORDINATOR and actor.program_id == program.id:
        return
    membership = actor.membership
    if (
        role == Role.HOST
        and membership is not None
        and membership.host_id == host.id
        and membership.role == HostMemberRole.OWNER
    ):
        return
    raise NotAllowed("You may not send this invitation.")


def _send_invitation(invitation: Invitation) -> None:
    token = make_token("invite", {"invitation": invitation.id})
    what = f"{invitation.host.name} on {invitation.program.name}" if invitation.host else invitation.program.name
    send_email(
        invitation.email,
        f"You are invited to {what}",
        "invitation",
        invitation=invitation,
        program=invitation.program,
        what=what,
        link=absolute_url("auth.accept_invitation", token=token),
        days=current_app.config["INVITATION_MAX_AGE_DAYS"],
    )


def invitation_from_token(token: str) -> Invitation:
    max_age = current_app.config["INVITATION_MAX_AGE_DAYS"] * 86400
    payload = read_token("invite", token, max_age)
    invitation = db.session.get(Invitation, payload.get("invitation"))
    if invitation is None or invitation.revoked_at is not None:
        raise ServiceError("This invitation was withdrawn. Please ask for a new one.")
    if invitation.accepted_at is not None:
        raise ServiceError("This invitation has already been used. Log in with the account it created.")
    return invitation


def accept_invitation(token: str, name: str, password: str) -> User:
    """Create the invited person's account with the role and host the invitation names."""
    invitation = invitation_from_token(token)
    user = _new_user(invitation.email, name, password, Role(invitation.role), invitation.program)
    if invitation.role == Role.LIAISON:
        user.college_id = invitation.college_id
    if invitation.host is not None:
        db.session.add(HostMember(host=invitation.host, user=user, role=invitation.host_role))
    invitation.accepted_at = utcnow()
    audit.record(user, "invitation.accepted", invitation, program_id=invitation.program_id)
    _commit_new_account()
    return user
