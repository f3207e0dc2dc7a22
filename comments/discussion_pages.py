"""Which comments one page of an article's discussion shows, in a constant number of queries.

Top-level threads are paged (COMMENTS_THREADS_PER_PAGE) in one of three orders. Each
thread shows its first COMMENTS_REPLIES_SHOWN replies (fewer on a page whose threads are all
busy: replies_shown_on()) and says how many more it has; those are read on the thread's own
page. Only the comments shown are loaded whole: the rest of
the page's threads is read as a few integers per comment, enough to know what is hidden
and which hidden comment still has visible replies (a placeholder).
"""

from dataclasses import dataclass, field
from operator import attrgetter

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property
from django.utils.text import Truncator

from articles.page_cache import current_version, discussion_version_key
from comments.models import VISIBLE, Comment
from comments.posting import comments_are_open
from comments.rendering import plain_text
from comments.threads import MoreReplies, kept_in_threads, lay_out_threads, render_threads_html

OLDEST, NEWEST, VALUED = "oudste", "nieuwste", "waardevol"
ORDERINGS = {
    OLDEST: ["submit_date", "pk"],
    NEWEST: ["-submit_date", "-pk"],
    VALUED: ["-recommend_count", "submit_date", "pk"],
}

# The summary outlives no change (it is keyed on the discussion's version); this only
# frees the memory of discussions nobody reads.
SUMMARY_TIMEOUT = 3600

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
OUTLINE_FIELDS = [
    "pk",
    "thread_id",
    "level",
    "in_reply_to_id",
    "is_public",
    "is_removed",
    "is_spam",
]
# And, to put a page's threads in order again, what ORDERINGS sorts them by besides pk
# (in Outline's order).
ORDER_FIELDS = ["submit_date", "recommend_count"]


@dataclass
class Outline:
    """A comment as far as the layout of its thread is concerned."""

    pk: int
    thread_id: int
    level: int
    in_reply_to_id: int | None
    is_public: bool
    is_removed: bool
    is_spam: bool
    submit_date: object = None  # with ORDER_FIELDS only
    recommend_count: int = 0

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


# A comment that is visible, or whose thread has a visible comment: for a top-level one,
# a thread with something to show. Most are visible themselves, so the subquery runs
# only for the others.
LISTED = VISIBLE | Exists(Comment.objects.visible().filter(thread_id=OuterRef("thread_id")))


def listed_roots(article):
    """The article's top-level comments whose thread has something to show."""
    return Comment.objects.for_article(article).filter(level=0).filter(LISTED)


@dataclass
class DiscussionSummary:
    """What every page of one discussion shows alike: counted once per change."""

    count: int  # visible comments
    latest_id: int
    threads: int  # top-level threads with something to show
    picks: list  # [{"pk", "name", "excerpt"}], oldest first


def discussion_summary(article):
    """The summary of the article's discussion as it is now. Kept in the cache under the
    discussion's version, which every change to it moves on (articles/page_cache.py), so
    each page and order of a discussion counts nothing another one counted already."""
    version = current_version(discussion_version_key(article.pk))
    key = f"comments:summary:{article.pk}:{version}"
    summary = cache.get(key)
    if summary is None:
        # One query for the numbers, and one for the picks if there are any.
        totals = Comment.objects.for_article(article).aggregate(
            count=Count("pk", filter=VISIBLE),
            latest=Max("pk", filter=VISIBLE),
            threads=Count("pk", filter=Q(level=0) & LISTED),
            picks=Count("pk", filter=VISIBLE & Q(is_pick=True)),
        )
        picks = []
        if totals["picks"]:
            picks = (
                Comment.objects.for_article(article)
                .visible()
                .filter(is_pick=True)
                .order_by("submit_date")
                .only("user_name", "comment_html")[: settings.COMMENTS_PICKS_SHOWN]
            )
        summary = DiscussionSummary(
            count=totals["count"],
            latest_id=totals["latest"] or 0,
            threads=totals["threads"],
            picks=[
                {
                    "pk": pick.pk,
                    "name": str(pick.user_name),
                    "excerpt": Truncator(plain_text(pick.comment_html)).words(40),
                }
                for pick in picks
            ],
        )
        cache.set(key, summary, SUMMARY_TIMEOUT)
    return summary


