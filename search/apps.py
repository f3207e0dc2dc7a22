from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self):
        from search import indexing

        post_save.connect(indexing.article_saved, sender="articles.Article", dispatch_uid="search")
        post_save.connect(indexing.tip_changed, sender="articles.Tip", dispatch_uid="search-save")
        post_delete.connect(indexing.tip_changed, sender="articles.Tip", dispatch_uid="search-del")
