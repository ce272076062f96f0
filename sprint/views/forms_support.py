"""Small helpers the views share for showing service errors on forms."""

from __future__ import annotations

import re

from flask import abort, flash
from flask_wtf import FlaskForm

from ..errors import NotAllowed, ServiceError, StaleEdit

RANK_FIELD = re.compile(r"rank_([0-9]{1,9})")


def show_error(form: FlaskForm, error: ServiceError) -> None:
    """Put the error next to its field when the form has it, else flash it; a refusal stays a 403,
    and a form that lost a race (StaleEdit) is answered with 409 by `status_for`."""
    if isinstance(error, NotAllowed):
        raise error
    if isinstance(error, StaleEdit):
        form.stale = True
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        flash(str(error), "danger")


def status_for(form: FlaskForm) -> int:
    """200 for a fresh form; 400 when a submitted form comes back with errors; 409 when it lost a race."""
    if getattr(form, "stale", False):
        return 409
    return 400 if form.is_submitted() else 200


def valid_or_400(form: FlaskForm) -> FlaskForm:
    """A GET form (search, filters) that must be valid: otherwise a 400 page naming what is wrong."""
    if not form.validate():
        abort(400, description=" ".join(message for messages in form.errors.values() for message in messages))
    return form


def error_status(error: ServiceError) -> int:
    """The status of a page that shows a service error: 409 for a lost race, else 400."""
    return 409 if isinstance(error, StaleEdit) else 400


def rank_inputs(form_data) -> dict[int, str]:
    """The rank_<id> fields of a posted rank list, keyed by id; other or malformed names are ignored
    (ids are ASCII digits only: "rank_²" is not an id)."""
    inputs = {}
    for name, value in form_data.items():
        match = RANK_FIELD.fullmatch(name)
        if match:
            inputs[int(match.group(1))] = value
    return inputs
