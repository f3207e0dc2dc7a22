from urllib.parse import urlsplit

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def sync_current_site(using="default", **kwargs):
    """Keep the sites framework's domain (used by feeds and the sitemap) equal to SITE_URL."""
    from django.conf import settings
    from django.contrib.sites.models import Site

    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": urlsplit(settings.SITE_URL).netloc, "name": settings.SITE_NAME},
    )
    Site.objects.clear_cache()


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def ready(self):
        from articles.masthead import forget_masthead_sections
        from articles.page_cache import invalidate_pages

        post_migrate.connect(sync_current_site, sender=self)
        # Sections, authors and tags show on listings and article pages too.
        for model in (
            "articles.Article",
            "articles.Tip",
            "articles.Section",
            "articles.Author",
            "taggit.Tag",
            "taggit.TaggedItem",
            # An image or rendition changed shows on every page that has it (images).
            "images.Image",
            "images.Rendition",
        ):
            post_save.connect(invalidate_pages, sender=model, dispatch_uid=f"pages-{model}-save")
            post_delete.connect(invalidate_pages, sender=model, dispatch_uid=f"pages-{model}-del")
        # A migration changes sections through historical models, which send no signal
        # the receivers below would hear.
        post_migrate.connect(forget_masthead_sections, sender=self)
        for signal in (post_save, post_delete):
            signal.connect(
                forget_masthead_sections,
                sender="articles.Section",
                dispatch_uid=f"masthead-sections-{signal is post_save}",
            )
