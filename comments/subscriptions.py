"""Following a discussion by e-mail: double opt-in, scopes, and signed links.

Links in mails carry signed tokens (JSON, salted per purpose, with an expiry),
never pickles; they hold only what the link needs. A GET on a link never
changes anything: the page it opens has a button.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from comments.models import Subscription
from comments.outbox import queue_mail, reader_language

CONFIRM_SALT = "comments.subscription.confirm"
MANAGE_SALT = "comments.subscription.manage"
UNSUBSCRIBE_SALT = "comments.subscription.unsubscribe"

CONFIRM_MAX_AGE = datetime.timedelta(days=7)
# Links in older mails keep working for a year: long enough for any inbox.
MANAGE_MAX_AGE = datetime.timedelta(days=365)
CONFIRMATION_MAIL_INTERVAL = datetime.timedelta(hours=1)


class InvalidLink(Exception):
    """A link's token is tampered with, expired or for something that no longer exists."""

    def __init__(self, *, expired=False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


class SubscriptionGone(InvalidLink):
    """A genuine link whose subscription no longer exists (erased, or past its retention)."""


def normalise_email(email):
    return email.strip().lower()


def _load(token, salt, max_age):
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as error:
        raise InvalidLink(expired=True) from error
    except signing.BadSignature as error:
        raise InvalidLink() from error


def absolute_url(path):
    return settings.SITE_URL + path


def confirm_url(subscription):
    token = signing.dumps({"s": subscription.pk, "e": subscription.email}, salt=CONFIRM_SALT)
    return absolute_url(reverse("comments:subscription-confirm", args=[token]))


def manage_url(email):
    token = signing.dumps({"e": normalise_email(email)}, salt=MANAGE_SALT)
    return absolute_url(reverse("comments:subscription-manage", args=[token]))


def unsubscribe_url(subscription):
    token = signing.dumps({"s": subscription.pk, "e": subscription.email}, salt=UNSUBSCRIBE_SALT)
    return absolute_url(reverse("comments:subscription-unsubscribe", args=[token]))


def subscription_from_confirm_token(token):
    return _subscription(_load(token, CONFIRM_SALT, CONFIRM_MAX_AGE))


def subscription_from_unsubscribe_token(token):
    return _subscription(_load(token, UNSUBSCRIBE_SALT, MANAGE_MAX_AGE))


def email_from_manage_token(token):
    payload = _load(token, MANAGE_SALT, MANAGE_MAX_AGE)
    if not isinstance(payload, dict) or not isinstance(payload.get("e"), str):
        raise InvalidLink()
    return payload["e"]


def _subscription(payload):
    if not isinstance(payload, dict):
        raise InvalidLink()
    subscription = (
        Subscription.objects.select_related("article")
        .filter(pk=payload.get("s"), email=payload.get("e"))
        .first()
    )
    if subscription is None:
        raise SubscriptionGone()
    return subscription


def request_subscription(*, email, article, scope=Subscription.Scope.ALL):
    """Ask an address to confirm that it wants to follow an article.

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
        if subscription.is_confirmed and subscription.scope != Subscription.Scope.NONE:
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
                kind="confirmation",
                to=email,
                language=subscription.language,
                subscription=subscription,
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


def subscriptions_of(email):
    """Confirmed subscriptions of an address: discussions, newest first, then the newsletter."""
    return (
        Subscription.objects.filter(email=normalise_email(email), confirmed_at__isnull=False)
        .select_related("article")
        .order_by(F("article__published_at").desc(nulls_last=True))
    )


def set_choices(email, scopes, language):
    """Apply {subscription id: scope} for the address's own subscriptions, and its mail language."""
    own = {sub.pk: sub for sub in subscriptions_of(email)}
    for pk, scope in scopes.items():
        subscription = own.get(pk)
        if subscription is not None and subscription.scope != scope:
            subscription.scope = scope
            subscription.save(update_fields=["scope", "updated_at"])
    if language:
        Subscription.objects.filter(email=normalise_email(email)).exclude(language=language).update(
            language=language, updated_at=timezone.now()
        )
