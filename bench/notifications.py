"""Benchmark: posting a comment vs. the number of subscribers, and the mail worker's rate.

Run from the project root:

    .venv/bin/python bench/notifications.py [--database-url postgres://...] [--json out.json]

It sets up a throw-away database of its own (SQLite in a temporary folder, or a fresh
PostgreSQL database that it creates and drops), prints a report and exits non-zero only
when a floor is missed. See bench/README.md.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.mail_sink

# Floors: posting must not grow with the number of subscribers, and the worker must
# deliver at least this many mails per second to a local SMTP server.
MAX_POSTING_RATIO = 1.5
MIN_MAILS_PER_SECOND = 100.0
# Sending an article to the newsletter: outbox rows the worker's fan-out writes per second.
MIN_FAN_OUT_ROWS_PER_SECOND = 2000.0
WARM_UP_POSTS = 3

# WhiteNoise warns that staticfiles/ is missing (collectstatic is not needed here).
warnings.filterwarnings("ignore", "No directory at", UserWarning)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL URL whose database this script creates and drops "
        "(it must not exist yet); default: SQLite in a temporary folder",
    )
    parser.add_argument("--json", type=Path, help="also write the report as JSON to this file")
    parser.add_argument("--posts", type=int, default=50, help="timed posts per case (50)")
    parser.add_argument(
        "--subscribers", type=int, default=10_000, help="subscribers in the large case (10000)"
    )
    parser.add_argument(
        "--mails", type=int, default=2_000, help="notifications the worker delivers (2000)"
    )
    parser.add_argument(
        "--timeout", type=float, default=300, help="seconds to wait for the worker (300)"
    )
    return parser.parse_args()


# --- The database -----------------------------------------------------------------------


class PostgresDatabase:
    """Creates the database named in the URL, and drops it again at the end."""

    def __init__(self, url):
        parts = urlsplit(url)
        self.name = unquote(parts.path.lstrip("/"))
        if not self.name or "/" in self.name:
            raise SystemExit(f"No database name in {url!r}.")
        self.connect_args = {
            "host": parts.hostname or "localhost",
            "port": parts.port or 5432,
            "user": unquote(parts.username or "postgres"),
            "password": unquote(parts.password) if parts.password else None,
            "dbname": "postgres",
            "autocommit": True,
        }

    def _execute(self, statement, params=None):
        import psycopg

        with psycopg.connect(**self.connect_args) as maintenance:
            cursor = maintenance.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def create(self):
        from psycopg import sql

        if self._execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name]):
            raise SystemExit(
                f"The database {self.name!r} exists already. This benchmark only uses a "
                f"database it creates itself: drop it (dropdb {self.name}) or name another."
            )
        self._execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def drop(self):
        from psycopg import sql

        self._execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
        )


def set_up_django(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


# --- Helpers ------------------------------------------------------------------------------


def make_article(label):
    from django.utils import timezone

    from articles.models import Article

    return Article.objects.create(
        title=f"Benchmark {label}",
        slug=f"benchmark-{label}-{uuid.uuid4().hex[:8]}",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - datetime.timedelta(days=1),
        lead=f"Inleiding van benchmark {label}.",
        body="Eerste alinea.\n\n## Tussenkop\n\nTweede alinea.",
        author_name="Redactie",
    )


def subscribe(article, count):
    from django.utils import timezone

    from comments.models import Subscription

    now = timezone.now()
    Subscription.objects.bulk_create(
        (
            Subscription(email=f"volger{n}@example.nl", article=article, confirmed_at=now)
            for n in range(count)
        ),
        batch_size=2000,
    )


def summary_ms(samples):
    """Median and spread of samples given in seconds, in milliseconds."""
    ordered = sorted(samples)
    deciles = statistics.quantiles(ordered, n=10) if len(ordered) > 1 else ordered * 9
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p10_ms": round(deciles[0] * 1000, 3),
        "p90_ms": round(deciles[-1] * 1000, 3),
        "min_ms": round(ordered[0] * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
    }


def interleaved(cases, posts, measure):
    """Time `measure(case, key)` for each case in turn, alternating the order each round.

    Alternating the cases spreads slow drift (a growing database, a busy machine) over
    both, so that the ratio compares like with like.
    """
    timings = {name: [] for name in cases}
    for round_number in range(WARM_UP_POSTS + posts):
        names = list(cases) if round_number % 2 == 0 else list(reversed(cases))
        for name in names:
            key = f"bench-{name}-{round_number}-{uuid.uuid4().hex}"
            elapsed = measure(cases[name], key)
            if round_number >= WARM_UP_POSTS:
                timings[name].append(elapsed)
    return timings


# --- 1. Posting time vs. subscribers ------------------------------------------------------


def bench_posting(posts, subscribers):
    from captcha.models import CaptchaStore
    from django.test import Client, override_settings
    from django.urls import reverse

    from comments.models import Comment
    from comments.posting import post_comment

    small, large = make_article("1-volger"), make_article(f"{subscribers}-volgers")
    subscribe(small, 1)
    subscribe(large, subscribers)
    cases = {"1": small, str(subscribers): large}

    def direct(article, key):
        started = time.perf_counter()
        posted = post_comment(
            article=article,
            parent=None,
            name="Petra de Vries",
            email="petra@example.nl",
            url="",
            text="Goed punt, dank voor de tips.",
            followup=False,
            submission_key=key,
            ip_address="127.0.0.1",
        )
        elapsed = time.perf_counter() - started
        assert posted.created and posted.comment.is_public, "the comment was not posted"
        return elapsed

    client = Client()

    def through_http(article, key):
        url = reverse("comments:form", args=[article.pk])
        html = client.get(url).content.decode()
        captcha_key = re.search(r'name="captcha_0" value="([^"]+)"', html).group(1)
        data = {
            "name": "Petra de Vries",
            "email": "petra@example.nl",
            "url": "",
            "comment": f"Goed punt, dank voor de tips. ({key})",
            "form_token": re.search(r'name="form_token" value="([^"]+)"', html).group(1),
            "parent": "",
            "captcha_0": captcha_key,
            "captcha_1": CaptchaStore.objects.get(hashkey=captcha_key).response,
        }
        started = time.perf_counter()
        response = client.post(url, data)
        elapsed = time.perf_counter() - started
        assert response.status_code == 302, f"POST answered {response.status_code}"
        return elapsed

    # DEBUG off as in production (no query log); "testserver" is the test client's host.
    with override_settings(
        DEBUG=False,
        ALLOWED_HOSTS=["testserver"],
        COMMENTS_MIN_FILL_SECONDS=0,
        COMMENTS_POST_RATE="100000/m",
    ):
        direct_timings = interleaved(cases, posts, direct)
        http_before = Comment.objects.count()
        http_timings = interleaved(cases, posts, through_http)
        assert Comment.objects.count() - http_before == 2 * (WARM_UP_POSTS + posts)

    results = {}
    for label, timings in (("post_comment", direct_timings), ("http_post", http_timings)):
        one, many = summary_ms(timings["1"]), summary_ms(timings[str(subscribers)])
        ratio = many["median_ms"] / one["median_ms"]
        results[label] = {
            "1_subscriber": one,
            f"{subscribers}_subscribers": many,
            "ratio": round(ratio, 3),
            "floor": f"ratio <= {MAX_POSTING_RATIO}",
            "pass": ratio <= MAX_POSTING_RATIO,
        }
    return results


def forget_posting_work():
    """The posts above queued notifications for 10,000 subscribers each: drop that work,
    so the worker below only delivers the mail this benchmark measures."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from comments.models import Comment

    Comment.objects.filter(notifications_queued_at__isnull=True).update(
        notifications_queued_at=timezone.now()
    )
    DBTaskResult.objects.all().delete()


