"""The posting load, and a database outage, through the production profile.

`deploy/serve-prod` runs as it does for real: production settings (DJANGO_DEBUG=false, so
no captcha test mode: each poster types the captcha's real answer, read from the database
by this process), nginx with TLS in front of two gunicorn app servers (2 workers, 2
threads each), the mail worker, PostgreSQL (the test database) and Redis (db 1, with a key
prefix of this run's own, deleted afterwards). It listens on free ports, with a RUN_DIR of
its own, and is stopped with SIGTERM to its process group.

Posters fetch the comment form and post it over HTTPS through nginx (urllib, trusting the
profile's certificate, with `Origin` and `Referer` as a browser sends them: Django's CSRF
check needs them over HTTPS), each with a cookie jar of their own.

Rate limits stay on in the profile; this test raises two in the profile's environment
only, and says so here: `COMMENTS_POST_RATE=100000/m`, because every poster comes from
127.0.0.1 through nginx (X-Real-IP), so the per-address limit (5 a minute) would refuse
all but the first five posts; and `COMMENTS_MIN_FILL_SECONDS=0`, because these posters
fill in the form faster than the 3 seconds a person needs.

1. The load: LOAD_CLIENTS posters (6), LOAD_POSTS posts in all (120); no 5xx, every
   accepted post stored exactly once, every refusal a Dutch page of the site. bench/load.py
   runs it at full size (LOAD_CLIENTS=50 LOAD_POSTS=2000) and reads LOAD_REPORT.
2. The outage: the profile reaches PostgreSQL through a TCP proxy (tests/db_proxy.py) that
   is cut off while page readers read (the article page and the listing from nginx's
   micro-cache, and the article page from a newsletter link that no cache holds) and
   posters post, then restored. Readers get the site's own pages (the cached page or the
   site's Dutch 503), never nginx's 502/504 page; every accepted comment is stored once;
   the worker is the same process afterwards and sends the notification of a comment
   posted after the outage to a local SMTP sink (tests/mail_sink.py).

PostgreSQL only (the profile's database). Skipped (failed in CI) when nginx or openssl is
missing and cannot be installed, or Redis does not answer on 127.0.0.1:6379.
"""

import contextlib
import html
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from captcha.models import CaptchaStore
from django.db import connection, connections
from django.utils import timezone

from comments.models import Subscription
from tests.db_proxy import DatabaseProxy
from tests.load.test_concurrent_posting import (
    REQUEST_TIMEOUT,
    KeepEveryResponse,
    Reader,
    assert_each_accepted_post_stored_once,
    load_report,
    stored_comments,
)
from tests.mail_sink import MailSink
from tests.processes import database_url, wait_for

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the production profile runs on PostgreSQL (the SQLite load is "
    "test_concurrent_posting.py)",
)

ROOT = Path(__file__).resolve().parents[2]
SERVE_PROD = ROOT / "deploy" / "serve-prod"
ARTICLE_PATH = "/nieuws/2012/05/10/drie-tips-voor-social-mediarichtlijnen/"
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "6"))
POSTS = int(os.environ.get("LOAD_POSTS", "120"))
REPORT = os.environ.get("LOAD_REPORT")
REDIS = ("127.0.0.1", 6379, 1)  # host, port, db: the profile's default
START_TIMEOUT = 120  # seconds: migrate (nothing to do) and collectstatic, then the servers
STOP_TIMEOUT = 30
SITE_NAME = "Ondernemen met de beste ondersteuning"
SITE_503 = "Tijdelijk niet beschikbaar"
NGINX_UNREACHABLE = "De site is even niet bereikbaar"  # deploy/errors/niet-bereikbaar.html
SUBSCRIBER = "volger@example.nl"
OUTAGE_POSTERS = 4
PAGE_READERS = 3


# --- the profile ------------------------------------------------------------------------


