"""The newsletter's kinds of mail: an article, and the confirmation of a sign-up."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from articles.site_urls import absolute_url
from comments.mails import subscription_unwanted
from comments.models import Subscription
from comments.subscriptions import manage_url
from mail.messages import compose, list_headers
from mail.registry import MailKind
from newsletter.sending import NEWSLETTER_KIND
from newsletter.subscribers import (
    CONFIRMATION_KIND,
    newsletter_confirm_url,
    newsletter_unsubscribe_url,
)


def load_subscriptions_and_articles(mails):
    """Each mail's subscription and article, in two queries for the whole batch."""
    subscriptions = Subscription.objects.in_bulk(
        {mail.params.get("subscription") for mail in mails} - {None}
    )
    articles = Article.objects.in_bulk({mail.params.get("article") for mail in mails} - {None})
    for mail in mails:
        mail.subscription = subscriptions.get(mail.params.get("subscription"))
        mail.article = articles.get(mail.params.get("article"))


def _newsletter_unwanted(mail):
    reason = subscription_unwanted(mail.subscription)
    if reason:
        return reason
    if mail.article is None or not mail.article.is_published:
        return "The article is no longer published."
    return ""


def build_newsletter(mail):
    article, subscription = mail.article, mail.subscription
    stop_url = newsletter_unsubscribe_url(subscription)
    context = {
        "article": article,
        "article_url": absolute_url(article.get_absolute_url()),
        # Articles are written in the site's language, whatever the mail's language.
        "article_language": settings.LANGUAGE_CODE,
        "manage_url": manage_url(subscription.email),
        "unsubscribe_url": stop_url,
    }
    headers = {
        **list_headers(unsubscribe_url=stop_url, list_id="newsletter"),
        "Precedence": "bulk",
    }
    return compose(mail, "newsletter/email/newsletter", context, headers)


def _sign_up_gone(mail):
    if mail.subscription is None:
        return "The subscription no longer exists."
    return ""


def build_newsletter_confirmation(mail):
    context = {"confirm_url": newsletter_confirm_url(mail.subscription)}
    return compose(mail, "newsletter/email/confirmation", context)


NEWSLETTER = MailKind(
    name=NEWSLETTER_KIND,
    label=_("newsletter"),
    build=build_newsletter,
    reason_not_to_send=_newsletter_unwanted,
    load=load_subscriptions_and_articles,
)
NEWSLETTER_CONFIRMATION = MailKind(
    name=CONFIRMATION_KIND,
    label=_("newsletter confirmation"),
    build=build_newsletter_confirmation,
    reason_not_to_send=_sign_up_gone,
    load=load_subscriptions_and_articles,
)
