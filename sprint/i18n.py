"""Languages: which one a page is shown in (English or Spanish), and numbers and money by locale.

The locale is the person's saved choice (User.locale), else the choice an anonymous visitor made
with the language switch (a cookie), else the best match of the browser's Accept-Language, else
English. Emails pick the recipient's saved locale (notify.send_email's `locale`), so a background
job renders the same text as a request would. The catalog is sprint/translations (README: how to
update it)."""

from __future__ import annotations

from decimal import Decimal

from babel import numbers
from flask import Flask, g, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

LOCALES = {"en": "English", "es": "Español"}  # the language switch lists these, in this order
DEFAULT_LOCALE = "en"
COOKIE = "sprint_locale"
COOKIE_MAX_AGE = 365 * 24 * 3600


def select_locale() -> str:
    """Flask-Babel's locale selector (background jobs have no request: English unless forced)."""
    if not has_request_context():
        return DEFAULT_LOCALE
    if not g.get("_choosing_locale"):  # loading the user may translate a message itself: no loop
        g._choosing_locale = True
        try:
            user = current_user
            saved = getattr(user, "locale", None) if getattr(user, "is_authenticated", False) else None
        finally:
            g._choosing_locale = False
        if saved in LOCALES:
            return saved
    chosen = request.cookies.get(COOKIE)
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(list(LOCALES), default=DEFAULT_LOCALE)


def current_locale() -> str:
    return str(get_locale() or DEFAULT_LOCALE)


def money(value: Decimal | float | None, currency: str = "USD") -> str:
    """`|money`: "$24.00" in English, "24,00 US$" in Spanish (CLDR's pattern for the locale)."""
    return "" if value is None else numbers.format_currency(value, currency, locale=current_locale())


def number(value: int | float | Decimal | None) -> str:
    """`|number`: 1,234 in English, 1234 / 12.345 in Spanish."""
    return "" if value is None else numbers.format_decimal(value, locale=current_locale())


def percent(value: float | Decimal | None, digits: int = 0) -> str:
    """`|percent`: a fraction (0.25) as "25%" / "25 %"."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return numbers.format_percent(value, pattern, locale=current_locale())


def init_app(app: Flask) -> None:
    app.add_template_filter(money)
    app.add_template_filter(number)
    app.add_template_filter(percent)

    @app.context_processor
    def languages() -> dict:
        return {"current_locale": current_locale(), "LOCALES": LOCALES}
