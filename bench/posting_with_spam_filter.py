"""Benchmark: posting a comment with and without the spam filter's checks.

Run from the project root:

    .venv/bin/python bench/posting_with_spam_filter.py [--posts 100] [--signs 100000]

On a throw-away SQLite database of its own (in a temporary folder), the labelled set
(moderation/data/labelled_comments.jsonl) becomes decided comments, the filter is
retrained on them, and `--signs` more known-spam signs are added so that the known-spam
lookup runs on a table of a busy site's size. Then `comments.posting.post_comment()` is
timed with every check registered and with the two spam checks (`hold_likely_spam`,
`hold_known_spam`) left out, alternating between the two. Prints the medians, the
ratio and the time added per post; exits non-zero only when the ratio misses its floor.
See bench/README.md.
"""

import argparse
import contextlib
import datetime
import json
import os
import shlex
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.notifications import (  # noqa: E402 - needs ROOT on the path
    interleaved,
    machine,
    make_article,
    set_up_django,
    summary_ms,
)

# Floor: the spam checks may add at most this share to the time of a post.
MAX_RATIO = 1.3
# A comment a reader could write: one link, a website, not spam (so neither case holds it
# and both do the same work after the checks).
NAME = "Petra de Vries"
TEXT = (
    "Goed punt over de richtlijnen. Wij hebben het vorig jaar met de ondernemingsraad "
    "uitgewerkt, zie ook https://www.petra-advies.example/socialmedia voor ons voorbeeld."
)
URL = "https://www.petra-advies.example"


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100, help="timed posts per case (100)")
    parser.add_argument(
        "--signs", type=int, default=100_000, help="known-spam signs added (100000)"
    )
    parser.add_argument("--json", type=Path, help="also write the report as JSON to this file")
    return parser.parse_args()


