from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe

from articles.page_cache import cache_page_for_anonymous_readers
from search.forms import SearchForm
from search.results import search_page


@require_safe
@cache_page_for_anonymous_readers
def search(request):
    """The search page: without a query the form alone, else the articles found."""
    form = SearchForm(request.GET) if "q" in request.GET else SearchForm()
    page = None
    if form.is_bound and form.is_valid():
        page = search_page(form.words, request.GET.get("pagina"), settings.ARTICLES_PER_PAGE)
    status = 400 if form.errors else 200
    return render(request, "search/results.html", {"form": form, "page_obj": page}, status=status)
