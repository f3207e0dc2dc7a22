"""Adding an archive's comments to an article, threaded as if posted one by one in order.

django-comments-xtd keeps a thread in four numbers per comment: thread_id (the root's pk),
parent_id (the root's own pk for a root), level (0 for a root) and order (the position in
the thread read depth-first), plus nested_count (how many replies below it). Saving one
comment at a time lets xtd work them out with several queries per comment; for an archive
of tens of thousands we work them out here, in memory, per article, and write each of the
comment's three tables in bulk. Replies deeper than COMMENTS_MAX_DEPTH are placed at the
deepest level with `in_reply_to` set, as comments/posting.py does for a reader's reply.

Nothing here sends a signal: no moderation alert, no notification to subscribers. Every
comment is stored with notifications_queued_at set, so the worker never fans it out.
"""

import ipaddress
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection
from django.db.models import F, Max, Min
from django.utils import timezone
from django_comments.models import Comment as BaseComment
from django_comments_xtd.models import XtdComment

from archive_import.models import ImportedItem
from comments.models import Comment, normalise_email
from comments.posting import deepest_allowed_parent
from comments.rendering import render_comment


class Status:
    PUBLIC = "public"
    HELD = "held"
    SPAM = "spam"
    REMOVED = "removed"


@dataclass
class ArchivedComment:
    """One comment as an archive has it."""

    external_id: str
    parent_external_id: str | None
    name: str
    email: str
    url: str
    ip_address: str | None
    submitted_at: datetime
    html: str
    status: str


@dataclass
class _Node:
    archived: ArchivedComment
    level: int
    parent: "_Node | None" = None
    existing_parent: Comment | None = None
    answered: "_Node | Comment | None" = None
    children: list = field(default_factory=list)
    comment: Comment | None = None

    @property
    def descendants(self):
        return sum(1 + child.descendants for child in self.children)

    def preorder(self):
        yield self
        for child in self.children:
            yield from child.preorder()


_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARAGRAPH_END = re.compile(r"</p\s*>\s*", re.IGNORECASE)
_PARAGRAPH_START = re.compile(r"<p\b[^>]*>", re.IGNORECASE)


def comment_text(archived_html):
    """The archive's HTML as text a reader could have typed here: paragraphs as blank
    lines, inline tags left for the comment renderer to keep or strip, no script."""
    text = _SCRIPT_OR_STYLE.sub("", archived_html)
    text = _LINE_BREAK.sub("\n", text)
    text = _PARAGRAPH_END.sub("\n\n", text)
    text = _PARAGRAPH_START.sub("", text)
    return text.strip()


_web_address = URLValidator(schemes=["http", "https"])


def _url(value):
    """The commenter's web address when it is one (the page links the name to it)."""
    value = (value or "").strip()
    try:
        _web_address(value)
    except ValidationError:
        return ""
    return value if len(value) <= 200 else ""


def _ip_address(value):
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def _new_trees(archived, imported, max_level):
    """The archive's comments that are new, as trees: those under a new root, and those
    under a comment imported before ([(existing comment, [subtree tops])])."""
    new = {c.external_id: c for c in archived if c.external_id not in imported}
    nodes = {}
    roots, anchored = [], {}
    existing = {}

    def existing_comment(pk):
        if pk not in existing:
            existing[pk] = Comment.objects.filter(pk=pk).first()
        return existing[pk]

    def place(archived_comment):
        parent_id = archived_comment.parent_external_id
        answered = nodes.get(parent_id)
        if answered is None and parent_id in imported:
            answered = existing_comment(imported[parent_id])
        if isinstance(answered, _Node):
            parent = answered
            if answered.level >= max_level:
                parent = answered.parent or answered.existing_parent
        else:
            parent = deepest_allowed_parent(answered)
        node = _Node(
            archived_comment,
            level=0 if parent is None else parent.level + 1,
            parent=parent if isinstance(parent, _Node) else None,
            existing_parent=parent if isinstance(parent, Comment) else None,
            answered=answered if answered is not None and answered is not parent else None,
        )
        if parent is None:
            roots.append(node)
        elif isinstance(parent, _Node):
            parent.children.append(node)
        else:
            anchored.setdefault(parent.pk, (parent, []))[1].append(node)
        nodes[archived_comment.external_id] = node

    # In the order they were written, each after the comment it answers (an export may
    # list a reply first); a parent that is missing, or a loop, makes a new root.
    for archived_comment in sorted(new.values(), key=lambda c: (c.submitted_at, c.external_id)):
        if archived_comment.external_id in nodes:
            continue
        chain, in_chain = [archived_comment], {archived_comment.external_id}
        while (parent_id := chain[-1].parent_external_id) in new and (
            parent_id not in nodes and parent_id not in in_chain
        ):
            chain.append(new[parent_id])
            in_chain.add(parent_id)
        for unplaced in reversed(chain):
            place(unplaced)
    return roots, list(anchored.values())


