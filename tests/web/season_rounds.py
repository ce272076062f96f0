"""Publishing a round of a test season, for web tests that start after the match (a plain module, not
conftest.py: `from conftest import ...` finds whichever folder's conftest pytest loaded last)."""

from __future__ import annotations

from sprint.extensions import db
from sprint.models import Season, User
from sprint.services.matching import match_runs, second_round


def publish_round(app, world, round_: int = 1) -> dict[int, int]:
    """Run and publish a round of the season as its coordinator; {student id: placement id} of the round."""
    with app.app_context():
        coordinator = db.session.get(User, world.coordinator.id)
        season = db.session.get(Season, world.season.id)
        settings = match_runs.RunSettings(seed=1)
        run = (
            match_runs.start_run(coordinator, season, settings)
            if round_ == 1
            else second_round.start_second_round(coordinator, season, settings)
        )
        match_runs.publish_run(coordinator, run)
        return {p.student_id: p.id for p in match_runs.offers_of(run)}
