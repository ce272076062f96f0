"""Absolute links for emails, built from the configured base URL and never from a request.

A link built with `url_for(..., _external=True)` during a request takes its host from the
request's Host header, which the client chooses: a forged header would put an attacker's host in
front of a valid reset token. Every emailed link comes from here instead.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def absolute_url(endpoint: str, **values) -> str:
    """`https://<BASE_URL host and path>/<the endpoint's path>`, whatever host the request named."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