def unavailable(reason):
    """Skip on a developer's machine; in CI (the CI variable is set) the test must run."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; the production profile must be load-tested in CI")
    pytest.skip(reason)


def tool(name):
    return shutil.which(name) or next(
        (path for path in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.access(path, os.X_OK)),
        None,
    )


def redis_answers():
    try:
        with socket.create_connection(REDIS[:2], timeout=3) as redis_socket:
            redis_socket.sendall(b"PING\r\n")
            return redis_socket.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def forget_redis_keys(prefix):
    """Delete what the profile kept in Redis under its prefix (counts, cached pages)."""
    import redis

    client = redis.Redis(host=REDIS[0], port=REDIS[1], db=REDIS[2], socket_timeout=5)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
    finally:
        client.close()


def free_ports(count):
    """Ports nothing listens on right now (the kernel's choice)."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]


class Profile:
    """deploy/serve-prod on free ports, with a RUN_DIR and Redis keys of its own."""

    def __init__(self, database, **environment):
        self.port, self.https_port, *self.app_ports = free_ports(4)
        self.run_dir = Path(tempfile.mkdtemp(prefix="ondernemen-load-", dir="/tmp"))
        # nginx's workers (www-data when started as root) must enter it.
        self.run_dir.chmod(0o755)
        self.base = f"https://127.0.0.1:{self.https_port}"
        self.cert = self.run_dir / "tls" / "cert.pem"
        self.log = self.run_dir / "serve-prod.log"
        self.cache_prefix = f"load-{uuid.uuid4().hex[:12]}"
        self.database = database
        self.extra = environment
        self.process = None
        self.final_logs = ""
        self.final_app_logs = {}

    def environment(self):
        env = {
            name: value
            for name, value in os.environ.items()
            # The profile sets its own; nothing of this test process's settings leaks in.
            if not name.startswith(
                ("DJANGO_", "EMAIL_", "CAPTCHA_", "COMMENTS_", "MAIL_", "DATABASE_", "LOAD_")
            )
            and name not in {"SITE_URL", "CACHE_URL", "CLIENT_IP_HEADER"}
            and not name.startswith("GUNICORN_")
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            PORT=str(self.port),
            HTTPS_PORT=str(self.https_port),
            APP_PORTS=" ".join(map(str, self.app_ports)),
            RUN_DIR=str(self.run_dir),
            DATABASE_URL=self.database,
            CACHE_URL=(f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS[2]}?key_prefix={self.cache_prefix}"),
            # Raised for this test only (see the module's docstring): all posters come
            # from 127.0.0.1, and faster than a person fills in the form.
            COMMENTS_POST_RATE="100000/m",
            COMMENTS_MIN_FILL_SECONDS="0",
            **self.extra,
        )
        return env

    def start(self):
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [str(SERVE_PROD)],
                cwd=ROOT,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped as one
            )
        return self

    def output(self):
        return self.log.read_text(encoding="utf-8", errors="replace")

    def logs(self, tail=1500):
        """serve-prod's output and the end of each log, for a failure message."""
        if self.final_logs:
            return self.final_logs
        parts = [self.output()[-3000:]]
        for path in sorted((self.run_dir / "logs").glob("*.log")):
            parts.append(f"--- {path.name}\n" + path.read_text(errors="replace")[-tail:])
        return "\n".join(parts)

    def app_logs(self):
        """Each app server's log, by its port."""
        return {
            port: path.read_text(errors="replace")
            for port in self.app_ports
            if (path := self.run_dir / "logs" / f"gunicorn-{port}.log").exists()
        }

    def tls_context(self):
        return ssl.create_default_context(cafile=self.cert)

    def pid(self, name):
        return int((self.run_dir / "pids" / name).read_text())

    def status(self, path):
        try:
            with urllib.request.urlopen(  # noqa: S310 - https://127.0.0.1
                self.base + path, timeout=5, context=self.tls_context()
            ) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except (OSError, urllib.error.URLError):
            return None

    def ready(self):
        """True once serve-prod says so and the article page answers 200 over HTTPS."""
        if self.process.poll() is not None:
            output = self.output()
            if "could not install" in output or "missing: " in output:
                unavailable(output.strip().splitlines()[-1])
            pytest.fail(f"deploy/serve-prod exited ({self.process.returncode})\n{self.logs()}")
        return "serve-prod: ready" in self.output() and self.status(ARTICLE_PATH) == 200

    def wait_until_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while not self.ready():
            assert time.monotonic() < deadline, (
                f"the profile did not answer within {START_TIMEOUT} s\n{self.logs()}"
            )
            time.sleep(0.1)

    def stop(self):
        """SIGTERM to its process group (serve-prod stops what it started); then SIGKILL."""
        process, self.process = self.process, None
        if process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=STOP_TIMEOUT)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        self.final_logs = self.logs()
        self.final_app_logs = self.app_logs()
        shutil.rmtree(self.run_dir, ignore_errors=True)
        with contextlib.suppress(Exception):
            forget_redis_keys(self.cache_prefix)


