"""The one rule for text people type or import: printable characters only.

Control characters (NUL and the rest of Unicode's "Cc" category) are refused everywhere:
PostgreSQL cannot store NUL, and the others only ever arrive by accident or attack. Tabs and line
breaks are allowed only in fields meant to hold several lines; a one-line field (a title, a name)
refuses line breaks, so they can never reach an email header or a CSV row. Forms apply this
through `sprint.forms.Form`, the CSV import through its reader: nowhere field by field.
"""

from __future__ import annotations

import re

LINE_BREAK = re.compile("[\n\r\x0b\x0c\x85\u2028\u2029]")
CONTROL_IN_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
CONTROL_IN_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")  # \t \n \r and NEL stay
WEB_LINK = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)  # a link people can open (a video call's)


def text_problem(text: str, multiline: bool = False) -> str | None:
    """Why this text cannot be accepted, in plain words, or None when it can."""
    found = (CONTROL_IN_LINES if multiline else CONTROL_IN_ONE_LINE).search(text)
    if found is None:
        return None
    char = found.group()
    if LINE_BREAK.match(char):
        return "This field takes a single line: remove the line break."
    if char == "\t":
        return "This field takes a single line: remove the tab character."
    return f"Remove the control character U+{ord(char):04X}: only plain text is accepted here."


def one_line(text: str) -> str:
    """The text with every run of whitespace and control characters turned into one space
    (for email subjects and other headers built from names people typed)."""
    return " ".join(CONTROL_IN_ONE_LINE.sub(" ", text).split())
