from dataclasses import dataclass, field

from django import template
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from articles.page_cache import depends_on, recommendations_version_key
from comments.discussion_pages import (
    NEWEST,
    OLDEST,
    VALUED,
    discussion_summary,
    load_discussion_page,
    notices_beside_comments,
    order_from,
    render_discussion_html,
)
from comments.models import ANONYMOUS_NAME, Comment
from comments.posting import comments_are_open

register = template.Library()


@dataclass
class Discussion:
    threads_html: str
    count: int
    is_open: bool
    latest_id: int = 0
    loose_notices: list = field(default_factory=list)
    page_obj: object = None
    page_range: list = field(default_factory=list)
    order: str = OLDEST
    orders: list = field(default_factory=list)
    picks: list = field(default_factory=list)
    poll_seconds: int = 30


@register.filter
def with_comment_counts(articles):
    """The articles, each with `comment_count`: its visible comments, counted in one query."""
    articles = list(articles)
    counts = Comment.objects.visible().count_per_article(articles)
    for article in articles:
        article.comment_count = counts.get(article.pk, 0)
    return articles


@register.simple_tag(takes_context=True)
def article_discussion(context, article):
    """One page of an article's threads, with what the page around them shows: the count,
    the editors' picks, the page links and the order (a constant number of queries)."""
    request = context.get("request")
    params = request.GET if request is not None else {}
    order = order_from(params.get("volgorde"))
    if request is not None:
        depends_on(
            request,
            recommendations_version_key(article.pk),
            lag=settings.COMMENTS_RECOMMENDATIONS_LAG_SECONDS,
        )
    summary = discussion_summary(article)
    page = load_discussion_page(
        article, page_number=params.get("pagina"), order=order, summary=summary
    )
    notices = notices_beside_comments(context.get("messages"))
    shown = {comment.pk for comment in page.comments}
    # A notice about a comment not on this page (another order, say) heads the discussion.
    loose_notices = [notice for pk, found in notices.items() if pk not in shown for notice in found]
    picks = [
        {**pick, "name": _("Anonymous reader") if pick["name"] == ANONYMOUS_NAME else pick["name"]}
        for pick in summary.picks
    ]
    page_obj = page.page_obj
    return Discussion(
        threads_html=render_discussion_html(article, page, notices=notices),
        loose_notices=loose_notices,
        count=summary.count,
        latest_id=summary.latest_id,
        is_open=comments_are_open(article),
        page_obj=page_obj,
        page_range=list(
            page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
        ),
        order=order,
        orders=[
            (OLDEST, _("Oldest first")),
            (NEWEST, _("Newest first")),
            (VALUED, _("Most valued")),
        ],
        picks=picks,
        poll_seconds=settings.COMMENTS_POLL_SECONDS,
    )
