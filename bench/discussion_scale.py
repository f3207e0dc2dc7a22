"""Benchmark: the article page and "Show more replies" of a busy discussion.

Run from the project root:

    .venv/bin/python bench/discussion_scale.py [--database-url postgres://...] [--json out.json]

It sets up a throw-away database of its own (SQLite in a temporary folder, or a fresh
PostgreSQL database that it creates and drops) and builds discussions of 100, 1,000 and
10,000 comments on one article each (60 % top-level, the rest replies spread over the
threads up to the depth limit), and one thread of 5 and one of 500 replies. Then it
requests, interleaved and each time after invalidate_pages(), the first page of each
article and each thread's fragment (what "Show N more replies" fetches), with Django's
test client. It prints the queries, the comments loaded against those shown, the bytes,
the medians and their ratios, and exits non-zero only when a floor is missed.
See bench/README.md.
"""

import argparse
import cProfile
import datetime
import io
import json
import os
import pstats
import random
import re
import shlex
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.notifications import (  # noqa: E402 - needs ROOT on the path
    PostgresDatabase,
    interleaved,
    machine,
    make_article,
    set_up_django,
    summary_ms,
)

DISCUSSION_SIZES = (100, 1_000, 10_000)
THREAD_SIZES = (5, 500)  # replies in one thread
TOP_LEVEL_SHARE = 0.6
REMOVED_SHARE = 0.01  # removed by a moderator; with visible replies they stay as placeholders
PICKS = 3  # editors' picks per discussion, whatever its size
# Floors (the issue's; floors, not targets): against the 100-comment discussion's first
# page, and against the thread of 5 replies.
MAX_PAGE_RATIO = 1.5
MAX_BYTES_RATIO = 1.5
MAX_THREAD_RATIO = 2.0
MAX_BUILD_SECONDS = 60.0  # for the 10,000 comments

# What readers write: short and long, with and without a link (rendered once each).
TEXTS = [
    "Helemaal mee eens.",
    "Goed punt over de richtlijnen. Bij ons op kantoor ging het precies zo.",
    "Wij hebben dit vorig jaar met de ondernemingsraad uitgewerkt, zie "
    "https://www.voorbeeld.example/richtlijnen voor ons voorbeeld.",
    "Dat zie ik anders. Een richtlijn is mooi, maar wie controleert het?\n\n"
    "Bij een klein bedrijf heeft niemand daar tijd voor.",
    "Interessant artikel. Hebben jullie ook cijfers over het mkb?",
    "Precies wat ik zocht, dank voor de tips.\n\nDe tweede tip ga ik morgen meteen "
    "toepassen in ons team van twaalf mensen. Eens kijken hoe dat valt.",
    "Kunt u dat toelichten? Ik begrijp niet goed wat u met 'spelregels' bedoelt.",
    "Onzin. Medewerkers zijn volwassen mensen, die hebben geen regels nodig voor wat "
    "ze op hun eigen account zetten.",
    "Wij gebruiken hiervoor een korte checklist van vijf punten. Werkt prima, en "
    "nieuwe collega's krijgen hem bij hun eerste werkdag.\n\n"
    "Het belangrijkste vind ik: spreek af wie namens het bedrijf mag reageren.",
    "Zie ook het stuk van vorige week: https://www.voorbeeld.example/artikel/42",
]


# --- The discussion's shape, planned in Python ----------------------------------------------


@dataclass
class PlannedComment:
    """One comment of a planned discussion, by its position in time (0 = posted first)."""

    index: int
    thread: int  # index of its top-level comment
    parent: int | None  # index of its parent in xtd's sense; None for a top-level comment
    answers: int | None  # the comment it answers when that one is as deep as it goes
    level: int
    order: int = 1  # pre-order position within its thread, as xtd numbers it
    nested_count: int = 0  # replies below it, at any depth, as xtd counts them
    is_removed: bool = False
    is_pick: bool = False


