"""The discussion's kinds of mail: new-comment notifications, confirmations, moderator notices.

Registered with the outbox in CommentsConfig.ready(); each is written when sent,
in the mail's language, from the ids the outbox row holds.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles.site_urls import absolute_url
from comments.models import Comment, Subscription
from comments.notifications import MODERATION_KIND, NOTIFICATION_KIND
from comments.rendering import plain_text
from comments.subscriptions import CONFIRMATION_KIND, confirm_url, manage_url, unsubscribe_url
from mail.messages import compose, list_headers, site_hostname
from mail.registry import MailKind


def load_comments_and_subscriptions(mails):
    """Each mail's comment and subscription, in two queries for the whole batch; each
    comment's plain text is made once, however many subscribers the batch mails it to."""
    comments = Comment.objects.in_bulk({mail.params.get("comment") for mail in mails} - {None})
    subscriptions = Subscription.objects.select_related("article").in_bulk(
        {mail.params.get("subscription") for mail in mails} - {None}
    )
    for comment in comments.values():
        comment.plain_text = plain_text(comment.comment_html)
    for mail in mails:
        mail.comment = comments.get(mail.params.get("comment"))
        mail.subscription = subscriptions.get(mail.params.get("subscription"))


def subscription_unwanted(subscription):
    """Why mail for this subscription should no longer go out, or ''."""
    if subscription is None or not subscription.is_confirmed:
        return "The subscription is no longer confirmed."
    if subscription.scope == Subscription.Scope.NONE:
        return "The subscriber unsubscribed."
    return ""


def _notification_unwanted(mail):
    comment = mail.comment
    if comment is None or not comment.is_visible:
        return "The comment is no longer public."
    return subscription_unwanted(mail.subscription)


def article_thread_id(article):
    """All notifications about one article form one thread in a mail program."""
    return f"<article-{article.pk}@{site_hostname()}>"


def build_notification(mail):
    comment, subscription = mail.comment, mail.subscription
    article = subscription.article
    stop_url = unsubscribe_url(subscription)
    context = {
        "article": article,
        "comment": comment,
        "comment_text": comment.plain_text,
        # Its permalink: on to whichever page shows the comment when the mail is read.
        "comment_url": absolute_url(comment.get_absolute_url()),
        "manage_url": manage_url(subscription.email),
        "unsubscribe_url": stop_url,
    }
    thread = article_thread_id(article)
    headers = {
        **list_headers(unsubscribe_url=stop_url, list_id=f"article-{article.pk}"),
        "In-Reply-To": thread,
        "References": thread,
    }
    return compose(mail, "discussion/email/notification", context, headers)


def _subscription_gone(mail):
    if mail.subscription is None:
        return "The subscription no longer exists."
    return ""


def build_subscription_confirmation(mail):
    subscription = mail.subscription
    context = {"article": subscription.article, "confirm_url": confirm_url(subscription)}
    return compose(mail, "discussion/email/confirmation", context)


def _moderation_unwanted(mail):
    if mail.comment is None:
        return "The comment no longer exists."
    return ""


def build_moderation_notice(mail):
    comment = mail.comment
    context = {
        "comment": comment,
        "article": comment.content_object,
        "admin_url": absolute_url(reverse("admin:comments_comment_change", args=[comment.pk])),
    }
    return compose(mail, "discussion/email/moderation", context)


NOTIFICATION = MailKind(
    name=NOTIFICATION_KIND,
    label=_("new comment notification"),
    build=build_notification,
    reason_not_to_send=_notification_unwanted,
    load=load_comments_and_subscriptions,
)
CONFIRMATION = MailKind(
    name=CONFIRMATION_KIND,
    label=_("subscription confirmation"),
    build=build_subscription_confirmation,
    reason_not_to_send=_subscription_gone,
    load=load_comments_and_subscriptions,
)
MODERATION = MailKind(
    name=MODERATION_KIND,
    label=_("moderator notice"),
    build=build_moderation_notice,
    reason_not_to_send=_moderation_unwanted,
    load=load_comments_and_subscriptions,
)
