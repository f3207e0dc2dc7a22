"""A page of search results: the articles found, each with the words it was found by marked."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.utils.safestring import SafeString

from articles.models import Article
from search.full_text import has_match, marked_html, matching, snippets
from search.models import SearchDocument


@dataclass(frozen=True)
class Result:
    article: Article
    # The lead with the words marked when it has them, else a passage of the body or
    # tips that has them; None when only the title matched (the lead is shown as it is).
    summary_html: SafeString | None
    is_passage: bool


def search_page(words, page_number, per_page):
    """The page of published articles that contain all these words, best match first."""
    documents = SearchDocument.objects.published().select_related("article")
    documents = documents.only(
        "article", "article__title", "article__slug", "article__published_at", "article__lead"
    )
    page = Paginator(matching(documents, words), per_page).get_page(page_number)
    found = list(page.object_list)
    marked = snippets(SearchDocument.objects.filter(pk__in=[doc.pk for doc in found]), words)
    page.object_list = [_result(document, *marked.get(document.pk, ("", ""))) for document in found]
    return page


def _result(document, lead, passage):
    if has_match(lead):
        return Result(document.article, marked_html(lead), is_passage=False)
    if has_match(passage):
        return Result(document.article, marked_html(passage), is_passage=True)
    return Result(document.article, None, is_passage=False)
