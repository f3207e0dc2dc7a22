from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.models import DBTaskResult

from mail.models import OutgoingMail
from mail.outbox import schedule_delivery
from mail.registry import renamed_tasks, worker_start_steps


class Command(DatabaseWorkerCommand):
    help = (
        "Run the background worker (django-tasks' db_worker) after queueing again whatever an "
        "interrupted worker left: each app's start-up steps (notifications and newsletters "
        "not yet fanned out, the daily clean-up) and mail not yet sent."
    )

    def handle(self, *args, **options):
        # Tasks queued by an earlier version under a path that has moved.
        for old_path, task in renamed_tasks().items():
            DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=old_path).update(
                task_path=task.module_path
            )
        for step in worker_start_steps():
            step()
        if OutgoingMail.objects.waiting().exists():
            schedule_delivery()
        return super().handle(*args, **options)
