"""Fixtures for the browser tests: the app served on 127.0.0.1 by a real server, driven by Debian's Chromium.

The live server has its own SQLite database in a temporary folder, whatever TEST_DATABASE_URL says: the
main suite drops and empties its tables around every test, which would pull the floor from under a
server that runs for the whole session. CSRF protection stays on (a real browser posts real forms),
match runs execute on the real background thread, and mail goes to the in-memory outbox.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext
from werkzeug.serving import make_server

from sprint import create_app
from sprint.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Launch Debian's Chromium, never a downloaded browser; missing Chromium is a failure, not a skip."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run "
            "the browser tests; CI does this in .ci/run.",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@dataclass
class LiveServer:
    app: Flask
    url: str

    def outbox(self) -> list:
        mailman = self.app.extensions["mailman"]
        if getattr(mailman, "outbox", None) is None:
            mailman.outbox = []
        return mailman.outbox

    def run(self, work: Callable):
        """Call `work()` inside a fresh app context (setup and checks); the server's own requests are untouched."""
        with self.app.app_context():
            try:
                return work()
            finally:
                db.session.remove()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("live")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-tests-secret-key-0123456789-abcdefghij",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'live.sqlite'}",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"timeout": 30}},
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": False,
            "MAIL_BACKEND": "locmem",
            "QUEUE_URL": "immediate",  # the outbox's sender runs when an email is committed
            "RUNS_INLINE": False,  # the real background worker thread
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "MAIL_FILE_PATH": str(folder / "outbox"),
        }
    )
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"  # emailed links lead to this server
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="live-server")
    thread.start()
    yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict, live_server: LiveServer) -> dict:
    return {**browser_context_args, "base_url": live_server.url, "viewport": VIEWPORT}


@pytest.fixture(scope="session")
def demo(live_server: LiveServer) -> LiveServer:
    """The demo program (about 10 s to build, once per session): logins from sprint.services.demo."""
    from sprint.demo.loader import load_demo

    live_server.run(lambda: load_demo(2027))
    return live_server


@pytest.fixture
def context_for(browser: Browser, browser_context_args: dict) -> Iterator[Callable[..., BrowserContext]]:
    """New browser contexts (one per person), closed after the test."""
    made: list[BrowserContext] = []

    def make(**extra) -> BrowserContext:
        context = browser.new_context(**{**browser_context_args, **extra})
        context.set_default_timeout(15_000)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()
