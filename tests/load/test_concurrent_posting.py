"""Many readers post comments at once through two real app servers.

Two gunicorn processes (2 workers each) serve the test database; LOAD_CLIENTS threads,
each with its own cookie jar, fetch the comment form and post it, alternating between
the two servers, LOAD_POSTS posts in all. Every accepted post must be stored exactly
once, nothing may fail with a server error, and every refusal must be a Dutch page.

Small by default so that `make test` stays quick; `bench/load.py --direct` runs it at full
size (LOAD_CLIENTS=50 LOAD_POSTS=2000) and reads the figures from LOAD_REPORT (a JSON
file). The same load in production settings, through nginx and TLS, is
tests/load/test_profile_under_load.py.
"""

import html
import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.db import connection

from comments.models import Comment
from tests.processes import database_url

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "10"))
POSTS = int(os.environ.get("LOAD_POSTS", "200"))
REPORT = os.environ.get("LOAD_REPORT")
WORKERS_PER_SERVER = 2
START_TIMEOUT = 60
REQUEST_TIMEOUT = 60
NOT_POSTED = "Uw reactie is nog niet geplaatst."


def server_environment():
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "COMMENTS_", "CAPTCHA_"))
    }
    environment.update(
        {
            "DATABASE_URL": database_url(),
            "DJANGO_DEBUG": "true",
            "DJANGO_LOG_LEVEL": "WARNING",
            "CAPTCHA_TEST_MODE": "true",
            "COMMENTS_MIN_FILL_SECONDS": "0",
            "COMMENTS_POST_RATE": "100000/m",
            "CACHE_URL": "locmemcache://",
        }
    )
    return environment


def gunicorn_supports_no_control_socket():
    import gunicorn.config

    return any(getattr(s, "name", None) == "control_socket" for s in gunicorn.config.KNOWN_SETTINGS)


class AppServer:
    """`gunicorn config.wsgi` on a port of the system's choosing, read from its log."""

    def __init__(self, log_path, **environment):
        self.log_path = log_path
        self.log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            "127.0.0.1:0",
            "--workers",
            str(WORKERS_PER_SERVER),
            "--log-level",
            "info",
        ]
        if gunicorn_supports_no_control_socket():
            # gunicorn >= 24 puts a control socket at one path per user: not shared.
            command.append("--no-control-socket")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**server_environment(), **environment},
            stdout=self.log,
            stderr=self.log,
        )
        self.base = None

    def log_text(self):
        return Path(self.log_path).read_text(errors="replace")

    def poll_ready(self):
        """True once the server answers; raises if it died."""
        if self.process.poll() is not None:
            raise AssertionError(f"app server exited at start-up:\n{self.log_text()[-3000:]}")
        if self.base is None:
            found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", self.log_text())
            if not found:
                return False
            self.base = found.group(1)
        try:
            probe = self.base + "/robots.txt"  # always http://127.0.0.1:<port>
            with urllib.request.urlopen(probe, timeout=5) as response:  # noqa: S310
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


class KeepEveryResponse(urllib.request.HTTPErrorProcessor):
    """No exceptions for 3xx/4xx/5xx and no following of redirects: the caller looks."""

    def http_response(self, request, response):
        return response

    https_response = http_response


def hidden_value(page, name):
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else None


def refusal_reasons(page):
    """The items of the form's error list, for the report."""
    box = re.search(r'<div class="form-errors".*?</ul>', page, re.S)
    if not box:
        return []
    items = re.findall(r"<li>(.*?)</li>", box.group(0), re.S)
    return [
        re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", item))).strip() for item in items
    ]


