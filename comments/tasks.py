"""Background work, run by `manage.py run_worker` (django-tasks' database backend)."""

import datetime

from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from comments import privacy
from comments.notifications import queue_comment_notifications
from comments.outbox import send_due_mail


@task()
def notify_subscribers(comment_id):
    return queue_comment_notifications(comment_id)


@task()
def deliver_outbox():
    return send_due_mail()


# The daily task's name from before it did more than erase IP addresses: a chain
# enqueued under that name still finds its task (the alias below), and is replaced.
LEGACY_DAILY_TASK = "comments.tasks.erase_old_ip_addresses"


@task()
def forget_old_data():
    """Forget what is past its retention, then come back tomorrow: one chain, however started."""
    forgotten = privacy.forget_old_data()
    DBTaskResult.objects.filter(
        status=TaskResultStatus.READY,
        task_path__in=[forget_old_data.module_path, LEGACY_DAILY_TASK],
    ).delete()
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    forget_old_data.using(run_after=tomorrow).enqueue()
    return forgotten


erase_old_ip_addresses = forget_old_data
