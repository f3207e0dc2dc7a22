"""Is mail going out? The outbox's part of the site's health check."""

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from mail.models import OutgoingMail, WorkerHeartbeat


def outbox_health(now=None):
    """(ok, facts): mail due for longer than MAIL_HEALTH_DELAY_SECONDS, or due while no
    worker has been seen for MAIL_WORKER_TIMEOUT_SECONDS, is not well."""
    now = now or timezone.now()
    oldest_due = (
        OutgoingMail.objects.waiting()
        .filter(next_attempt_at__lte=now)
        .aggregate(oldest=Min("next_attempt_at"))["oldest"]
    )
    last_seen = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True)
    last_seen = last_seen.first()
    waiting_seconds = (now - oldest_due).total_seconds() if oldest_due else 0
    unseen_seconds = (now - last_seen).total_seconds() if last_seen else None
    worker_gone = unseen_seconds is None or unseen_seconds > settings.MAIL_WORKER_TIMEOUT_SECONDS
    problems = []
    if waiting_seconds > settings.MAIL_HEALTH_DELAY_SECONDS:
        problems.append(f"mail has been waiting for {waiting_seconds:.0f} s")
    if oldest_due and worker_gone:
        problems.append("mail is waiting and no worker has been seen")
    return not problems, {
        "oldest_waiting_seconds": round(waiting_seconds),
        "worker_last_seen_seconds": None if unseen_seconds is None else round(unseen_seconds),
        "problems": problems,
    }
