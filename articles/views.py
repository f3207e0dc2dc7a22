from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET, require_safe
from taggit.models import Tag

from articles.models import Article, Author, Section
from articles.page_cache import (
    COUNTS_VERSION_KEY,
    cache_page_for_anonymous_readers,
    depends_on,
    discussion_version_key,
)
from articles.site_urls import absolute_url


@require_safe
@cache_page_for_anonymous_readers
def article_list(request):
    return _listing(request, "articles/article_list.html", Article.objects.for_listing())


def _listing(request, template, articles, **context):
    """A page of teasers (with comment counts, hence the dependency on them)."""
    depends_on(request, COUNTS_VERSION_KEY)
    page = Paginator(articles, settings.ARTICLES_PER_PAGE).get_page(request.GET.get("pagina"))
    return render(request, template, {"page_obj": page, **context})


@require_safe
@cache_page_for_anonymous_readers
def section_detail(request, slug):
    section = get_object_or_404(Section, slug=slug)
    articles = Article.objects.for_listing().filter(section=section)
    return _listing(request, "articles/section_detail.html", articles, section=section)


@require_safe
@cache_page_for_anonymous_readers
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    articles = Article.objects.for_listing().filter(tags=tag)
    return _listing(request, "articles/tag_detail.html", articles, tag=tag)


@require_safe
@cache_page_for_anonymous_readers
def author_detail(request, slug):
    author = get_object_or_404(Author, slug=slug)
    articles = Article.objects.for_listing().filter(author=author)
    return _listing(request, "articles/author_detail.html", articles, author=author)


@require_safe
@cache_page_for_anonymous_readers
def article_detail(request, year, month, day, slug):
    articles = (
        Article.objects.visible_to(request.user)
        .select_related("author_user", "section", "author", "lead_image")
        .prefetch_related("tips", "tags", "lead_image__renditions")
    )
    try:
        article = articles.get(slug=slug)
    except Article.DoesNotExist:
        # An address the article had before its slug changed: sent on below.
        article = get_object_or_404(articles, former_slugs__slug=slug)
    if article.get_absolute_url() != request.path:
        return redirect(article, permanent=True)
    depends_on(request, discussion_version_key(article.pk))
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "is_preview": not article.is_published,
            "canonical_url": absolute_url(article.get_absolute_url()),
            "related_articles": Article.objects.related_to(article),
            # A message about one comment (posted, recommended) shows beside it.
            "shows_notices_beside_comments": True,
        },
    )


@require_GET
def robots_txt(request):
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; send them to the real icon."""
    return redirect(static("img/favicon.svg"), permanent=True)
