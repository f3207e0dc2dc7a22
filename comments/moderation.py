"""Moderators' decisions on comments, shared by the admin actions and tests."""

from django.db import transaction
from django.db.models import Q

from articles.page_cache import invalidate_pages
from comments.tasks import notify_subscribers


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
    invalidate_pages()  # update() sends no save signals
    return count


def remove_comments(queryset, *, spam=False):
    """Remove comments; their replies stay and the removed comment reads as a placeholder.

    Notifications still waiting in the outbox are not sent (the sender checks).
    """
    changes = {"is_removed": True}
    if spam:
        changes["is_spam"] = True
    count = queryset.update(**changes)
    invalidate_pages()  # update() sends no save signals
    return count
