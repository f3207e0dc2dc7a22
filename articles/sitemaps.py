from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Author, Section


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    # Each article in every language, each entry naming the others (hreflang).
    i18n = True
    alternates = True
    x_default = True

    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme

    def items(self):
        return Article.objects.published()

    def lastmod(self, item):
        return item.content_changed_at


class BrowsingSitemap(Sitemap):
    """The listings of sections, tags and authors, in every language."""

    changefreq = "daily"
    i18n = True
    alternates = True
    x_default = True
    protocol = ArticleSitemap.protocol


class SectionSitemap(BrowsingSitemap):
    def items(self):
        return Section.objects.all()


class TagSitemap(BrowsingSitemap):
    def items(self):
        published = Article.objects.published()
        return (
            Tag.objects.filter(
                taggit_taggeditem_items__content_type__app_label="articles",
                taggit_taggeditem_items__content_type__model="article",
                taggit_taggeditem_items__object_id__in=published.values("pk"),
            )
            .distinct()
            .order_by("name")
        )

    def location(self, item):
        return reverse("articles:tag", kwargs={"slug": item.slug})


class AuthorSitemap(BrowsingSitemap):
    def items(self):
        return Author.objects.filter(articles__in=Article.objects.published()).distinct()


# Everything the sitemap lists, by section of the sitemap (site/urls.py).
SITEMAPS = {
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}
