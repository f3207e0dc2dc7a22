"""Which comments one page of an article's discussion shows, in a constant number of queries.

Top-level threads are paged (COMMENTS_THREADS_PER_PAGE) in one of three orders. Each
thread shows its first COMMENTS_REPLIES_SHOWN replies and says how many more it has; those
are read on the thread's own page. Only the comments shown are loaded whole: the rest of
the page's threads is read as a few integers per comment, enough to know what is hidden
and which hidden comment still has visible replies (a placeholder).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse

from comments.models import Comment
from comments.posting import comments_are_open
from comments.threads import MoreReplies, kept_in_threads, lay_out_threads, render_threads_html

OLDEST, NEWEST, VALUED = "oudste", "nieuwste", "waardevol"
ORDERINGS = {
    OLDEST: ["submit_date", "pk"],
    NEWEST: ["-submit_date", "-pk"],
    VALUED: ["-recommend_count", "submit_date", "pk"],
}

# What a page needs of every comment it shows.
DISPLAYED_FIELDS = [
    "user_name",
    "user_url",
    "submit_date",
    "comment_html",
    "badge",
    "thread_id",
    "parent_id",
    "in_reply_to_id",
    "level",
    "order",
    "is_public",
    "is_removed",
    "is_spam",
    "recommend_count",
    "is_pick",
    "edited_at",
]
# And of every other comment in its threads.
OUTLINE_FIELDS = ["pk", "thread_id", "level", "is_public", "is_removed", "is_spam"]


@dataclass
class Outline:
    """A comment as far as the layout of its thread is concerned."""

    pk: int
    thread_id: int
    level: int
    is_public: bool
    is_removed: bool
    is_spam: bool

    @property
    def is_visible(self):
        return self.is_public and not self.is_removed and not self.is_spam


@dataclass
class DiscussionPage:
    comments: list  # in thread order, ready for lay_out_threads(already_kept=True)
    more: dict = field(default_factory=dict)  # thread id: MoreReplies
    answered: dict = field(default_factory=dict)  # answered comments not on the page
    page_obj: object = None


def order_from(value):
    return value if value in ORDERINGS else OLDEST


def listed_roots(article):
    """The article's top-level comments whose thread has something to show."""
    visible_in_thread = Comment.objects.visible().filter(thread_id=OuterRef("thread_id"))
    return Comment.objects.for_article(article).filter(level=0).filter(Exists(visible_in_thread))


def thread_url(article_id, thread_id):
    return reverse("comments:thread", args=[article_id, thread_id])


def load_discussion_page(article, *, page_number=None, order=OLDEST):
    """One page of the article's threads, each with its first replies (4 or 5 queries)."""
    roots = listed_roots(article).order_by(*ORDERINGS[order]).values_list("pk", flat=True)
    page_obj = Paginator(roots, settings.COMMENTS_THREADS_PER_PAGE).get_page(page_number)
    root_ids = list(page_obj.object_list)
    if not root_ids:
        return DiscussionPage(comments=[], page_obj=page_obj)
    outlines = _outlines(root_ids)
    shown_ids, more = [], {}
    replies_shown = settings.COMMENTS_REPLIES_SHOWN
    for root_id in root_ids:
        kept = kept_in_threads(outlines.get(root_id, []))
        shown, hidden = kept[: 1 + replies_shown], kept[1 + replies_shown :]
        shown_ids.extend(outline.pk for outline in shown)
        count = sum(1 for outline in hidden if outline.is_visible)
        if count:
            more[root_id] = (count, hidden[0].pk)
    comments = _load_shown(shown_ids)
    by_pk = {comment.pk: comment for comment in comments}
    for root_id, (count, first_hidden) in list(more.items()):
        more[root_id] = MoreReplies(
            count=count,
            url=f"{thread_url(article.pk, root_id)}#c{first_hidden}",
            thread_id=root_id,
            root_name=str(by_pk[root_id].display_name),
        )
    return DiscussionPage(
        comments=comments, more=more, answered=_answered_elsewhere(comments), page_obj=page_obj
    )