def _reply(plan, index, answered, max_level):
    """A reply to `answered`, placed as posting places it: under the deepest allowed
    comment, saying whom it answers when that is not its parent."""
    parent = answered
    while plan[parent].level >= max_level:
        parent = plan[parent].parent
    return PlannedComment(
        index=index,
        thread=plan[parent].thread,
        parent=parent,
        answers=answered if answered != parent else None,
        level=plan[parent].level + 1,
    )


def plan_discussion(count, *, max_level, seed=0):
    """`count` comments in time order: TOP_LEVEL_SHARE top-level, each other one a reply
    to a comment of a thread chosen at random among the threads there are at that moment
    (so older threads have had longer to gather replies), up to `max_level`."""
    rng = random.Random(seed)
    top_level = max(1, round(count * TOP_LEVEL_SHARE))
    is_top_level = [True] * (top_level - 1) + [False] * (count - top_level)
    rng.shuffle(is_top_level)
    is_top_level.insert(0, True)
    plan, members = [], {}  # members: thread index -> its comments' indexes
    for index, starts_thread in enumerate(is_top_level):
        if starts_thread:
            comment = PlannedComment(index=index, thread=index, parent=None, answers=None, level=0)
        else:
            thread = rng.choice(list(members))
            comment = _reply(plan, index, rng.choice(members[thread]), max_level)
        plan.append(comment)
        members.setdefault(comment.thread, []).append(index)
    for comment in rng.sample(plan[1:], k=min(len(plan) - 1, round(count * REMOVED_SHARE))):
        comment.is_removed = True
    for comment in rng.sample(plan, k=min(len(plan), PICKS)):
        comment.is_pick = not comment.is_removed
    number_threads(plan)
    return plan


def plan_thread(replies, *, max_level, seed=0):
    """One top-level comment and `replies` replies, each to a random earlier comment of it."""
    rng = random.Random(seed)
    plan = [PlannedComment(index=0, thread=0, parent=None, answers=None, level=0)]
    for index in range(1, replies + 1):
        plan.append(_reply(plan, index, rng.randrange(index), max_level))
    number_threads(plan)
    return plan


def number_threads(plan):
    """Set `order` and `nested_count` as django-comments-xtd's XtdComment.save() does when
    the comments are posted in this order: a new reply goes after its parent's last
    descendant, so a thread is in pre-order with each comment's replies in time order."""
    children = {}
    for comment in plan:
        if comment.parent is not None:
            children.setdefault(comment.parent, []).append(comment.index)
    for root in (comment for comment in plan if comment.parent is None):
        order, stack = 0, [root.index]
        while stack:
            index = stack.pop()
            order += 1
            plan[index].order = order
            stack.extend(reversed(children.get(index, [])))
    for comment in reversed(plan):  # replies come after their parent
        if comment.parent is not None:
            plan[comment.parent].nested_count += comment.nested_count + 1


# --- Writing it to the database -------------------------------------------------------------


