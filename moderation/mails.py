"""The moderation's kinds of mail: to readers who reported a comment, and to writers.

- report_received: a report's confirmation (for illegal content, the DSA's art. 16(4)).
- report_decided: the decision on the comment, to whoever reported it (art. 16(5)).
- statement_of_reasons: to the writer of a rejected comment (art. 17): what was decided,
  on what ground, on what facts, and how to object.
- comment_approved: to the writer of a held comment, once it is on the site.
- moderation_alert and moderation_digest: to moderators, at once or hourly (alerts.py).

Registered with the outbox in ModerationConfig.ready(); written when sent, in the
language of the page the reader used.
"""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles.site_urls import absolute_url
from comments.models import Comment
from comments.rendering import plain_text
from mail.messages import AUTO_SUBMITTED, compose
from mail.registry import MailKind
from moderation.alerts import ALERT_KIND, DIGEST_KIND, pending_between
from moderation.models import Ban, Decision, Ground, Report
from moderation.queue import hold_reason_text
from moderation.reports import REPORT_RECEIVED_KIND

REPORT_DECIDED_KIND = "report_decided"
STATEMENT_OF_REASONS_KIND = "statement_of_reasons"
COMMENT_APPROVED_KIND = "comment_approved"


def by_id(queryset, mails, param):
    return queryset.in_bulk({mail.params.get(param) for mail in mails} - {None})


def load_moderation_mails(mails):
    """Each mail's comment, report and decision (those its params name), in three queries
    for a whole batch of any of this app's kinds."""
    comments = by_id(Comment.objects.all(), mails, "comment")
    reports = by_id(Report.objects.select_related("comment"), mails, "report")
    decisions = by_id(Decision.objects.select_related("comment"), mails, "decision")
    for mail in mails:
        mail.comment = comments.get(mail.params.get("comment"))
        mail.report = reports.get(mail.params.get("report"))
        mail.decision = decisions.get(mail.params.get("decision"))


def _comment_context(comment):
    article = comment.content_object
    return {
        "comment": comment,
        "comment_text": plain_text(comment.comment_html),
        "article": article,
        "article_url": absolute_url(article.get_absolute_url()) if article else settings.SITE_URL,
    }


def _report_gone(mail):
    return "" if mail.report is not None else "The report no longer exists."


def build_report_received(mail):
    report = mail.report
    context = {**_comment_context(report.comment), "report": report}
    return compose(mail, "moderation/email/report_received", context)


def _decision_gone(mail):
    if mail.decision is None or mail.decision.comment is None:
        return "The decision or its comment no longer exists."
    return ""


def _report_decision_gone(mail):
    return _report_gone(mail) or _decision_gone(mail)


def build_report_decided(mail):
    report, decision = mail.report, mail.decision
    context = {
        **_comment_context(decision.comment),
        "report": report,
        "decision": decision,
        "removed": decision.action != Decision.Action.APPROVE,
        "appeal_email": settings.MODERATION_APPEAL_EMAIL,
    }
    return compose(mail, "moderation/email/report_decided", context, appeal_headers())


def appeal_headers():
    return {**AUTO_SUBMITTED, "Reply-To": settings.MODERATION_APPEAL_EMAIL}


def build_statement_of_reasons(mail):
    decision = mail.decision
    comment = decision.comment
    ban = None
    if decision.action == Decision.Action.BAN:
        ban = Ban.objects.filter(comment=comment).order_by("-created_at").first()
    reports = list(Report.objects.filter(comment=comment))
    context = {
        **_comment_context(comment),
        "decision": decision,
        "ban": ban,
        "was_reported": bool(reports),
        "was_noticed_as_illegal": any(report.reason == Ground.ILLEGAL for report in reports),
        "laws": sorted({report.law for report in reports if report.law}),
        "held_because": [hold_reason_text(reason) for reason in comment.hold_reasons],
        "appeal_email": settings.MODERATION_APPEAL_EMAIL,
        "rules_url": absolute_url(reverse("moderation:rules")),
    }
    return compose(mail, "moderation/email/statement_of_reasons", context, appeal_headers())