# --- 2. Worker delivery rate --------------------------------------------------------------


def make_sink():
    from tests.mail_sink import MailSink

    class TimedMailSink(MailSink):
        """MailSink that also notes when each message arrived."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.arrivals = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            answer = await super().handle_DATA(server, session, envelope)
            self.arrivals.append(time.perf_counter())
            return answer

    return TimedMailSink(delay=0).start()


def start_worker(sink, log):
    """The real worker, started exactly as tests/test_outbox.py starts it."""
    from tests.processes import start_worker as start_site_worker

    return start_site_worker(
        sink, database=os.environ["DATABASE_URL"], stdout=log, stderr=subprocess.STDOUT
    )


def cpu_seconds_of(pid):
    """User + system CPU time of a running process, from /proc (None where unavailable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_worker(mails, timeout, workdir):
    from django.db.models import Count

    from comments.notifications import queue_comment_notifications
    from comments.posting import post_comment
    from mail.models import OutgoingMail

    forget_posting_work()
    article = make_article(f"{mails}-meldingen")
    subscribe(article, mails)
    comment = post_comment(
        article=article,
        parent=None,
        name="Schrijver",
        email="schrijver@example.nl",
        url="",
        text="Een reactie voor veel volgers.",
        followup=False,
        submission_key=f"bench-worker-{uuid.uuid4().hex}",
    ).comment
    started = time.perf_counter()
    queued = queue_comment_notifications(comment.pk)
    fan_out_seconds = time.perf_counter() - started
    notifications = OutgoingMail.objects.filter(kind="notification", params__comment=comment.pk)
    assert queued == mails == notifications.count(), f"queued {queued} of {mails}"

    sink = make_sink()
    log_path = workdir / "worker.log"
    timed_out = False
    try:
        with open(log_path, "w") as log:
            own_cpu_before = time.process_time()
            worker_started = time.perf_counter()
            worker = start_worker(sink, log)
            try:
                while True:
                    counts = dict(
                        notifications.values_list("status").annotate(n=Count("pk")).order_by()
                    )
                    if counts.get(OutgoingMail.Status.SENT, 0) == mails:
                        all_sent = time.perf_counter()
                        break
                    if counts.get(OutgoingMail.Status.PENDING, 0) == 0:
                        raise SystemExit(f"Some notifications were not sent: {counts}")
                    if worker.poll() is not None:
                        raise SystemExit(f"The worker exited with {worker.returncode}: {counts}")
                    if time.perf_counter() - worker_started > timeout:
                        timed_out = True
                        all_sent = time.perf_counter()
                        break
                    time.sleep(0.05)
            finally:
                worker_cpu = cpu_seconds_of(worker.pid)
                own_cpu = time.process_time() - own_cpu_before
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
    except BaseException:
        print(f"--- worker log ({log_path}):\n{log_path.read_text()[-3000:]}", file=sys.stderr)
        raise
    finally:
        sink.stop()

    sent = notifications.filter(status=OutgoingMail.Status.SENT).count()
    received = len(sink.arrivals)
    end_to_end = all_sent - worker_started
    first_to_last = sink.arrivals[-1] - sink.arrivals[0] if received > 1 else None
    worker_rate = sent / end_to_end
    # Rate between the first and the last arrival: n - 1 intervals.
    sink_rate = (received - 1) / first_to_last if first_to_last else 0.0
    return {
        "notifications": mails,
        "fan_out_in_process_s": round(fan_out_seconds, 3),
        "sent": sent,
        "received_by_sink": received,
        "timed_out": timed_out,
        "worker_start_to_first_received_s": round(sink.arrivals[0] - worker_started, 3)
        if received
        else None,
        "worker_start_to_all_sent_s": round(end_to_end, 3),
        "worker_mails_per_s": round(worker_rate, 1),
        "first_to_last_received_s": None if first_to_last is None else round(first_to_last, 3),
        "sink_mails_per_s": round(sink_rate, 1),
        # Where the CPU went: the worker process, and this process (the SMTP sink, which
        # parses every message, plus the 50 ms polling).
        "worker_cpu_s": None if worker_cpu is None else round(worker_cpu, 3),
        "sink_and_poll_cpu_s": round(own_cpu, 3),
        "floor": f">= {MIN_MAILS_PER_SECOND:g} mails/s",
        "pass_worker": not timed_out and worker_rate >= MIN_MAILS_PER_SECOND,
        "pass_sink": not timed_out and sink_rate >= MIN_MAILS_PER_SECOND,
    }


# --- The report ---------------------------------------------------------------------------


def bench_newsletter_fan_out(subscribers):
    """The send task's fan-out: one outbox row per newsletter subscriber, and a re-run."""
    from django.utils import timezone

    from comments.models import Subscription
    from mail.models import OutgoingMail
    from newsletter.sending import queue_newsletter

    now = timezone.now()
    Subscription.objects.bulk_create(
        (
            Subscription(email=f"lezer{n}@example.nl", article=None, confirmed_at=now)
            for n in range(subscribers)
        ),
        batch_size=2000,
    )
    article = make_article("newsletter")
    started = time.perf_counter()
    queued = queue_newsletter(article.pk)
    first = time.perf_counter() - started
    started = time.perf_counter()
    queued_again = queue_newsletter(article.pk)  # a resumed send: nobody twice
    again = time.perf_counter() - started
    rows = OutgoingMail.objects.filter(kind="newsletter", params__article=article.pk).count()
    per_second = queued / first if first else float("inf")
    return {
        "subscribers": subscribers,
        "queued": queued,
        "queued_again": queued_again,
        "rows": rows,
        "fan_out_s": round(first, 3),
        "rows_per_s": round(per_second, 1),
        "rerun_s": round(again, 3),
        "floor": f">= {MIN_FAN_OUT_ROWS_PER_SECOND:.0f} rows/s, re-run queues 0",
        "pass": per_second >= MIN_FAN_OUT_ROWS_PER_SECOND
        and queued == rows == subscribers
        and queued_again == 0,
    }


def cpu_model():
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return found.group(1).strip() if found else "unknown"


def machine(load_average):
    import django
    from django.db import connection

    if connection.vendor == "sqlite":
        database = f"SQLite {connection.Database.sqlite_version}"
    else:
        version = connection.pg_version
        database = f"PostgreSQL {version // 10000}.{version % 10000}"
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database,
        "database_vendor": connection.vendor,
        # Other work on the machine skews every figure: note how busy it was.
        "load_average_at_start": [round(load, 2) for load in load_average],
    }


