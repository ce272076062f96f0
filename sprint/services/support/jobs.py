"""Background jobs on Huey: one queue for all the work that must not run inside a request.

Where the queue lives is QUEUE_URL:

- "sqlite" (the default): a SQLite file in instance/ (`queue.sqlite`), so a newcomer needs no server.
  With RUN_IN_WEB on (the development default) the web process does the work queued for now in a
  thread of its own, and from its first request runs a one-thread Huey consumer with the scheduler
  (the periodic jobs: retries, reminders, scheduled publications, and the work queued for later),
  so `sprint run` alone runs everything; `sprint worker` is for more hands;
- "redis://host:6379/0" (production): every web process and every worker, on any machine, share it;
- "immediate" (the tests): a job runs when it is queued, in the caller's thread.

The Huey instance belongs to the app (`init_app` puts a `Jobs` in `app.extensions`), not to the
module, and each feature declares its jobs as `Job` values that `create_app` passes in by name:
nothing registers itself by being imported. Every job runs in an app context of its own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from huey.consumer import Consumer


@dataclass(frozen=True)
class Job:
    """A kind of background work: its name, the function that does it, and how failures are retried.

    `every` (a Huey crontab, e.g. `crontab(minute="*/1")`) makes it periodic: the one worker started
    with the scheduler on (`sprint worker --scheduler`) queues it at those times."""

    name: str
    run: Callable[..., object]
    retries: int = 0
    retry_delay: int = 0  # seconds before the first retry
    every: Callable[[datetime], bool] | None = None


def queue_for(config: dict, instance_path: str) -> Huey:
    """The Huey instance QUEUE_URL names."""
    url = str(config.get("QUEUE_URL") or "sqlite")
    name = str(config.get("QUEUE_NAME") or "sprint")
    if url == "immediate":
        return MemoryHuey(name, immediate=True, utc=True)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, utc=True)
    if url == "sqlite" or url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :] if url != "sqlite" else "queue.sqlite"
        filename = path if Path(path).is_absolute() else str(Path(instance_path) / path)
        return SqliteHuey(name, filename=filename, utc=True)
    raise ValueError(f"QUEUE_URL must be sqlite, sqlite:///<file>, redis://… or immediate, not {url!r}")


class Jobs:
    """One app's queue and its registered jobs."""

    def __init__(self, app: Flask, huey: Huey) -> None:
        self.app, self.huey = app, huey
        self.tasks: dict[str, TaskWrapper] = {}
        self.functions: dict[str, Callable[..., object]] = {}
        # The embedded default: work queued for now runs in one thread of the web process itself.
        self.in_web = bool(app.config.get("RUN_IN_WEB")) and isinstance(huey, SqliteHuey)
        self._executor: ThreadPoolExecutor | None = None
        self._consumer: Consumer | None = None
        self._consumer_lock = threading.Lock()

    def register(self, job: Job) -> None:
        if job.name in self.tasks:
            raise ValueError(f"Two jobs are called {job.name!r}")
        app = self.app

        def in_app_context(*args, **kwargs):
            with app.app_context():
                return job.run(*args, **kwargs)

        in_app_context.__name__ = job.name
        self.functions[job.name] = in_app_context
        options = dict(retries=job.retries, retry_delay=job.retry_delay, name=job.name)
        if job.every is not None:
            self.tasks[job.name] = self.huey.periodic_task(job.every, **options)(in_app_context)
        else:
            self.tasks[job.name] = self.huey.task(**options)(in_app_context)

    def enqueue(self, name: str, *args, delay: float | None = None, eta: datetime | None = None):
        """Queue job `name` with these arguments (now, after `delay` seconds, or at `eta`, UTC)."""
        task = self.tasks[name]
        if delay is None and eta is None and self.in_web:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sprint-job")
            return self._executor.submit(self._logged, name, *args)
        if delay is None and eta is None:
            return task(*args)
        return task.schedule(args=args, delay=delay, eta=eta)

    def _logged(self, name: str, *args) -> object:
        try:
            return self.functions[name](*args)
        except Exception:  # noqa: BLE001 - a failed job is logged; the rows it works on say what is left
            self.app.logger.exception("Background job %s failed in the web process", name)
            return None

    def start_in_web_worker(self) -> None:
        """The embedded default: a Huey consumer of one thread, with the scheduler, inside this web
        process (daemon threads), so no second process is needed for the periodic jobs and the work
        queued for later. Started by the first request, not with the app: CLI commands build it too.
        Huey's own `start` also sets signal handlers, which only a main thread may: its scheduler
        and worker threads are started here instead."""
        if self._consumer is not None or not self.in_web:
            return
        with self._consumer_lock:
            if self._consumer is not None:
                return
            consumer = self.huey.create_consumer(
                workers=1, worker_type="thread", periodic=True, check_worker_health=False
            )
            logging.getLogger("huey").setLevel(logging.WARNING)  # the web console is for requests, not each job
            consumer.scheduler.start()
            for _, thread in consumer.worker_threads:
                thread.start()
            self._consumer = consumer

    def stop_in_web_worker(self) -> None:
        """Stop the embedded consumer (the tests, or a process shutting down)."""
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            consumer.stop(graceful=True)

    def depth(self) -> dict[str, int]:
        """How much work waits: jobs queued now, and jobs scheduled for later."""
        return {"pending": self.huey.pending_count(), "scheduled": self.huey.scheduled_count()}


SEEN_KEY = "worker-seen-at"


def note_worker_alive() -> None:
    """Periodic: a worker with the scheduler on writes the time into the queue, so health checks and
    the coordinators' pages can tell whether anyone is running the jobs."""
    jobs_of().huey.put(SEEN_KEY, datetime.now(UTC).isoformat())


def worker_last_seen(app: Flask | None = None) -> datetime | None:
    """When a scheduling worker last said it was alive (None: never, or the queue forgot)."""
    value = jobs_of(app).huey.get(SEEN_KEY, peek=True)
    return datetime.fromisoformat(value) if value else None


JOBS = (Job("support.worker_alive", note_worker_alive, every=crontab(minute="*")),)


def init_app(app: Flask, jobs: Iterable[Job]) -> Jobs:
    queue = Jobs(app, queue_for(app.config, app.instance_path))
    for job in jobs:
        queue.register(job)
    app.extensions["sprint.jobs"] = queue
    if queue.in_web:
        app.before_request(queue.start_in_web_worker)
    return queue


def jobs_of(app: Flask | None = None) -> Jobs:
    return (app or current_app).extensions["sprint.jobs"]


def enqueue(name: str, *args, delay: float | None = None, eta: datetime | None = None):
    """Queue a job of the current app (see `Jobs.enqueue`)."""
    return jobs_of().enqueue(name, *args, delay=delay, eta=eta)
