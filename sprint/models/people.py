"""People: accounts, student profiles, skills, host companies and their members."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .enums import HostMemberRole, HostSize, Role, one_of, utcnow

if TYPE_CHECKING:
    from .programs import College, Program

student_skill = Table(
    "student_skill",
    db.metadata,
    Column("profile_id", ForeignKey("student_profile.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skill.id", ondelete="CASCADE"), primary_key=True),
)


UNUSABLE_PASSWORD = "!unusable:"  # no werkzeug hash starts with "!": see User.unusable_password_hash


class User(UserMixin, db.Model):
    __table_args__ = (
        one_of("role", Role),
        CheckConstraint("role = 'admin' OR program_id IS NOT NULL", name="program_unless_admin"),
        CheckConstraint("role != 'liaison' OR college_id IS NOT NULL", name="college_for_liaison"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20))
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id"), index=True)
    college_id: Mapped[int | None] = mapped_column(ForeignKey("college.id"))  # a liaison's college
    active: Mapped[bool] = mapped_column(default=True)
    # Part of every session and "keep me logged in" cookie; bumping it ends them all (log out
    # everywhere, a password change or reset, deactivation).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Part of the private calendar feed's link; bumping it ("reset my calendar link") ends the old link.
    calendar_key: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # None only for a self sign-up whose emailed link is not opened yet (it cannot log in until then)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    # "en" or "es" once the person picks a language (the switch in every page's footer); None: not
    # chosen, so pages follow the browser and emails are in English (sprint/i18n.py)
    locale: Mapped[str | None] = mapped_column(String(8))

    program: Mapped[Program | None] = relationship(lazy="joined")  # its time zone renders every page
    college: Mapped[College | None] = relationship()
    profile: Mapped[StudentProfile | None] = relationship(
        back_populates="user", uselist=False, foreign_keys="StudentProfile.user_id", lazy="joined"
    )
    membership: Mapped[HostMember | None] = relationship(back_populates="user", uselist=False)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        """Flask-Login's alternative id: "<id>:<session version>", so old cookies stop working."""
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = self.new_password_hash(password)

    @staticmethod
    def unusable_password_hash() -> str:
        """A stored value no password matches (an imported account, until its owner chooses one from
        the emailed link). Random, so each account's reset link fingerprints a value of its own; no
        hash is computed, so importing 50,000 students spends no time on it."""
        return UNUSABLE_PASSWORD + secrets.token_urlsafe(24)

    @staticmethod
    def new_password_hash(password: str) -> str:
        return generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        if not self.password_hash or self.password_hash.startswith(UNUSABLE_PASSWORD):
            return False
        return check_password_hash(self.password_hash, password)

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def host(self) -> HostCompany | None:
        return self.membership.host if self.membership else None


# The run form's pickers search students by the start of their name or email (run_reports.pick): on
# PostgreSQL a LIKE 'abc%' uses a b-tree only with text_pattern_ops (the database's collation is not C).
# The name is searched in lower case, so its index is on lower(name): one on the name as written was
# never used (a sequential scan of every user, 15-30 ms at 106,000 users).
Index(
    "ix_user_name_prefix",
    func.lower(User.name).label("name_lower"),
    postgresql_ops={"name_lower": "text_pattern_ops"},
)
Index("ix_user_email_prefix", User.email, postgresql_ops={"email": "text_pattern_ops"})


class Skill(db.Model):
    """A skill name, shared by student profiles and positions (stored lower-case)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)


class StudentProfile(db.Model):
    """What a student tells the program; the self-identification fields are for aggregates only."""

    __table_args__ = (
        CheckConstraint("class_year IS NULL OR class_year BETWEEN 2000 AND 2100", name="class_year_sane"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    college_id: Mapped[int | None] = mapped_column(ForeignKey("college.id"), index=True)
    major: Mapped[str] = mapped_column(String(120), default="")
    class_year: Mapped[int | None]
    phone: Mapped[str] = mapped_column(String(40), default="")
    home_town: Mapped[str] = mapped_column(String(120), default="")
    work_authorized: Mapped[bool] = mapped_column(default=False)
    age_confirmed: Mapped[bool] = mapped_column(default=False)  # 18 or over by the start date
    resume_file: Mapped[str | None] = mapped_column(String(80))  # generated name, outside the web root
    resume_name: Mapped[str | None] = mapped_column(String(200))  # the name the student uploaded
    resume_uploaded_at: Mapped[datetime | None]
    # Optional self-identification: aggregate reporting only, never shown to hosts.
    first_generation: Mapped[bool | None]
    pell_eligible: Mapped[bool | None]
    cc_transfer: Mapped[bool | None]
    gender: Mapped[str | None] = mapped_column(String(60))
    race_ethnicity: Mapped[list | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="profile")
    college: Mapped[College | None] = relationship(lazy="joined")
    skills: Mapped[list[Skill]] = relationship(secondary=student_skill, order_by="Skill.name", lazy="selectin")

    @property
    def skill_names(self) -> list[str]:
        return [skill.name for skill in self.skills]


class HostCompany(db.Model):
    __table_args__ = (UniqueConstraint("program_id", "name"), one_of("size", HostSize))

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(120), default="")
    site_town: Mapped[str] = mapped_column(String(120), default="")
    size: Mapped[str] = mapped_column(String(10), default=HostSize.SMALL)
    website: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    approved: Mapped[bool] = mapped_column(default=False)  # positions are visible once approved
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    program: Mapped[Program] = relationship(back_populates="hosts")
    members: Mapped[list[HostMember]] = relationship(back_populates="host")


class HostMember(db.Model):
    """A user who works for a host company; a user belongs to at most one host."""

    __table_args__ = (one_of("role", HostMemberRole),)

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("host_company.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    role: Mapped[str] = mapped_column(String(10), default=HostMemberRole.MEMBER)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    host: Mapped[HostCompany] = relationship(back_populates="members")
    user: Mapped[User] = relationship(back_populates="membership")


class Invitation(db.Model):
    """An invitation to join as a host member or a coordinator; the emailed link is signed."""

    __table_args__ = (
        CheckConstraint("role IN ('host', 'coordinator', 'liaison')", name="role_invitable"),
        CheckConstraint("role != 'host' OR host_id IS NOT NULL", name="host_for_host_role"),
        CheckConstraint("role != 'liaison' OR college_id IS NOT NULL", name="college_for_liaison"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20))
    host_id: Mapped[int | None] = mapped_column(ForeignKey("host_company.id", ondelete="CASCADE"))
    host_role: Mapped[str] = mapped_column(String(10), default=HostMemberRole.MEMBER)
    college_id: Mapped[int | None] = mapped_column(ForeignKey("college.id", ondelete="CASCADE"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    program: Mapped[Program] = relationship()
    host: Mapped[HostCompany | None] = relationship()
    college: Mapped[College | None] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])