def seconds(value):
    return "     n/a" if value is None else f"{value:8.3f}"


def verdict(passed):
    return "PASS" if passed else "FAIL"


def print_report(report):
    m = report["machine"]
    print(f"\nBenchmark: comment notifications  ({report['date']})")
    print(f"command:  {report['command']}")
    print(
        f"machine:  {m['nproc']} CPUs, {m['cpu']}; Python {m['python']}; "
        f"Django {m['django']}; {m['database']}"
    )
    print(f"load:     {' '.join(map(str, m['load_average_at_start']))} (1, 5, 15 min, at start)")
    print(f"runtime:  {report['runtime_s']:.1f} s")
    posting = report["posting"]
    for label, title in (("post_comment", "post_comment()"), ("http_post", "HTTP POST")):
        figures = posting[label]
        cases = [key for key in figures if key.endswith(("_subscriber", "_subscribers"))]
        print(f"\n{title}, median of {figures[cases[0]]['n']} posts [p10-p90] ms:")
        for case in cases:
            s = figures[case]
            subscribers = case.split("_")[0]
            print(
                f"  {subscribers:>6} subscriber(s)  {s['median_ms']:8.2f}"
                f"  [{s['p10_ms']:.2f}-{s['p90_ms']:.2f}]"
            )
        print(
            f"  ratio {cases[1].split('_')[0]}/1: {figures['ratio']:.2f}"
            f"   floor {figures['floor']}: {verdict(figures['pass'])}"
        )
    w = report["worker"]
    print(f"\nWorker delivering {w['notifications']} notifications to a local SMTP sink:")
    print(f"  fan-out in process (not timed below)   {seconds(w['fan_out_in_process_s'])} s")
    print(
        "  worker start -> first mail received    "
        f"{seconds(w['worker_start_to_first_received_s'])} s"
    )
    print(
        f"  worker start -> all rows sent          {seconds(w['worker_start_to_all_sent_s'])} s"
        f"  = {w['worker_mails_per_s']:7.1f} mails/s"
        f"   floor {w['floor']}: {verdict(w['pass_worker'])}"
    )
    print(
        f"  first -> last received (sink)          {seconds(w['first_to_last_received_s'])} s"
        f"  = {w['sink_mails_per_s']:7.1f} mails/s"
        f"   floor {w['floor']}: {verdict(w['pass_sink'])}"
    )
    if w["worker_cpu_s"] is not None:
        print(
            f"  CPU while delivering: worker {w['worker_cpu_s']:.2f} s"
            f" ({1000 * w['worker_cpu_s'] / max(w['sent'], 1):.2f} ms/mail),"
            f" sink + polling {w['sink_and_poll_cpu_s']:.2f} s"
        )
    if w["timed_out"]:
        print(f"  TIMED OUT: {w['sent']} of {w['notifications']} sent")
    n = report["newsletter"]
    print(f"\nNewsletter: an article to {n['subscribers']} subscribers (the worker's fan-out):")
    print(
        f"  {n['queued']} outbox rows in {seconds(n['fan_out_s'])} s"
        f" = {n['rows_per_s']:9.1f} rows/s;"
        f" run again: {n['queued_again']} more in {seconds(n['rerun_s'])} s"
        f"   floor {n['floor']}: {verdict(n['pass'])}"
    )
    print(f"\nResult: {verdict(report['pass'])}")


