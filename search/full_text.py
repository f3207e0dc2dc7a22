"""Full-text search over the SearchDocuments, in the database's own way.

On PostgreSQL: the Dutch text-search configuration (stemming, so "richtlijn" finds
"richtlijnen"), a weighted `search_vector` (title A, lead B, text C) with a GIN index,
ts_rank and ts_headline. On SQLite: an FTS5 table (made by the migrations and kept equal
to the documents by triggers) with bm25 ranking on the same weights, and, since FTS5 has
no Dutch stemmer, every word also matches as the start of a longer one.

A search is a list of words (`words_in`): everything else the reader typed is dropped, so
no operator of either query language reaches the database.
"""

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
FTS_TABLE = "search_searchdocument_fts"
# bm25 weights of the FTS5 columns title, lead and text; ts_rank's defaults for A, B, C
# (1.0, 0.4, 0.2) are in the same proportion.
FTS_WEIGHTS = "10.0, 4.0, 2.0"
FTS_LEAD, FTS_TEXT = 1, 2  # column numbers
SNIPPET_WORDS = 30


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
    """Bring the PostgreSQL vectors of these documents up to date (SQLite's triggers need nothing)."""
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
    table = documents.model._meta.db_table
    ranked = documents.filter(
        pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])
    ).annotate(
        # bm25 is lower for a better match.
        rank=RawSQL(
            f"SELECT bm25({FTS_TABLE}, {FTS_WEIGHTS}) FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND rowid = {table}.id",
            [match],
            output_field=FloatField(),
        )
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
                lead_marked=SearchHeadline("lead", query, config=CONFIG, highlight_all=True, **marks),
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
    placeholders = ", ".join(["%s"] * len(ids))
    with connections[documents.db].cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, highlight({FTS_TABLE}, {FTS_LEAD}, %s, %s), "
            f"snippet({FTS_TABLE}, {FTS_TEXT}, %s, %s, '…', {SNIPPET_WORDS}) "
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})",
            [MATCH_START, MATCH_END, MATCH_START, MATCH_END, _fts_match(words), *ids],
        )
        return {pk: (lead, text) for pk, lead, text in cursor.fetchall()}


def has_match(marked):
    return MATCH_START in (marked or "")


def marked_html(marked):
    """The engine's marked text as HTML: everything escaped, then each match in <mark>."""
    html = escape(marked).replace(MATCH_START, "<mark>").replace(MATCH_END, "</mark>")
    return mark_safe(html)  # noqa: S308 -- escaped just above; only our own tags added
