"""Readers' reports: taken once per reporter, confirmed by mail, and after enough
independent reports a public comment is held until a moderator decides."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from articles.page_cache import invalidate_discussion
from comments.addresses import keyed_address
from comments.models import Comment, normalise_email
from mail.models import OutgoingMail
from mail.outbox import queue_mail
from moderation.alerts import alert_moderators
from moderation.models import Decision, Report

REPORT_RECEIVED_KIND = "report_received"
CONFIRMATION_INTERVAL = datetime.timedelta(hours=1)


def report_comment(*, comment, reason, explanation, law, name, email, language, ip_address):
    """Store a reader's report; returns it (the earlier one when the same reporter, with
    the same address, already reported this comment and no decision was made since)."""
    email = normalise_email(email) if email else ""
    # Keyed on the IP address first: an address can be typed up at will, an IP address
    # cannot, so one person with three addresses still counts once.
    reporter = reporter_key(ip_address or email or "")
    with transaction.atomic():
        # One report at a time per comment: the count that holds it is then exact.
        Comment.objects.select_for_update().filter(pk=comment.pk).exists()
        earlier = (
            Report.objects.open().filter(comment=comment, reporter=reporter, email=email).first()
        )
        if reporter and earlier is not None:
            return earlier
        report = Report.objects.create(
            comment=comment,
            reason=reason,
            law=law,
            explanation=explanation,
            name=name,
            email=email,
            language=language,
            reporter=reporter,
        )
        hold_when_reported_enough(comment)
        alert_moderators(comment=comment, report=report)
        if email and not confirmed_lately(email):
            queue_mail(
                key=f"{REPORT_RECEIVED_KIND}:{report.pk}",
                kind=REPORT_RECEIVED_KIND,
                to=email,
                language=language,
                report=report.pk,
            )
    return report


def reporter_key(address):
    """Who reported, as a keyed hash of their IP address (else e-mail address): reports
    from one reporter count once, and no IP address is kept in the clear. An IPv6
    address counts by its /64, the block one subscriber is given."""
    return keyed_address(address, purpose="moderation.reporter")


def confirmed_lately(email):
    """One confirmation an hour per address: the form cannot be used to mail strangers."""
    since = timezone.now() - CONFIRMATION_INTERVAL
    return OutgoingMail.objects.filter(
        kind=REPORT_RECEIVED_KIND, to=email, created_at__gt=since
    ).exists()


def hold_when_reported_enough(comment):
    reporters = (
        Report.objects.open()
        .filter(comment=comment)
        .order_by()
        .values("reporter")
        .distinct()
        .count()
    )
    if reporters < settings.MODERATION_REPORTS_TO_HOLD:
        return
    if Decision.objects.filter(comment=comment, action=Decision.Action.APPROVE).exists():
        return  # a moderator let it stay: new reports put it in "Gemeld", not out of sight
    reasons = [reason for reason in comment.hold_reasons if reason.get("code") != "reports"]
    reasons.append({"code": "reports", "detail": str(reporters)})
    held = (
        Comment.objects.visible()
        .filter(pk=comment.pk)
        .update(is_public=False, hold_reasons=reasons)
    )
    if held:
        invalidate_discussion(int(comment.object_pk))
