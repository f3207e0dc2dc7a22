from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Section
from articles.site_urls import absolute_url

FEED_SIZE = 20


class LatestArticlesFeed(Feed):
    link = reverse_lazy("articles:index")
    description = _("The latest news for entrepreneurs.")

    def title(self):
        return settings.SITE_NAME

    def items(self):
        return self.latest(Article.objects.published())

    def latest(self, articles):
        return articles.select_related("author", "section")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.lead

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.content_changed_at

    def item_author_name(self, item):
        return item.byline_name

    def item_author_link(self, item):
        return absolute_url(item.author.get_absolute_url()) if item.author_id else None

    def item_categories(self, item):
        return [item.section.name] if item.section_id else []


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description


class SectionFeed(LatestArticlesFeed):
    """The latest articles of one section (RSS)."""

    def get_object(self, request, slug):
        return get_object_or_404(Section, slug=slug)

    def title(self, section):
        return f"{section.name} – {settings.SITE_NAME}"

    def link(self, section):
        return section.get_absolute_url()

    def description(self, section):
        return section.description or LatestArticlesFeed.description

    def items(self, section):
        return self.latest(Article.objects.published().filter(section=section))
