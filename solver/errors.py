"""Exceptions raised by the solver package."""

from __future__ import annotations

__all__ = ["InstanceError", "ModeError"]


class InstanceError(ValueError):
    """The instance (or a result given to the checker) is malformed.

    The message names the offending entry, e.g. ``students[3] ('s4'): prefs[2]:
    unknown position 'p9'``.
    """


class ModeError(ValueError):
    """The requested mode cannot honour the instance (e.g. caps in 'stable')."""
