"""A moderator's decision on comments: applied, logged, and the readers' reports closed.

The one place a decision is made: the queue, its bulk actions and the comment admin's
actions all call decide().
"""

from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from comments.moderation import approve_comments, remove_comments
from comments.rendering import plain_text
from moderation.models import Ban, Decision, Ground, Report


def summary(comment):
    text = Truncator(plain_text(comment.comment_html)).chars(120)
    return Truncator(f"{comment.user_name}: {text}").chars(200)


def moderator_name(user):
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def decide(comments, *, action, moderator, ground="", note="", ban_for=None):
    """Apply one action to the given comments and log it once per comment.

    approve: shown (a held one is published and its followers told); reject: hidden
    behind the "removed" placeholder, on `ground`; spam: hidden and learnt as spam; ban:
    rejected, and the writer's address and IP address blocked for `ban_for` (a
    Ban.Duration). Returns the number of comments decided on.
    """
    comments = list(comments)
    if not comments:
        return 0
    ids = [comment.pk for comment in comments]
    queryset = type(comments[0]).objects.filter(pk__in=ids)
    now = timezone.now()
    with transaction.atomic():
        match action:
            case Decision.Action.APPROVE:
                approve_comments(queryset)
                ground = ""
            case Decision.Action.SPAM:
                remove_comments(queryset, spam=True)
                ground = Ground.SPAM
            case Decision.Action.REJECT | Decision.Action.BAN:
                remove_comments(queryset, spam=ground == Ground.SPAM)
            case _:
                raise ValueError(f"unknown moderation action {action!r}")
        if action == Decision.Action.BAN:
            block_writers(comments, duration=ban_for, moderator=moderator, note=note, now=now)
        Report.objects.open().filter(comment__in=ids).update(decided_at=now)
        Decision.objects.bulk_create(
            Decision(
                comment=comment,
                comment_summary=summary(comment),
                action=action,
                ground=ground,
                note=note,
                moderator=moderator,
                moderator_name=moderator_name(moderator),
                created_at=now,
            )
            for comment in comments
        )
    return len(comments)


def block_writers(comments, *, duration, moderator, note, now):
    """One block per writer: their address, and their IP address while it is kept."""
    length = Ban.DURATIONS[Ban.Duration(duration or Ban.Duration.DAY)]
    seen = set()
    for comment in comments:
        email, ip_address = comment.user_email, comment.ip_address or ""
        if (email, ip_address) in seen or not (email or ip_address):
            continue
        seen.add((email, ip_address))
        Ban.objects.create(
            email=email,
            ip_network=ip_address,
            ends_at=now + length if length else None,
            note=note,
            comment=comment,
            created_by=moderator,
            created_at=now,
        )
