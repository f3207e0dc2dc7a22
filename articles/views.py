from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET, require_safe

from articles.models import Article
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
    depends_on(request, COUNTS_VERSION_KEY)
    articles = (
        Article.objects.published()
        .only("title", "slug", "published_at", "lead", "lead_image", "lead_image_alt")
        .select_related("lead_image")
        .prefetch_related("lead_image__renditions")
    )
    page = Paginator(articles, settings.ARTICLES_PER_PAGE).get_page(request.GET.get("pagina"))
    return render(request, "articles/article_list.html", {"page_obj": page})


@require_safe
@cache_page_for_anonymous_readers
def article_detail(request, year, month, day, slug):
    article = get_object_or_404(
        Article.objects.visible_to(request.user)
        .select_related("author_user", "lead_image")
        .prefetch_related("tips", "lead_image__renditions"),
        slug=slug,
    )
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
        },
    )


@require_GET
def robots_txt(request):
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; send them to the real icon."""
    return redirect(static("img/favicon.svg"), permanent=True)
