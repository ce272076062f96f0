"""Programs: the partnerships an installation hosts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from ..errors import ServiceError
from ..extensions import db
from ..models import Cycle, HostCompany, Program, User
from . import audit


def all_programs() -> list[Program]:
    return list(db.session.scalars(db.select(Program).order_by(Program.name)))


def create_program(actor: User, name: str, slug: str, region: str = "", contact_email: str = "") -> Program:
    slug = slug.strip().lower()
    if db.session.scalar(db.select(Program.id).where(Program.slug == slug)) is not None:
        raise ServiceError(f"The short name {slug!r} is taken; choose another.", "slug")
    program = Program(name=name.strip(), slug=slug, region=region.strip(), contact_email=contact_email.strip())
    db.session.add(program)
    try:
        db.session.flush()
        audit.record(actor, "program.created", program, program_id=program.id, name=program.name)
        db.session.commit()
    except IntegrityError as error:  # the same short name created twice at once
        db.session.rollback()
        raise ServiceError(f"The short name {slug!r} is taken; choose another.", "slug") from error
    return program


@dataclass(frozen=True)
class ProgramSummary:
    program: Program
    cycles: int
    hosts: int
    people: int


def program_summaries() -> list[ProgramSummary]:
    """Every program with its counts of seasons, hosts and accounts (four queries)."""
    def counts(column, key):
        return dict(db.session.execute(db.select(key, func.count(column)).group_by(key)).all())

    cycles = counts(Cycle.id, Cycle.program_id)
    hosts = counts(HostCompany.id, HostCompany.program_id)
    people = counts(User.id, User.program_id)
    return [ProgramSummary(program, cycles.get(program.id, 0), hosts.get(program.id, 0),
                           people.get(program.id, 0))
            for program in db.session.scalars(db.select(Program).order_by(Program.name))]