def create_comments(article, plan, *, first_posted, interval=datetime.timedelta(seconds=20)):
    """Insert the planned comments in bulk (three tables: django-contrib-comments',
    django-comments-xtd's and ours) with xtd's thread fields as its save() would have
    set them. Returns their ids in plan order."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django_comments.models import Comment as BaseComment
    from django_comments_xtd.models import XtdComment

    from articles.models import Article
    from comments.models import Comment
    from comments.rendering import render_comment

    texts = [render_comment(text) for text in TEXTS]
    content_type = ContentType.objects.get_for_model(Article)

    def fields_of(comment):
        text = texts[comment.index % len(texts)]
        return {
            "content_type": content_type,
            "object_pk": str(article.pk),
            "site_id": settings.SITE_ID,
            "user_name": f"Lezer {comment.index}",
            "user_email": f"lezer{comment.index}@example.nl",
            "user_url": "https://www.voorbeeld.example/" if comment.index % 4 == 0 else "",
            "comment": text.text,
            "submit_date": first_posted + comment.index * interval,
            "is_public": True,
            "is_removed": comment.is_removed,
        }

    with transaction.atomic():
        bases = BaseComment.objects.bulk_create(
            [BaseComment(**fields_of(comment)) for comment in plan], batch_size=500
        )
        ids = [base.pk for base in bases]
        rows = []
        for comment, pk in zip(plan, ids, strict=True):
            row = Comment(
                **fields_of(comment),
                id=pk,
                comment_ptr_id=pk,
                xtdcomment_ptr_id=pk,
                thread_id=ids[comment.thread],
                parent_id=pk if comment.parent is None else ids[comment.parent],
                level=comment.level,
                order=comment.order,
                nested_count=comment.nested_count,
                comment_html=texts[comment.index % len(texts)].html,
                in_reply_to_id=None if comment.answers is None else ids[comment.answers],
                is_pick=comment.is_pick,
                recommend_count=comment.index % 7 // 5,  # two in seven: "Waardevol" once
            )
            rows.append(row)
        _insert_own_fields(XtdComment, rows)
        _insert_own_fields(Comment, rows)
    return ids


def _insert_own_fields(model, rows):
    """INSERT the rows' values for the fields of `model`'s own table only (bulk_create
    refuses models with concrete parents)."""
    from django.db import connection

    fields = model._meta.local_concrete_fields
    batch = max(1, connection.ops.bulk_batch_size(fields, rows))
    for start in range(0, len(rows), batch):
        model._base_manager._insert(rows[start : start + batch], fields=fields, raw=True)


@dataclass
class Discussion:
    label: str
    article: object
    comments: int
    url: str
    build_seconds: float


SEED_SLUG = "drie-tips-voor-social-mediarichtlijnen"


def make_news_article(label):
    """An article with a real article's text, its tips and its byline: the seed article's
    (the page around the comments is a news article's, not a stub's)."""
    from articles.models import Article, Tip

    seed = Article.objects.get(slug=SEED_SLUG)
    article = make_article(label)
    article.title, article.lead, article.body = seed.title, seed.lead, seed.body
    article.section_id, article.author_id = seed.section_id, seed.author_id
    article.save()
    Tip.objects.bulk_create(
        Tip(article=article, position=tip.position, text=tip.text) for tip in seed.tips.all()
    )
    article.tags.set(seed.tags.all())
    return article


def build_discussion(size, *, max_level, seed=0):
    from django.utils import timezone

    article = make_news_article(f"{size}-reacties")
    started = time.perf_counter()
    plan = plan_discussion(size, max_level=max_level, seed=seed)
    create_comments(article, plan, first_posted=timezone.now() - datetime.timedelta(days=3))
    return Discussion(
        label=f"page-{size}",
        article=article,
        comments=size,
        url=article.get_absolute_url(),
        build_seconds=time.perf_counter() - started,
    )


def build_threads(sizes, *, max_level, seed=0):
    """One article with one thread per size (replies), each after the one before."""
    from django.urls import reverse
    from django.utils import timezone

    article = make_article("toon-nog")
    first_posted = timezone.now() - datetime.timedelta(days=3)
    threads = []
    for replies in sizes:
        started = time.perf_counter()
        plan = plan_thread(replies, max_level=max_level, seed=seed)
        ids = create_comments(article, plan, first_posted=first_posted)
        first_posted += datetime.timedelta(hours=1)
        url = reverse("comments:thread", args=[article.pk, ids[0]])
        threads.append(
            Discussion(
                label=f"thread-{replies}",
                article=article,
                comments=replies + 1,
                url=f"{url}?fragment=1",
                build_seconds=time.perf_counter() - started,
            )
        )
    return threads


# --- Measuring ------------------------------------------------------------------------------


@contextmanager
def counting_comments_built():
    """Counts the Comment instances made from database rows while it is open, and their ids."""
    from comments.models import Comment

    built = {"count": 0, "ids": set()}
    original = Comment.__dict__["from_db"]

    def from_db(cls, db, field_names, values):
        comment = original.__func__(cls, db, field_names, values)
        built["count"] += 1
        built["ids"].add(comment.pk)
        return comment

    Comment.from_db = classmethod(from_db)
    try:
        yield built
    finally:
        Comment.from_db = original


LIST_ITEM = re.compile(r'<li(?: class="[^"]*")? id="c(\d+)"')
ANSWERED_LINK = re.compile(r'class="comment__answered" href="[^"]*?(\d+)/?"')
PICK_LINK = re.compile(r'class="pick__link" href="[^"]*?(\d+)/"')
PAGE_LINK = re.compile(r'class="discussion__page"')
PAGES_NAV = re.compile(r'<nav class="discussion__pages".*?</nav>', re.DOTALL)


def comments_in_html(html):
    """Ids of the comments a page shows: in the threads, named as the one answered, picked."""
    return {
        "in_threads": set(map(int, LIST_ITEM.findall(html))),
        "answered": set(map(int, ANSWERED_LINK.findall(html))),
        "picks": set(map(int, PICK_LINK.findall(html))),
    }


def uncached_get(client, url):
    from articles.page_cache import invalidate_pages

    invalidate_pages()
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return elapsed, response


def inspect(client, case, samples=5):
    """Queries, comments built and shown, and bytes of an uncached request, and the time
    its queries take (the median of `samples` requests, query by query; not the timing)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comments.discussion_pages import listed_roots

    with CaptureQueriesContext(connection) as queries, counting_comments_built() as built:
        _, response = uncached_get(client, case.url)
    query_count = len(queries)  # before the next request's end empties Django's query log
    html = response.content.decode()
    shown = comments_in_html(html)
    in_html = set().union(*shown.values())
    query_ms = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            query_ms[-1].append((time.perf_counter() - started) * 1000)

    for _ in range(samples):
        query_ms.append([])
        with connection.execute_wrapper(timed):
            uncached_get(client, case.url)
    per_query = [round(statistics.median(column), 2) for column in zip(*query_ms, strict=True)]
    figures = {
        "comments": case.comments,
        "build_s": round(case.build_seconds, 3),
        "queries": query_count,
        "query_ms": per_query,
        "sql_ms": round(statistics.median(sum(run) for run in query_ms), 2),
        "comments_built": built["count"],
        "comments_built_not_in_html": len(built["ids"] - in_html),
        "comments_in_threads": len(shown["in_threads"]),
        "comments_named_or_picked": len(in_html - shown["in_threads"]),
        "comments_in_html": len(in_html),
        "bytes": len(response.content),
        "page_links": len(PAGE_LINK.findall(html)),
        "page_links_bytes": sum(len(nav) for nav in PAGES_NAV.findall(html)),
    }
    if case.label.startswith("page-"):
        from django.conf import settings

        from comments.models import Comment

        roots = listed_roots(case.article).order_by("submit_date", "pk")
        roots = list(roots.values_list("pk", flat=True)[: settings.COMMENTS_THREADS_PER_PAGE])
        # Read as a few integers each, not as Comment instances (the outline of the threads).
        figures["outline_rows"] = Comment.objects.filter(thread_id__in=roots).count()
    return figures


