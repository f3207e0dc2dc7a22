"""Privacy (AVG / GDPR): retention, and a reader's own data by e-mail address.

What the privacy page promises to forget, the worker forgets once a day
(`forget_old_data`): commenters' IP addresses, sign-ups never confirmed,
subscriptions stopped long enough ago, and the history of mail sent.

A reader asks for their data with only an e-mail address: the site mails a
signed link (salted JSON, valid for a day, holding just the address) to that
address. The page behind the link shows what is stored; exporting and erasing
are POSTs from its buttons, so a mail scanner following the link changes nothing.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from articles.page_cache import invalidate_pages
from comments.models import ANONYMOUS_NAME, Comment, OutgoingMail, Subscription
from comments.outbox import queue_mail, reader_language
from comments.subscriptions import (
    CONFIRM_MAX_AGE,
    InvalidLink,
    _load,
    absolute_url,
    normalise_email,
)

PRIVACY_SALT = "comments.privacy"
PRIVACY_MAX_AGE = datetime.timedelta(days=1)
DATA_MAIL_INTERVAL = datetime.timedelta(hours=1)


class Erasure:
    """What to do with an address's comments; subscriptions are always deleted."""

    ANONYMISE = "anonymise"  # keep the text under the name ANONYMOUS_NAME
    REMOVE = "remove"  # also remove the comment and empty its text


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
    days = max(settings.SUBSCRIPTION_RETENTION_DAYS, CONFIRM_MAX_AGE.days)
    cutoff = now - datetime.timedelta(days=days)
    stale = (
        Subscription.objects.filter(updated_at__lt=cutoff)
        .filter(Q(confirmed_at__isnull=True) | Q(scope=Subscription.Scope.NONE))
        # Mail still waiting to go is never deleted (it would go with the subscription).
        .exclude(outgoingmail__status=OutgoingMail.Status.PENDING)
    )
    with transaction.atomic():
        # Locked as read: a reader asking again right now waits, then finds it gone and
        # starts afresh (subscriptions.request_subscription); a row that reader renewed
        # first no longer matches.
        ids = list(stale.select_for_update().values_list("pk", flat=True))
        deleted = Subscription.objects.filter(pk__in=ids).delete()
    return deleted[1].get(Subscription._meta.label, 0)


def delete_old_mail(now=None):
    """Delete the outbox's finished mail older than MAIL_HISTORY_DAYS; waiting mail stays."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.MAIL_HISTORY_DAYS)
    finished = OutgoingMail.objects.exclude(status=OutgoingMail.Status.PENDING)
    return finished.filter(created_at__lt=cutoff).delete()[0]


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
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

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
        "mails": delete_old_mail(now),
        "task_results": delete_old_task_results(now),
        "admin_logins": delete_old_admin_logins(now),
    }


def data_url(email):
    token = signing.dumps({"e": normalise_email(email)}, salt=PRIVACY_SALT)
    return absolute_url(reverse("comments:privacy-data", args=[token]))


def email_from_privacy_token(token):
    payload = _load(token, PRIVACY_SALT, PRIVACY_MAX_AGE)
    if not isinstance(payload, dict) or not isinstance(payload.get("e"), str):
        raise InvalidLink()
    return payload["e"]


def request_data_mail(email):
    """Queue the mail with the link to the address's data: at most one an hour per address."""
    email = normalise_email(email)
    now = timezone.now()
    with transaction.atomic():
        recent = OutgoingMail.objects.filter(
            kind=OutgoingMail.Kind.DATA_EXPORT,
            to=email,
            created_at__gt=now - DATA_MAIL_INTERVAL,
        ).exists()
        if recent:
            return False
        # The key also allows only one per clock hour, should two requests race.
        hour = int(now.timestamp()) // 3600
        queue_mail(
            key=f"data_export:{email}:{hour}",
            kind=OutgoingMail.Kind.DATA_EXPORT,
            to=email,
            language=reader_language(),
        )
    return True


def comments_of(email):
    return Comment.objects.filter(user_email__iexact=normalise_email(email))


def subscriptions_of(email):
    return Subscription.objects.filter(email=normalise_email(email))


def mails_to(email):
    # Readers' mail is queued to the normalised address (an index serves this).
    return OutgoingMail.objects.filter(to=normalise_email(email))


def summary(email):
    """What the data page lists: counts, and the newsletter sign-up (or None)."""
    subscriptions = subscriptions_of(email)
    return {
        "comments": comments_of(email).count(),
        "discussions": subscriptions.filter(article__isnull=False).count(),
        "newsletter": subscriptions.filter(article__isnull=True).first(),
        "mails": mails_to(email).count(),
    }


def _status(comment):
    if comment.is_spam:
        return "spam"
    if comment.is_removed:
        return "removed"
    if not comment.is_public:
        return "held"
    return "public"


def _article(obj):
    if obj is None:
        return {"title": None, "url": None}
    return {"title": str(obj), "url": absolute_url(obj.get_absolute_url())}


def _date(value):
    return value.isoformat() if value else None


def _subscription(subscription):
    return {
        "kind": "newsletter" if subscription.is_newsletter else "discussion",
        "article": None if subscription.is_newsletter else _article(subscription.article),
        "scope": subscription.scope,
        "language": subscription.language,
        "created": _date(subscription.created_at),
        "confirmation_sent": _date(subscription.confirmation_sent_at),
        "confirmed": _date(subscription.confirmed_at),
        "updated": _date(subscription.updated_at),
    }


def export(email):
    """Everything stored for the address, and nothing of anyone else, as JSON-ready data.

    Mail is listed without its text: the outbox stores none, mails are written when sent.
    """
    email = normalise_email(email)
    comments = comments_of(email).prefetch_related("content_object").order_by("submit_date")
    subscriptions = subscriptions_of(email).select_related("article").order_by("created_at")
    mails = mails_to(email).order_by("created_at")
    return {
        "email": email,
        "exported_at": timezone.now().isoformat(),
        "comments": [
            {
                "article": _article(comment.content_object),
                "name": comment.user_name,
                "website": comment.user_url,
                "text": comment.comment,
                "date": comment.submit_date.isoformat(),
                "status": _status(comment),
                "ip_address": comment.ip_address,
            }
            for comment in comments
        ],
        "subscriptions": [_subscription(subscription) for subscription in subscriptions],
        "mails": [
            {
                "kind": mail.kind,
                "status": mail.status,
                "language": mail.language,
                "created": _date(mail.created_at),
                "sent": _date(mail.sent_at),
            }
            for mail in mails
        ],
    }


def erase(email, mode):
    """Anonymise (or remove) the address's comments and delete its subscriptions.

    Returns (comments changed, subscriptions deleted).
    """
    if mode not in (Erasure.ANONYMISE, Erasure.REMOVE):
        raise ValueError(f"Unknown erasure {mode!r}")
    email = normalise_email(email)
    changes = {"user_name": ANONYMOUS_NAME, "user_email": "", "user_url": "", "ip_address": None}
    if mode == Erasure.REMOVE:
        changes.update(is_removed=True, comment="", comment_html="")
    with transaction.atomic():
        ids = list(comments_of(email).values_list("pk", flat=True))
        comments = Comment.objects.filter(pk__in=ids).update(**changes)
        subscriptions = subscriptions_of(email).count()
        subscriptions_of(email).delete()
        # The outbox keeps the address too; waiting mail to it is no longer wanted.
        mails_to(email).delete()
        invalidate_pages()
    return comments, subscriptions