def _new_comment(node, *, article_type, article, now):
    archived = node.archived
    status = archived.status
    comment = Comment(
        content_type=article_type,
        object_pk=str(article.pk),
        site_id=settings.SITE_ID,
        user_name=archived.name.strip()[:50],
        user_email=normalise_email(archived.email or "")[:254],
        user_url=_url(archived.url),
        submit_date=archived.submitted_at,
        ip_address=_ip_address(archived.ip_address),
        is_public=status in (Status.PUBLIC, Status.REMOVED),
        is_removed=status == Status.REMOVED,
        is_spam=status == Status.SPAM,
        followup=False,
        level=node.level,
        notifications_queued_at=now,
        language=settings.LANGUAGE_CODE,
    )
    comment.set_text(render_comment(comment_text(archived.html)))
    node.comment = comment
    return comment


def _insert_rows(model, objects):
    """INSERT the table of `model` itself (not its parents') for these objects, in one
    statement per batch: bulk_create refuses a model with multi-table inheritance."""
    fields = model._meta.local_concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608 - names from the model
    rows = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] for obj in objects
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            cursor.executemany(sql, rows[start : start + 500])


def _make_room(parent, size):
    """Orders for `size` new comments at the end of `parent`'s replies (an existing comment's
    thread), the way xtd places one reply; the comments after them move down."""
    thread = XtdComment.norel_objects.filter(thread_id=parent.thread_id)
    after = thread.filter(level__lte=parent.level, order__gt=parent.order)
    first = after.aggregate(first=Min("order"))["first"]
    if first is None:
        return thread.aggregate(last=Max("order"))["last"] + 1
    thread.filter(order__gte=first).update(order=F("order") + size)
    return first


def _count_replies_above(parent, size):
    ancestors = []
    current = parent
    while True:
        ancestors.append(current.pk)
        if current.parent_id == current.pk:
            break
        current = XtdComment.norel_objects.only("pk", "parent_id").get(pk=current.parent_id)
    XtdComment.norel_objects.filter(pk__in=ancestors).update(nested_count=F("nested_count") + size)


def add_comments(*, article, archived, source, imported):
    """Store the archive's comments on `article` that `imported` ({external id: comment pk}
    of this source) does not have yet, and record them there. Returns how many were new."""
    max_level = settings.COMMENTS_XTD_MAX_THREAD_LEVEL
    roots, anchored = _new_trees(archived, imported, max_level)
    trees = [(root, None) for root in roots] + [
        (top, parent) for parent, tops in anchored for top in tops
    ]
    if not trees:
        return 0
    article_type = ContentType.objects.get_for_model(article)
    now = timezone.now()
    nodes = [node for top, _parent in trees for node in top.preorder()]
    comments = [
        _new_comment(node, article_type=article_type, article=article, now=now) for node in nodes
    ]

    base_fields = [f.attname for f in BaseComment._meta.concrete_fields if not f.primary_key]
    bases = BaseComment.objects.bulk_create(
        [BaseComment(**{name: getattr(c, name) for name in base_fields}) for c in comments],
        batch_size=500,
    )
    for comment, base in zip(comments, bases, strict=True):
        comment.pk = comment.id = comment.comment_ptr_id = comment.xtdcomment_ptr_id = base.pk

    for top, existing_parent in trees:
        if existing_parent is None:
            thread_id, first_order = top.comment.pk, 1
        else:
            thread_id = existing_parent.thread_id
            size = 1 + top.descendants
            first_order = _make_room(existing_parent, size)
            _count_replies_above(existing_parent, size)
        for order, node in enumerate(top.preorder(), start=first_order):
            comment = node.comment
            comment.thread_id, comment.order = thread_id, order
            comment.nested_count = node.descendants
            if node.parent is not None:
                comment.parent_id = node.parent.comment.pk
            elif existing_parent is not None and node is top:
                comment.parent_id = existing_parent.pk
            else:
                comment.parent_id = comment.pk
            answered = node.answered
            if answered is not None:
                comment.in_reply_to_id = (
                    answered.comment.pk if isinstance(answered, _Node) else answered.pk
                )

    _insert_rows(XtdComment, comments)
    _insert_rows(Comment, comments)
    comment_type = ContentType.objects.get_for_model(Comment)
    ImportedItem.objects.bulk_create(
        [
            ImportedItem(
                source=source,
                kind=ImportedItem.Kind.COMMENT,
                external_id=node.archived.external_id,
                content_type_id=comment_type.pk,
                object_id=node.comment.pk,
            )
            for node in nodes
        ],
        batch_size=1000,
    )
    for node in nodes:
        imported[node.archived.external_id] = node.comment.pk
    return len(nodes)
