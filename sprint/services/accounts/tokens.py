"""Signed, expiring tokens: emailed links (invitations, password resets), import previews, known devices."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..errors import ServiceError


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"sprint-{purpose}")


def make_token(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def token_maker(purpose: str) -> Callable[[dict], str]:
    """`make_token` for many payloads of one purpose (an import's 50,000 welcome links): one signer."""
    return _serializer(purpose).dumps


def read_token(purpose: str, token: str, max_age_seconds: int) -> dict:
    """Return the payload, or raise ServiceError saying why the link cannot be used."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age_seconds)
    except SignatureExpired as error:
        raise ServiceError("This link has expired. Please ask for a new one.") from error
    except BadSignature as error:
        raise ServiceError("This link is not valid. Please check that you copied all of it.") from error


def fingerprint(secret: str) -> str:
    """A short digest that changes when the secret does, so a reset link works once."""
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def peek_token(purpose: str, token: str, max_age_seconds: int) -> dict | None:
    """The payload of a valid token, or None for a missing, forged or expired one (no message needed)."""
    if not token:
        return None
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age_seconds)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    return payload if isinstance(payload, dict) else None
