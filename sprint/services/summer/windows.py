"""When each part of the summer is open, in the program's time zone (dates, not instants).

- The start is confirmed once the student accepted, with a date from the day the offer was published
  (not before) to today (not in the future) and not after the position's end date.
- The check-in is open while the placement is started, once per side.
- The end-of-internship forms (evaluation, survey) open in the final two weeks before the position's
  end date, or as soon as the internship ended (completed or ended early), once per side.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ...models import Placement, PlacementStatus, utcnow
from ..support.local_time import to_local, zone_of

FINAL_WEEKS = 2  # the end-of-internship forms open this many weeks before the position's end date
ENDED = (PlacementStatus.COMPLETED, PlacementStatus.ENDED_EARLY)
WINDOW_RULES = (
    "The check-in is open while the internship is under way (after the host confirms the start), once for each side.",
    f"The end-of-internship forms open {FINAL_WEEKS} weeks before the position's end date, or as soon as the "
    "internship has ended, once for each side.",
)


def today(placement: Placement, now: datetime | None = None) -> date:
    """Today in the placement's program's time zone."""
    return to_local(now or utcnow(), zone_of(placement.season.program)).date()


def published_on(placement: Placement) -> date:
    """The day the offer was published (program's time zone): no internship starts before it."""
    return to_local(placement.offered_at, zone_of(placement.season.program)).date()


def end_forms_open_on(placement: Placement) -> date:
    return placement.position.end_date - timedelta(weeks=FINAL_WEEKS)


def check_in_open(placement: Placement) -> bool:
    return placement.status == PlacementStatus.STARTED


def end_forms_open(placement: Placement, on: date | None = None) -> bool:
    if placement.status in ENDED:
        return True
    on = on or today(placement)
    return placement.status == PlacementStatus.STARTED and on >= end_forms_open_on(placement)
