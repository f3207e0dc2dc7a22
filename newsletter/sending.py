"""Sending an article to the newsletter: one task, fanned out into the outbox by the worker.

One row per address with the key "newsletter:<article>:<address>", so sending the
same article again never mails an address twice.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from articles.models import Article
from mail.models import OutgoingMail
from mail.outbox import fan_out
from newsletter.models import NewsletterSend
from newsletter.subscribers import subscribers

NEWSLETTER_KIND = "newsletter"  # the kind of mail (newsletter/mails.py)


def newsletter_key_prefix(article_id):
    return f"newsletter:{article_id}:"


def queue_newsletter(article_id):
    """Queue one mail per confirmed subscriber; safe to run again (the keys are unique).

    Returns how many mails were queued now.
    """
    article = Article.objects.published().filter(pk=article_id).first()
    if article is None:
        return 0
    addresses = subscribers().values_list("pk", "email", "language")
    return fan_out(
        OutgoingMail(
            key=f"{newsletter_key_prefix(article.pk)}{email}",
            kind=NEWSLETTER_KIND,
            to=email,
            language=language,
            params={"article": article.pk, "subscription": subscription_id},
        )
        for subscription_id, email, language in addresses.iterator()
    )


@task()
def send_newsletter(article_id):
    if not Article.objects.published().filter(pk=article_id).exists():
        # Unpublished since the editor asked: nothing went out, so it may be sent later.
        NewsletterSend.objects.filter(article_id=article_id, queued_at__isnull=True).delete()
        return 0
    queued = queue_newsletter(article_id)
    record_queued_send(article_id)
    return queued


def record_queued_send(article_id):
    """Mark the send done, with every mail the article has in the outbox: counted, not
    added up, because a resumed send queues only the addresses still missing."""
    recipients = OutgoingMail.objects.filter(
        kind=NEWSLETTER_KIND, key__startswith=newsletter_key_prefix(article_id)
    ).count()
    NewsletterSend.objects.filter(article_id=article_id).update(
        queued_at=timezone.now(), recipients=recipients
    )


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
