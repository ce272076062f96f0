"""Skills: parsing what people type, and how well a student's skills fit a position."""

from __future__ import annotations

import re

from ...extensions import db
from ...models import Skill
from ..support.concurrency import insert_missing

MAX_SKILLS = 30


def parse(text: str | None) -> list[str]:
    """Comma- or semicolon-separated skills, trimmed, lower-case, without repeats."""
    names = [re.sub(r"\s+", " ", part).strip().lower() for part in re.split(r"[,;\n]", text or "")]
    unique = list(dict.fromkeys(name for name in names if name))
    return [name[:60] for name in unique]


def get_or_create(names: list[str]) -> list[Skill]:
    """The Skill rows for these names, inserting the missing ones (two people adding the same new
    skill at the same moment both get the one row)."""
    if not names:
        return []
    found = {skill.name: skill for skill in db.session.scalars(db.select(Skill).where(Skill.name.in_(names)))}
    missing = [name for name in dict.fromkeys(names) if name not in found]
    if missing:
        insert_missing(Skill, [{"name": name} for name in missing], ["name"])
        found.update(
            (skill.name, skill) for skill in db.session.scalars(db.select(Skill).where(Skill.name.in_(missing)))
        )
    return [found[name] for name in names]


def match_score(student_skills: set[str], required: list[str], preferred: list[str]) -> int | None:
    """0 to 100: required skills count twice as much as preferred ones; None when the position lists none."""
    total = 2 * len(required) + len(preferred)
    if total == 0:
        return None
    have = 2 * len(student_skills.intersection(required)) + len(student_skills.intersection(preferred))
    return round(100 * have / total)
