"""The interns' surveys aggregated per host, with the dashboards' small-cell rule (support.privacy):
a host's row shows its averages only when at least SMALL_CELL interns answered, so no answer can be
read back to one person. The host sees its own row on the same terms; coordinators see every host's,
and the check-ins, those asking for a call first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func

from ...extensions import db
from ...models import SURVEY_SCALES, CheckIn, HostCompany, InternSurvey, Placement, Position, Season
from ..support.privacy import HIDDEN, SMALL_CELL, too_small
from .forms_filled import SCALE_LABELS
from .lifecycle import SUMMER_STATUSES

DEFINITION = (
    "Each row averages the interns' end-of-internship surveys at one host this season, on a scale of 1 (poor) "
    f"to 5 (excellent). A host with fewer than {SMALL_CELL} answers shows {HIDDEN}: its figures could single an "
    "intern out. No survey is ever shown one by one to the host."
)


@dataclass(frozen=True)
class HostQuality:
    host_id: int
    host_name: str
    answers: int
    averages: dict[str, float] | None  # None: too few answers to show (suppressed)
    recommend_share: float | None  # share of answers that would recommend it, 0..1

    @property
    def suppressed(self) -> bool:
        return self.averages is None

    @property
    def answers_shown(self) -> int | str:
        return HIDDEN if self.suppressed else self.answers


def host_quality(season: Season, host_id: int | None = None) -> list[HostQuality]:
    """One row per host with at least one survey this season (or only `host_id`'s), by host name."""
    columns = [func.avg(getattr(InternSurvey, scale)).label(scale) for scale in SURVEY_SCALES]
    recommend = func.sum(db.case((InternSurvey.would_recommend.is_(True), 1), else_=0)).label("recommend")
    query = (
        db.select(HostCompany.id, HostCompany.name, func.count(InternSurvey.id).label("answers"), recommend, *columns)
        .select_from(InternSurvey)
        .join(Placement, Placement.id == InternSurvey.placement_id)
        .join(Position, Position.id == Placement.position_id)
        .join(HostCompany, HostCompany.id == Position.host_id)
        .where(Placement.season_id == season.id)
        .group_by(HostCompany.id, HostCompany.name)
        .order_by(HostCompany.name, HostCompany.id)
    )
    if host_id is not None:
        query = query.where(HostCompany.id == host_id)
    rows = []
    for row in db.session.execute(query):
        hidden = too_small(row.answers)
        rows.append(
            HostQuality(
                host_id=row.id,
                host_name=row.name,
                answers=row.answers,
                averages=None if hidden else {scale: round(float(getattr(row, scale)), 1) for scale in SURVEY_SCALES},
                recommend_share=None if hidden else int(row.recommend) / row.answers,
            )
        )
    return rows


def own_quality(host: HostCompany, season: Season) -> HostQuality | None:
    """The host's own row (suppressed when small), or None when no intern has answered yet."""
    rows = host_quality(season, host.id)
    return rows[0] if rows else None


def scale_labels() -> list[tuple[str, str]]:
    return [(scale, SCALE_LABELS[scale]) for scale in SURVEY_SCALES]


def check_ins(season: Season) -> list[CheckIn]:
    """Every check-in of the season, those asking for a call first, then the newest."""
    return list(
        db.session.scalars(
            db.select(CheckIn)
            .join(Placement, Placement.id == CheckIn.placement_id)
            .where(Placement.season_id == season.id)
            .order_by(CheckIn.wants_call.desc(), CheckIn.created_at.desc(), CheckIn.id.desc())
        )
    )


def calls_wanted(season: Season) -> int:
    return db.session.scalar(
        db.select(func.count(CheckIn.id))
        .join(Placement, Placement.id == CheckIn.placement_id)
        .where(Placement.season_id == season.id, CheckIn.wants_call.is_(True))
    )


def status_counts(season: Season) -> dict[str, int]:
    """How many of the season's placements are at each step of the summer (accepted on)."""
    rows = db.session.execute(
        db.select(Placement.status, func.count(Placement.id))
        .where(Placement.season_id == season.id, Placement.status.in_(SUMMER_STATUSES))
        .group_by(Placement.status)
    )
    counts = {str(status): 0 for status in SUMMER_STATUSES}
    counts.update({str(status): n for status, n in rows})
    return counts
