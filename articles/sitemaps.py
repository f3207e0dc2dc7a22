from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap

from articles.models import Article


class ArticleSitemap(Sitemap):
    changefreq = "weekly"

    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme

    def items(self):
        return Article.objects.published()

    def lastmod(self, item):
        return item.updated_at
