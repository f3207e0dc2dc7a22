"""The moderators' queues, and their items loaded with what a moderator needs to decide.

A page of items costs the same few queries whatever its length (load_items).
"""

import contextlib
import ipaddress
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from comments.models import Comment
from moderation.models import Decision, Report


@dataclass(frozen=True)
class Queue:
    name: str
    label: str
    description: str


QUEUES = [
    Queue("te-beoordelen", _("To review"), _("Held comments, waiting for a decision.")),
    Queue("gemeld", _("Reported"), _("Comments readers reported, with their reasons.")),
    Queue("nieuw", _("New"), _("Public comments no moderator looked at yet, newest first.")),
    Queue("goedgekeurd", pgettext_lazy("queue", "Approved"), _("Approved by a moderator.")),
    Queue("afgewezen", pgettext_lazy("queue", "Rejected"), _("Hidden by a moderator.")),
    Queue("spam", pgettext_lazy("queue", "Spam"), _("Marked as spam.")),
]
QUEUE_NAMES = [queue.name for queue in QUEUES]
DEFAULT_QUEUE = QUEUES[0].name

HOLD_REASON_LABELS = {
    "links": _("too many links (%(detail)s)"),
    "suspect_word": _("a suspect word: “%(detail)s”"),
    "premoderation": _("every comment on this article is reviewed first"),
    "new_commenter": _("a new commenter, whose comments are reviewed first"),
    "spam_score": _("the spam filter's score: %(detail)s"),
    "known_spam": _("known from earlier spam: %(detail)s"),
    "reports": _("reported by %(detail)s readers"),
}


def hold_reason_text(reason):
    label = HOLD_REASON_LABELS.get(reason.get("code"))
    if label is None:
        return reason.get("code", "")
    detail = reason.get("detail", "")
    if reason.get("code") == "spam_score":
        with contextlib.suppress(ValueError):
            detail = formats.number_format(float(detail), 2)  # 0,97 in Dutch
    return label % {"detail": detail}


def _open_reports():
    return Report.objects.open().filter(comment=OuterRef("pk"))


def _decided():
    return Decision.objects.filter(comment=OuterRef("pk"))


def queue_comments(name):
    """The comments in one queue, in the order moderators work through them."""
    comments = Comment.objects.on_articles()
    match name:
        case "te-beoordelen":
            return comments.held().order_by("submit_date", "pk")
        case "gemeld":
            return (
                comments.filter(is_removed=False, is_spam=False)
                .filter(Exists(_open_reports()))
                .annotate(
                    last_report=Max("reports__created_at", filter=Q(reports__decided_at=None))
                )
                .order_by("-last_report", "-pk")
            )
        case "nieuw":
            return comments.visible().filter(~Exists(_decided())).order_by("-submit_date", "-pk")
        case "goedgekeurd":
            return (
                comments.visible()
                .filter(Exists(_decided().filter(action=Decision.Action.APPROVE)))
                .order_by("-submit_date", "-pk")
            )
        case "afgewezen":
            # Not the emptied placeholders of deleted or erased comments: nothing to decide.
            return (
                comments.filter(is_removed=True, is_spam=False)
                .exclude(comment="")
                .order_by("-submit_date", "-pk")
            )
        case "spam":
            return comments.filter(is_spam=True).order_by("-submit_date", "-pk")
    raise ValueError(f"no queue {name!r}")


def queue_counts():
    return {name: queue_comments(name).order_by().count() for name in QUEUE_NAMES}


def filtered(comments, *, article_id=None, search="", can_see_ip=False):
    if article_id:
        comments = comments.filter(object_pk=str(article_id))
    search = search.strip()
    if search:
        matches = (
            Q(comment__icontains=search)
            | Q(user_name__icontains=search)
            | Q(user_email__icontains=search)
        )
        if can_see_ip:
            matches |= Q(ip_address=search) if _looks_like_ip(search) else Q()
        comments = comments.filter(matches)
    return comments


def _looks_like_ip(text):
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


@dataclass
class History:
    """A commenter's comments on the whole site, counted by outcome."""

    total: int = 0
    public: int = 0
    held: int = 0
    rejected: int = 0
    spam: int = 0


@dataclass
class Item:
    comment: Comment
    article: object
    parent: Comment | None
    reasons: list = field(default_factory=list)
    reports: list = field(default_factory=list)
    decisions: list = field(default_factory=list)
    history_by_email: History | None = None
    history_by_ip: History | None = None
    next_pk: int | None = None

    @property
    def scored_as_spam(self):
        """Held for its spam score: the reason already says the score."""
        return any(reason.get("code") == "spam_score" for reason in self.comment.hold_reasons)


def _histories(key, values):
    if not values:
        return {}
    rows = (
        Comment.objects.filter(**{f"{key}__in": values})
        .order_by()
        .values(key)
        .annotate(
            total=Count("pk"),
            public=Count("pk", filter=Q(is_public=True, is_removed=False, is_spam=False)),
            held=Count("pk", filter=Q(is_public=False, is_removed=False, is_spam=False)),
            rejected=Count("pk", filter=Q(is_removed=True, is_spam=False)),
            spam=Count("pk", filter=Q(is_spam=True)),
        )
    )
    return {
        row[key]: History(row["total"], row["public"], row["held"], row["rejected"], row["spam"])
        for row in rows
    }


def load_items(comments, *, can_see_ip):
    """The page's comments as queue items: article, parent, reasons, reports, decisions and
    the writer's history by address (and IP address), in six queries whatever the length."""
    comments = list(comments.prefetch_related("content_object"))
    ids = [comment.pk for comment in comments]
    parent_ids = {c.parent_id for c in comments if c.parent_id and c.parent_id != c.pk}
    parents = Comment.objects.in_bulk(parent_ids) if parent_ids else {}
    reports = {}
    for report in Report.objects.open().filter(comment__in=ids).order_by("created_at"):
        reports.setdefault(report.comment_id, []).append(report)
    decisions = {}
    for decision in Decision.objects.filter(comment__in=ids).order_by("-created_at", "-pk"):
        decisions.setdefault(decision.comment_id, []).append(decision)
    by_email = _histories("user_email", {c.user_email for c in comments if c.user_email})
    by_ip = (
        _histories("ip_address", {c.ip_address for c in comments if c.ip_address})
        if can_see_ip
        else {}
    )
    items = []
    for comment in comments:
        item_reports = reports.get(comment.pk, [])
        reasons = [hold_reason_text(reason) for reason in comment.hold_reasons or []]
        items.append(
            Item(
                comment=comment,
                article=comment.content_object,
                parent=parents.get(comment.parent_id),
                reasons=reasons,
                reports=item_reports,
                decisions=decisions.get(comment.pk, []),
                history_by_email=by_email.get(comment.user_email),
                history_by_ip=by_ip.get(comment.ip_address),
            )
        )
    return items
