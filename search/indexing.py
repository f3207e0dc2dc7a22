"""Keeping the search index equal to the articles: each save of an article or a tip
stores the article's words again (signal receivers connected in apps.py).

Changes that send no signal (QuerySet.update() of a title, lead or body, bulk_create of
tips) are picked up by `manage.py rebuild_search_index`. Whether an article is published
is not stored here: the search reads it from the article, so drafts, scheduled articles
and publications by QuerySet.update() are always right.
"""

from django.db import transaction
from django.db.models import Prefetch

from articles.models import Article, Tip
from search.full_text import update_vectors
from search.models import SearchDocument
from search.plain_text import document_fields


def _fields_of(article, tips):
    return document_fields(
        title=article.title,
        lead=article.lead,
        body_html=article.body_html,
        tip_texts=[tip.text for tip in tips],
    )


def index_article(article):
    """Store the words of this article and its tips (read from the database)."""
    tips = Tip.objects.filter(article=article).order_by("position").only("text")
    document, _created = SearchDocument.objects.update_or_create(
        article=article, defaults=_fields_of(article, tips)
    )
    update_vectors(SearchDocument.objects.filter(pk=document.pk))


@transaction.atomic
def rebuild_index():
    """Store the words of every article again; returns how many were indexed."""
    articles = Article.objects.prefetch_related(
        Prefetch("tips", queryset=Tip.objects.order_by("position").only("article", "text"))
    ).only("title", "lead", "body_html")
    count = 0
    for article in articles.iterator(chunk_size=200):
        SearchDocument.objects.update_or_create(
            article=article, defaults=_fields_of(article, article.tips.all())
        )
        count += 1
    update_vectors(SearchDocument.objects.all())
    return count


def article_saved(sender, instance, raw=False, **kwargs):
    # A fixture being loaded (raw) brings its own search documents.
    if not raw:
        index_article(instance)


def tip_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    # Only an article already indexed: while an article is deleted its document goes
    # first, and its tips' deletions must not bring it back.
    article = (
        Article.objects.filter(pk=instance.article_id, search_document__isnull=False)
        .only("title", "lead", "body_html")
        .first()
    )
    if article is not None:
        index_article(article)