def bench(cases, runs):
    from django.test import Client, override_settings

    client = Client()
    # DEBUG off as in production (no query log); "testserver" is the test client's host.
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        for case in cases:  # once each: what a site's first request of all pays
            uncached_get(client, case.url)
        figures = {case.label: inspect(client, case) for case in cases}
        timings = interleaved(
            {case.label: case for case in cases},
            runs,
            lambda case, key: uncached_get(client, case.url)[0],
        )
        # The first render after the discussion changed also counts its summary again
        # (comments.discussion_pages.discussion_summary): shown beside, with no floor.
        changed = [case for case in cases if case.label.startswith("page-")]
        after_change = interleaved(
            {case.label: case for case in changed},
            runs,
            lambda case, key: changed_discussion_get(client, case)[0],
        )
    for case in cases:
        figures[case.label]["time"] = summary_ms(timings[case.label])
    for case in changed:
        figures[case.label]["time_after_change"] = summary_ms(after_change[case.label])
    return figures


def changed_discussion_get(client, case):
    from articles.page_cache import invalidate_discussion

    invalidate_discussion(case.article.pk)
    return uncached_get(client, case.url)


def profile(client, case, runs=20, top=30):
    """Where the time of an uncached request goes: cProfile's top functions."""
    from django.test import override_settings

    profiler = cProfile.Profile()
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        uncached_get(client, case.url)
        for _ in range(runs):
            profiler.enable()
            uncached_get(client, case.url)
            profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(top)
    out.write(f"\n--- by own time ({runs} requests) ---\n")
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


