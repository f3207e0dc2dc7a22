"""Background work, run by `manage.py run_worker` (django-tasks' database backend)."""

import datetime

from django.utils import timezone
from django_tasks import task

from comments.notifications import queue_comment_notifications
from comments.outbox import send_due_mail
from comments.privacy import erase_old_ip_addresses as erase_ip_addresses


@task()
def notify_subscribers(comment_id):
    return queue_comment_notifications(comment_id)


@task()
def deliver_outbox():
    return send_due_mail()


@task()
def erase_old_ip_addresses():
    """Forget old IP addresses, then come back tomorrow: one chain of these, however started."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    erased = erase_ip_addresses()
    DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=erase_old_ip_addresses.module_path
    ).delete()
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    erase_old_ip_addresses.using(run_after=tomorrow).enqueue()
    return erased