class CountedPaginator(Paginator):
    """A paginator told its count, instead of counting the rows again."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self):
        return self.known_count


def thread_url(article_id, thread_id, *, replies=None):
    """A thread's own page, showing its first `replies` (all up to the first slice)."""
    url = reverse("comments:thread", args=[article_id, thread_id])
    if replies and replies > first_slice():
        url += f"?tot={replies}"
    return url


def first_slice():
    """How many replies a thread's own page shows at first."""
    return settings.COMMENTS_REPLIES_SHOWN + settings.COMMENTS_THREAD_SLICE


def load_discussion_page(article, *, page_number=None, order=OLDEST, summary=None):
    """One page of the article's threads, each with its first replies (2 queries
    besides the summary)."""
    summary = summary or discussion_summary(article)
    roots = listed_roots(article).order_by(*ORDERINGS[order]).values_list("pk", flat=True)
    paginator = CountedPaginator(roots, settings.COMMENTS_THREADS_PER_PAGE, count=summary.threads)
    page_obj = paginator.get_page(page_number)
    # The page's threads in one query, its top-level comments' ids a subquery of it; the
    # roots are then put in the page's order again, as ORDERINGS has them.
    outlines = _outlines(page_obj.object_list, sortable=True)
    if not outlines:
        return DiscussionPage(comments=[], page_obj=page_obj)
    roots = [thread[0] for thread in outlines.values()]  # a thread's first is its root
    # Sorted by the last field first: Python's sort is stable, so this is ORDERINGS' order.
    for name in reversed(ORDERINGS[order]):
        roots.sort(key=attrgetter(name.removeprefix("-")), reverse=name.startswith("-"))
    root_ids = [root.pk for root in roots]
    return _threads_page(article, root_ids, None, page_obj=page_obj, outlines=outlines)


def load_thread(article, thread_id, *, replies=None):
    """A thread with its first `replies` (the first slice by default), or None if it
    shows nothing (3 queries)."""
    if not listed_roots(article).filter(pk=thread_id).exists():
        return None
    return _threads_page(article, [thread_id], max(replies or 0, first_slice()))


def replies_shown_on(threads):
    """How many replies each thread of one page shows first, given what each of them
    keeps (kept_in_threads(), its first comment included): COMMENTS_REPLIES_SHOWN, or
    fewer (at least one) where that would show more than COMMENTS_REPLIES_PER_PAGE replies
    in all. The first pages of the busiest discussions, whose old threads all drew
    replies, then weigh about what a quiet discussion's page does, and every thread of a
    page still shows the same number."""
    shown = settings.COMMENTS_REPLIES_SHOWN
    while shown > 1 and (
        sum(min(shown, max(len(kept) - 1, 0)) for kept in threads)
        > settings.COMMENTS_REPLIES_PER_PAGE
    ):
        shown -= 1
    return shown