# --- Floors and the report ------------------------------------------------------------------


def floors(figures):
    small = figures["page-100"]
    pages = [f"page-{size}" for size in DISCUSSION_SIZES]
    checks = []
    counts = [figures[label]["queries"] for label in pages]
    checks.append(
        {
            "what": "article page: the same number of queries at every size",
            "value": counts,
            "floor": "all equal",
            "pass": len(set(counts)) == 1,
        }
    )
    for label in pages:
        f = figures[label]
        checks.append(
            {
                "what": f"{label}: comments built that its HTML does not show",
                "value": f["comments_built_not_in_html"],
                "floor": "0",
                "pass": f["comments_built_not_in_html"] == 0,
            }
        )
    for label in pages[1:]:
        ratio = figures[label]["time"]["median_ms"] / small["time"]["median_ms"]
        checks.append(
            {
                "what": f"time {label} / page-100",
                "value": round(ratio, 3),
                "floor": f"<= {MAX_PAGE_RATIO}",
                "pass": ratio <= MAX_PAGE_RATIO,
            }
        )
    for label in pages[1:]:
        ratio = figures[label]["bytes"] / small["bytes"]
        checks.append(
            {
                "what": f"bytes {label} / page-100",
                "value": round(ratio, 3),
                "floor": f"<= {MAX_BYTES_RATIO}",
                "pass": ratio <= MAX_BYTES_RATIO,
            }
        )
    few, many = (figures[f"thread-{size}"] for size in THREAD_SIZES)
    ratio = many["time"]["median_ms"] / few["time"]["median_ms"]
    checks.append(
        {
            "what": f"time thread-{THREAD_SIZES[1]} / thread-{THREAD_SIZES[0]} (?fragment=1)",
            "value": round(ratio, 3),
            "floor": f"<= {MAX_THREAD_RATIO}",
            "pass": ratio <= MAX_THREAD_RATIO,
        }
    )
    build = figures[f"page-{DISCUSSION_SIZES[-1]}"]["build_s"]
    checks.append(
        {
            "what": f"building {DISCUSSION_SIZES[-1]} comments (s)",
            "value": build,
            "floor": f"< {MAX_BUILD_SECONDS:g}",
            "pass": build < MAX_BUILD_SECONDS,
        }
    )
    return checks


def print_report(report):
    m = report["machine"]
    print(f"\nBenchmark: busy discussions  ({report['date']})")
    print(f"command:  {report['command']}")
    print(
        f"machine:  {m['nproc']} CPUs, {m['cpu']}; Python {m['python']}; "
        f"Django {m['django']}; {m['database']}"
    )
    print(f"load:     {' '.join(map(str, m['load_average_at_start']))} (1, 5, 15 min, at start)")
    print(
        f"runtime:  {report['runtime_s']:.1f} s; {report['runs']} interleaved rounds; "
        f"planner statistics (ANALYZE): {'yes' if report['analyzed'] else 'no'}"
    )
    print(
        f"\n{'case':<12} {'comments':>8} {'build s':>8} {'queries':>7} {'built':>6}"
        f" {'in HTML':>7} {'outline':>7} {'bytes':>8} {'in nav':>7} {'SQL ms':>7}"
        f" {'median ms':>9}  [p10-p90]"
    )
    for label, f in report["cases"].items():
        t = f["time"]
        print(
            f"{label:<12} {f['comments']:>8} {f['build_s']:>8.2f} {f['queries']:>7}"
            f" {f['comments_built']:>6} {f['comments_in_html']:>7}"
            f" {f.get('outline_rows', ''):>7} {f['bytes']:>8} {f['page_links_bytes']:>7}"
            f" {f['sql_ms']:>7.1f} {t['median_ms']:>9.2f}  [{t['p10_ms']:.2f}-{t['p90_ms']:.2f}]"
        )
    print()
    changed = {
        label: f["time_after_change"]["median_ms"]
        for label, f in report["cases"].items()
        if "time_after_change" in f
    }
    if changed:
        shown = ", ".join(f"{label} {ms:.2f} ms" for label, ms in changed.items())
        print(f"  first render after the discussion changed (no floor): {shown}")
        if "page-100" in changed and "page-10000" in changed:
            ratio = changed["page-10000"] / changed["page-100"]
            print(f"  time page-10000 / page-100 after a change (no floor): {ratio:.3f}")
        print()
    for check in report["floors"]:
        print(
            f"  {check['what']:<62} {json.dumps(check['value']):>14}"
            f"   floor {check['floor']}: {'PASS' if check['pass'] else 'FAIL'}"
        )
    print(f"\nResult: {'PASS' if report['pass'] else 'FAIL'}")


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL URL whose database this script creates and drops "
        "(it must not exist yet); default: SQLite in a temporary folder",
    )
    parser.add_argument("--json", type=Path, help="also write the report as JSON to this file")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per case (30)")
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="on SQLite, run ANALYZE after building (the site never does; "
        "on PostgreSQL it always runs, as autovacuum would)",
    )
    parser.add_argument("--seed", type=int, default=0, help="of the discussions' shape (0)")
    parser.add_argument(
        "--profile",
        metavar="CASE",
        action="append",
        default=[],
        help="also print cProfile's view of 20 requests of a case (page-10000, thread-500, "
        "...); may be repeated",
    )
    return parser.parse_args()