def decide_labelled_set(article):
    """The labelled set as the moderators would have left it: approved or marked spam."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from comments.models import Comment
    from moderation.decisions import decide
    from moderation.models import Decision
    from moderation.spam_filter import read_examples

    content_type = ContentType.objects.get_for_model(article)
    decided = {False: [], True: []}
    for number, example in enumerate(read_examples()):
        comment = Comment(
            content_type=content_type,
            object_pk=str(article.pk),
            site_id=1,
            comment=example.text,
            user_name=example.name or f"Lezer {number}",
            user_email=example.email,
            user_url=example.url,
            submit_date=timezone.now(),
            is_public=not example.is_spam,
        )
        comment.save()
        decided[example.is_spam].append(comment)
    decide(decided[False], action=Decision.Action.APPROVE, moderator=None)
    decide(decided[True], action=Decision.Action.SPAM, moderator=None)


def add_signs(count):
    """Known-spam signs of as many made-up spam domains and addresses, on one comment."""
    from comments.models import Comment
    from moderation.models import CommentSign
    from moderation.spam_scoring import email_digest

    spam = Comment.objects.filter(is_spam=True).order_by("pk").first()
    kinds = [CommentSign.Kind.LINK_DOMAIN, CommentSign.Kind.EMAIL]
    CommentSign.objects.bulk_create(
        (
            CommentSign(
                comment=spam,
                kind=kinds[n % 2],
                value=f"spam-{n}.example" if n % 2 == 0 else email_digest(f"spam{n}@x.example"),
                is_spam=True,
            )
            for n in range(count)
        ),
        batch_size=5000,
    )


@contextlib.contextmanager
def checks_without(*left_out):
    """The registered posting checks without some of them, for the duration.

    comments.screening keeps its registry private (the site never unregisters a check);
    the benchmark alone swaps it."""
    from comments import screening

    registered = list(screening._checks)
    screening._checks[:] = [check for check in registered if check not in left_out]
    try:
        yield
    finally:
        screening._checks[:] = registered


def bench_posting(posts):
    from django.test import override_settings

    from comments.posting import post_comment
    from moderation import spam_scoring

    article = make_article("spamfilter")
    spam_checks = (spam_scoring.hold_likely_spam, spam_scoring.hold_known_spam)

    def post(key):
        started = time.perf_counter()
        posted = post_comment(
            article=article,
            parent=None,
            name=NAME,
            email="petra@petra-advies.example",
            url=URL,
            text=TEXT,
            followup=False,
            submission_key=key,
            ip_address="198.51.100.7",
        )
        elapsed = time.perf_counter() - started
        assert posted.created and posted.comment.is_public, posted.comment.hold_reasons
        return elapsed, posted.comment.spam_score

    scores = []

    def measure(with_filter, key):
        if with_filter:
            elapsed, score = post(key)
            scores.append(score)
            return elapsed
        with checks_without(*spam_checks):
            elapsed, score = post(key)
        assert score is None
        return elapsed

    # DEBUG off as in production (no query log).
    with override_settings(DEBUG=False):
        timings = interleaved({"without": False, "with": True}, posts, measure)
    without, with_filter = summary_ms(timings["without"]), summary_ms(timings["with"])
    ratio = with_filter["median_ms"] / without["median_ms"]
    return {
        "posts": posts,
        "without_spam_checks": without,
        "with_spam_checks": with_filter,
        "ratio": round(ratio, 3),
        "added_ms": round(with_filter["median_ms"] - without["median_ms"], 3),
        "spam_score": round(scores[-1], 4),
        "floor": f"<= {MAX_RATIO}",
        "pass": ratio <= MAX_RATIO,
    }


def print_report(report):
    m = report["machine"]
    p = report["posting"]
    state = report["state"]
    print(f"\nBenchmark: posting with the spam filter  ({report['date']})")
    print(f"command:  {report['command']}")
    print(
        f"machine:  {m['nproc']} CPUs, {m['cpu']}; Python {m['python']}; "
        f"Django {m['django']}; {m['database']}"
    )
    print(f"load:     {' '.join(map(str, m['load_average_at_start']))} (1, 5, 15 min, at start)")
    print(
        f"filter:   trained on {state['ham']} approved and {state['spam']} spam comments "
        f"in {state['retrain_s']:.2f} s; {state['signs']} known-spam signs"
    )
    print(f"\npost_comment(), median of {p['posts']} posts [p10-p90] ms:")
    for label, key in (
        ("without spam checks", "without_spam_checks"),
        ("with", "with_spam_checks"),
    ):
        s = p[key]
        print(f"  {label:<20} {s['median_ms']:8.2f}  [{s['p10_ms']:.2f}-{s['p90_ms']:.2f}]")
    print(
        f"  ratio with/without: {p['ratio']:.3f} (+{p['added_ms']:.2f} ms per post; "
        f"score {p['spam_score']})   floor {p['floor']}: {'PASS' if p['pass'] else 'FAIL'}"
    )


def main():
    arguments = parse_arguments()
    began = time.perf_counter()
    load_average = os.getloadavg()
    command = shlex.join([os.path.relpath(sys.executable), *sys.argv])
    with tempfile.TemporaryDirectory(prefix="ondernemen-bench-") as workdir:
        set_up_django(f"sqlite:///{Path(workdir) / 'bench.sqlite3'}")
        try:
            from moderation.models import CommentSign
            from moderation.spam_scoring import retrain

            decide_labelled_set(make_article(f"gelabeld-{uuid.uuid4().hex[:6]}"))
            started = time.perf_counter()
            state = retrain()
            retrain_seconds = time.perf_counter() - started
            add_signs(arguments.signs)
            report = {
                "benchmark": "posting with the spam filter",
                "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
                "command": command,
                "machine": machine(load_average),
                "state": {
                    "ham": state.ham_examples,
                    "spam": state.spam_examples,
                    "retrain_s": round(retrain_seconds, 3),
                    "signs": CommentSign.objects.count(),
                },
                "posting": bench_posting(arguments.posts),
            }
        finally:
            from django.db import connections

            connections.close_all()
    report["runtime_s"] = round(time.perf_counter() - began, 1)
    report["pass"] = report["posting"]["pass"]
    print_report(report)
    if arguments.json:
        arguments.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if report["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
