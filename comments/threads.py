"""Lay out an article's comments as nested threads for the page.

The comments arrive in django-comments-xtd's pre-order (thread_id, order), so a
comment's replies follow it directly with a higher level. One pass backwards
finds which hidden comments still have visible replies (they become
placeholders); one pass forwards says where each nested list opens and closes,
so the template needs no recursion.
"""

from dataclasses import dataclass, field
from datetime import UTC
from html import escape

from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comments.rendering import removed_comment_html

# The one form on a page that "Valuable" buttons send (templates/discussion/section.html).
RECOMMEND_FORM_ID = "waardevol"
# Stands for the linked name in "in reply to %(name)s" until the text is escaped.
NAME_MARK = "\x00"


@dataclass
class ThreadEntry:
    comment: object
    depth: int
    is_placeholder: bool = False
    opens_replies: bool = False
    closes: list = field(default_factory=list)  # one item per nested list closed after it
    time_iso: str = ""  # to the minute, as shown, in UTC: the shortest valid form
    time_shown: str = ""  # as on the original site: 10-05-2012 10:48


def kept_in_threads(comments):
    """The comments a thread shows: visible ones, and hidden ones that still have visible
    replies (they become placeholders). Works on anything with `level` and `is_visible`."""
    comments = list(comments)
    keep = [False] * len(comments)
    # Lowest level at which a visible comment follows, within the current run of replies.
    visible_below = {}
    for index in range(len(comments) - 1, -1, -1):
        comment = comments[index]
        level = comment.level
        has_visible_reply = any(lvl > level for lvl in visible_below)
        keep[index] = comment.is_visible or has_visible_reply
        # Replies of this comment are accounted for; drop deeper markers.
        for lvl in [lvl for lvl in visible_below if lvl > level]:
            del visible_below[lvl]
        if keep[index]:
            visible_below[level] = True
        if level == 0:
            visible_below.clear()
    return [comment for comment, wanted in zip(comments, keep, strict=True) if wanted]


def lay_out_threads(comments, *, already_kept=False):
    """Entries for the comments a thread shows, saying where each nested list opens and
    closes. `already_kept` comments were chosen by kept_in_threads() (perhaps cut short)."""
    kept = list(comments) if already_kept else kept_in_threads(comments)
    entries = []
    for index, comment in enumerate(kept):
        next_level = kept[index + 1].level if index + 1 < len(kept) else 0
        local = timezone.localtime(comment.submit_date)
        entry = ThreadEntry(
            comment=comment,
            depth=comment.level,
            is_placeholder=not comment.is_visible,
            time_iso=comment.submit_date.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ"),
            time_shown=local.strftime("%d-%m-%Y %H:%M"),
        )
        if next_level > comment.level:
            entry.opens_replies = True
        else:
            entry.closes = list(range(comment.level - next_level))
        entries.append(entry)
    return entries


@dataclass
class MoreReplies:
    """The replies of a thread that are not shown: how many, and where to read them."""

    count: int
    url: str  # the thread on a page of its own, at the first reply not shown
    thread_id: int


def render_threads_html(
    entries,
    *,
    reply_url,
    can_reply,
    permalink_url,
    report_url=None,
    more=None,
    notices=None,
    answered=None,
):
    """The nested <ol> of comments as HTML.

    Built with plain string formatting rather than a template loop or format_html:
    a 1,000-comment discussion renders in milliseconds instead of a quarter of a
    second. Each comment's text is the sanitised HTML stored with it; every other
    value is escaped here with html.escape. The URL prefixes end where a comment's id
    goes ("/reacties/melden/"); `report_url` is None when comments cannot be reported.
    The "Valuable" buttons send the page's form RECOMMEND_FORM_ID, which the page must
    have (templates/discussion/recommend_form.html). `more` maps a thread's id to its MoreReplies,
    `notices` a comment's id to the messages shown beside it, and `answered` the ids of
    comments answered but not on the page to those comments.
    """
    removed = removed_comment_html()
    names = {entry.comment.pk: entry.comment for entry in entries if not entry.is_placeholder}
    labels = {
        "names": names,
        "answered": answered or {},
        "in_reply_to": _("in reply to %(name)s"),
        "removed": removed,
        "reply": escape(_("Reply")),
        "reply_url": escape(reply_url),
        "report": escape(_("Report")),
        "report_url": escape(report_url) if report_url else "",
        "recommend": escape(_("Valuable")),
        "pick": escape(_("Editors' pick")),
        "permalink_url": escape(permalink_url),
        "notices": notices or {},
    }
    more = more or {}
    parts = []
    for index, entry in enumerate(entries):
        comment = entry.comment
        classes = []
        if entry.is_placeholder:
            classes.append("comment--removed")
        if comment.badge:
            classes.append(f"comment--{escape(comment.badge)}")
        if getattr(comment, "is_pick", False) and not entry.is_placeholder:
            classes.append("comment--pick")
        # Classes only where a comment differs: the page's bytes grow with every comment,
        # so the stylesheet finds the common parts by their place (static/css/site.css).
        shown_classes = f' class="{" ".join(classes)}"' if classes else ""
        parts.append(f'<li{shown_classes} id="c{comment.pk}">')
        if entry.is_placeholder:
            parts.append(removed_comment_html(element_id=f"n{comment.pk}"))
        else:
            parts.append(_comment_body(entry, labels, can_reply))
        if entry.opens_replies:
            parts.append("<ol>")
            continue
        closing = "</li>" + "</ol></li>" * len(entry.closes)
        ends_thread = index + 1 == len(entries) or entries[index + 1].depth == 0
        hidden = more.get(comment.thread_id) if ends_thread else None
        if hidden is not None:
            # Inside the thread's own <li>, after its replies.
            closing = closing[: -len("</li>")] + _more_replies_link(hidden) + "</li>"
        parts.append(closing)
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped or pre-sanitised