@contextlib.contextmanager
def running_profile(database, **environment):
    if not SERVE_PROD.exists():
        pytest.fail(f"{SERVE_PROD} is missing")
    missing = [name for name in ("nginx", "openssl") if tool(name) is None]
    if missing and os.geteuid() != 0:
        # As root, serve-prod installs Debian's packages itself.
        unavailable(f"{' and '.join(missing)} missing: sudo apt-get install {' '.join(missing)}")
    if not redis_answers():
        unavailable("Redis does not answer on 127.0.0.1:6379")
    profile = Profile(database, **environment)
    try:
        profile.start()
        started = time.monotonic()
        profile.wait_until_ready()
        profile.start_seconds = time.monotonic() - started
        yield profile
    finally:
        profile.stop()


# --- readers and posters ---------------------------------------------------------------


def https_opener(profile, *handlers):
    return urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=profile.tls_context()), *handlers, KeepEveryResponse
    )


def is_site_page(status, page):
    """The site's own answer: a page with its name, a 503 the site's Dutch one, never the
    static page nginx shows when it reaches no app server."""
    return (
        SITE_NAME in page and NGINX_UNREACHABLE not in page and (status != 503 or SITE_503 in page)
    )


class ProfilePoster(Reader):
    """A reader posting through nginx over HTTPS as a browser does: TLS, `Origin` and
    `Referer`, cookies of their own, and the captcha's real answer (production has no test
    mode), read from the database with this thread's own connection."""

    def __init__(self, number, posts, profile, form_path, run_id, start):
        super().__init__(number, posts, [profile.base], form_path, run_id, start)
        self.opener = https_opener(
            profile, urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.opener.addheaders += [
            ("Origin", profile.base),
            ("Referer", profile.base + form_path),
        ]
        self.pages = []  # (kind, status, the site's page?, a refused post's text kept?)

    def captcha_answer(self, key):
        return CaptchaStore.objects.get(hashkey=key).response

    def request(self, kind, url, data=None):
        status, headers, page = super().request(kind, url, data)
        kept = None
        if kind == "post" and status not in (0, 302):
            kept = html.escape(data["comment"], quote=False) in page
        # A redirect has no page to look at (and is checked as an accepted post).
        site = status in (0, 302) or is_site_page(status, page)
        self.pages.append((kind, status, site, kept))
        return status, headers, page

    def post_once(self, n, form_base, post_base):
        super().post_once(n, form_base, post_base)
        self.outcomes[-1]["finished"] = time.monotonic()

    def run(self):
        try:
            super().run()
        finally:
            connections.close_all()  # this thread's connection, before the test database goes


class OutagePoster(ProfilePoster):
    """Posts until told to stop."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stopped = threading.Event()

    def run(self):
        try:
            self.start_barrier.wait()
            n = 0
            while not self.stopped.is_set():
                self.post_once(n, self.bases[0], self.bases[0])
                n += 1
        except Exception as error:  # reported by the test, not lost in a thread
            self.failure = f"{type(error).__name__}: {error}"
        finally:
            connections.close_all()


class Typist(ProfilePoster):
    """A reader who opens the form before the database goes away and sends it during the
    outage: the post waits (between reading the captcha and sending) until `may_post`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_read, self.may_post = threading.Event(), threading.Event()

    def captcha_answer(self, key):
        answer = super().captcha_answer(key)
        self.form_read.set()
        self.may_post.wait(timeout=120)
        return answer


class PageReader(threading.Thread):
    """A reader without cookies, asking for `paths` in turn until stopped. A path with
    `{n}` is a newsletter link of its own each time: no cache holds it."""

    def __init__(self, number, profile, paths):
        super().__init__(name=f"page-reader-{number}", daemon=True)
        self.opener = https_opener(profile)
        self.base = profile.base
        self.paths = paths[number % len(paths) :] + paths[: number % len(paths)]
        self.number = number
        self.stopped = threading.Event()
        self.seen = []  # dicts: at, path, status, cache, site
        self.odd = []  # the first few pages that were not the site's, for the message

    def run(self):
        n = 0
        while not self.stopped.is_set():
            template = self.paths[n % len(self.paths)]
            path = template.format(n=f"{self.number}-{n}")
            n += 1
            try:
                with self.opener.open(self.base + path, timeout=REQUEST_TIMEOUT) as response:
                    status, cache = response.status, response.headers.get("X-Cache-Status")
                    page = response.read().decode("utf-8", "replace")
            except (OSError, urllib.error.URLError) as error:
                status, cache, page = 0, None, f"{type(error).__name__}: {error}"
            site = status in (200, 503) and is_site_page(status, page)
            self.seen.append(
                {
                    "at": time.monotonic(),
                    "path": template,
                    "status": status,
                    "cache": cache,
                    "site": site,
                }
            )
            if not site and len(self.odd) < 3:
                self.odd.append((status, path, page[:500]))


def status_counts(items):
    """How often each (what, status, ...) came, keyed "what status ..."."""
    counts = {}
    for item in items:
        key = " ".join(map(str, item))
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


# --- the tests ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_posting_load_in_production_settings(seed_article):
    form_path = f"/reacties/{seed_article.pk}/reageren/"
    run_id = uuid.uuid4().hex[:12]
    clients = max(1, min(CLIENTS, POSTS))
    with running_profile(database_url()) as profile:
        start = threading.Barrier(clients)
        posters = [
            ProfilePoster(
                n,
                POSTS // clients + (1 if n < POSTS % clients else 0),
                profile,
                form_path,
                run_id,
                start,
            )
            for n in range(clients)
        ]
        began = time.perf_counter()
        for poster in posters:
            poster.start()
        for poster in posters:
            poster.join(timeout=REQUEST_TIMEOUT * 2 * POSTS)
        elapsed = time.perf_counter() - began
        start_seconds = profile.start_seconds
    logs = "\n".join(profile.final_app_logs.values())

    assert not [p.name for p in posters if p.is_alive()], "posters still running"
    failures = [f"{p.name}: {p.failure}" for p in posters if p.failure]
    requests = [request for poster in posters for request in poster.requests]
    outcomes = [outcome for poster in posters for outcome in poster.outcomes]
    stored = stored_comments(run_id)
    report = load_report(posters, stored, clients=clients, posts=POSTS, elapsed=elapsed, logs=logs)
    # Which app server took the posts (nginx alternates), from their request log lines.
    posts_by_server = {
        port: len(re.findall(rf"POST {re.escape(form_path)} \d{{3}}", text))
        for port, text in profile.final_app_logs.items()
    }
    report.update(
        profile="deploy/serve-prod: nginx (TLS, HTTP/1.1 from urllib) -> 2 gunicorn app "
        "servers (2 workers x 2 threads) -> PostgreSQL, Redis; DJANGO_DEBUG=false",
        raised_in_profile={"COMMENTS_POST_RATE": "100000/m", "COMMENTS_MIN_FILL_SECONDS": "0"},
        posts_by_app_server=posts_by_server,
        profile_start_seconds=round(start_seconds, 1),
    )
    print("\nload:", json.dumps(report, ensure_ascii=False, indent=1))
    if REPORT:
        Path(REPORT).write_text(json.dumps(report, ensure_ascii=False, indent=1))

    assert not failures, f"{failures}\n{profile.final_logs}"
    server_errors = [(kind, status) for kind, status, _ in requests if status >= 500]
    assert not server_errors, (
        f"{len(server_errors)} server errors {status_counts(server_errors)}\n{profile.final_logs}"
    )
    broken = [(kind, status) for kind, status, _ in requests if status == 0]
    assert not broken, f"{len(broken)} requests got no answer: {broken[:5]}"
    assert all(o["form_status"] == 200 for o in outcomes), [
        o for o in outcomes if o["form_status"] != 200
    ][:5]
    assert len(outcomes) == POSTS
    assert all(site for poster in posters for _, _, site, _ in poster.pages), [
        page for poster in posters for page in poster.pages if not page[2]
    ][:5]
    assert_each_accepted_post_stored_once(outcomes, stored, seed_article)
    # Both app servers took posts: the load went through nginx to two of them.
    assert all(posts_by_server.values()), posts_by_server


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_readers_get_the_sites_pages_while_the_database_is_cut_off(seed_article):
    Subscription.objects.create(email=SUBSCRIBER, article=seed_article, confirmed_at=timezone.now())
    settings_dict = connection.settings_dict
    proxy = DatabaseProxy(settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))
    proxy.start()
    through_proxy = database_url({**settings_dict, "HOST": "127.0.0.1", "PORT": proxy.port})
    sink = MailSink().start()
    form_path = f"/reacties/{seed_article.pk}/reageren/"
    run_id = uuid.uuid4().hex[:12]
    page_paths = [
        ARTICLE_PATH,
        "/",
        ARTICLE_PATH + "?utm_source=nieuwsbrief&utm_content={n}",
    ]
    uncached = page_paths[2]
    readers, posters = [], []
    try:
        with running_profile(through_proxy, EMAIL_URL=f"smtp://127.0.0.1:{sink.port}") as profile:
            worker_pid = profile.pid("worker")
            start = threading.Barrier(OUTAGE_POSTERS)
            posters = [
                OutagePoster(n, None, profile, form_path, run_id, start)
                for n in range(OUTAGE_POSTERS)
            ]
            readers = [PageReader(n, profile, page_paths) for n in range(PAGE_READERS)]
            typist = Typist(OUTAGE_POSTERS, 1, profile, form_path, run_id, threading.Barrier(1))
            worker_log = profile.run_dir / "logs" / "worker.log"
            start_seconds = profile.start_seconds
            began = time.monotonic()
            try:
                for thread in [*readers, *posters, typist]:
                    thread.start()

                def accepted(since=0.0):
                    return [
                        o
                        for p in posters
                        for o in list(p.outcomes)
                        if o.get("status") == 302 and o.get("finished", 0) > since
                    ]

                def reader_503s(since):
                    return sum(
                        s["status"] == 503 and s["at"] > since
                        for r in readers
                        for s in list(r.seen)
                    )

                def poster_503s(since):
                    return sum(
                        503 in (o.get("status"), o.get("form_status"))
                        and o.get("finished", 0) > since
                        for p in posters
                        for o in list(p.outcomes)
                    )

                def worker_met_outage():
                    return "The database cannot be reached" in worker_log.read_text()

                wait_for(
                    lambda: len(accepted()) >= 8 and typist.form_read.is_set(),
                    60,
                    "posting under way",
                )
                proxy.cut()
                cut_at = time.monotonic()
                typist.may_post.set()

                # Long enough for every process to meet the outage: a page no cache holds
                # is the site's 503, posters get the 503, the worker waits. (A cached page
                # comes from nginx's micro-cache, stale or not, or from the app's own.)
                def outage_unmet():
                    """What has not yet met the outage (empty once everything has)."""
                    unmet = {
                        "readers' 503s": reader_503s(cut_at) >= 3,
                        "posters' 503s": poster_503s(cut_at) >= 2,
                        "the post typed meanwhile": not typist.is_alive(),
                        "the worker": worker_met_outage(),
                    }
                    return [what for what, met in unmet.items() if not met]

                deadline = time.monotonic() + 30
                while unmet := outage_unmet():
                    assert time.monotonic() < deadline, f"the outage never reached: {unmet}"
                    time.sleep(0.05)
                proxy.restore()
                restored_at = time.monotonic()
                wait_for(
                    lambda: (
                        len(accepted(restored_at)) >= 8
                        and any(
                            s["path"] == uncached and s["status"] == 200 and s["at"] > restored_at
                            for r in readers
                            for s in list(r.seen)
                        )
                    ),
                    30,
                    "posting and uncached pages again after the outage",
                )
                recovered_at = time.monotonic()
            finally:
                typist.may_post.set()
                for thread in [*posters, *readers]:
                    thread.stopped.set()
                for thread in [*posters, *readers, typist]:
                    thread.join(timeout=REQUEST_TIMEOUT + 10)

            # A notification of each comment accepted after the outage reaches the sink.
            after = {
                re.search(r"/reacties/(\d+)/$", o["location"]).group(1)
                for o in accepted(restored_at)
            }

            def notified():
                return {
                    found.group(1)
                    for m in sink.to(SUBSCRIBER)
                    if run_id in str(m) and (found := re.search(r"/reacties/(\d+)/", str(m)))
                }

            wait_for(lambda: after <= notified(), 60, "the notifications after the outage")
            mailed_at = time.monotonic()
            try:
                os.kill(worker_pid, 0)
                worker_alive = True
            except ProcessLookupError:
                worker_alive = False
            worker_pid_after = profile.pid("worker")
            output = profile.output()
            worker_said = [
                line.split("WARNING", 1)[-1].strip()
                for line in worker_log.read_text().splitlines()
                if "database" in line.lower()
            ]
    finally:
        sink.stop()
        proxy.stop()

    seen = [s for r in readers for s in r.seen]
    report = {
        "reader_statuses": status_counts((s["path"], s["status"], s["cache"]) for s in seen),
        "poster_statuses": status_counts(
            (kind, status) for p in posters for kind, status, _, _ in p.pages
        ),
        "accepted": len(accepted()),
        "accepted_after_outage": len(after),
        "profile_start_seconds": round(start_seconds, 1),
        "seconds_to_cut": round(cut_at - began, 2),
        "outage_seconds": round(restored_at - cut_at, 2),
        "seconds_to_recover": round(recovered_at - restored_at, 2),
        "seconds_to_mail": round(mailed_at - recovered_at, 2),
        "notified": len(notified()),
        "typist": typist.pages,
        "worker_log": worker_said,
    }
    print("\noutage:", json.dumps(report, ensure_ascii=False, indent=1))

    # The worker waited out the outage: the same process, and it sent mail afterwards.
    assert worker_alive and worker_pid_after == worker_pid, (
        f"the worker did not survive the outage\n{profile.final_logs}"
    )
    assert "exited" not in output, output
    # Readers got the site's pages: the page (from a cache, or made again) or the site's
    # Dutch 503; never nginx's page, a server error or a broken connection.
    assert {s["status"] for s in seen} <= {200, 503}, report["reader_statuses"]
    assert all(s["site"] for s in seen), [r.odd for r in readers]
    # Posters too; a post refused during the outage got its text back.
    for poster in posters:
        assert poster.failure is None, poster.failure
        for kind, status, site, kept in poster.pages:
            assert status in (200, 302, 503), (kind, status)
            assert site, (kind, status)
            if kind == "post" and status == 503:
                assert kept, "a post refused in the outage did not get its text back"
    # The reader who sent the form during the outage got the site's 503, with the text.
    assert typist.failure is None, typist.failure
    assert typist.pages == [("form", 200, True, None), ("post", 503, True, True)], typist.pages
    outcomes = [o for p in [*posters, typist] for o in p.outcomes]
    for outcome in outcomes:
        if outcome.get("status") == 200:
            assert outcome["dutch"], outcome
    # Every accepted comment stored exactly once, as the redirect says, on this article.
    stored = stored_comments(run_id)
    by_pk = {pk: (text, object_pk) for pk, text, object_pk in stored}
    stored_texts = [text for _, text, _ in stored]
    assert len(stored_texts) == len(set(stored_texts)), "a post was stored twice"
    for outcome in accepted():
        pk = int(re.search(r"/reacties/(\d+)/$", outcome["location"]).group(1))
        assert by_pk.get(pk) == (outcome["text"], str(seed_article.pk)), (outcome, by_pk.get(pk))
    # Nothing else stored, but for a post cut off after its commit: the poster got the
    # site's 503 with the text, and sending it again would say it had been posted.
    cut_off = {o["text"] for o in outcomes if o.get("status") == 503}
    unaccepted = set(stored_texts) - {o["text"] for o in accepted()}
    assert unaccepted <= cut_off, unaccepted - cut_off
    # Each comment's notifications are one message (at most the one in flight when the
    # database went away handed over twice, under the same Message-ID).
    message_ids = {}
    for message in sink.to(SUBSCRIBER):
        found = re.search(r"/reacties/(\d+)/", str(message))
        if run_id in str(message) and found:
            message_ids.setdefault(found.group(1), set()).add(message["Message-ID"])
    assert all(len(ids) == 1 for ids in message_ids.values()), message_ids
