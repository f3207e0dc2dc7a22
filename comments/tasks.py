"""Background work, run by `manage.py run_worker` (django-tasks' database backend)."""

from django_tasks import task

from comments.notifications import queue_comment_notifications
from comments.outbox import send_due_mail


@task()
def notify_subscribers(comment_id):
    return queue_comment_notifications(comment_id)


@task()
def deliver_outbox():
    return send_due_mail()
