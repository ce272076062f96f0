"""Student profiles and résumés."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app
from flask_babel import gettext

from ...extensions import db
from ...models import College, CollegeKind, Role, StudentProfile, User, utcnow
from ..errors import NotFound, ServiceError
from ..support import audit
from ..support.concurrency import insert_missing, lock_row
from ..support.plain_text import one_line
from . import skills
from .student_access import host_may_see_student

TEXT_FIELDS = ("major", "phone", "home_town")
SELF_ID_FLAGS = ("first_generation", "pell_eligible", "cc_transfer")


def colleges() -> list[College]:
    return list(db.session.scalars(db.select(College).where(College.confirmed.is_(True)).order_by(College.name)))


def update_profile(student: User, data: dict) -> StudentProfile:
    """Save the profile form; an unlisted college is added unconfirmed for an administrator to check."""
    profile = student.profile
    lock_row(User, student.id, profile)  # the same form saved from two tabs: one after the other
    names = skills.parse(data.get("skills"))
    if len(names) > skills.MAX_SKILLS:  # checked before anything is written
        raise ServiceError(gettext("List at most %(count)s skills.", count=skills.MAX_SKILLS), "skills")
    college = _college(data)
    if college is None:
        raise ServiceError(gettext("Choose your college from the list, or type its name and state."), "college")
    profile.college = college
    for name in TEXT_FIELDS:
        setattr(profile, name, (data.get(name) or "").strip())
    profile.class_year = data.get("class_year")
    profile.work_authorized = bool(data.get("work_authorized"))
    profile.age_confirmed = bool(data.get("age_confirmed"))
    profile.skills = skills.get_or_create(names)
    for name in SELF_ID_FLAGS:
        profile_value = {"yes": True, "no": False}.get(data.get(name) or "")
        setattr(profile, name, profile_value)
    profile.gender = data.get("gender") or None
    profile.race_ethnicity = list(data.get("race_ethnicity") or []) or None
    audit.record(student, "profile.updated", profile, program_id=student.program_id)
    db.session.commit()
    return profile


def _college(data: dict) -> College | None:
    typed = (data.get("other_college") or "").strip()
    if typed:
        state = (data.get("other_college_state") or "").strip().upper()
        if len(state) != 2:
            raise ServiceError(gettext("Give the two-letter state of the college you typed."), "other_college_state")
        existing = db.session.scalar(
            db.select(College).where(db.func.lower(College.name) == typed.lower(), College.state == state)
        )
        if existing is not None:
            return existing
        insert_missing(
            College,
            [
                {
                    "name": typed,
                    "state": state,
                    "kind": CollegeKind.OTHER,
                    "confirmed": False,
                    "town": "",
                    "created_at": utcnow(),
                }
            ],
            ["name", "state"],
        )
        return db.session.scalar(db.select(College).where(College.name == typed, College.state == state))
    if data.get("college"):
        return db.session.get(College, data["college"])
    return None


def profile_missing(profile: StudentProfile) -> list[str]:
    """What a student still has to fill in before applying."""
    missing = []
    if profile.college_id is None:
        missing.append(gettext("your college"))
    if not profile.major:
        missing.append(gettext("your major"))
    if not profile.class_year:
        missing.append(gettext("your graduation year"))
    if not profile.skills:
        missing.append(gettext("at least one skill"))
    if not profile.resume_file:
        missing.append(gettext("a résumé"))
    if not profile.work_authorized:
        missing.append(gettext("your work authorization"))
    if not profile.age_confirmed:
        missing.append(gettext("the age confirmation"))
    return missing


# Résumés ----------------------------------------------------------------------------------------


def _resume_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "resumes"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check_pdf(content: bytes) -> None:
    """Refuse anything that is not a real PDF of at most the configured size."""
    limit = current_app.config["RESUME_MAX_BYTES"]
    if not content:
        raise ServiceError(gettext("That file is empty. Choose your résumé as a PDF."), "resume")
    if len(content) > limit:
        raise ServiceError(
            gettext("That file is %(size)s; the limit is %(limit)s.", size=_size(len(content)), limit=_size(limit)),
            "resume",
        )
    if not content.startswith(b"%PDF-") or b"%%EOF" not in content[-2048:]:
        raise ServiceError(
            gettext("That file is not a PDF (whatever its name says). Save your résumé as a PDF and upload that."),
            "resume",
        )


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB".replace(".0 MB", " MB") if n >= 1_048_576 else f"{max(1, n // 1024)} KB"


def save_resume(student: User, content: bytes, filename: str) -> StudentProfile:
    """Store the résumé under a generated name outside the web root, replacing the old one."""
    check_pdf(content)
    profile = student.profile
    old = profile.resume_file
    stored = f"{secrets.token_hex(16)}.pdf"
    (_resume_folder() / stored).write_bytes(content)
    profile.resume_file, profile.resume_uploaded_at = stored, utcnow()
    profile.resume_name = resume_display_name(filename)
    audit.record(student, "resume.uploaded", profile, program_id=student.program_id)
    db.session.commit()
    if old:
        (_resume_folder() / old).unlink(missing_ok=True)
    return profile


def resume_display_name(filename: str | None) -> str:
    """The uploaded file's own name, reduced to one plain line without folders (shown to people and
    sent back as the download name; the file itself is stored under a generated name)."""
    name = one_line(Path((filename or "").replace("\\", "/")).name)[:200]
    return name or "resume.pdf"


def resume_for(viewer: User, student: User) -> tuple[Path, str]:
    """The résumé file a viewer may read: the student, their program's coordinators, or hosts they applied to.

    NotFound both when there is none and when the viewer may not see it: a student's id reveals nothing."""
    profile = student.profile
    if profile is None or not profile.resume_file or not may_see_student(viewer, student):
        raise NotFound("There is no résumé to show here.")
    return _resume_folder() / profile.resume_file, profile.resume_name or "resume.pdf"


def may_see_student(viewer: User, student: User) -> bool:
    """The student themself, a coordinator of their program, or a member of a host that may see them
    (sprint/services/student_access.py)."""
    if viewer.id == student.id:
        return True
    if viewer.role == Role.COORDINATOR:
        return viewer.program_id == student.program_id
    if viewer.role == Role.HOST and viewer.membership is not None:
        return host_may_see_student(viewer.membership.host_id, student.id)
    return False
