"""Moderators' decisions on comments, shared by the admin actions and tests."""

from django.db import transaction
from django.db.models import F, Q
from django_comments_xtd.models import XtdComment

from articles.page_cache import invalidate_discussion
from comments.models import ANONYMOUS_NAME
from comments.tasks import notify_subscribers


def invalidate_discussion_of(sender=None, instance=None, **kwargs):
    """A comment saved or deleted (a signal receiver): its article's pages are stale."""
    if instance is not None and instance.object_pk:
        invalidate_discussion(int(instance.object_pk))


def articles_of(queryset):
    return {int(pk) for pk in queryset.values_list("object_pk", flat=True)}


def invalidate_discussions(queryset):
    """The pages of the articles these comments are on are stale (update() sends no
    save signals); called after the change."""
    invalidate_discussion(*articles_of(queryset))


def approve_comments(queryset):
    """Make held comments public; their subscribers are notified as if just posted."""
    with transaction.atomic():
        ids = list(
            queryset.filter(Q(is_public=False) | Q(is_removed=True) | Q(is_spam=True)).values_list(
                "pk", flat=True
            )
        )
        count = queryset.model.objects.filter(pk__in=ids).update(
            is_public=True, is_removed=False, is_spam=False
        )
        for comment_id in ids:
            notify_subscribers.enqueue(comment_id)
        invalidate_discussions(queryset.model.objects.filter(pk__in=ids))
    return count


def remove_comments(queryset, *, spam=False):
    """Remove comments; their replies stay and the removed comment reads as a placeholder.

    Notifications still waiting in the outbox are not sent (the sender checks).
    """
    changes = {"is_removed": True}
    if spam:
        changes["is_spam"] = True
    articles = articles_of(queryset)  # before: the update may take them out of the queryset
    count = queryset.update(**changes)
    invalidate_discussion(*articles)
    return count


def pick_comments(queryset, *, picked):
    """Mark comments as editors' picks (shown above the discussion), or no longer."""
    if picked:
        queryset = queryset.visible()
    articles = articles_of(queryset)
    count = queryset.exclude(is_pick=picked).update(is_pick=picked)
    invalidate_discussion(*articles)
    return count


def delete_comments(queryset):
    """Delete comments for good, never leaving a reply without the comment it answers.

    A comment with replies that are not deleted with it stays as the "removed" placeholder
    (no name, address or text kept), so its thread still reads. Returns (deleted, kept as
    placeholders).
    """
    model = queryset.model
    ids = set(queryset.values_list("pk", flat=True))
    articles = articles_of(model.objects.filter(pk__in=ids))
    deleted = 0
    with transaction.atomic():
        # The threads' roots are locked, as posting a reply locks them (post_comment): no
        # reply can come in under a comment while it is being deleted.
        thread_ids = set(model.objects.filter(pk__in=ids).values_list("thread_id", flat=True))
        list(XtdComment.norel_objects.select_for_update().filter(pk__in=thread_ids).values("pk"))
        while ids:
            # A top-level comment is its own parent in django-comments-xtd.
            answered = set(
                model.objects.filter(parent_id__in=ids)
                .exclude(pk=F("parent_id"))
                .values_list("parent_id", flat=True)
            )
            leaves = ids - answered
            if not leaves:
                break
            model.objects.filter(pk__in=leaves).delete()
            deleted += len(leaves)
            ids -= leaves
        kept = model.objects.filter(pk__in=ids).update(
            is_removed=True,
            comment="",
            comment_html="",
            user_name=ANONYMOUS_NAME,
            user_email="",
            user_url="",
            ip_address=None,
        )
    invalidate_discussion(*articles)
    return deleted, kept