def _more_replies_link(hidden):
    shown = ngettext("Show %(count)s more reply", "Show %(count)s more replies", hidden.count) % {
        "count": hidden.count
    }
    # Described by the thread's first comment's name (its writer's, or "removed").
    return (
        f'<p class="comments__more"><a href="{escape(hidden.url)}" '
        f'aria-describedby="n{hidden.thread_id}">{escape(shown)}</a></p>'
    )


def _comment_body(entry, labels, can_reply):
    """One comment as an <article> named by its writer's name, which also describes its
    "Reply", "Report" and "Valuable": each is read with whose comment it is."""
    comment = entry.comment
    pk = comment.pk
    name = escape(str(comment.display_name))
    if comment.user_url:
        name = f'<a href="{escape(comment.user_url)}" rel="nofollow ugc noopener">{name}</a>'
    badge = ""
    if comment.badge:
        badge = f'<span class="comment__badge">{escape(str(comment.get_badge_display()))}</span>'
    if getattr(comment, "is_pick", False):
        badge += f'<span class="comment__pick">{labels["pick"]}</span>'
    text = comment.comment_html or labels["removed"]
    in_reply_to = ""
    answered_id = getattr(comment, "in_reply_to_id", None)
    answered = labels["names"].get(answered_id)
    href = f"#c{answered_id}"
    if answered is None and answered_id in labels["answered"]:
        answered = labels["answered"][answered_id]
        href = f"{labels['permalink_url']}{answered_id}/"
    if answered is not None and answered.pk != comment.parent_id:
        # Placed beside the comment it answers (the thread is as deep as it goes).
        link = (
            f'<a class="comment__answered" href="{href}">{escape(str(answered.display_name))}</a>'
        )
        words = escape(labels["in_reply_to"] % {"name": NAME_MARK}).replace(NAME_MARK, link)
        in_reply_to = f'<span class="comment__in-reply-to">{words}</span>'
    notices = "".join(
        f'<p class="comment__notice message message--{escape(level)}" role="status">'
        f"{conditional_escape(message)}</p>"
        for level, message in labels["notices"].get(pk, ())
    )
    edited = ""
    if getattr(comment, "edited_at", None):  # changed by its writer (comments/own_comments.py)
        edited = f'<span class="comment__edited">{escape(_("edited"))}</span>'
    actions = ""
    if comment.comment_html:
        links = []
        whose = f' aria-describedby="n{pk}"'  # "Reply", described by the writer's name
        if can_reply:
            links.append(
                f'<a href="{labels["reply_url"]}?op={pk}" data-reply-to="{pk}"{whose}>'
                f"{labels['reply']}</a>"
            )
        if labels["report_url"]:
            # Not for search engines: robots.txt keeps them off the report pages.
            links.append(f'<a href="{labels["report_url"]}{pk}/"{whose}>{labels["report"]}</a>')
        count = getattr(comment, "recommend_count", 0)
        shown_count = f"<span>{count}</span>" if count else ""
        # One form on the page (RECOMMEND_FORM_ID) sends the id of the button used.
        links.append(
            f'<button form="{RECOMMEND_FORM_ID}" name="reactie" value="{pk}"{whose}>'
            f"{labels['recommend']}{shown_count}</button>"
        )
        actions = f"<footer>{' '.join(links)}</footer>"

    return (
        f'<article aria-labelledby="n{pk}"><header><b id="n{pk}">{name}</b>{badge}'
        f'<a href="{labels["permalink_url"]}{pk}/">'
        f'<time datetime="{entry.time_iso}">{entry.time_shown}</time></a>{in_reply_to}'
        f"{edited}</header>"
        f"<div>{text}</div>{notices}{actions}</article>"
    )
