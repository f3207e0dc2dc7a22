"""The newsletter's subscribers: a Subscription without an article, on the discussion's
double opt-in (at most one confirmation mail an hour) and links, with pages of its own."""

from comments import links
from comments.links import InvalidLink, subscription_from_token
from comments.models import Subscription
from comments.subscriptions import request_subscription

CONFIRMATION_KIND = "newsletter_confirmation"  # the kind of mail (newsletter/mails.py)


def subscribers():
    """Confirmed newsletter subscriptions that still want mail."""
    return Subscription.objects.active().filter(article__isnull=True)


def request_newsletter(email):
    """Ask an address to confirm the newsletter; one confirmation mail an hour at most."""
    return request_subscription(email=email, article=None, confirmation_kind=CONFIRMATION_KIND)


def newsletter_confirm_url(subscription):
    return links.subscription_link("newsletter:confirm", links.CONFIRM, subscription)


def newsletter_unsubscribe_url(subscription):
    return links.subscription_link("newsletter:unsubscribe", links.UNSUBSCRIBE, subscription)


def _newsletter_only(purpose, token):
    subscription = subscription_from_token(purpose, token)
    if not subscription.is_newsletter:
        raise InvalidLink()
    return subscription


def subscription_from_confirm(token):
    return _newsletter_only(links.CONFIRM, token)


def subscription_from_unsubscribe(token):
    return _newsletter_only(links.UNSUBSCRIBE, token)
