"""Small helpers the views share for showing service errors on forms.

A view sends a form's service call inside `errors_shown_on(form)` (re-render the page with the
message) or `errors_flashed()` (flash it and go on to the redirect); a refusal (403, 404) is left
to the app's error handler in both, and the failed call is rolled back in all three."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from flask import abort, flash
from flask_wtf import FlaskForm

from ..errors import discard_failed_call, is_refusal, status_of
from ..services.errors import ServiceError

RANK_FIELD = re.compile(r"rank_([0-9]{1,9})")


def show_error(form: FlaskForm, error: ServiceError) -> None:
    """Put the error next to its field when the form has it, else flash it; the page's status is the
    error's (see `status_for`). A refusal is not a form message: it goes on to the error handler."""
    if is_refusal(error):
        raise error
    discard_failed_call()
    form.error_status = status_of(error)
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        flash(str(error), "danger")


@contextmanager
def errors_shown_on(form: FlaskForm) -> Iterator[None]:
    """Run the block (a service call, then flash and redirect); a ServiceError ends it and is shown on
    the form, so the view goes on to re-render the page with `status_for(form)`."""
    try:
        yield
    except ServiceError as error:
        show_error(form, error)


@contextmanager
def errors_flashed() -> Iterator[None]:
    """Run the block; a ServiceError ends it and is flashed, and the view goes on (to its redirect)."""
    try:
        yield
    except ServiceError as error:
        if is_refusal(error):
            raise
        discard_failed_call()
        flash(str(error), "danger")


def status_for(form: FlaskForm) -> int:
    """200 for a fresh form; 400 when a submitted form comes back with errors; a service error's own
    status (409 for a lost race) when one was shown on it."""
    return getattr(form, "error_status", None) or (400 if form.is_submitted() else 200)


def valid_or_400(form: FlaskForm) -> FlaskForm:
    """A GET form (search, filters) that must be valid: otherwise a 400 page naming what is wrong."""
    if not form.validate():
        abort(400, description=" ".join(message for messages in form.errors.values() for message in messages))
    return form


def rank_inputs(form_data) -> dict[int, str]:
    """The rank_<id> fields of a posted rank list, keyed by id; other or malformed names are ignored
    (ids are ASCII digits only: "rank_²" is not an id)."""
    inputs = {}
    for name, value in form_data.items():
        match = RANK_FIELD.fullmatch(name)
        if match:
            inputs[int(match.group(1))] = value
    return inputs
