"""A reader's own data, by e-mail address (AVG / GDPR): the link to it, export and erasure.

A reader asks for their data with only an e-mail address: the site mails a link
(encrypted, valid for a day, holding just the address) to that address. The page
behind the link shows what is stored; exporting and erasing are POSTs from its
buttons, so a mail scanner following the link changes nothing.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from articles.page_cache import invalidate_pages
from articles.site_urls import absolute_url
from comments import links
from comments.models import ANONYMOUS_NAME, Comment, Subscription, normalise_email
from mail.models import OutgoingMail
from mail.outbox import queue_mail, reader_language
from moderation.models import Ban, Decision, Report

DATA_MAIL_INTERVAL = datetime.timedelta(hours=1)
DATA_REQUEST_KIND = "data_export"  # the kind of mail (privacy/mails.py)


class Erasure:
    """What to do with an address's comments; subscriptions are always deleted."""

    ANONYMISE = "anonymise"  # keep the text under the name ANONYMOUS_NAME
    REMOVE = "remove"  # also remove the comment and empty its text


def data_url(email):
    return links.link("privacy:data", links.PRIVACY, {"e": normalise_email(email)})


def email_from_data_token(token):
    return links.email_from_token(links.PRIVACY, token)


def request_data_mail(email):
    """Queue the mail with the link to the address's data: at most one an hour per address."""
    email = normalise_email(email)
    now = timezone.now()
    with transaction.atomic():
        recent = OutgoingMail.objects.filter(
            kind=DATA_REQUEST_KIND, to=email, created_at__gt=now - DATA_MAIL_INTERVAL
        ).exists()
        if recent:
            return False
        # The key also allows only one per clock hour, should two requests race.
        hour = int(now.timestamp()) // 3600
        queue_mail(
            key=f"data_export:{email}:{hour}",
            kind=DATA_REQUEST_KIND,
            to=email,
            language=reader_language(),
        )
    return True


def mails_to(email):
    # Readers' mail is queued to the normalised address (an index serves this).
    return OutgoingMail.objects.filter(to=normalise_email(email))


def summary(email):
    """What the data page lists: counts, and the newsletter sign-up (or None)."""
    subscriptions = Subscription.objects.of(email)
    return {
        "comments": Comment.objects.by_address(email).count(),
        "discussions": subscriptions.filter(article__isnull=False).count(),
        "newsletter": subscriptions.filter(article__isnull=True).first(),
        "mails": mails_to(email).count(),
    }


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
    comments = (
        Comment.objects.by_address(email).prefetch_related("content_object").order_by("submit_date")
    )
    subscriptions = Subscription.objects.of(email).select_related("article").order_by("created_at")
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
                "status": comment.status.value,
                "ip_address": comment.ip_address,
            }
            for comment in comments
        ],
        "subscriptions": [_subscription(subscription) for subscription in subscriptions],
        "reports": [
            {
                "comment_article": _article(report.comment.content_object),
                "reason": report.reason,
                "law": report.law,
                "explanation": report.explanation,
                "name": report.name,
                "language": report.language,
                "date": _date(report.created_at),
                "decided": _date(report.decided_at),
            }
            for report in Report.objects.filter(email=email)
            .select_related("comment")
            .prefetch_related("comment__content_object")
            .order_by("created_at")
        ],
        "blocks": [
            {"ends": _date(ban.ends_at), "lifted": _date(ban.lifted_at), "note": ban.note}
            for ban in Ban.objects.filter(email=email).order_by("created_at")
        ],
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
        ids = list(Comment.objects.by_address(email).values_list("pk", flat=True))
        comments = Comment.objects.filter(pk__in=ids).update(**changes)
        subscriptions = Subscription.objects.of(email).delete()[1].get(Subscription._meta.label, 0)
        # The outbox keeps the address too; waiting mail to it is no longer wanted.
        mails_to(email).delete()
        # The moderation log keeps the decisions, without the writer's name; reports the
        # address sent stay (a moderator may still need them), without name or address.
        Decision.objects.filter(comment__in=ids).update(comment_summary=ANONYMOUS_NAME)
        Report.objects.filter(email=email).update(email="", name="")
        if mode == Erasure.REMOVE:
            # Reports of comments the writer removed: nothing is left to decide on.
            Report.objects.open().filter(comment__in=ids).update(decided_at=timezone.now())
        invalidate_pages()
    return comments, subscriptions
