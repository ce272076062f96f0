"""Settings from the environment: SPRINT_<NAME> for every setting, the old unprefixed names as aliases,
and one README table that lists them all."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from sprint import create_app
from sprint.config import ALIASES, PROCESS_VARIABLES, ConfigError, Defaults, Production, parse_setting

README = Path(__file__).resolve().parents[2] / "README.md"


def _settings() -> set[str]:
    return {name for kind in (Defaults, Production) for name in vars(kind) if name.isupper()}


@pytest.fixture
def environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SPRINT_INSTANCE_PATH", str(tmp_path))
    for name in ALIASES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_prefixed_variables_set_settings_as_their_types(environment):
    environment.setenv("SPRINT_TRUSTED_PROXIES", "2")
    environment.setenv("SPRINT_REQUIRE_WORKER", "yes")
    environment.setenv("SPRINT_TRUSTED_HOSTS", "a.example.org, b.example.org")
    environment.setenv("SPRINT_SECRET_KEY", "12345678901234567890123456789012")  # digits: still a string
    environment.setenv("SPRINT_PAGE_SIZE", "50")
    environment.setenv("SPRINT_SQLALCHEMY_ENGINE_OPTIONS__pool_size", "7")

    config = create_app().config

    assert config["TRUSTED_PROXIES"] == 2 and config["REQUIRE_WORKER"] is True
    assert {"a.example.org", "b.example.org"} <= set(config["TRUSTED_HOSTS"])
    assert config["SECRET_KEY"] == "12345678901234567890123456789012"
    assert config["PAGE_SIZE"] == 50
    assert config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True, "pool_size": 7}
    assert "ENV" not in config and "INSTANCE_PATH" not in config  # those two choose the settings
    assert Defaults.SQLALCHEMY_ENGINE_OPTIONS == {"pool_pre_ping": True}  # the next app starts from the defaults


def test_the_prefixed_name_wins_over_its_alias_and_both_normalise_the_database_url(environment):
    environment.setenv("DATABASE_URL", "postgres://u:p@old.internal/sprint")
    environment.setenv("SPRINT_SQLALCHEMY_DATABASE_URI", "postgresql://u:p@db.internal/sprint")
    environment.setenv("QUEUE_NAME", "from-alias")

    config = create_app().config

    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.internal/sprint"
    assert config["QUEUE_NAME"] == "from-alias"


def test_a_value_that_does_not_read_as_its_type_stops_the_app_naming_the_setting(environment):
    environment.setenv("SPRINT_TRUSTED_PROXIES", "one")

    with pytest.raises(ConfigError, match="TRUSTED_PROXIES='one'"):
        create_app()


@pytest.mark.parametrize(
    ("setting", "raw", "expected"),
    [
        ("MAIL_USE_TLS", "off", False),
        ("REMEMBER_COOKIE_SECURE", "yes", True),  # production's own setting
        ("RATELIMIT_ALLOW_MEMORY", "1", True),
        ("MAIL_PORT", "587", 587),
        ("SENTRY_TRACES_SAMPLE_RATE", "0.25", 0.25),
        ("REMEMBER_COOKIE_DURATION", "3600", timedelta(hours=1)),
        ("MAIL_USERNAME", "12", "12"),
        ("SOMETHING_FLASK_READS", "12", "12"),  # not ours: as given
    ],
)
def test_values_are_read_as_the_type_of_the_default(setting, raw, expected):
    assert parse_setting(setting, raw) == expected


def test_every_alias_names_a_setting():
    assert set(ALIASES.values()) <= _settings()


def test_the_readme_table_documents_every_setting_with_its_default():
    text = README.read_text()
    table = text[text.index("| setting (environment) |") :]
    table = table[: table.index("\n\n")]
    rows = {
        name: row.split("|")[1]
        for row in table.splitlines()[2:]
        for name in re.findall(r"`SPRINT_([A-Z0-9_]+)`", row.split("|")[1])
    }

    missing = _settings() - set(rows)
    assert not missing, f"add a row to the README's settings table for {sorted(missing)}"
    for alias, setting in ALIASES.items():
        assert f"`{alias}`" in rows[setting], f"the README should name the alias {alias} on the {setting} row"
    for variable in PROCESS_VARIABLES:
        assert f"`{variable}`" in text
