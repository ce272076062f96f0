"""Small helpers the views share for showing service errors on forms."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm

from ..errors import NotAllowed, ServiceError


def show_error(form: FlaskForm, error: ServiceError) -> None:
    """Put the error next to its field when the form has it, else flash it; a refusal stays a 403."""
    if isinstance(error, NotAllowed):
        raise error
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        flash(str(error), "danger")


def status_for(form: FlaskForm) -> int:
    """200 for a fresh form; 400 when a submitted form comes back with errors."""
    return 400 if form.is_submitted() else 200


def rank_inputs(form_data) -> dict[int, str]:
    """The rank_<id> fields of a posted rank list, keyed by id; other or malformed names are ignored."""
    inputs = {}
    for name, value in form_data.items():
        if name.startswith("rank_") and name[5:].isdigit():
            inputs[int(name[5:])] = value
    return inputs
