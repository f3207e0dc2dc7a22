"""What the privacy page promises to forget, forgotten: run once a day by the worker.

Commenters' IP addresses, sign-ups never confirmed, subscriptions stopped long
enough ago, the history of mail sent, the worker's finished tasks, and admin
log-in records past the lock-out.
"""

import datetime

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from comments import links
from comments.models import Comment, Subscription
from mail.models import OutgoingMail
from mail.outbox import delete_finished_mail


def erase_old_ip_addresses(now=None):
    """Forget the IP address of comments older than COMMENTS_IP_RETENTION_DAYS."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.COMMENTS_IP_RETENTION_DAYS)
    return Comment.objects.filter(submit_date__lt=cutoff, ip_address__isnull=False).update(
        ip_address=None
    )


def delete_old_subscriptions(now=None):
    """Delete sign-ups never confirmed, and unsubscribed subscriptions, unchanged for a while.

    Both count from the last change: asking again for a confirmation mail, or
    stopping, starts the SUBSCRIPTION_RETENTION_DAYS anew.
    """
    now = now or timezone.now()
    # Never while a confirmation link could still work.
    days = max(settings.SUBSCRIPTION_RETENTION_DAYS, links.CONFIRM.max_age.days)
    cutoff = now - datetime.timedelta(days=days)
    stale = (
        Subscription.objects.filter(updated_at__lt=cutoff)
        .filter(Q(confirmed_at__isnull=True) | Q(scope=Subscription.Scope.NONE))
        # An address with mail still waiting to go keeps its subscriptions until it went.
        .exclude(email__in=OutgoingMail.objects.waiting().values("to"))
    )
    with transaction.atomic():
        # Locked as read: a reader asking again right now waits, then finds it gone and
        # starts afresh (comments.subscriptions.request_subscription); a row that reader
        # renewed first no longer matches.
        ids = list(stale.select_for_update().values_list("pk", flat=True))
        deleted = Subscription.objects.filter(pk__in=ids).delete()
    return deleted[1].get(Subscription._meta.label, 0)


def delete_old_task_results(now=None):
    """Delete the worker's finished task results (arguments, errors) after MAIL_HISTORY_DAYS."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.MAIL_HISTORY_DAYS)
    finished = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
        finished_at__lt=cutoff,
    )
    return finished.delete()[0]


def delete_old_admin_logins(now=None):
    """django-axes' records of admin log-ins: successes are not needed at all, failures only
    for the lock-out (AXES_COOLOFF_TIME); axes itself forgets them only at a next log-in."""
    now = now or timezone.now()
    cooled_off = now - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
    history = now - datetime.timedelta(days=settings.MAIL_HISTORY_DAYS)
    return (
        AccessLog.objects.all().delete()[0]
        + AccessAttempt.objects.filter(attempt_time__lt=cooled_off).delete()[0]
        + AccessFailureLog.objects.filter(attempt_time__lt=history).delete()[0]
    )


def forget_old_data(now=None):
    """Everything past its retention period, as the privacy page describes; returns counts."""
    now = now or timezone.now()
    return {
        "ip_addresses": erase_old_ip_addresses(now),
        "subscriptions": delete_old_subscriptions(now),
        "mails": delete_finished_mail(older_than_days=settings.MAIL_HISTORY_DAYS, now=now),
        "task_results": delete_old_task_results(now),
        "admin_logins": delete_old_admin_logins(now),
    }
