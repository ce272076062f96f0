"""Forms check the shape of input; services check the rules.

Every form subclasses `Form` (or `SubForm` inside a FormField): both refuse control characters in
every field, and line breaks in every field that is not a text area, before any other check runs.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import DecimalField, FieldList, FormField, SelectChoice, TextAreaField
from wtforms import Form as WTForm
from wtforms.validators import StopValidation

from ..services.support.plain_text import WEB_LINK as WEB_LINK  # re-exported for forms/interviews.py
from ..services.support.plain_text import text_problem


def options(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _plain_text(multiline: bool):
    def check(form, field) -> None:
        for value in field.raw_data or ():
            problem = text_problem(value, multiline) if isinstance(value, str) else None
            if problem:
                field.errors.clear()  # this is the one thing to fix: other messages would mislead
                raise StopValidation(problem)

    return check


class _PlainTextMeta:
    """Puts the plain-text check first in the validators of every field the form binds."""

    def bind_field(self, form, unbound_field, options):
        if not issubclass(unbound_field.field_class, (FormField, FieldList)):  # their inner forms check
            multiline = issubclass(unbound_field.field_class, TextAreaField)
            validators = unbound_field.kwargs.get("validators") or ()
            options = {**options, "validators": [_plain_text(multiline), *validators]}
        return super().bind_field(form, unbound_field, options)


class Form(FlaskForm):
    """The base of every page form (CSRF from Flask-WTF, plus the plain-text rule)."""

    class Meta(_PlainTextMeta):
        pass


class SubForm(WTForm):
    """The base of forms nested in a FormField (no token of their own)."""

    class Meta(_PlainTextMeta):
        pass


class AmountField(DecimalField):
    """A decimal amount: 'NaN', 'Infinity' and friends are refused like any other non-number."""

    def process_formdata(self, valuelist) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))
