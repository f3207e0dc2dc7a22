"""A moderator's decision on comments: applied, logged, and the readers' reports closed.

The one place a decision is made: the queue, its bulk actions and the comment admin's
actions all call decide().
"""

from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from comments.models import Comment
from comments.moderation import approve_comments, remove_comments
from comments.rendering import plain_text
from mail.models import OutgoingMail
from mail.outbox import fan_out
from moderation.mails import (
    COMMENT_APPROVED_KIND,
    REPORT_DECIDED_KIND,
    STATEMENT_OF_REASONS_KIND,
)
from moderation.models import Ban, Decision, Ground, Report
from moderation.tasks import queue_retraining


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
    ids = [comment.pk for comment in comments]
    if not ids:
        return 0
    now = timezone.now()
    with transaction.atomic():
        # Locked, and read again inside the transaction: two moderators (or one double
        # click) deciding at once act one after the other, and each sees the other's result.
        comments = list(Comment.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        if action == Decision.Action.APPROVE:
            # An emptied comment (deleted with replies, or erased by its writer) stays so.
            comments = [comment for comment in comments if comment.comment]
        if not comments:
            return 0
        ids = [comment.pk for comment in comments]
        held_before = {comment.pk for comment in comments if not comment.is_public}
        removed_before = {comment.pk for comment in comments if comment.is_removed}
        queryset = Comment.objects.filter(pk__in=ids)
        match action:
            case Decision.Action.APPROVE:
                approve_comments(queryset)
                ground = ""
            case Decision.Action.SPAM:
                remove_comments(queryset, spam=True)
                ground = Ground.SPAM
            case Decision.Action.REJECT | Decision.Action.BAN:
                remove_comments(queryset, spam=ground == Ground.SPAM)
                if ground != Ground.SPAM:
                    queryset.update(is_spam=False)  # rejected on another ground: not spam
            case _:
                raise ValueError(f"unknown moderation action {action!r}")
        if action == Decision.Action.BAN:
            block_writers(comments, duration=ban_for, moderator=moderator, note=note, now=now)
        reports = list(Report.objects.open().filter(comment__in=ids))
        Report.objects.filter(pk__in=[report.pk for report in reports]).update(decided_at=now)
        decisions = Decision.objects.bulk_create(
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
        tell_readers(
            decisions, reports=reports, held_before=held_before, removed_before=removed_before
        )
    queue_retraining()  # the spam filter and the known-spam check learn from it
    return len(comments)


def rejected(decision):
    """Rejected on a ground given, other than spam."""
    rejection = decision.action in (Decision.Action.REJECT, Decision.Action.BAN)
    return rejection and decision.ground not in ("", Ground.SPAM)


def tell_readers(decisions, *, reports, held_before, removed_before):
    """The mails a decision sends: to the writer (their held comment is online, or a
    statement of reasons for a rejection) and to everyone who reported the comment.

    Spam gets no statement: mailing it would confirm the address to a spammer; a comment
    hidden before gets none again, and one hidden without a ground (the comment list's
    "Verbergen") gets none: the queue asks for the ground.
    """
    mails = []
    for decision in decisions:
        comment = decision.comment
        if not comment.user_email:
            continue
        if decision.action == Decision.Action.APPROVE and comment.pk in held_before:
            mails.append((COMMENT_APPROVED_KIND, comment.user_email, comment.language, decision))
        elif rejected(decision) and comment.pk not in removed_before:
            mails.append(
                (STATEMENT_OF_REASONS_KIND, comment.user_email, comment.language, decision)
            )
    by_comment = {decision.comment.pk: decision for decision in decisions}
    fan_out(
        [
            OutgoingMail(
                key=f"{kind}:{decision.pk}",
                kind=kind,
                to=to,
                language=language,
                params={"decision": decision.pk},
            )
            for kind, to, language, decision in mails
        ]
        + [
            OutgoingMail(
                key=f"{REPORT_DECIDED_KIND}:{report.pk}",
                kind=REPORT_DECIDED_KIND,
                to=report.email,
                language=report.language,
                params={"report": report.pk, "decision": by_comment[report.comment_id].pk},
            )
            for report in reports
            if report.email
        ]
    )


def block_writers(comments, *, duration, moderator, note, now):
    """One block per writer: their address, and for a block of at most a week their IP
    address too (a block until lifted would keep an IP address past its retention)."""
    length = Ban.DURATIONS[Ban.Duration(duration or Ban.Duration.DAY)]
    seen = set()
    for comment in comments:
        email = comment.user_email
        ip_address = (comment.ip_address or "") if length else ""
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
