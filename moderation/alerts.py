"""Moderators hear of held and reported comments by e-mail, at once or in an hourly
digest (their choice, ModeratorAlerts), with links to the items in the queue, whose
buttons act; the mail itself never does."""

import datetime

from django.conf import settings
from django.db.models import Q
from django.db.models.signals import post_save
from django.utils import timezone

from comments.models import Comment
from comments.own_comments import held_after_edit
from mail.outbox import queue_mail
from moderation.models import ModeratorAlerts, Report

ALERT_KIND = "moderation_alert"
DIGEST_KIND = "moderation_digest"
DIGEST_EVERY = datetime.timedelta(hours=1)


def moderators_wanting(frequency):
    """Who wants alerts this often and still moderates (someone who left the moderators
    keeps the choice, but no longer gets commenters' texts and addresses)."""
    candidates = (
        ModeratorAlerts.objects.filter(
            frequency=frequency, user__is_active=True, user__is_staff=True
        )
        .exclude(user__email="")
        .select_related("user")
    )
    return [alerts for alerts in candidates if alerts.user.has_perm("comments.change_comment")]


def alert_moderators(*, comment, report=None, about=None):
    """Queue an alert to each moderator who wants one at once: a held comment, or a report.

    `about` makes the alert's key when one comment can be held more than once (an edit)."""
    about = about or (f"report:{report.pk}" if report is not None else f"held:{comment.pk}")
    params = {"comment": comment.pk, "report": report.pk if report is not None else None}
    for alerts in moderators_wanting(ModeratorAlerts.Frequency.IMMEDIATELY):
        queue_mail(
            key=f"{ALERT_KIND}:{about}:{alerts.user_id}",
            kind=ALERT_KIND,
            to=alerts.user.email,
            # Moderators work in the site's own language, as the admin does.
            language=settings.LANGUAGE_CODE,
            **params,
        )


def alert_on_held_comment(sender, instance, created, raw=False, **kwargs):
    """A comment stored held (at posting) is news for the moderators."""
    if created and not raw and not instance.is_public:
        alert_moderators(comment=instance)


def alert_on_comment_held_after_edit(sender, comment, **kwargs):
    """Its writer's edit held a comment that readers saw: news for the moderators too."""
    alert_moderators(
        comment=comment, about=f"held-after-edit:{comment.pk}:{comment.edited_at.timestamp()}"
    )


def connect():
    post_save.connect(
        alert_on_held_comment, sender=Comment, dispatch_uid="moderation-alert-on-held"
    )
    held_after_edit.connect(
        alert_on_comment_held_after_edit, dispatch_uid="moderation-alert-on-held-after-edit"
    )


def pending_between(since, until):
    """Comments held (posted, or edited by their writer), and open reports made, in the
    period, still waiting for a decision."""
    held = Comment.objects.held().filter(
        Q(submit_date__gt=since, submit_date__lte=until)
        | Q(edited_at__gt=since, edited_at__lte=until)
    )
    reports = Report.objects.open().filter(created_at__gt=since, created_at__lte=until)
    return held, reports


def queue_digests(now=None):
    """One digest per moderator who wants them hourly, for the period since their last;
    none when nothing waits. Returns how many were queued."""
    now = now or timezone.now()
    queued = 0
    for alerts in moderators_wanting(ModeratorAlerts.Frequency.HOURLY):
        since = alerts.digest_until or now - DIGEST_EVERY
        held, reports = pending_between(since, now)
        if held.exists() or reports.exists():
            queued += queue_mail(
                key=f"{DIGEST_KIND}:{alerts.user_id}:{now.isoformat()}",
                kind=DIGEST_KIND,
                to=alerts.user.email,
                language=settings.LANGUAGE_CODE,
                since=since.isoformat(),
                until=now.isoformat(),
            )
        ModeratorAlerts.objects.filter(pk=alerts.pk).update(digest_until=now)
    return queued
