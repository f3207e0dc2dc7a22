from dataclasses import dataclass

from django import template
from django.urls import NoReverseMatch, reverse

from comments.models import Comment
from comments.posting import comments_are_open
from comments.threads import lay_out_threads, render_threads_html

register = template.Library()

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
    "edited_at",
]


@dataclass
class Discussion:
    threads_html: str
    count: int
    is_open: bool


@register.filter
def with_comment_counts(articles):
    """The articles, each with `comment_count`: its visible comments, counted in one query."""
    articles = list(articles)
    counts = Comment.objects.visible().count_per_article(articles)
    for article in articles:
        article.comment_count = counts.get(article.pk, 0)
    return articles


def report_url():
    """Where a comment is reported (the moderation app's page), up to the comment's id."""
    try:
        return reverse("moderation:report", args=[0]).removesuffix("0/")
    except NoReverseMatch:
        return None


@register.simple_tag
def article_discussion(article):
    """An article's threaded comments, their count and whether new ones are welcome (1 query)."""
    comments = (
        Comment.objects.for_article(article).only(*DISPLAYED_FIELDS).order_by("thread_id", "order")
    )
    entries = lay_out_threads(comments)
    is_open = comments_are_open(article)
    return Discussion(
        threads_html=render_threads_html(
            entries,
            reply_url=reverse("comments:form", args=[article.pk]),
            can_reply=is_open,
            report_url=report_url(),
        ),
        count=sum(1 for entry in entries if not entry.is_placeholder),
        is_open=is_open,
    )