def _approval_undone(mail):
    gone = _decision_gone(mail)
    if gone:
        return gone
    if not mail.decision.comment.is_visible:
        return "The comment is no longer public."
    return ""


def build_comment_approved(mail):
    comment = mail.decision.comment
    context = {
        **_comment_context(comment),
        "comment_url": absolute_url(comment.get_absolute_url()),
    }
    return compose(mail, "moderation/email/comment_approved", context)


REPORT_RECEIVED = MailKind(
    name=REPORT_RECEIVED_KIND,
    label=_("report confirmation"),
    build=build_report_received,
    reason_not_to_send=_report_gone,
    load=load_moderation_mails,
)
REPORT_DECIDED = MailKind(
    name=REPORT_DECIDED_KIND,
    label=_("decision on a report"),
    build=build_report_decided,
    reason_not_to_send=_report_decision_gone,
    load=load_moderation_mails,
)


def _rejection_undone(mail):
    gone = _decision_gone(mail)
    if gone:
        return gone
    if not mail.decision.comment.is_removed:
        return "The comment is shown again."
    return ""


STATEMENT_OF_REASONS = MailKind(
    name=STATEMENT_OF_REASONS_KIND,
    label=_("statement of reasons"),
    build=build_statement_of_reasons,
    reason_not_to_send=_rejection_undone,
    load=load_moderation_mails,
)
COMMENT_APPROVED = MailKind(
    name=COMMENT_APPROVED_KIND,
    label=_("comment approved"),
    build=build_comment_approved,
    reason_not_to_send=_approval_undone,
    load=load_moderation_mails,
)


def queue_item_url(comment):
    """The comment in the moderators' queue it is in now: a page with buttons."""
    queue = "te-beoordelen" if not comment.is_public else "gemeld"
    path = reverse("admin:moderation_queuedcomment_changelist")
    return absolute_url(f"{path}?wachtrij={queue}#item-{comment.pk}")


def _alert_outdated(mail):
    comment = mail.comment
    if comment is None or comment.is_removed:
        return "The comment is gone or removed."
    if mail.params.get("report") is None and comment.is_public:
        return "The comment was approved meanwhile."
    return ""


def build_alert(mail):
    comment = mail.comment
    context = {
        **_comment_context(comment),
        "report": mail.report,
        "reasons": [hold_reason_text(reason) for reason in comment.hold_reasons],
        "queue_url": queue_item_url(comment),
    }
    return compose(mail, "moderation/email/alert", context)


def _digest_items(mail):
    since = datetime.datetime.fromisoformat(mail.params["since"])
    until = datetime.datetime.fromisoformat(mail.params["until"])
    held, reports = pending_between(since, until)
    reported = {}
    for report in reports.select_related("comment"):
        reported.setdefault(report.comment, []).append(report)
    return list(held.order_by("submit_date")), reported


def _digest_outdated(mail):
    held, reported = _digest_items(mail)
    return "" if held or reported else "Nothing of the period waits any more."


def build_digest(mail):
    held, reported = _digest_items(mail)
    context = {
        "held": [(comment, queue_item_url(comment)) for comment in held],
        "reported": [
            (comment, reports, queue_item_url(comment)) for comment, reports in reported.items()
        ],
        "queue_url": absolute_url(reverse("admin:moderation_queuedcomment_changelist")),
        "total": len(held) + len(reported),
    }
    return compose(mail, "moderation/email/digest", context)


ALERT = MailKind(
    name=ALERT_KIND,
    label=_("moderator alert"),
    build=build_alert,
    reason_not_to_send=_alert_outdated,
    load=load_moderation_mails,
)
DIGEST = MailKind(
    name=DIGEST_KIND,
    label=_("moderators' hourly digest"),
    build=build_digest,
    reason_not_to_send=_digest_outdated,
)
KINDS = [REPORT_RECEIVED, REPORT_DECIDED, STATEMENT_OF_REASONS, COMMENT_APPROVED, ALERT, DIGEST]
