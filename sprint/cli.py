"""Command line: `flask --app sprint ...` or the `sprint` console script."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from .demo import loader
from .extensions import db
from .models import Season
from .services.accounts import users
from .services.errors import ServiceError
from .services.matching import match_runs, run_queue, run_reports
from .services.season import reminders
from .services.support import jobs


def init_app(app: Flask) -> None:
    for command in (setup_db, create_admin, seed_demo, run_match, worker, send_reminders):
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
    try:
        user = users.create_admin(email, name, password)
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Administrator {user.email} created.")


@click.command("seed-demo")
@click.option("--seed", default=2027, show_default=True, help="Same seed, same demo.")
@with_appcontext
def seed_demo(seed: int) -> None:
    """Load the demo program: three past summers and the current season."""
    summary = loader.load_demo(seed)
    if summary.created:
        click.echo(f"Demo loaded in {summary.seconds:.1f} s: {summary.describe()}")
    else:
        click.echo("The demo program is already loaded; nothing changed.")
    click.echo("\nDemo logins (password for all: " + loader.DEMO_PASSWORD + "):")
    width = max(len(role) for role, _ in loader.DEMO_LOGINS)
    for role, email in loader.DEMO_LOGINS:
        click.echo(f"  {role:<{width}}  {email}")


@click.command("run-match")
@click.option("--season-id", type=int, required=True, help="The season to match.")
@click.option(
    "--mode",
    type=click.Choice(["stable", "stable-hosts", "max-stable", "welfare"]),
    default="stable",
    show_default=True,
)
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True)
@click.option("--time-limit", type=click.IntRange(1, 600), default=20, show_default=True, help="Seconds.")
@click.option("--label", default="Run from the command line", show_default=True)
@with_appcontext
def run_match(season_id: int, mode: str, seed: int, time_limit: int, label: str) -> None:
    """Run the match of a season now, through the same services as the console, and print a summary."""
    season = db.session.get(Season, season_id)
    if season is None:
        raise click.ClickException(f"There is no season with id {season_id}.")
    settings = match_runs.RunSettings(mode=mode, seed=seed, time_limit_s=float(time_limit), label=label)
    try:  # inline: this process has no background worker to wait for
        run = match_runs.start_run(None, season, settings, inline=True)
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    if run.status != "done":
        raise click.ClickException(f"Run #{run.id} {run.status}: {run.error}")
    figures = run_reports.figures(run)
    click.echo(
        f"Run #{run.id} of {season.name} ({mode}, seed {seed}) done in {run.solve_seconds:.2f} s; "
        f"input {run.input_hash[:12]}"
    )
    click.echo(
        f"  matched {figures.matched} of {figures.students} students; {figures.unfilled_slots} of "
        f"{figures.slots} slots unfilled"
    )
    click.echo(
        f"  first choice {figures.first_choice}, top three {figures.top_three}, blocking pairs {len(figures.blocking)}"
    )


@click.command("worker")
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Jobs run at the same time in this process.",
)
@click.option(
    "--scheduler/--no-scheduler",
    default=True,
    show_default=True,
    help="Queue the periodic jobs too; exactly one worker of an installation should.",
)
@with_appcontext
def worker(threads: int, scheduler: bool) -> None:
    """Run background jobs from the queue (QUEUE_URL) until stopped (SIGINT or SIGTERM: finish the
    jobs in hand, then exit), at a lower CPU priority than the web processes."""
    app = current_app._get_current_object()
    nice = run_queue.lower_priority(app.config.get("RUN_NICE", 10), whole_process=True)
    queue = jobs.jobs_of(app)
    queue.in_web = False  # a worker queues what its jobs queue, for any worker to take
    click.echo(
        f"Worker on {app.config['QUEUE_URL']} queue {queue.huey.name!r}: {threads} thread(s), "
        f"scheduler {'on' if scheduler else 'off'}, nice {nice}."
    )
    queue.huey.create_consumer(
        workers=threads, worker_type="thread", periodic=scheduler, check_worker_health=True
    ).run()


@click.command("send-reminders")
@click.option("--within-days", default=3, show_default=True, help="Remind when the ranking deadline is this close.")
@with_appcontext
def send_reminders(within_days: int) -> None:
    """Email students and hosts whose rank lists are not certified; run it daily from a scheduler."""
    counts = reminders.send_deadline_reminders(within_days)
    click.echo(
        f"Reminded {counts.students} students and {counts.host_members} host members in {counts.seasons} season(s)."
    )


def main() -> None:
    """The `sprint` console script: Flask's CLI with this app."""
    from . import create_app  # sprint/__init__ imports this module: a module-level import would be a season

    FlaskGroup(create_app=create_app)()
