"""Uncached article-page render time against the number of comments, and against xtd's tag.

Run: .venv/bin/python bench/render.py [--runs 20]

Renders the full article page (view, queries, template; the page cache bypassed)
at 5 and 1,000 comments, and django-comments-xtd's stock `render_xtdcomment_tree`
tag for the same 1,000 comments, in one process on a throw-away SQLite database.
Prints medians and the two ratios with their floors:
  page(1000) / page(5)        <= 10
  page(1000) / xtd tag(1000)  <= 1/3
"""

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup(tmp):
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    # xtd's stock templates reverse its own URLs: mount them for this run only.
    settings.ROOT_URLCONF = "bench.render_urls"
    call_command("migrate", verbosity=0)


def make_article(title, comment_count):
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from articles.models import Article
    from comments.models import Comment

    article = Article.objects.create(
        title=title,
        slug=title.lower().replace(" ", "-"),
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timezone.timedelta(days=1),
        lead="Inleiding.",
        body="Tekst.\n\n[tips]",
        author_name="Redactie",
    )
    content_type = ContentType.objects.get_for_model(Article)
    parent = None
    for number in range(comment_count):
        comment = Comment(
            content_type=content_type,
            object_pk=str(article.pk),
            site_id=1,
            user_name=f"Lezer {number}",
            user_email=f"lezer{number}@example.nl",
            user_url="https://example.nl/" if number % 4 == 0 else "",
            comment=f"Reactie {number}, zie https://example.nl/{number}.\n\nTweede alinea.",
            submit_date=timezone.now(),
            parent_id=parent.pk if parent and number % 3 else 0,
        )
        comment.save()
        parent = comment if comment.level < 2 else None
    return article


def median_ms(function, runs):
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup(tmp)
        from django.db import connection
        from django.template import Context, Template
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from articles.page_cache import invalidate_discussion, invalidate_pages

        small = make_article("Vijf reacties", 5)
        large = make_article("Duizend reacties", 1000)
        client = Client()

        def page(article):
            def render():
                invalidate_pages()
                response = client.get(article.get_absolute_url())
                assert response.status_code == 200

            return render

        # Warm caches (templates, content types, and each discussion's summary, which is
        # kept under the discussion's version: invalidate_pages() leaves it, a new comment
        # on that article does not; bench/discussion_scale.py times that first render).
        page(small)()
        page(large)()
        with CaptureQueriesContext(connection) as small_queries:
            page(small)()
        with CaptureQueriesContext(connection) as large_queries:
            page(large)()
        # The first render after a new comment: the discussion's summary is counted again.
        changed_queries = {}
        for article in (small, large):
            invalidate_discussion(article.pk)
            with CaptureQueriesContext(connection) as queries:
                client.get(article.get_absolute_url())
            changed_queries[article.pk] = len(queries)
        small_changed, large_changed = changed_queries[small.pk], changed_queries[large.pk]

        xtd_template = Template("{% load comments_xtd %}{% render_xtdcomment_tree for article %}")

        from django.contrib.auth.models import AnonymousUser

        def xtd_tag():
            xtd_template.render(Context({"article": large, "user": AnonymousUser()}))

        xtd_tag()
        small_ms = median_ms(page(small), args.runs)
        large_ms = median_ms(page(large), args.runs)
        xtd_ms = median_ms(xtd_tag, max(3, args.runs // 2))

        import django

        floors = [
            ("page(1000) / page(5)", large_ms / small_ms, 10, "<="),
            ("page(1000) / xtd tag(1000)", large_ms / xtd_ms, 1 / 3, "<="),
        ]
        print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}")
        print(f"python {platform.python_version()}, django {django.get_version()}, SQLite")
        print(f"date: {time.strftime('%Y-%m-%d %H:%M %Z')}")
        print(f"command: .venv/bin/python bench/render.py --runs {args.runs}")
        print(f"queries: 5 comments {len(small_queries)}, 1000 comments {len(large_queries)}")
        print(f"page, 5 comments:        median {small_ms:8.2f} ms")
        print(f"page, 1000 comments:     median {large_ms:8.2f} ms")
        print(f"xtd tag, 1000 comments:  median {xtd_ms:8.2f} ms")
        failed = False
        for name, ratio, floor, _ in floors:
            verdict = "PASS" if ratio <= floor else "FAIL"
            failed |= verdict == "FAIL"
            print(f"{name:28} {ratio:6.3f}  (floor <= {floor:.3f})  {verdict}")
        print(f"queries after a new comment: 5 comments {small_changed}, 1000 {large_changed}")
        same_queries = len(small_queries) == len(large_queries) <= 6
        same_queries = same_queries and small_changed == large_changed <= 6
        verdict = "PASS" if same_queries else "FAIL"
        print(f"constant queries (<= 6), also after a new comment: {verdict}")
        return 1 if failed or not same_queries else 0


if __name__ == "__main__":
    sys.exit(main())
