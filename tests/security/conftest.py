"""Fixtures for the security tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def logged_in(app):
    """A fresh test client logged in as the user (through the real form)."""

    def make_client(user, password: str = "correct horse battery"):
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make_client
