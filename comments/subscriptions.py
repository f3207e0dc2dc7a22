"""Following a discussion by e-mail: double opt-in, scopes, and the links in its mails.

A GET on a link never changes anything: the page it opens has a button. The
newsletter is a subscription without an article and uses the same machinery
with pages and mails of its own (newsletter/).
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from comments import links
from comments.models import Subscription, normalise_email
from mail.outbox import queue_mail, reader_language

CONFIRMATION_MAIL_INTERVAL = datetime.timedelta(hours=1)
CONFIRMATION_KIND = "confirmation"  # the kind of mail (comments/mails.py)


def confirm_url(subscription):
    return links.subscription_link("comments:subscription-confirm", links.CONFIRM, subscription)


def unsubscribe_url(subscription):
    return links.subscription_link(
        "comments:subscription-unsubscribe", links.UNSUBSCRIBE, subscription
    )


def manage_url(email):
    return links.link("comments:subscription-manage", links.MANAGE, {"e": normalise_email(email)})


def request_subscription(
    *, email, article, scope=Subscription.Scope.ALL, confirmation_kind=CONFIRMATION_KIND
):
    """Ask an address to confirm that it wants to follow an article (or, without one, the
    newsletter, whose confirmation mail is a kind of its own).

    Sends at most one confirmation mail an hour for the same address and article;
    an address that is already confirmed only has its scope widened. The mails
    are in the language of the page the request came from.
    """
    email = normalise_email(email)
    with transaction.atomic():
        try:
            with transaction.atomic():
                subscription, _ = Subscription.objects.get_or_create(
                    email=email, article=article, defaults={"scope": scope}
                )
        except IntegrityError:
            subscription = Subscription.objects.get(email=email, article=article)
        locked = Subscription.objects.select_for_update().filter(pk=subscription.pk).first()
        # The daily clean-up may just have deleted a long-forgotten sign-up: start afresh.
        subscription = locked or Subscription.objects.create(
            email=email, article=article, scope=scope
        )
        if subscription.wants_mail:
            return subscription
        if subscription.is_confirmed:
            # Someone asks to resume mail to an address that opted out: ask it again.
            subscription.confirmed_at = None
        subscription.scope = scope
        subscription.language = reader_language()
        now = timezone.now()
        recently = subscription.confirmation_sent_at and (
            now - subscription.confirmation_sent_at < CONFIRMATION_MAIL_INTERVAL
        )
        if not recently:
            subscription.confirmation_sent_at = now
            queue_mail(
                key=f"confirmation:{subscription.pk}:{int(now.timestamp())}",
                kind=confirmation_kind,
                to=email,
                language=subscription.language,
                subscription=subscription.pk,
            )
        subscription.save()
    return subscription


def confirm_subscription(subscription):
    if not subscription.is_confirmed:
        subscription.confirmed_at = timezone.now()
        if subscription.scope == Subscription.Scope.NONE:
            subscription.scope = Subscription.Scope.ALL
        subscription.save(update_fields=["confirmed_at", "scope", "updated_at"])
    return subscription


def unsubscribe(subscription):
    subscription.scope = Subscription.Scope.NONE
    subscription.save(update_fields=["scope", "updated_at"])
    return subscription


def manageable_subscriptions(email):
    """What the manage page lists: confirmed discussions, newest article first, then the
    newsletter."""
    return (
        Subscription.objects.of(email)
        .confirmed()
        .select_related("article")
        .order_by(F("article__published_at").desc(nulls_last=True))
    )


def set_choices(email, scopes, language):
    """Apply {subscription id: scope} for the address's own subscriptions, and its mail language."""
    own = {sub.pk: sub for sub in manageable_subscriptions(email)}
    for pk, scope in scopes.items():
        subscription = own.get(pk)
        if subscription is not None and subscription.scope != scope:
            subscription.scope = scope
            subscription.save(update_fields=["scope", "updated_at"])
    if language:
        Subscription.objects.of(email).exclude(language=language).update(
            language=language, updated_at=timezone.now()
        )
