from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from comments.models import Comment, OutgoingMail
from comments.newsletter import resume_unfinished_sends
from comments.outbox import schedule_delivery
from comments.tasks import forget_old_data, notify_subscribers


class Command(DatabaseWorkerCommand):
    help = (
        "Run the background worker (django-tasks' db_worker) after queueing whatever an "
        "interrupted worker left: notifications and newsletters not yet fanned out, and mail "
        "not yet sent; "
        "and starting the daily task that forgets what is past its retention."
    )

    def handle(self, *args, **options):
        pending_comments = Comment.objects.visible().filter(notifications_queued_at__isnull=True)
        for comment_id in pending_comments.values_list("pk", flat=True):
            notify_subscribers.enqueue(comment_id)
        resume_unfinished_sends()
        if OutgoingMail.objects.filter(status=OutgoingMail.Status.PENDING).exists():
            schedule_delivery()
        # Forgets old IP addresses, subscriptions and mail now, then re-enqueues itself daily.
        forget_old_data.enqueue()
        return super().handle(*args, **options)
