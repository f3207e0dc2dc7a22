"""Importing a WordPress archive at scale: time, re-run time, and queries of the pages.

Run: .venv/bin/python bench/import_archive.py [--posts 2000] [--comments 50000]

Generates a deterministic WXR file (25 comments a post on average, 30 % of them replies,
some nested deeper than the site allows, some held, spam or trashed), imports it with
`manage.py import_wordpress` into a throw-away SQLite database, imports it again (which
must create nothing), then renders an imported article with many comments and one with
few through Django's test client, the page cache emptied first, and compares the
number of queries. Prints the figures that docs/performance.md records.
"""

import argparse
import io
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HEADER = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Benchmarkblog</title><link>https://oud.example.nl</link>
"""
WORDS = [
    "ondernemer",
    "btw",
    "factuur",
    "klant",
    "omzet",
    "winst",
    "personeel",
    "subsidie",
    "kantoor",
    "webwinkel",
    "marketing",
    "advies",
    "boekhouding",
    "belasting",
    "groei",
]
STATES = ["1"] * 90 + ["0"] * 5 + ["spam"] * 4 + ["trash"]
CLOSING_HTML = '<h2>Meer weten?</h2><p>Lees <a href="https://example.nl">dit</a>.</p>'
BUSY_POST, QUIET_POST = 1, 2  # post ids of the page with many comments and with few


def sentence(rng, words=12):
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def comment_counts(rng, posts, comments):
    """Comments per post: about comments/posts each, one post with 400, one with 3."""
    counts = [rng.randint(0, 2 * comments // posts) for _ in range(posts)]
    counts[BUSY_POST - 1], counts[QUIET_POST - 1] = 400, 3
    others = range(2, posts)
    while sum(counts) != comments:
        index = rng.choice(others)
        step = 1 if sum(counts) < comments else -1
        if counts[index] + step >= 0:
            counts[index] += step
    return counts


def write_wxr(path, *, posts, comments, seed=13):
    rng = random.Random(seed)
    counts = comment_counts(rng, posts, comments)
    comment_id = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEADER)
        for login in ("redactie", "marieke", "jan"):
            out.write(
                f"<wp:author><wp:author_login>{login}</wp:author_login>"
                f"<wp:author_display_name>{login.title()}</wp:author_display_name></wp:author>\n"
            )
        for post_id in range(1, posts + 1):
            day = 1 + post_id % 28
            month = 1 + post_id % 12
            year = 2010 + post_id % 14
            paragraphs = "\n\n".join(sentence(rng, 30) for _ in range(rng.randint(3, 8)))
            out.write(
                f"<item><title>{escape(sentence(rng, 6))}</title>"
                f"<dc:creator>{rng.choice(['redactie', 'marieke', 'jan'])}</dc:creator>"
                f"<content:encoded>{escape(paragraphs)}\n\n"
                f"{escape(CLOSING_HTML)}"
                f"</content:encoded><excerpt:encoded></excerpt:encoded>"
                f"<wp:post_id>{post_id}</wp:post_id>"
                f"<wp:post_date_gmt>{year}-{month:02d}-{day:02d} 09:00:00</wp:post_date_gmt>"
                f"<wp:post_name>bericht-{post_id}</wp:post_name>"
                f"<wp:status>{'draft' if post_id % 50 == 0 else 'publish'}</wp:status>"
                f"<wp:post_type>post</wp:post_type>"
                f'<category domain="category" nicename="sectie-{post_id % 6}">'
                f"Sectie {post_id % 6}</category>"
                f'<category domain="post_tag" nicename="tag-{post_id % 40}">'
                f"tag {post_id % 40}</category>\n"
            )
            earlier = []
            for number in range(counts[post_id - 1]):
                comment_id += 1
                parent = rng.choice(earlier) if earlier and rng.random() < 0.3 else 0
                earlier.append(comment_id)
                minutes = number * 7
                out.write(
                    f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
                    f"<wp:comment_author>Lezer {comment_id % 500}</wp:comment_author>"
                    f"<wp:comment_author_email>lezer{comment_id % 500}@example.nl"
                    f"</wp:comment_author_email>"
                    f"<wp:comment_author_IP>192.0.2.{comment_id % 250}</wp:comment_author_IP>"
                    f"<wp:comment_date_gmt>{year}-{month:02d}-{day:02d} "
                    f"{10 + minutes // 60 % 12:02d}:{minutes % 60:02d}:00</wp:comment_date_gmt>"
                    f"<wp:comment_content>{escape(sentence(rng, rng.randint(5, 40)))}"
                    f"</wp:comment_content>"
                    f"<wp:comment_approved>{rng.choice(STATES)}</wp:comment_approved>"
                    f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n"
                )
            out.write("</item>\n")
        out.write("</channel></rss>\n")


def setup(tmp):
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False  # as in production: no query log growing through the import
    settings.MEDIA_ROOT = Path(tmp) / "media"
    call_command("migrate", verbosity=0)


def timed_import(path):
    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    call_command("import_wordpress", str(path), stdout=out, stderr=io.StringIO())
    return time.perf_counter() - started, out.getvalue()


def queries_of(client, article):
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200, response.status_code
    return len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--comments", type=int, default=50_000)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        wxr = Path(tmp) / "export.xml"
        started = time.perf_counter()
        write_wxr(wxr, posts=options.posts, comments=options.comments)
        generated = time.perf_counter() - started
        setup(tmp)
        import django
        from django.test import Client

        from archive_import.models import ImportedItem
        from comments.models import Comment

        first, summary = timed_import(wxr)
        again, summary_again = timed_import(wxr)
        client = Client()

        def article(post_id):
            item = ImportedItem.objects.get(kind="article", external_id=str(post_id))
            return item.imported_object

        busy, quiet = article(BUSY_POST), article(QUIET_POST)
        queries_of(client, quiet)  # warm up: templates, content types
        busy_queries, quiet_queries = queries_of(client, busy), queries_of(client, quiet)

        print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}")
        print(f"python {platform.python_version()}, django {django.get_version()}, SQLite")
        print(f"WXR: {wxr.stat().st_size / 1e6:.1f} MB, generated in {generated:.1f} s")
        print(summary.rstrip())
        print(f"import: {first:.1f} s")
        print(summary_again.rstrip())
        print(f"re-run: {again:.1f} s")
        print(f"comments stored: {Comment.objects.count()}")
        print(
            f"queries: {Comment.objects.for_article(busy).count()} comments: {busy_queries}, "
            f"{Comment.objects.for_article(quiet).count()} comments: {quiet_queries}"
        )
        same = busy_queries == quiet_queries
        print(f"same number of queries: {'PASS' if same else 'FAIL'}")
        created_again = "new articles" in summary_again or "new comments: 0" not in summary_again
        print(f"re-run created nothing: {'FAIL' if created_again else 'PASS'}")
        return 0 if same and not created_again else 1


if __name__ == "__main__":
    sys.exit(main())
