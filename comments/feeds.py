"""RSS and Atom feeds of the readers' comments: per article, and the latest on the site.

A feed holds exactly the comments the article page shows and counts (`visible()`):
held, removed and spam comments never appear. Each item's text is the sanitised
HTML stored with the comment, its author the name the commenter gave; the e-mail
address is not even read from the database.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.syndication.views import Feed
from django.db.models import CharField
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from articles.models import Article
from articles.site_urls import absolute_url
from comments.models import Comment
from comments.rendering import removed_comment_html

FEED_SIZE = 50
# Everything an item needs, and nothing else (no e-mail address, no IP address).
ITEM_FIELDS = ["user_name", "submit_date", "comment_html", "content_type", "object_pk"]
ARTICLE_FIELDS = ["title", "slug", "published_at"]


def _attach_article(comment, article):
    """Cache the article as the comment's content_object, so get_absolute_url() needs no query."""
    Comment._meta.get_field("content_object").set_cached_value(comment, article)


def _newest_first(comments):
    return comments.only(*ITEM_FIELDS).order_by("-submit_date", "-pk")[:FEED_SIZE]


class CommentItemsMixin:
    """How a comment becomes a feed item; its article must be attached already.

    No fixed `language`: the feed says the active one (Dutch, or English under /en/).
    """

    def item_title(self, item):
        return _("%(name)s on %(title)s") % {
            "name": item.display_name,
            "title": item.content_object.title,
        }

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def item_description(self, item):
        # An empty comment (one of the seed's) reads as on the page.
        return item.comment_html or removed_comment_html()

    def item_pubdate(self, item):
        return item.submit_date

    def item_updateddate(self, item):
        # Atom (RFC 4287) requires <updated> in every entry; comments are not edited.
        return item.submit_date

    def item_author_name(self, item):
        return item.display_name


class ArticleCommentsFeed(CommentItemsMixin, Feed):
    """The newest visible comments on one published article."""

    def get_object(self, request, article_id):
        return get_object_or_404(Article.objects.published().only(*ARTICLE_FIELDS), pk=article_id)

    def title(self, article):
        return _("Comments on %(title)s") % {"title": article.title}

    def description(self, article):
        return _("Readers' comments on %(title)s, newest first.") % {"title": article.title}

    def link(self, article):
        return absolute_url(article.get_absolute_url())

    def items(self, article):
        comments = list(_newest_first(Comment.objects.for_article(article).visible()))
        for comment in comments:
            _attach_article(comment, article)
        return comments


class ArticleCommentsAtomFeed(ArticleCommentsFeed):
    feed_type = Atom1Feed

    def subtitle(self, article):
        return self.description(article)

    def feed_guid(self, article):
        # Not the article's URL (the default), which is already the id of the
        # article's entry in the news feed.
        return absolute_url(reverse("comments:article-feed-atom", args=[article.pk]))


class LatestCommentsFeed(CommentItemsMixin, Feed):
    """The newest visible comments on all published articles, in two queries."""

    def title(self):
        return _("Latest comments – %(site)s") % {"site": settings.SITE_NAME}

    def description(self):
        return _("The latest comments on the news for entrepreneurs.")

    def link(self):
        return absolute_url(reverse("articles:index"))

    def items(self):
        published_pks = (
            Article.objects.published()
            .order_by()
            .annotate(pk_text=Cast("pk", CharField()))
            .values("pk_text")
        )
        comments = list(
            _newest_first(
                Comment.objects.visible().filter(
                    content_type=ContentType.objects.get_for_model(Article),
                    site_id=settings.SITE_ID,
                    object_pk__in=published_pks,
                )
            )
        )
        # object_pk is text: fetch all the comments' articles in one query by id.
        articles = Article.objects.only(*ARTICLE_FIELDS).in_bulk(
            {int(comment.object_pk) for comment in comments}
        )
        # An article deleted between the two queries takes its comments along.
        comments = [comment for comment in comments if int(comment.object_pk) in articles]
        for comment in comments:
            _attach_article(comment, articles[int(comment.object_pk)])
        return comments


class LatestCommentsAtomFeed(LatestCommentsFeed):
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description()

    def feed_guid(self):
        # Not the home page's URL (the default), which is the news feed's id.
        return absolute_url(reverse("comments:feed-atom"))
