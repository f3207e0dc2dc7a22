"""Full-text search over the SearchDocuments, in the database's own way.

On PostgreSQL: the Dutch text-search configuration (stemming, so "richtlijn" finds
"richtlijnen"), a weighted `search_vector` (title A, lead B, text C) with a GIN index,
ts_rank and ts_headline. On SQLite: an FTS5 table (made by the migrations and kept equal
to the documents by triggers) with bm25 ranking on the same weights, and, since FTS5 has
no Dutch stemmer, every word also matches as the start of a longer one.

A search is a list of words (`words_in`): everything else the reader typed is dropped, so
no operator of either query language reaches the database.
"""

import json
import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import F, FloatField
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

CONFIG = "dutch"
WORD = re.compile(r"\w+")
# What the snippets put around a matched word: private-use characters that indexing
# removes from every text (search/plain_text.py), so that a snippet can be escaped whole
# and only then get its <mark> elements.
MATCH_START, MATCH_END = "\ue000", "\ue001"
SNIPPET_WORDS = 30

# The FTS5 table is search_searchdocument_fts (search/migrations/0001_initial.py), its
# columns title (0), lead (1) and text (2). The bm25 weights of those columns are in the
# proportion of ts_rank's defaults for A, B and C (1.0, 0.4, 0.2). Only the match
# expression, the markers and the snippet's length are parameters; the rest is constant.
FTS_MATCHING_IDS = (
    "SELECT rowid FROM search_searchdocument_fts WHERE search_searchdocument_fts MATCH %s"
)
# Lower is better.
FTS_RANK = (
    "SELECT bm25(search_searchdocument_fts, 10.0, 4.0, 2.0) FROM search_searchdocument_fts "
    "WHERE search_searchdocument_fts MATCH %s AND rowid = search_searchdocument.id"
)
FTS_SNIPPETS = (
    "SELECT rowid, highlight(search_searchdocument_fts, 1, %s, %s), "
    "snippet(search_searchdocument_fts, 2, %s, %s, '…', %s) "
    "FROM search_searchdocument_fts WHERE search_searchdocument_fts MATCH %s "
    "AND rowid IN (SELECT value FROM json_each(%s))"
)


def words_in(query: str) -> list[str]:
    """The words and numbers in what a reader typed, without punctuation or operators."""
    return WORD.findall(query)


def weighted_vector():
    """The expression that fills `search_vector` on PostgreSQL."""
    return (
        SearchVector("title", weight="A", config=CONFIG)
        + SearchVector("lead", weight="B", config=CONFIG)
        + SearchVector("text", weight="C", config=CONFIG)
    )


def update_vectors(documents):
    """Bring the PostgreSQL vectors of these documents up to date (on SQLite, triggers do)."""
    if connections[documents.db].vendor == "postgresql":
        documents.update(search_vector=weighted_vector())


def _is_postgresql(documents):
    return connections[documents.db].vendor == "postgresql"


def _fts_match(words):
    # Each word quoted (a quote inside doubled) and a prefix: FTS5 reads nothing else.
    return " ".join('"{}"*'.format(word.replace('"', '""')) for word in words)


def _ts_query(words):
    return SearchQuery(" ".join(words), config=CONFIG, search_type="plain")


def matching(documents, words):
    """The documents that contain all these words, the best match first."""
    if _is_postgresql(documents):
        query = _ts_query(words)
        ranked = documents.filter(search_vector=query).annotate(
            rank=SearchRank(F("search_vector"), query)
        )
        return ranked.order_by("-rank", "-article__published_at", "-pk")
    match = _fts_match(words)
    ranked = documents.filter(
        pk__in=RawSQL(FTS_MATCHING_IDS, [match])  # noqa: S611 -- constant SQL
    ).annotate(
        rank=RawSQL(FTS_RANK, [match], output_field=FloatField()),  # noqa: S611
    )
    return ranked.order_by("rank", "-article__published_at", "-pk")


def snippets(documents, words):
    """{document id: (its lead with the words marked, a passage of its text with them marked)}.

    Both as the engine returns them, with MATCH_START and MATCH_END around each word;
    `marked_html` turns them into safe HTML.
    """
    if _is_postgresql(documents):
        query = _ts_query(words)
        marks = {"start_sel": MATCH_START, "stop_sel": MATCH_END}
        return {
            pk: (lead, text)
            for pk, lead, text in documents.annotate(
                lead_marked=SearchHeadline(
                    "lead", query, config=CONFIG, highlight_all=True, **marks
                ),
                text_marked=SearchHeadline(
                    "text",
                    query,
                    config=CONFIG,
                    max_words=SNIPPET_WORDS,
                    min_words=SNIPPET_WORDS // 2,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                    **marks,
                ),
            ).values_list("pk", "lead_marked", "text_marked")
        }
    ids = list(documents.values_list("pk", flat=True))
    if not ids:
        return {}
    marks = [MATCH_START, MATCH_END]
    with connections[documents.db].cursor() as cursor:
        cursor.execute(
            FTS_SNIPPETS, [*marks, *marks, SNIPPET_WORDS, _fts_match(words), json.dumps(ids)]
        )
        return {pk: (lead, text) for pk, lead, text in cursor.fetchall()}


def has_match(marked):
    return MATCH_START in (marked or "")


def marked_html(marked):
    """The engine's marked text as HTML: everything escaped, then each match in <mark>."""
    html = escape(marked).replace(MATCH_START, "<mark>").replace(MATCH_END, "</mark>")
    return mark_safe(html)  # noqa: S308 -- escaped just above; only our own tags added
