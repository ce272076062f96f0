"""Login limits: failed attempts, counted per account and per client address in the limiter's store.

Why the owner with the right password is not locked out by someone else's guesses, and why that
is still safe:

- Only failures count. A correct password costs nothing, so ten students behind one campus
  address never use up that address's allowance by logging in.
- Per client address (the address ProxyFix reports behind TRUSTED_PROXIES proxies), at most
  LOGIN_FAILURES_PER_ADDRESS. Once it is spent, every login from that address waits, right
  password or wrong, and the password is not even checked: if the right password still passed,
  each "wait" answer would tell the guesser "wrong", and guessing would go on at full speed.
- Per account, at most LOGIN_FAILURES_PER_ACCOUNT, for browsers that never logged in to that
  account. A browser where the owner logged in before carries a signed "known device" cookie
  naming the account; its failures count on an allowance of its own (the same numbers) instead.
  So a guesser who spends the account's allowance locks out new browsers only, not the owner's
  own; the guesser cannot get the exemption without having logged in (the cookie is signed with
  the app's secret key and names one account), and a stolen cookie buys only its own allowance.
- Test, then count: before the password is checked every allowance that applies is tested; a
  wrong password then takes one hit from each. A hit is atomic in the store (Redis in
  production), so concurrent guesses spread over many workers never get more wrong answers
  than the allowance: a hit that is refused turns the answer into "wait" (429).
- When the shared store cannot be reached (Redis restarting), the counts go on in this process's
  memory until it is back, and the failure is logged: logins keep working, and guessing stays
  limited per worker instead of being let through unchecked or answered with an error page.
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass

from flask import Response, current_app, request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage

from .extensions import limiter
from .services.accounts.tokens import make_token, peek_token
from .services.accounts.users import normalise_email

DEVICE_COOKIE = "sprint_device"
DEVICE_MAX_AGE = 365 * 86400


@dataclass(frozen=True)
class Allowance:
    item: RateLimitItem
    keys: tuple[str, ...]


class LoginLimits:
    """The allowances one login attempt is measured against."""

    def __init__(self, email: str) -> None:
        email = normalise_email(email)
        device = _known_device(email)
        allowances = [
            Allowance(item, ("login-address", request.remote_addr or "unknown"))
            for item in _items("LOGIN_FAILURES_PER_ADDRESS")
        ]
        per_account = ("login-device", device) if device else ("login-account", email)
        allowances += [Allowance(item, per_account) for item in _items("LOGIN_FAILURES_PER_ACCOUNT")]
        self.allowances = allowances if current_app.config.get("RATELIMIT_ENABLED", True) else []

    def exhausted(self) -> bool:
        """True when any allowance is spent: the attempt must wait, whatever its password."""
        return any(not _counted("test", a.item, *a.keys) for a in self.allowances)

    def count_failure(self) -> bool:
        """Count one failed attempt against every allowance; False if one of them was already spent."""
        return all([_counted("hit", a.item, *a.keys) for a in self.allowances])

    def retry_after(self) -> int:
        """Seconds until every allowance has room again."""
        waits = [0.0]
        for allowance in self.allowances:
            reset_at, remaining = _counted("get_window_stats", allowance.item, *allowance.keys)
            if remaining <= 0:
                waits.append(reset_at - time.time())
        return max(1, math.ceil(max(waits)))


def _counted(method: str, *args):
    """`method` of the limiter's strategy on the shared store; on this process's memory while that
    store cannot be reached."""
    try:
        return getattr(limiter.limiter, method)(*args)
    except Exception:  # noqa: BLE001 - whatever the store's client raises (a refused connection, a timeout)
        current_app.logger.exception("The rate-limit store failed; login failures are counted in memory")
        # the strategy over this process's memory, made for this app the first time the shared store fails
        fallback = current_app.extensions.setdefault("sprint.login_limits_fallback", {})
        strategy = fallback.get(type(limiter.limiter))
        if strategy is None:
            strategy = fallback[type(limiter.limiter)] = type(limiter.limiter)(MemoryStorage())
        return getattr(strategy, method)(*args)


def _items(setting: str) -> list[RateLimitItem]:
    return parse_many(current_app.config[setting])


def _known_device(email: str) -> str | None:
    """The id of this browser's known-device cookie, when it was issued for this account."""
    payload = peek_token("device", request.cookies.get(DEVICE_COOKIE, ""), DEVICE_MAX_AGE)
    if payload is None or payload.get("email") != email:
        return None
    return str(payload.get("id", ""))[:40] or None


def remember_device(response: Response, email: str) -> Response:
    """After a successful login: this browser is a known device for the account from now on."""
    token = make_token("device", {"email": normalise_email(email), "id": secrets.token_urlsafe(12)})
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response
