"""The worker beside django-tasks' loop (mail/worker.py): its heartbeat, the tasks of workers
that died, and a database outage that it waits out instead of exiting."""

import datetime
import signal

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from mail.models import WorkerHeartbeat
from mail.outbox import queue_mail
from mail.tasks import deliver_outbox
from mail.worker import recover_orphaned_tasks
from tests.db_proxy import DatabaseProxy
from tests.mail_sink import MailSink
from tests.processes import database_url, start_worker, wait_for

pytestmark = pytest.mark.django_db


def running_task(worker_id):
    result = deliver_outbox.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now(), worker_ids=[worker_id]
    )
    return DBTaskResult.objects.get(pk=result.id)


def seen(worker_id, seconds_ago):
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        host="test",
        pid=1,
        started_at=now - datetime.timedelta(hours=1),
        seen_at=now - datetime.timedelta(seconds=seconds_ago),
    )


def test_a_task_left_running_by_a_dead_worker_is_queued_again(settings):
    settings.MAIL_WORKER_TIMEOUT_SECONDS = 60
    seen("dead", seconds_ago=600)
    seen("alive", seconds_ago=5)
    orphan = running_task("dead")
    unknown = running_task("never-seen")
    busy = running_task("alive")
    assert recover_orphaned_tasks() == 2
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses[orphan.pk] == statuses[unknown.pk] == TaskResultStatus.READY
    assert statuses[busy.pk] == TaskResultStatus.RUNNING


def test_a_worker_recovers_its_own_interrupted_tasks_after_an_outage():
    seen("me", seconds_ago=1)
    mine = running_task("me")
    assert recover_orphaned_tasks(except_worker="me") == 1
    assert DBTaskResult.objects.get(pk=mine.pk).status == TaskResultStatus.READY


def test_the_worker_records_its_heartbeat(run_worker):
    run_worker()
    heartbeat = WorkerHeartbeat.objects.get()
    assert timezone.now() - heartbeat.seen_at < datetime.timedelta(seconds=30)


def test_a_started_worker_runs_what_a_dead_worker_left_running(run_worker, smtp_sink, settings):
    settings.MAIL_WORKER_TIMEOUT_SECONDS = 60
    queue_mail(key="toets", kind="data_export", to="lezer@example.nl", language="nl")
    DBTaskResult.objects.all().delete()
    seen("dead", seconds_ago=600)
    running_task("dead")  # the only delivery task, taken by a worker that died
    run_worker()
    assert [message["To"] for message in smtp_sink.messages] == ["lezer@example.nl"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a database server to cut off")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_waits_out_a_database_outage_and_sends_what_was_queued(tmp_path):
    """The database goes away under a running worker: the worker stays, says so once, and
    sends the mail queued before, during and after the outage, each once."""
    settings_dict = connection.settings_dict
    proxy = DatabaseProxy(settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))
    proxy.start()
    through_proxy = database_url({**settings_dict, "HOST": "127.0.0.1", "PORT": proxy.port})
    sink = MailSink().start()
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        worker = start_worker(sink, database=through_proxy, stderr=log)
    try:
        queue_mail(key="voor", kind="data_export", to="voor@example.nl", language="nl")
        wait_for(lambda: sink.to("voor@example.nl"), 30, "the mail queued before the outage")
        proxy.cut()
        queue_mail(key="tijdens", kind="data_export", to="tijdens@example.nl", language="nl")
        wait_for(
            lambda: "cannot be reached" in log_path.read_text() or worker.poll() is not None,
            30,
            "the worker to notice the outage",
        )
        assert worker.poll() is None, "the worker exited when the database went away"
        proxy.restore()
        queue_mail(key="na", kind="data_export", to="na@example.nl", language="nl")
        wait_for(
            lambda: sink.to("tijdens@example.nl") and sink.to("na@example.nl"),
            60,
            "the mail queued during and after the outage",
        )
        assert worker.poll() is None, "the worker exited"
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        sink.stop()
        proxy.stop()
    log = log_path.read_text()
    assert log.count("cannot be reached") == 1, log
    assert "The database is back" in log
    assert [len(sink.to(f"{when}@example.nl")) for when in ("voor", "tijdens", "na")] == [1, 1, 1]


def test_the_heartbeat_goes_on_after_any_error(settings, monkeypatch):
    from django.db import InterfaceError

    from mail import worker as mail_worker

    settings.MAIL_WORKER_HEARTBEAT_SECONDS = 0.01
    calls = []

    def flaky_beat(worker_id, started_at):
        calls.append(worker_id)
        if len(calls) in (1, 2):
            raise (InterfaceError if len(calls) == 1 else RuntimeError)("gone")

    monkeypatch.setattr(mail_worker, "beat", flaky_beat)
    heartbeat = mail_worker.Heartbeat("w")
    heartbeat.start()
    try:
        wait_for(lambda: len(calls) >= 4, 10, "more beats")
        assert heartbeat.is_alive()
    finally:
        heartbeat.stop()
        heartbeat.join(timeout=10)


def test_a_lost_connection_is_waited_out_and_the_loop_goes_on(monkeypatch):
    from django.db import OperationalError

    from mail import worker as mail_worker

    waited, runs = [], []
    monkeypatch.setattr(mail_worker, "wait_for_database", lambda: waited.append(1))
    monkeypatch.setattr(mail_worker, "recover_orphaned_tasks", lambda **kwargs: 0)

    def run():
        runs.append(1)
        if len(runs) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return "stopped"

    assert mail_worker.run_through_database_outages(run, worker_id="w") == "stopped"
    assert (len(runs), len(waited)) == (2, 1)


def test_an_error_in_a_query_is_not_taken_for_an_outage():
    from django.db import ProgrammingError

    from mail import worker as mail_worker

    def run():
        raise ProgrammingError("no such table")

    with pytest.raises(ProgrammingError):
        mail_worker.run_through_database_outages(run, worker_id="w")


def test_a_stop_asked_for_during_the_outage_is_not_lost(monkeypatch):
    """SIGTERM while a task runs, then the task meets the outage: the worker stops."""
    import signal

    from django.db import OperationalError

    from mail import worker as mail_worker

    class StoppedLoop:
        running = False

        def shutdown(self, signum, frame):
            pass

    previous = signal.signal(signal.SIGTERM, StoppedLoop().shutdown)
    waited = []
    monkeypatch.setattr(mail_worker, "wait_for_database", lambda: waited.append(1))
    try:

        def run():
            raise OperationalError("server closed the connection unexpectedly")

        assert mail_worker.run_through_database_outages(run, worker_id="w") is None
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert waited == []


def test_a_task_that_failed_on_a_broken_connection_is_queued_again():
    """django-tasks records such a failure itself once the database is back; it runs again."""
    from types import SimpleNamespace

    from django_tasks.base import TaskError

    from mail.worker import run_again_if_the_database_failed_it

    def failed(error_path):
        return SimpleNamespace(
            status=TaskResultStatus.FAILED,
            errors=[TaskError(exception_class_path=error_path, traceback="")],
            task=deliver_outbox,
            args=[],
            kwargs={},
        )

    before = DBTaskResult.objects.filter(status=TaskResultStatus.READY).count()
    run_again_if_the_database_failed_it(None, failed("django.db.utils.OperationalError"))
    run_again_if_the_database_failed_it(None, failed("builtins.ValueError"))  # a real bug
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == before + 1
