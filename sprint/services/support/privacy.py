"""Small-cell suppression: the one rule for counts of people shown in aggregate.

Any count under SMALL_CELL, zero included, is shown as HIDDEN, so that no one can be picked out
by subtracting one figure from another. Dashboards, run reports and exports all ask this module.
"""

SMALL_CELL = 5
HIDDEN = f"<{SMALL_CELL}"


def too_small(*counts: int) -> bool:
    """True when any of these counts of people could single someone out."""
    return any(count < SMALL_CELL for count in counts)


def suppress(count: int | None) -> int | str | None:
    """A count of people, or "<5" when it is small enough to single someone out; None stays None."""
    if count is None:
        return None
    return HIDDEN if too_small(count) else count
