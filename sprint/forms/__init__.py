"""Forms check the shape of input; services check the rules."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import DecimalField, SelectChoice


def options(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class AmountField(DecimalField):
    """A decimal amount: 'NaN', 'Infinity' and friends are refused like any other non-number."""

    def process_formdata(self, valuelist) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))
