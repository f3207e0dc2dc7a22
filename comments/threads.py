"""Lay out an article's comments as nested threads for the page.

The comments arrive in django-comments-xtd's pre-order (thread_id, order), so a
comment's replies follow it directly with a higher level. One pass backwards
finds which hidden comments still have visible replies (they become
placeholders); one pass forwards says where each nested list opens and closes,
so the template needs no recursion.
"""

from dataclasses import dataclass, field


@dataclass
class ThreadEntry:
    comment: object
    depth: int
    is_placeholder: bool = False
    opens_replies: bool = False
    closes: list = field(default_factory=list)  # one item per nested list closed after it


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
        entry = ThreadEntry(
            comment=comment, depth=comment.level, is_placeholder=not comment.is_visible
        )
        if next_level > comment.level:
            entry.opens_replies = True
        else:
            entry.closes = list(range(comment.level - next_level))
        entries.append(entry)
    return entries
