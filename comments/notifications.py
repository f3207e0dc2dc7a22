"""Who hears about a new comment: subscribers in scope, and the moderators."""

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from comments.models import Comment, Subscription, normalise_email
from mail.models import OutgoingMail
from mail.outbox import fan_out, queue_mail

# The kinds of mail these queue (registered in comments/mails.py).
NOTIFICATION_KIND = "notification"
MODERATION_KIND = "moderation"


def queue_comment_notifications(comment_id):
    """Queue one notification per subscriber in scope; safe to run again after a crash.

    Returns how many mails were queued (none twice for one comment and address).
    """
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None or not comment.is_visible or comment.notifications_queued_at:
        return 0
    recipients = Subscription.objects.active().filter(article_id=int(comment.object_pk))
    if comment.user_email:
        recipients = recipients.exclude(email=normalise_email(comment.user_email))
    in_scope = Q(scope=Subscription.Scope.ALL)
    if comment.parent_id and comment.parent_id != comment.pk:
        parent_email = (
            Comment.objects.filter(pk=comment.parent_id)
            .values_list("user_email", flat=True)
            .first()
        )
        if parent_email:
            in_scope |= Q(scope=Subscription.Scope.REPLIES, email=normalise_email(parent_email))
    subscribers = recipients.filter(in_scope).values_list("pk", "email", "language")
    queued = fan_out(
        OutgoingMail(
            key=f"notification:{comment.pk}:{email}",
            kind=NOTIFICATION_KIND,
            to=email,
            language=language,
            params={"comment": comment.pk, "subscription": subscription_id},
        )
        for subscription_id, email, language in subscribers.iterator()
    )
    Comment.objects.filter(pk=comment.pk).update(notifications_queued_at=timezone.now())
    return queued


def notify_moderators(comment):
    for address in settings.COMMENTS_MODERATOR_EMAILS:
        queue_mail(
            key=f"moderation:{comment.pk}:{address.lower()}",
            kind=MODERATION_KIND,
            to=address,
            # Moderators work in the site's own language, whichever page the comment came from.
            language=settings.LANGUAGE_CODE,
            comment=comment.pk,
        )