def _threads_page(article, root_ids, replies_shown, *, page_obj=None, outlines=None):
    """The threads with their first `replies_shown` replies (None: as many as this page
    shows, replies_shown_on())."""
    outlines = outlines if outlines is not None else _outlines(root_ids)
    kept_threads = {root_id: kept_in_threads(outlines.get(root_id, [])) for root_id in root_ids}
    if replies_shown is None:
        replies_shown = replies_shown_on(kept_threads.values())
    shown_ids, more = [], {}
    for root_id in root_ids:
        kept = kept_threads[root_id]
        shown, hidden = kept[: 1 + replies_shown], kept[1 + replies_shown :]
        shown_ids.extend(outline.pk for outline in shown)
        count = sum(1 for outline in hidden if outline.is_visible)
        if count:
            more[root_id] = (count, hidden[0].pk)
    # The comments a shown one answers, when not shown: loaded with them, for their names.
    shown_set = set(shown_ids)
    answered_ids = {
        outline.in_reply_to_id
        for thread in outlines.values()
        for outline in thread
        if outline.pk in shown_set and outline.in_reply_to_id
    } - shown_set
    loaded = Comment.objects.only(*DISPLAYED_FIELDS).in_bulk([*shown_ids, *answered_ids])
    comments = [loaded[pk] for pk in shown_ids if pk in loaded]
    answered = {pk: loaded[pk] for pk in answered_ids if pk in loaded and loaded[pk].is_visible}
    next_slice = max(replies_shown, settings.COMMENTS_REPLIES_SHOWN) + (
        settings.COMMENTS_THREAD_SLICE
    )
    for root_id, (count, first_hidden) in list(more.items()):
        more[root_id] = MoreReplies(
            count=count,
            url=f"{thread_url(article.pk, root_id, replies=next_slice)}#c{first_hidden}",
            thread_id=root_id,
        )
    return DiscussionPage(comments=comments, more=more, answered=answered, page_obj=page_obj)


def comment_location(comment, article):
    """Where readers find a visible comment in the default order: the URL of the article
    page it is on, or of its thread's own page when it is behind "Show more replies"."""
    root = Comment.objects.only("submit_date").get(pk=comment.thread_id)
    earlier = Q(submit_date__lt=root.submit_date) | Q(submit_date=root.submit_date, pk__lt=root.pk)
    position = listed_roots(article).filter(earlier).count()
    per_page = settings.COMMENTS_THREADS_PER_PAGE
    first_on_page = position - position % per_page
    page_roots = listed_roots(article).order_by(*ORDERINGS[OLDEST]).values_list("pk", flat=True)
    outlines = _outlines(page_roots[first_on_page : first_on_page + per_page])
    kept_threads = {root_id: kept_in_threads(thread) for root_id, thread in outlines.items()}
    kept = [outline.pk for outline in kept_threads.get(comment.thread_id, [])]
    index = kept.index(comment.pk) if comment.pk in kept else 0
    if index > replies_shown_on(kept_threads.values()):
        # The slice of the thread's own page that shows it.
        replies = first_slice()
        while replies < index:
            replies += settings.COMMENTS_THREAD_SLICE
        url = thread_url(article.pk, comment.thread_id, replies=replies)
        return f"{url}#c{comment.pk}"
    page = position // per_page + 1
    query = f"?pagina={page}" if page > 1 else ""
    return f"{article.get_absolute_url()}{query}#c{comment.pk}"


def render_discussion_html(article, page, *, notices=None):
    """The page's threads as HTML, with its notices beside their comments."""
    is_open = comments_are_open(article)
    return render_threads_html(
        lay_out_threads(page.comments, already_kept=True),
        reply_url=reverse("comments:form", args=[article.pk]),
        can_reply=is_open,
        permalink_url=prefix_of("comments:permalink"),
        report_url=prefix_of("moderation:report"),
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


def _outlines(root_ids, *, sortable=False):
    """{thread id: its comments as outlines, in thread order}, in one query (`root_ids`
    may be a query itself); `sortable` ones carry ORDER_FIELDS too (a long thread's
    page does without: a date read per reply is what its time would grow by)."""
    fields = OUTLINE_FIELDS + ORDER_FIELDS if sortable else OUTLINE_FIELDS
    rows = (
        Comment.objects.filter(thread_id__in=root_ids)
        .order_by("thread_id", "order")
        .values_list(*fields)
    )
    outlines = {}
    for row in rows:
        outline = Outline(*row)
        outlines.setdefault(outline.thread_id, []).append(outline)
    return outlines


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
