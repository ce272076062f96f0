"""Which season a student's or host's page shows.

`queries.season_shown_to` decides; this only carries the person's pick between pages: a `?season=` link
sets it, the session remembers it, and a pick that is no longer one of their seasons is ignored.
"""

from __future__ import annotations

from flask import g, request, session
from flask_login import current_user

from ..models import Season
from ..services.season import queries

SESSION_KEY = "season_id"


def season_view() -> queries.SeasonView:
    """The season this request shows (worked out once per request; templates read `g.season_view`)."""
    if "season_view" not in g:
        picked = request.args.get("season", type=int)
        view = queries.season_shown_to(current_user, picked or session.get(SESSION_KEY))
        if picked and view.shown is not None and view.shown.id == picked:
            session[SESSION_KEY] = picked
        g.season_view = view
    return g.season_view


def shown_season() -> Season | None:
    return season_view().shown
