"""Lay out an article's comments as nested threads for the page.

The comments arrive in django-comments-xtd's pre-order (thread_id, order), so a
comment's replies follow it directly with a higher level. One pass backwards
finds which hidden comments still have visible replies (they become
placeholders); one pass forwards says where each nested list opens and closes,
so the template needs no recursion.
"""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _


@dataclass
class ThreadEntry:
    comment: object
    depth: int
    is_placeholder: bool = False
    opens_replies: bool = False
    closes: list = field(default_factory=list)  # one item per nested list closed after it
    time_iso: str = ""
    time_shown: str = ""  # as on the original site: 10-05-2012 10:48


def lay_out_threads(comments):
    """Visible comments, and placeholders for hidden ones that still have visible replies."""
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

    kept = [comment for comment, wanted in zip(comments, keep, strict=True) if wanted]
    entries = []
    for index, comment in enumerate(kept):
        next_level = kept[index + 1].level if index + 1 < len(kept) else 0
        local = timezone.localtime(comment.submit_date)
        entry = ThreadEntry(
            comment=comment,
            depth=comment.level,
            is_placeholder=not comment.is_visible,
            time_iso=local.isoformat(),
            time_shown=local.strftime("%d-%m-%Y %H:%M"),
        )
        if next_level > comment.level:
            entry.opens_replies = True
        else:
            entry.closes = list(range(comment.level - next_level))
        entries.append(entry)
    return entries


def render_threads_html(entries, *, reply_url, can_reply):
    """The nested <ol> of comments as HTML.

    Built in Python rather than in a template loop: a 1,000-comment discussion
    renders in a few milliseconds instead of a quarter of a second. The texts are
    sanitised HTML stored with each comment; everything else is escaped here.
    """
    removed = _("This comment has been removed.")
    reply_word, reply_to = _("Reply"), _("to %(name)s")
    parts = []
    for entry in entries:
        comment = entry.comment
        classes = "comment"
        if entry.is_placeholder:
            classes += " comment--removed"
        if comment.badge:
            classes += f" comment--{comment.badge}"
        parts.append(format_html('<li class="{}" id="c{}">', classes, comment.pk))
        if entry.is_placeholder:
            parts.append(format_html('<p class="comment__removed">{}</p>', removed))
        else:
            parts.append(_comment_body(entry, reply_url, can_reply, removed, reply_word, reply_to))
        if entry.opens_replies:
            parts.append('<ol class="comments comments--replies">')
        else:
            parts.append("</li>" + "</ol></li>" * len(entry.closes))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped or pre-sanitised


def _comment_body(entry, reply_url, can_reply, removed, reply_word, reply_to):
    comment = entry.comment
    if comment.user_url:
        name = format_html(
            '<a href="{}" rel="nofollow ugc noopener">{}</a>', comment.user_url, comment.user_name
        )
    else:
        name = conditional_escape(comment.user_name)
    badge = (
        format_html('<span class="comment__badge">{}</span>', comment.get_badge_display())
        if comment.badge
        else ""
    )
    text = (
        mark_safe(comment.comment_html)  # noqa: S308 - sanitised by bleach when saved
        if comment.comment_html
        else format_html('<p class="comment__removed">{}</p>', removed)
    )
    actions = ""
    if can_reply and comment.comment_html:
        actions = format_html(
            '<p class="comment__actions"><a class="comment__reply" href="{}?op={}" '
            'data-reply-to="{}">{}<span class="visually-hidden"> {}</span></a></p>'
            '<div class="comment__reply-slot" id="reply-slot-{}"></div>',
            reply_url,
            comment.pk,
            comment.pk,
            reply_word,
            reply_to % {"name": comment.user_name},
            comment.pk,
        )
    return format_html(
        '<article class="comment__body" aria-labelledby="c{}-naam">'
        '<header class="comment__header"><span class="comment__author" id="c{}-naam">{}</span>'
        '{}<a class="comment__permalink" href="#c{}"><time datetime="{}">{}</time></a></header>'
        '<div class="comment__text">{}</div>{}</article>',
        comment.pk,
        comment.pk,
        name,
        badge,
        comment.pk,
        entry.time_iso,
        entry.time_shown,
        text,
        actions,
    )
