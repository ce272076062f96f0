"""Command line: `flask --app sprint ...` or the `sprint` console script."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from .errors import ServiceError


def init_app(app: Flask) -> None:
    for command in (setup_db, create_admin, seed_demo):
        app.cli.add_command(command)


@click.command("setup-db")
@with_appcontext
def setup_db() -> None:
    """Create the database, or upgrade it to the newest schema."""
    upgrade()
    click.echo("Database is at the newest schema.")


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True, default="Administrator")
@click.password_option()
@with_appcontext
def create_admin(email: str, name: str, password: str) -> None:
    """Create an installation administrator (the first account)."""
    from .services import accounts

    try:
        user = accounts.create_admin(email, name, password)
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Administrator {user.email} created.")


@click.command("seed-demo")
@click.option("--seed", default=2027, show_default=True, help="Same seed, same demo.")
@with_appcontext
def seed_demo(seed: int) -> None:
    """Load the demo program: three past summers and the current season."""
    from .services import demo

    summary = demo.load_demo(seed)
    if summary.created:
        click.echo(f"Demo loaded in {summary.seconds:.1f} s: {summary.describe()}")
    else:
        click.echo("The demo program is already loaded; nothing changed.")
    click.echo("\nDemo logins (password for all: " + demo.DEMO_PASSWORD + "):")
    for role, email in demo.DEMO_LOGINS:
        click.echo(f"  {role:<12} {email}")


def main() -> None:
    """The `sprint` console script: Flask's CLI with this app."""
    from . import create_app

    FlaskGroup(create_app=create_app)()
