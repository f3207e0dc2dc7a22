"""The discussion's background work, run by `manage.py run_worker`."""

from django_tasks import task

from comments.models import Comment
from comments.notifications import queue_comment_notifications
from mail.tasks import deliver_outbox

# deliver_outbox was queued as comments.tasks.deliver_outbox by earlier versions; the
# import keeps those rows running. Kept for one release.
__all__ = ["deliver_outbox", "notify_subscribers"]


@task()
def notify_subscribers(comment_id):
    return queue_comment_notifications(comment_id)


def queue_pending_notifications():
    """Comments a stopped worker never fanned out: their notifications are queued again."""
    pending = Comment.objects.visible().filter(notifications_queued_at__isnull=True)
    for comment_id in pending.values_list("pk", flat=True):
        notify_subscribers.enqueue(comment_id)
