"""Moderators' decisions on comments, shared by the admin actions and tests."""

from django.db.models import Q


def approve_comments(queryset):
    """Make held comments public. Returns how many changed."""
    return queryset.filter(Q(is_public=False) | Q(is_removed=True) | Q(is_spam=True)).update(
        is_public=True, is_removed=False, is_spam=False
    )


def remove_comments(queryset, *, spam=False):
    """Remove comments; their replies stay and the removed comment reads as a placeholder."""
    changes = {"is_removed": True}
    if spam:
        changes["is_spam"] = True
    return queryset.update(**changes)