def main():
    arguments = parse_arguments()
    began = time.perf_counter()
    load_average = os.getloadavg()
    command = shlex.join([os.path.relpath(sys.executable), *sys.argv])
    postgres = None
    with tempfile.TemporaryDirectory(prefix="ondernemen-bench-") as workdir:
        if arguments.database_url:
            if not arguments.database_url.startswith(("postgres://", "postgresql://")):
                raise SystemExit("--database-url must be a postgres:// URL.")
            postgres = PostgresDatabase(arguments.database_url)
            postgres.create()
            database_url = arguments.database_url
        else:
            database_url = f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"
        try:
            set_up_django(database_url)
            from django.conf import settings
            from django.db import connection
            from django.test import Client

            max_level = settings.COMMENTS_XTD_MAX_THREAD_LEVEL
            cases = [
                build_discussion(size, max_level=max_level, seed=arguments.seed)
                for size in DISCUSSION_SIZES
            ]
            cases += build_threads(THREAD_SIZES, max_level=max_level, seed=arguments.seed)
            # PostgreSQL's autovacuum gathers the planner's statistics soon after the
            # inserts; nothing does on SQLite, unless asked (--analyze).
            analyzed = connection.vendor == "postgresql" or arguments.analyze
            if analyzed:
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            figures = bench(cases, arguments.runs)
            report = {
                "benchmark": "busy discussions",
                "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
                "command": command,
                "machine": machine(load_average),
                "runs": arguments.runs,
                "analyzed": analyzed,
                "settings": {
                    "COMMENTS_MAX_DEPTH": settings.COMMENTS_MAX_DEPTH,
                    "COMMENTS_THREADS_PER_PAGE": settings.COMMENTS_THREADS_PER_PAGE,
                    "COMMENTS_REPLIES_SHOWN": settings.COMMENTS_REPLIES_SHOWN,
                    "COMMENTS_REPLIES_PER_PAGE": settings.COMMENTS_REPLIES_PER_PAGE,
                },
                "cases": figures,
                "floors": floors(figures),
            }
            by_label = {case.label: case for case in cases}
            profiles = {
                label: profile(Client(), by_label[label])
                for label in arguments.profile
                if label in by_label
            }
        finally:
            if "django.db" in sys.modules:
                from django.db import connections

                connections.close_all()
            if postgres is not None:
                postgres.drop()
    report["runtime_s"] = round(time.perf_counter() - began, 1)
    report["pass"] = all(check["pass"] for check in report["floors"])
    print_report(report)
    for label, text in profiles.items():
        print(f"\n=== profile: {label} ===\n{text}")
    if arguments.json:
        arguments.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if report["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
