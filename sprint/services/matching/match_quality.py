"""The match-quality figures, defined once: the run page, the run comparison and the match-quality
dashboard all compute "at first choice" and "in top three" here, and state the same definition."""

from __future__ import annotations

from ..support.figures import Percent, rate

SHARE_OF = "of the placements the match made"
DEFINITION = (
    "At first choice and in top three: of the placements the match made, the share where the student "
    "got their first choice, or one of their first three."
)


def choice_shares(first: int, top_three: int, placements: int) -> tuple[Percent | None, Percent | None]:
    """(at first choice, in top three) as shares of the match's placements; None when there are none."""
    return rate(first, placements), rate(top_three, placements)