def load_thread(article, thread_id):
    """Every comment a thread shows (2 or 3 queries), or None if it shows nothing."""
    if not listed_roots(article).filter(pk=thread_id).exists():
        return None
    kept = kept_in_threads(_outlines([thread_id]).get(thread_id, []))
    comments = _load_shown([outline.pk for outline in kept])
    return DiscussionPage(comments=comments, answered=_answered_elsewhere(comments))


def comment_location(comment, article):
    """Where readers find a visible comment in the default order: the URL of the article
    page it is on, or of its thread's own page when it is behind "Show more replies"."""
    root = Comment.objects.only("submit_date").get(pk=comment.thread_id)
    earlier = Q(submit_date__lt=root.submit_date) | Q(submit_date=root.submit_date, pk__lt=root.pk)
    position = listed_roots(article).filter(earlier).count()
    kept = kept_in_threads(_outlines([comment.thread_id]).get(comment.thread_id, []))
    on_article_page = [outline.pk for outline in kept[: 1 + settings.COMMENTS_REPLIES_SHOWN]]
    if comment.pk not in on_article_page:
        return f"{thread_url(article.pk, comment.thread_id)}#c{comment.pk}"
    page = position // settings.COMMENTS_THREADS_PER_PAGE + 1
    query = f"?pagina={page}" if page > 1 else ""
    return f"{article.get_absolute_url()}{query}#c{comment.pk}"


def notices_beside_comments(messages):
    """{comment id: [(level, text)]} for the messages meant to show beside a comment
    (tagged "comment-<id>", as posting one does)."""
    notices = {}
    for message in messages or ():
        if "beside-comment" not in message.extra_tags.split():
            continue
        for tag in message.extra_tags.split():
            comment_id = tag.removeprefix("comment-")
            if comment_id != tag and comment_id.isdigit():
                notices.setdefault(int(comment_id), []).append((message.level_tag, message.message))
    return notices


def render_discussion_html(article, page, *, notices=None):
    """The page's threads as HTML, with its notices beside their comments."""
    is_open = comments_are_open(article)
    return render_threads_html(
        lay_out_threads(page.comments, already_kept=True),
        reply_url=reverse("comments:form", args=[article.pk]),
        can_reply=is_open,
        permalink_url=prefix_of("comments:permalink"),
        report_url=prefix_of("moderation:report"),
        recommend_url=prefix_of("comments:recommend"),
        more=page.more,
        notices=notices,
        answered=page.answered,
    )


def prefix_of(url_name):
    """A URL taking a comment's id, up to that id ("/reacties/melden/"), or None when the
    app that serves it is not installed."""
    try:
        return reverse(url_name, args=[0]).removesuffix("0/")
    except NoReverseMatch:
        return None


def _outlines(root_ids):
    """{thread id: its comments as outlines, in thread order}, in one query."""
    rows = (
        Comment.objects.filter(thread_id__in=root_ids)
        .order_by("thread_id", "order")
        .values_list(*OUTLINE_FIELDS)
    )
    outlines = {}
    for row in rows:
        outline = Outline(*row)
        outlines.setdefault(outline.thread_id, []).append(outline)
    return outlines


def _load_shown(ids):
    """The comments with these ids, whole, in the order given."""
    by_pk = Comment.objects.only(*DISPLAYED_FIELDS).in_bulk(ids)
    return [by_pk[pk] for pk in ids if pk in by_pk]


def _answered_elsewhere(comments):
    """The visible comments these answer that are not among them (at most one query)."""
    shown = {comment.pk for comment in comments}
    wanted = {comment.in_reply_to_id for comment in comments} - shown - {None}
    if not wanted:
        return {}
    return Comment.objects.visible().only("user_name").in_bulk(wanted)


def flat_page(comments):
    """Comments shown one after another, outside their threads (the newest ones): each
    says whom it answers, its parent included, since it no longer sits under it."""
    flat = list(comments.only(*DISPLAYED_FIELDS))
    for comment in flat:
        comment.in_reply_to_id = comment.in_reply_to_id or (
            comment.parent_id if comment.parent_id != comment.pk else None
        )
        comment.level, comment.parent_id = 0, comment.pk
    return DiscussionPage(comments=flat, answered=_answered_elsewhere(flat))
