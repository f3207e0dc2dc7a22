"""Posting a comment: one operation from a valid form to a stored, threaded comment."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_comments_xtd.models import XtdComment

from comments.models import Comment, normalise_email
from comments.notifications import notify_moderators
from comments.rendering import render_comment
from comments.screening import Draft, screen
from comments.subscriptions import request_subscription
from comments.tasks import notify_subscribers


@dataclass
class PostedComment:
    comment: Comment
    created: bool

    @property
    def is_held(self):
        return not self.comment.is_public


def comments_are_open(article):
    """Comments are open when enabled, and not older than COMMENTS_CLOSE_AFTER_DAYS if set."""
    if not article.comments_enabled:
        return False
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    if days is None:
        return True
    return timezone.now() - article.published_at <= timezone.timedelta(days=days)


def deepest_allowed_parent(parent):
    """A reply to a comment at the maximum depth attaches beside it, at that depth."""
    max_level = settings.COMMENTS_XTD_MAX_THREAD_LEVEL
    while parent is not None and parent.level >= max_level:
        parent = Comment.objects.filter(pk=parent.parent_id).first()
    return parent


def same_comment_just_posted(*, article, name, email, text):
    """The comment this name and address posted on this article with this text in the last few
    minutes (COMMENTS_DUPLICATE_MINUTES), if any: Back and send again, from a fresh form
    with the draft restored, is the same comment, not a second one."""
    since = timezone.now() - timezone.timedelta(minutes=settings.COMMENTS_DUPLICATE_MINUTES)
    return (
        Comment.objects.for_article(article)
        .filter(user_name=name, user_email=email, comment=text, submit_date__gte=since)
        .order_by("-submit_date")
        .first()
    )


def badge_for(user, article):
    if user is None or not user.is_authenticated or not user.is_staff:
        return Comment.Badge.NONE
    if article.author_user_id == user.pk:
        return Comment.Badge.AUTHOR
    return Comment.Badge.EDITOR


def post_comment(
    *,
    article,
    parent,
    name,
    email,
    url,
    text,
    followup,
    submission_key,
    rendered=None,
    user=None,
    ip_address=None,
    language=None,
):
    """Store a comment once per submission key, threaded under its parent.

    `rendered` is the text's rendering when the caller made it already (the form does,
    to refuse a text with nothing left). Returns the existing comment when the same form
    was sent before. Raises CommentRefused when a check refuses it (comments/screening.py).
    """
    existing = Comment.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return PostedComment(existing, created=False)

    email = normalise_email(email)
    resent = same_comment_just_posted(article=article, name=name, email=email, text=text)
    if resent is not None:
        return PostedComment(resent, created=False)

    answered = parent
    parent = deepest_allowed_parent(parent)
    if rendered is None or rendered.text != text:
        rendered = render_comment(text)
    screening = screen(
        Draft(
            article=article,
            parent=parent,
            name=name,
            email=email,
            url=url,
            text=text,
            html=rendered.html,
            ip_address=ip_address,
            user=user if user is not None and user.is_authenticated else None,
        )
    )  # raises CommentRefused
    comment = Comment(
        content_type=ContentType.objects.get_for_model(article),
        object_pk=str(article.pk),
        site_id=settings.SITE_ID,
        user=user if user is not None and user.is_authenticated else None,
        user_name=name,
        user_email=email,
        user_url=url,
        submit_date=timezone.now(),
        ip_address=ip_address,
        is_public=not screening.holds,
        hold_reasons=[reason.as_json() for reason in screening.hold_reasons],
        spam_score=screening.spam_score,
        followup=followup,
        parent_id=parent.pk if parent else 0,
        in_reply_to=answered if answered is not None and answered != parent else None,
        badge=badge_for(user, article),
        submission_key=submission_key,
        language=language or settings.LANGUAGE_CODE,
    )
    comment.set_text(rendered)
    try:
        with transaction.atomic():
            if parent is not None:
                # Serialise replies within one thread: xtd renumbers the thread's order.
                XtdComment.norel_objects.select_for_update().filter(pk=parent.thread_id).exists()
            comment.save()
            if comment.is_public:
                notify_subscribers.enqueue(comment.pk)
            notify_moderators(comment)
            if followup:
                request_subscription(email=email, article=article)
    except IntegrityError:
        existing = Comment.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return PostedComment(existing, created=False)
    return PostedComment(comment, created=True)
