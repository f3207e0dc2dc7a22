"""The contents of the site's e-mails: text and HTML in the reader's language, with list headers."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from comments import newsletter
from comments.models import OutgoingMail
from comments.outbox import message_id_for
from comments.rendering import plain_text
from comments.subscriptions import absolute_url, confirm_url, manage_url, unsubscribe_url


class SiteEmail(EmailMultiAlternatives):
    """Headers are folded at RFC 5322's 998 characters, not 78.

    Python's compat32 policy, which Django 5.2 uses, encodes a long header with
    no space in it (the List-Unsubscribe URL) as an RFC 2047 encoded-word that
    mail programs do not read as a URL.
    """

    def message(self, *args, **kwargs):
        message = super().message(*args, **kwargs)
        message.policy = message.policy.clone(max_line_length=998)
        return message


def reason_not_to_send(mail):
    """Why a queued mail should no longer go out, or '' to send it."""
    if mail.kind == OutgoingMail.Kind.NOTIFICATION:
        if mail.comment is None or not mail.comment.is_visible:
            return "The comment is no longer public."
        if mail.subscription is None or not mail.subscription.is_confirmed:
            return "The subscription is no longer confirmed."
        if mail.subscription.scope == mail.subscription.Scope.NONE:
            return "The subscriber unsubscribed."
    if mail.kind == OutgoingMail.Kind.NEWSLETTER:
        subscription = mail.subscription
        if subscription is None or not subscription.is_confirmed:
            return "The subscription is no longer confirmed."
        if subscription.scope == subscription.Scope.NONE:
            return "The subscriber unsubscribed."
        if mail.article is None or not mail.article.is_published:
            return "The article is no longer published."
    if mail.kind == OutgoingMail.Kind.CONFIRMATION and mail.subscription is None:
        return "The subscription no longer exists."
    return ""


def _article_thread_id(article):
    return f"<article-{article.pk}@{urlsplit(settings.SITE_URL).hostname}>"


def build_message(mail):
    # Links in the mail lead to the pages in the same language (i18n_patterns).
    with translation.override(mail.language or settings.LANGUAGE_CODE):
        match mail.kind:
            case OutgoingMail.Kind.NOTIFICATION:
                return _notification(mail)
            case OutgoingMail.Kind.CONFIRMATION:
                return _confirmation(mail)
            case OutgoingMail.Kind.MODERATION:
                return _moderation(mail)
            case OutgoingMail.Kind.DATA_EXPORT:
                return _data_export(mail)
            case OutgoingMail.Kind.NEWSLETTER:
                return _newsletter(mail)
    raise ValueError(f"Unknown mail kind {mail.kind!r}")


def _message(mail, template, context, headers, folder="discussion/email"):
    subject = render_to_string(f"{folder}/{template}_subject.txt", context)
    message = SiteEmail(
        subject=" ".join(subject.split()),
        body=render_to_string(f"{folder}/{template}.txt", context),
        to=[mail.to],
        headers={
            "Message-ID": message_id_for(mail),
            "Content-Language": translation.get_language(),
            **headers,
        },
    )
    message.attach_alternative(render_to_string(f"{folder}/{template}.html", context), "text/html")
    return message


def _notification(mail):
    comment, subscription = mail.comment, mail.subscription
    article = subscription.article
    stop_url = unsubscribe_url(subscription)
    context = {
        "article": article,
        "comment": comment,
        "comment_text": plain_text(comment.comment_html),
        "comment_url": absolute_url(f"{article.get_absolute_url()}#c{comment.pk}"),
        "manage_url": manage_url(subscription.email),
        "unsubscribe_url": stop_url,
        "site_name": settings.SITE_NAME,
    }
    thread = _article_thread_id(article)
    headers = {
        "List-Unsubscribe": f"<{stop_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"<article-{article.pk}.{urlsplit(settings.SITE_URL).hostname}>",
        "Auto-Submitted": "auto-generated",
        "In-Reply-To": thread,
        "References": thread,
    }
    return _message(mail, "notification", context, headers)


def _confirmation(mail):
    subscription = mail.subscription
    if subscription.is_newsletter:
        context = {
            "confirm_url": newsletter.confirm_url(subscription),
            "site_name": settings.SITE_NAME,
        }
        return _message(
            mail, "newsletter_confirmation", context, {"Auto-Submitted": "auto-generated"}
        )
    context = {
        "article": subscription.article,
        "confirm_url": confirm_url(subscription),
        "site_name": settings.SITE_NAME,
    }
    return _message(mail, "confirmation", context, {"Auto-Submitted": "auto-generated"})


def _moderation(mail):
    comment = mail.comment
    context = {
        "comment": comment,
        "article": comment.content_object,
        "admin_url": absolute_url(reverse("admin:comments_comment_change", args=[comment.pk])),
        "site_name": settings.SITE_NAME,
    }
    return _message(mail, "moderation", context, {"Auto-Submitted": "auto-generated"})


def _newsletter(mail):
    article, subscription = mail.article, mail.subscription
    stop_url = newsletter.unsubscribe_url(subscription)
    context = {
        "article": article,
        "article_url": absolute_url(article.get_absolute_url()),
        # Articles are written in the site's language, whatever the mail's language.
        "article_language": settings.LANGUAGE_CODE,
        "manage_url": manage_url(subscription.email),
        "unsubscribe_url": stop_url,
        "site_name": settings.SITE_NAME,
    }
    headers = {
        "List-Unsubscribe": f"<{stop_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"<newsletter.{urlsplit(settings.SITE_URL).hostname}>",
        "Auto-Submitted": "auto-generated",
        "Precedence": "bulk",
    }
    return _message(mail, "newsletter", context, headers)


def _data_export(mail):
    from comments.privacy import data_url

    context = {"data_url": data_url(mail.to), "site_name": settings.SITE_NAME}
    return _message(
        mail, "data_request", context, {"Auto-Submitted": "auto-generated"}, folder="privacy/email"
    )
