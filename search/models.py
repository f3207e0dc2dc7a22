from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from articles.models import Article


class SearchDocumentQuerySet(models.QuerySet):
    def published(self):
        """Documents of the articles a reader may see (decided now, as Article.published())."""
        return self.filter(
            article__status=Article.Status.PUBLISHED, article__published_at__lte=Now()
        )


class SearchDocument(models.Model):
    """An article's words as the search index reads them: plain text, one row per article.

    The full-text index itself depends on the database (search/full_text.py): on
    PostgreSQL `search_vector` with a GIN index, on SQLite an FTS5 table that triggers keep
    equal to this one (both made by the migrations).
    """

    article = models.OneToOneField(
        Article,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="search_document",
    )
    title = models.TextField(_("title"))
    lead = models.TextField(_("lead"))
    # The body and the tips, as plain text.
    text = models.TextField(_("text"))
    # PostgreSQL only (title weighted A, lead B, text C); always empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = SearchDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self):
        return self.title
