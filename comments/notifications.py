"""Who hears about a new comment: subscribers in scope, and the moderators."""

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from comments.models import Comment, OutgoingMail, Subscription
from comments.outbox import queue_mail, schedule_delivery

FAN_OUT_CHUNK = 1000


def queue_comment_notifications(comment_id):
    """Queue one notification per subscriber in scope; safe to run again after a crash."""
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None or not comment.is_visible or comment.notifications_queued_at:
        return 0
    article = comment.content_object
    recipients = Subscription.objects.active().filter(article=article)
    if comment.user_email:
        recipients = recipients.exclude(email=comment.user_email.strip().lower())
    in_scope = Q(scope=Subscription.Scope.ALL)
    if comment.parent_id and comment.parent_id != comment.pk:
        parent_email = (
            Comment.objects.filter(pk=comment.parent_id)
            .values_list("user_email", flat=True)
            .first()
        )
        if parent_email:
            in_scope |= Q(scope=Subscription.Scope.REPLIES, email=parent_email.strip().lower())
    queued = 0
    batch = []
    subscribers = recipients.filter(in_scope).values_list("pk", "email", "language")
    for subscription_id, email, language in subscribers.iterator():
        batch.append(
            OutgoingMail(
                key=f"notification:{comment.pk}:{email}",
                kind=OutgoingMail.Kind.NOTIFICATION,
                to=email,
                language=language,
                comment_id=comment.pk,
                subscription_id=subscription_id,
            )
        )
        if len(batch) >= FAN_OUT_CHUNK:
            queued += len(OutgoingMail.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    if batch:
        queued += len(OutgoingMail.objects.bulk_create(batch, ignore_conflicts=True))
    Comment.objects.filter(pk=comment.pk).update(notifications_queued_at=timezone.now())
    schedule_delivery()
    return queued


def notify_moderators(comment):
    for address in settings.COMMENTS_MODERATOR_EMAILS:
        queue_mail(
            key=f"moderation:{comment.pk}:{address.lower()}",
            kind=OutgoingMail.Kind.MODERATION,
            to=address,
            # Moderators work in the site's own language, whichever page the comment came from.
            language=settings.LANGUAGE_CODE,
            comment=comment,
        )
