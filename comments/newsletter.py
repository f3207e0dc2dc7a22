"""The newsletter: a Subscription without an article, and one mail per published article.

Sign-up, double opt-in (at most one confirmation mail an hour), the signed
confirm and unsubscribe tokens and the outbox are the ones discussions use;
only the pages behind the links and the mails' wording are the newsletter's own.
Sending an article is one task: the worker fans it out into the outbox, one row
per address with the key "newsletter:<article>:<address>", so sending the same
article again never mails an address twice.
"""

import csv
import io

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from articles.models import Article
from comments.models import NewsletterSend, OutgoingMail, Subscription
from comments.outbox import schedule_delivery
from comments.subscriptions import (
    CONFIRM_SALT,
    UNSUBSCRIBE_SALT,
    InvalidLink,
    absolute_url,
    request_subscription,
    subscription_from_confirm_token,
    subscription_from_unsubscribe_token,
)

FAN_OUT_CHUNK = 1000


def subscribers():
    """Confirmed newsletter subscriptions that still want mail."""
    return Subscription.objects.active().filter(article__isnull=True)


def request_newsletter(email):
    """Ask an address to confirm the newsletter; one confirmation mail an hour at most."""
    return request_subscription(email=email, article=None)


def _token(subscription, salt):
    return signing.dumps({"s": subscription.pk, "e": subscription.email}, salt=salt)


def confirm_url(subscription):
    return absolute_url(
        reverse("comments:newsletter-confirm", args=[_token(subscription, CONFIRM_SALT)])
    )


def unsubscribe_url(subscription):
    return absolute_url(
        reverse("comments:newsletter-unsubscribe", args=[_token(subscription, UNSUBSCRIBE_SALT)])
    )


def _newsletter_only(subscription):
    if not subscription.is_newsletter:
        raise InvalidLink()
    return subscription


def subscription_from_confirm(token):
    return _newsletter_only(subscription_from_confirm_token(token))


def subscription_from_unsubscribe(token):
    return _newsletter_only(subscription_from_unsubscribe_token(token))


def queue_newsletter(article_id):
    """Queue one mail per confirmed subscriber; safe to run again (the keys are unique)."""
    article = Article.objects.published().filter(pk=article_id).first()
    if article is None:
        return 0
    queued = 0
    batch = []
    addresses = subscribers().values_list("pk", "email", "language")
    for subscription_id, email, language in addresses.iterator():
        batch.append(
            OutgoingMail(
                key=f"newsletter:{article.pk}:{email}",
                kind=OutgoingMail.Kind.NEWSLETTER,
                to=email,
                language=language,
                subscription_id=subscription_id,
                article_id=article.pk,
            )
        )
        if len(batch) >= FAN_OUT_CHUNK:
            queued += _insert(batch)
            batch = []
    if batch:
        queued += _insert(batch)
    schedule_delivery()
    return queued


def _insert(batch):
    keys = [mail.key for mail in batch]
    with transaction.atomic():
        existing = set(OutgoingMail.objects.filter(key__in=keys).values_list("key", flat=True))
        OutgoingMail.objects.bulk_create(batch, ignore_conflicts=True)
    return len(set(keys) - existing)


@task()
def send_newsletter(article_id):
    if not Article.objects.published().filter(pk=article_id).exists():
        # Unpublished since the editor asked: nothing went out, so it may be sent later.
        NewsletterSend.objects.filter(article_id=article_id, queued_at__isnull=True).delete()
        return 0
    queued = queue_newsletter(article_id)
    # Counted, not added up: a resumed send queues only the addresses still missing.
    recipients = OutgoingMail.objects.filter(
        kind=OutgoingMail.Kind.NEWSLETTER, article_id=article_id
    ).count()
    NewsletterSend.objects.filter(article_id=article_id).update(
        queued_at=timezone.now(), recipients=recipients
    )
    return queued


def sendable(articles):
    """The articles that may go to the newsletter, and (article, reason) for the others.

    An article goes out once: the outbox forgets its mails after MAIL_HISTORY_DAYS, so
    sending it again later would mail every subscriber a second time. A send still in
    progress may be asked again (the mail keys keep that from mailing anyone twice).
    """
    articles = list(articles.select_related("newsletter_send"))
    published = set(
        Article.objects.published()
        .filter(pk__in=[article.pk for article in articles])
        .values_list("pk", flat=True)
    )
    ok, refused = [], []
    for article in articles:
        send = getattr(article, "newsletter_send", None)
        if article.pk not in published:
            refused.append((article, _("“%(title)s” is not published and was not sent.")))
        elif send is not None and send.queued_at is not None:
            refused.append(
                (
                    article,
                    _("“%(title)s” was already sent to the newsletter and was not sent again."),
                )
            )
        else:
            ok.append(article)
    return ok, refused


def request_send(article, editor):
    """Record an editor's send and hand it to the worker; both commit together or not at all."""
    with transaction.atomic():
        NewsletterSend.objects.update_or_create(
            article=article,
            defaults={"requested_at": timezone.now(), "requested_by": editor, "queued_at": None},
        )
        send_newsletter.enqueue(article.pk)


def resume_unfinished_sends():
    """Give the worker again the sends a stopped worker left (safe: the mail keys are unique)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = {
        tuple(task.args_kwargs["args"])
        for task in DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path=send_newsletter.module_path
        )
    }
    unfinished = NewsletterSend.objects.filter(queued_at__isnull=True)
    for article_id in unfinished.values_list("article_id", flat=True):
        if (article_id,) not in waiting:
            send_newsletter.enqueue(article_id)


# Cells a spreadsheet would read as a formula (or that hide one behind a control character).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A cell value no spreadsheet runs as a formula: such cells start with a quote."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _status(subscription):
    if not subscription.is_confirmed:
        return _("not confirmed")
    if subscription.scope == Subscription.Scope.NONE:
        return _("unsubscribed")
    return _("confirmed")


def subscriptions_csv(subscriptions):
    """CSV text of subscriptions as Dutch spreadsheets open it: UTF-8 with BOM, ';'-separated.

    One row per subscription: address, what it follows (an article or the newsletter),
    what it receives, its status, language and dates.
    """
    out = io.StringIO()
    out.write("\ufeff")  # so Excel reads UTF-8 ("privé") rather than the local code page
    writer = csv.writer(out, delimiter=";")
    header = [
        _("e-mail address"),
        _("follows"),
        _("receives"),
        _("status"),
        _("language"),
        _("confirmed"),
        _("created"),
    ]
    writer.writerow([csv_safe(cell) for cell in header])
    for subscription in subscriptions:
        writer.writerow(
            csv_safe(cell)
            for cell in (
                subscription.email,
                subscription.article.title if subscription.article else _("Newsletter"),
                subscription.get_scope_display(),
                _status(subscription),
                subscription.language,
                subscription.confirmed_at.isoformat() if subscription.confirmed_at else "",
                subscription.created_at.isoformat(),
            )
        )
    return out.getvalue()
