from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe

from articles.page_cache import cache_page_for_anonymous_readers
from search.forms import MAX_QUERY_LENGTH, SearchForm
from search.results import search_page

# Cache keys hold the address; memcached refuses keys over 250 characters. A longer
# address is a query the form refuses anyway, or junk in ?pagina=.
LONGEST_CACHED_ADDRESS = MAX_QUERY_LENGTH


def _search(request):
    form = SearchForm(request.GET) if "q" in request.GET else SearchForm()
    page = None
    if form.is_bound and form.is_valid():
        page = search_page(form.words, request.GET.get("pagina"), settings.ARTICLES_PER_PAGE)
    status = 400 if form.errors else 200
    return render(request, "search/results.html", {"form": form, "page_obj": page}, status=status)


_cached_search = cache_page_for_anonymous_readers(_search)


@require_safe
def search(request):
    """The search page: without a query the form alone, else the articles found."""
    if len(request.get_full_path()) > LONGEST_CACHED_ADDRESS:
        return _search(request)
    return _cached_search(request)