def main():
    arguments = parse_arguments()
    began = time.perf_counter()
    load_average = os.getloadavg()
    command = shlex.join([os.path.relpath(sys.executable), *sys.argv])
    postgres = None
    with tempfile.TemporaryDirectory(prefix="ondernemen-bench-") as workdir:
        workdir = Path(workdir)
        if arguments.database_url:
            if not arguments.database_url.startswith(("postgres://", "postgresql://")):
                raise SystemExit("--database-url must be a postgres:// URL.")
            postgres = PostgresDatabase(arguments.database_url)
            postgres.create()
            database_url = arguments.database_url
        else:
            database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        try:
            set_up_django(database_url)
            report = {
                "benchmark": "comment notifications",
                "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
                "command": command,
                "machine": machine(load_average),
                "posting": bench_posting(arguments.posts, arguments.subscribers),
                "worker": bench_worker(arguments.mails, arguments.timeout, workdir),
                "newsletter": bench_newsletter_fan_out(arguments.subscribers),
            }
        finally:
            if "django.db" in sys.modules:
                from django.db import connections

                connections.close_all()
            if postgres is not None:
                postgres.drop()
    report["runtime_s"] = round(time.perf_counter() - began, 1)
    report["pass"] = all(
        [
            report["posting"]["post_comment"]["pass"],
            report["posting"]["http_post"]["pass"],
            report["worker"]["pass_worker"],
            report["worker"]["pass_sink"],
            report["newsletter"]["pass"],
        ]
    )
    print_report(report)
    if arguments.json:
        arguments.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if report["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
