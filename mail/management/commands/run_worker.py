from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.models import DBTaskResult

from mail.models import OutgoingMail
from mail.outbox import schedule_delivery
from mail.registry import renamed_tasks, worker_start_steps
from mail.worker import (
    Heartbeat,
    beat,
    forget_dead_workers,
    recover_orphaned_tasks,
    run_through_database_outages,
)


class Command(DatabaseWorkerCommand):
    help = (
        "Run the background worker (django-tasks' db_worker) after queueing again whatever an "
        "interrupted worker left: tasks of workers that died, each app's start-up steps "
        "(notifications and newsletters not yet fanned out, the daily clean-up) and mail not "
        "yet sent. The worker records a heartbeat, and waits out a database outage."
    )

    def handle(self, *args, **options):
        worker_id = options["worker_id"]
        heartbeat = Heartbeat(worker_id)
        # Seen before it takes a task; a database that is away now is waited for.
        run_through_database_outages(
            lambda: beat(worker_id, heartbeat.started_at), worker_id=worker_id
        )
        if not options["batch"]:  # a batch run ends when the queue is empty
            heartbeat.start()
        try:
            run_through_database_outages(self.prepare, worker_id=worker_id)
            return run_through_database_outages(
                lambda: super(Command, self).handle(*args, **options),
                worker_id=worker_id,
                after_outage=self.queue_again,
            )
        finally:
            heartbeat.stop()

    def prepare(self):
        # Tasks queued by an earlier version under a path that has moved.
        for old_path, task in renamed_tasks().items():
            DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=old_path).update(
                task_path=task.module_path
            )
        recover_orphaned_tasks()
        forget_dead_workers()
        self.queue_again()

    def queue_again(self):
        """What a stopped worker, or a task that failed on a database outage, left undone."""
        for step in worker_start_steps():
            step()
        if OutgoingMail.objects.waiting().exists():
            schedule_delivery()
