"""The worker's life beside django-tasks' own loop: its heartbeat, the tasks of workers that
died, and waiting out a database outage instead of exiting.

Every task the site queues is safe to run twice (fan-outs and sends are keyed per mail,
the clean-up forgets what is old), so a task a dead worker left "running" is run again.
"""

import datetime
import logging
import os
import signal
import socket
import threading
import time

from django.conf import settings
from django.db import Error, InterfaceError, OperationalError, connections
from django.db.models.functions import Now
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from mail.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

DATABASE_BACK_OFF_SECONDS = (0.5, 1, 2, 5, 10)


def beat(worker_id, started_at):
    # The database's clock, as for the cut-off below: workers on several hosts compare.
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": Now(),
        },
    )


class Heartbeat(threading.Thread):
    """Records the worker every MAIL_WORKER_HEARTBEAT_SECONDS, from a thread of its own (and
    its own database connection), whatever the task loop is doing, and now and then queues
    again the tasks of workers that died; quiet while the database is away."""

    def __init__(self, worker_id):
        super().__init__(name="worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopped = threading.Event()

    def run(self):
        failing = False
        last_recovery = time.monotonic()
        while not self.stopped.is_set():
            try:
                beat(self.worker_id, self.started_at)
                if failing:
                    # Back after an outage: the others need a beat of their own first.
                    last_recovery = time.monotonic()
                elif time.monotonic() - last_recovery > settings.MAIL_WORKER_TIMEOUT_SECONDS:
                    # Another worker may have died since: its tasks run here.
                    recover_orphaned_tasks()
                    last_recovery = time.monotonic()
                failing = False
            except Exception:  # whatever happens, the heartbeat goes on
                if not failing:
                    logger.exception("The worker's heartbeat could not be recorded.")
                failing = True
                connections.close_all()
            self.stopped.wait(settings.MAIL_WORKER_HEARTBEAT_SECONDS)
        connections.close_all()

    def stop(self):
        self.stopped.set()


def live_worker_ids(now=None):
    timeout = datetime.timedelta(seconds=settings.MAIL_WORKER_TIMEOUT_SECONDS)
    cutoff = (now - timeout) if now else (Now() - timeout)
    return set(
        WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True)
    )


def recover_orphaned_tasks(*, now=None, except_worker=None):
    """Tasks left "running" by workers that are gone are queued again; returns how many.

    `except_worker` is the worker asking: its own tasks are orphans too when it asks
    after losing its database (it was interrupted while running them).
    """
    # Running tasks first, then who is alive: a task claimed in between is not touched,
    # because its claim changed started_at, which the update below requires unchanged.
    running = list(
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
            "pk", "worker_ids", "started_at"
        )
    )
    alive = live_worker_ids(now) - {except_worker}
    recovered = 0
    for task in running:
        if task.worker_ids and task.worker_ids[-1] in alive:
            continue
        recovered += DBTaskResult.objects.filter(
            pk=task.pk, status=TaskResultStatus.RUNNING, started_at=task.started_at
        ).update(status=TaskResultStatus.READY, started_at=None)
    return recovered


def forget_dead_workers(now=None):
    """Heartbeats of workers not seen for a day."""
    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(seen_at__lt=now - datetime.timedelta(days=1)).delete()[0]


def wait_for_database():
    """Return once the database answers again, trying with a growing pause."""
    attempt = 0
    while True:
        connections.close_all()
        try:
            connections["default"].ensure_connection()
            return
        except Error:
            pause = DATABASE_BACK_OFF_SECONDS[min(attempt, len(DATABASE_BACK_OFF_SECONDS) - 1)]
            attempt += 1
            time.sleep(pause)


def _shutdown_requested():
    """Whether django-tasks' worker loop was asked to stop (SIGTERM while a task ran): its
    signal handler is the loop's own method, and the loop then no longer runs."""
    loop = getattr(signal.getsignal(signal.SIGTERM), "__self__", None)
    return loop is not None and getattr(loop, "running", True) is False


def run_through_database_outages(run, *, worker_id, after_outage=None):
    """Run the worker loop `run()`; when the database goes away, wait for it and go on.

    The outage is logged once, and again when it ends. Tasks interrupted by it are
    queued again once the database is back, and then `after_outage()` runs: a task that
    failed on the outage (django-tasks records the failure once the database answers
    again) has its work found again by the apps' start-up steps.
    """
    failures, last_failure = 0, None
    while True:
        try:
            return run()
        except (OperationalError, InterfaceError) as error:  # the connection, not the query
            if _shutdown_requested():
                logger.warning("The database cannot be reached (%s); stopping as asked.", error)
                return None
            logger.warning("The database cannot be reached (%s); the worker waits for it.", error)
            # An error that comes back at once although the server answers (a lock, a
            # timeout) is met with growing pauses, not a busy loop.
            quick = last_failure is not None and time.monotonic() - last_failure < 10
            failures = failures + 1 if quick else 0
            if failures:
                time.sleep(
                    DATABASE_BACK_OFF_SECONDS[min(failures, len(DATABASE_BACK_OFF_SECONDS) - 1)]
                )
            last_failure = time.monotonic()
            wait_for_database()
            try:
                recovered = recover_orphaned_tasks(except_worker=worker_id)
                if after_outage is not None:
                    after_outage()
            except (OperationalError, InterfaceError):
                continue  # gone again: the next run meets it and waits
            logger.warning("The database is back; %d interrupted task(s) queued again.", recovered)


CONNECTION_ERRORS = {
    f"{error.__module__}.{error.__qualname__}" for error in (OperationalError, InterfaceError)
}


def run_again_if_the_database_failed_it(sender, task_result, **kwargs):
    """A task that failed because its connection to the database broke is queued again.

    django-tasks records the failure itself once the database answers again (a few quick
    retries), so the worker's loop never sees the outage; every task of the site is safe
    to run again.
    """
    if task_result.status != TaskResultStatus.FAILED or not task_result.errors:
        return
    if task_result.errors[-1].exception_class_path in CONNECTION_ERRORS:
        task_result.task.enqueue(*task_result.args, **task_result.kwargs)
