"""The sections in the masthead, on every page, from the cache rather than the database.

Every page carries the masthead, the 503 page (database down) included, so the list is
kept in the cache and rebuilt only after a section changed. Without database and
without a cached list the masthead shows no sections rather than failing.
"""

from django.core.cache import cache
from django.db import DatabaseError, transaction

from articles.models import Section

MASTHEAD_SECTIONS_KEY = "articles:masthead-sections"


def masthead_sections():
    """[(name, slug), ...] of the sections in their order."""
    sections = cache.get(MASTHEAD_SECTIONS_KEY)
    if sections is None:
        try:
            sections = list(Section.objects.values_list("name", "slug"))
        except DatabaseError:
            return []
        cache.set(MASTHEAD_SECTIONS_KEY, sections, None)
    return sections


def forget_masthead_sections(**kwargs):
    """Drop the cached list now and when the transaction commits (signal receivers)."""
    cache.delete(MASTHEAD_SECTIONS_KEY)
    transaction.on_commit(lambda: cache.delete(MASTHEAD_SECTIONS_KEY))