class Reader(threading.Thread):
    """One reader with a cookie jar of their own, posting `posts` comments."""

    def __init__(self, number, posts, bases, form_path, run_id, start):
        super().__init__(name=f"reader-{number}", daemon=True)
        self.number = number
        self.posts = posts
        self.bases = bases
        self.form_path = form_path
        self.run_id = run_id
        self.start_barrier = start
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), KeepEveryResponse
        )
        self.requests = []  # (kind, status, seconds)
        self.outcomes = []  # dicts: text, status, location, reasons, body excerpt
        self.failure = None

    def request(self, kind, url, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        started = time.perf_counter()
        try:
            with self.opener.open(url, data=body, timeout=REQUEST_TIMEOUT) as response:
                status, headers, content = response.status, response.headers, response.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            self.requests.append((kind, 0, time.perf_counter() - started))
            return 0, {}, f"{type(error).__name__}: {error}"
        self.requests.append((kind, status, time.perf_counter() - started))
        return status, headers, content.decode("utf-8", "replace")

    def run(self):
        try:
            self.start_barrier.wait()
            for n in range(self.posts):
                # The form from one server, the post to the other: any server accepts
                # any server's form (one database, one secret key).
                form_base = self.bases[(self.number + n) % len(self.bases)]
                post_base = self.bases[(self.number + n + 1) % len(self.bases)]
                self.post_once(n, form_base, post_base)
        except Exception as error:  # reported by the test, not lost in a thread
            self.failure = f"{type(error).__name__}: {error}"

    def captcha_answer(self, key):
        """What CAPTCHA_TEST_MODE accepts for any code (the profile's test reads the real one)."""
        return "passed"

    def post_once(self, n, form_base, post_base):
        text = f"Belastingtest {self.run_id} lezer {self.number} bericht {n}: goed artikel."
        status, _, page = self.request("form", form_base + self.form_path)
        outcome = {"text": text, "form_status": status}
        self.outcomes.append(outcome)
        if status != 200:
            outcome.update(status=None, body=page[:300])
            return
        fields = {
            "csrfmiddlewaretoken": hidden_value(page, "csrfmiddlewaretoken"),
            "form_token": hidden_value(page, "form_token"),
            "captcha_0": hidden_value(page, "captcha_0"),
        }
        missing = [name for name, value in fields.items() if not value]
        assert not missing, f"the form has no {missing}: {page[:500]}"
        fields.update(
            {
                "name": f"Lezer {self.number}",
                "email": f"lezer{self.number}@example.nl",
                "url": "",
                "comment": text,
                "captcha_1": self.captcha_answer(fields["captcha_0"]),
                "homepage": "",
                "parent": "",
            }
        )
        status, headers, page = self.request("post", post_base + self.form_path, fields)
        outcome.update(status=status, location=headers.get("Location"))
        if status != 302:
            outcome.update(reasons=refusal_reasons(page), body=page[:300])
            outcome["dutch"] = NOT_POSTED in page


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_readers_post_each_comment_exactly_once(make_article, tmp_path):
    article = make_article(title="Drukbezochte discussie")
    form_path = f"/reacties/{article.pk}/reageren/"
    run_id = uuid.uuid4().hex[:12]
    servers = [AppServer(tmp_path / f"app-server-{n}.log") for n in range(2)]
    try:
        deadline = time.monotonic() + START_TIMEOUT
        pending = list(servers)
        while pending:
            pending = [server for server in pending if not server.poll_ready()]
            if pending:
                assert time.monotonic() < deadline, "the app servers did not answer in time"
                time.sleep(0.05)
        bases = [server.base for server in servers]

        clients = max(1, min(CLIENTS, POSTS))
        start = threading.Barrier(clients)
        readers = [
            Reader(
                n,
                POSTS // clients + (1 if n < POSTS % clients else 0),
                bases,
                form_path,
                run_id,
                start,
            )
            for n in range(clients)
        ]
        began = time.perf_counter()
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join(timeout=REQUEST_TIMEOUT * 2 * POSTS)
        elapsed = time.perf_counter() - began
    finally:
        for server in servers:
            server.stop()
    logs = "\n".join(server.log_text() for server in servers)

    assert not [r.name for r in readers if r.is_alive()], "readers still running"
    failures = [f"{r.name}: {r.failure}" for r in readers if r.failure]
    requests = [request for reader in readers for request in reader.requests]
    outcomes = [outcome for reader in readers for outcome in reader.outcomes]
    stored = stored_comments(run_id)
    report = load_report(readers, stored, clients=clients, posts=POSTS, elapsed=elapsed, logs=logs)
    print("\nload:", json.dumps(report, ensure_ascii=False, indent=1))
    if REPORT:
        Path(REPORT).write_text(json.dumps(report, ensure_ascii=False, indent=1))

    assert not failures, failures
    locked = [line for line in logs.splitlines() if "database is locked" in line]
    assert not locked, f"SQLite lock errors in the app servers' logs: {locked[:5]}"
    server_errors = [(kind, status) for kind, status, _ in requests if status >= 500]
    assert not server_errors, f"{len(server_errors)} server errors; logs:\n{logs[-4000:]}"
    broken = [(kind, status) for kind, status, _ in requests if status == 0]
    assert not broken, f"{len(broken)} requests got no answer: {broken[:5]}"
    assert all(o["form_status"] == 200 for o in outcomes), [
        o for o in outcomes if o["form_status"] != 200
    ][:5]
    assert len(outcomes) == POSTS
    assert_each_accepted_post_stored_once(outcomes, stored, article)


def stored_comments(run_id):
    """The database's view: this run's comments (pk, text, object_pk), by their unique text."""
    return list(
        Comment.objects.filter(comment__startswith=f"Belastingtest {run_id} ").values_list(
            "pk", "comment", "object_pk"
        )
    )


def load_report(readers, stored, *, clients, posts, elapsed, logs):
    """The figures bench/load.py prints (LOAD_REPORT): rates, latencies, counts."""
    failures = [f"{r.name}: {r.failure}" for r in readers if r.failure]
    requests = [request for reader in readers for request in reader.requests]
    outcomes = [outcome for reader in readers for outcome in reader.outcomes]
    accepted = [o for o in outcomes if o.get("status") == 302]
    refused = [o for o in outcomes if o.get("status") not in (302, None)]
    statuses = {}
    for kind, status, _ in requests:
        statuses[f"{kind} {status}"] = statuses.get(f"{kind} {status}", 0) + 1
    reasons = {}
    for outcome in refused:
        for reason in outcome.get("reasons") or ["(no reason shown)"]:
            reasons[reason] = reasons.get(reason, 0) + 1
    latencies = {
        kind: [seconds for k, _, seconds in requests if k == kind] for kind in ("form", "post")
    }
    return {
        "database": connection.vendor,
        "clients": clients,
        "posts": posts,
        "seconds": round(elapsed, 3),
        "requests": len(requests),
        "requests_per_second": round(len(requests) / elapsed, 1) if elapsed else None,
        "posts_per_second": round(len(outcomes) / elapsed, 1) if elapsed else None,
        "latency_ms": {
            kind: {
                "p50": round(percentile(values, 0.50) * 1000, 1),
                "p95": round(percentile(values, 0.95) * 1000, 1),
                "max": round(max(values) * 1000, 1) if values else None,
            }
            for kind, values in latencies.items()
        },
        "statuses": dict(sorted(statuses.items())),
        "accepted": len(accepted),
        "refused": len(refused),
        "refusal_reasons": reasons,
        "stored": len(stored),
        "database_is_locked_in_logs": logs.count("database is locked"),
        "thread_failures": failures,
    }


def assert_each_accepted_post_stored_once(outcomes, stored, article):
    """Every accepted post (302) points at its own stored comment on `article`; each is
    stored once and nothing else is; every refusal is a page with a Dutch message."""
    stored_texts = [text for _, text, _ in stored]
    by_pk = {pk: (text, object_pk) for pk, text, object_pk in stored}
    accepted = [o for o in outcomes if o.get("status") == 302]
    refused = [o for o in outcomes if o.get("status") not in (302, None)]
    # Every accepted post points to its own stored comment, on this article.
    for outcome in accepted:
        # A comment's permalink (/reacties/<pk>/), or the discussion's place for a held one.
        found = re.search(r"/reacties/(\d+)/$", outcome["location"] or "")
        assert found, f"redirect without the comment's permalink: {outcome['location']}"
        pk = int(found.group(1))
        assert pk in by_pk, f"{outcome['location']} points to a comment that does not exist"
        assert by_pk[pk] == (outcome["text"], str(article.pk)), (outcome, by_pk[pk])
    # Each accepted post stored exactly once, nothing else stored.
    assert len(stored_texts) == len(set(stored_texts)), "a post was stored twice"
    assert len(stored) == len(accepted)
    assert set(stored_texts) == {outcome["text"] for outcome in accepted}
    # Every refusal is a page with a Dutch message, never a bare error.
    for outcome in refused:
        assert outcome["status"] in (200, 429), outcome
        assert outcome["dutch"], outcome
