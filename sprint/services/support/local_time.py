"""Local time: every date and time a person reads or types is in their program's time zone.

Storage stays naive UTC (`models.utcnow`). `to_utc` turns what a coordinator typed into the
stored instant; `format_when` is the one rendering of a stored instant for people (pages, service
messages, emails), with Babel's CLDR patterns and the zone's label ("Mar 15, 2027, 11:59 PM EDT").
Neither needs a request: background jobs pass the program's zone explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, available_timezones

import flask_babel
from babel import dates as babel_dates

from ..errors import ServiceError

DEFAULT_ZONE = "America/New_York"  # Connecticut
DEFAULT_LOCALE = "en_US"
CLOCK_LOCALE = {"es": "es_US"}  # the clock and zone of a language as read in the United States


@cache
def zone_names() -> tuple[str, ...]:
    """The zone names a program may choose ("Area/City" names of the IANA database), sorted."""
    return tuple(
        sorted(
            name
            for name in available_timezones()
            if "/" in name and not name.startswith(("Etc/", "SystemV/", "posix", "right"))
        )
    )


def zone(name: str | None) -> ZoneInfo:
    """The zone of that name; an unknown or empty name falls back to the default zone."""
    return ZoneInfo(name if name in zone_names() else DEFAULT_ZONE)


def zone_of(program) -> ZoneInfo:
    """A program's zone (the default for people without a program, such as administrators)."""
    return zone(getattr(program, "time_zone", None))


def check_zone_name(name: str) -> str:
    name = (name or "").strip()
    if name not in zone_names():
        raise ServiceError(
            f"{name or 'An empty name'} is not a time zone we know; choose one from the list, e.g. America/New_York.",
            "time_zone",
        )
    return name


def to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    """The stored (naive UTC) instant of a wall-clock time typed in `tz`.

    A time the clocks skip (2:30 AM on the morning daylight saving starts) is refused; a time
    they pass twice (1:30 AM when it ends) is the first of the two, daylight time, and its label
    says so wherever it is shown."""
    aware = local.replace(tzinfo=tz, fold=0)
    instant = aware.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValueError(
            f"{format_when(local.replace(tzinfo=None), tz, date_only=True)} has no "
            f"{local:%-I:%M %p} in {tz.key}: the clocks skip that hour for daylight saving. "
            "Choose a time outside it."
        )
    return instant.replace(tzinfo=None)


def to_local(instant: datetime, tz: ZoneInfo) -> datetime:
    """A stored (naive UTC) instant as an aware wall-clock time in `tz`."""
    return instant.replace(tzinfo=UTC).astimezone(tz)


@lru_cache(maxsize=4096)  # a publication's thousands of emails share a few deadlines
def format_when(
    value: datetime | date | None,
    tz: ZoneInfo,
    with_time: bool = False,
    locale: str | None = None,
    date_only: bool = False,
) -> str:
    """How people read a stored instant: "Mar 15, 2027" or, with_time, "Mar 15, 2027, 11:59 PM EDT".

    A `date` (a position's start) is a calendar day and is shown as it is; `date_only` shows the
    given wall-clock datetime's day without converting it."""
    locale = str(locale or DEFAULT_LOCALE)
    if value is None:
        return "not set"
    if not isinstance(value, datetime) or date_only:
        return babel_dates.format_date(value, "medium", locale=locale)
    local = to_local(value, tz)
    day = babel_dates.format_date(local, "medium", locale=locale)
    if not with_time:
        return day
    pattern = str(babel_dates.get_datetime_format("medium", locale=locale)).replace("'", "")
    return pattern.replace("{1}", day).replace("{0}", format_clock(value, tz, locale))


def format_clock(value: datetime, tz: ZoneInfo, locale: str | None = None) -> str:
    """The wall-clock time of a stored instant with its zone: "1:00 PM EST" (a day's list of times)."""
    locale = str(locale or DEFAULT_LOCALE)
    # Spanish has no short names for US zones ("-0400"); US Spanish has them ("11:59 p.m. EDT")
    clock_locale = CLOCK_LOCALE.get(locale, locale)
    clock = babel_dates.get_time_format("short", locale=clock_locale).pattern + " z"
    return babel_dates.format_time(to_local(value, tz), clock, tzinfo=tz, locale=clock_locale)


@dataclass(frozen=True)
class LocalWhen:
    """An instant put into a translatable message ("ranking closes %(by)s") and formatted when the message
    is read: in the reader's language (Flask-Babel's current locale) and the program's zone. `as_json` and
    `from_json` keep it in a stored message's values (a notification's `phrase_args`)."""

    at: datetime
    zone_name: str

    def __str__(self) -> str:
        locale = flask_babel.get_locale()  # None outside an app context
        return format_when(self.at, zone(self.zone_name), True, locale=str(locale) if locale else None)

    def as_json(self) -> dict:
        return {"at": self.at.isoformat(), "zone": self.zone_name}

    @classmethod
    def from_json(cls, value: dict) -> LocalWhen:
        return cls(datetime.fromisoformat(value["at"]), value["zone"])


def zone_abbreviation(tz: ZoneInfo, locale: str | None = None) -> str:
    """ "ET": the zone's short name all year round, for a field's label."""
    return babel_dates.get_timezone_name(tz, "short", zone_variant="generic", locale=str(locale or DEFAULT_LOCALE))


def zone_label(tz: ZoneInfo, locale: str | None = None) -> str:
    """ "Eastern Time (America/New_York)": for forms that say which zone to type in."""
    name = babel_dates.get_timezone_name(tz, "long", zone_variant="generic", locale=str(locale or DEFAULT_LOCALE))
    return f"{name} ({tz.key})"
