"""PostgreSQL goes away while readers read and posters post, and comes back.

Two real app servers and the real worker reach the database through a TCP proxy
(tests/db_proxy.py) that the test cuts off for a while, as a restarted database server
would be. Readers must get the site's own pages throughout (the cached page, or the
site's Dutch 503), never a server error; every accepted comment is stored once; the
worker is still running afterwards and sends what was queued.
"""

import re
import signal
import threading
import urllib.error
import urllib.request
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from comments.models import Comment, Subscription
from tests.db_proxy import DatabaseProxy
from tests.load.test_concurrent_posting import AppServer, Reader
from tests.mail_sink import MailSink
from tests.processes import database_url, start_worker, wait_for

POSTERS = 4
POSTS_EACH = 12
PAGE_READERS = 3
SITE_503 = "Tijdelijk niet beschikbaar"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a database server to cut off"
)


class PageReader(threading.Thread):
    """Asks for the article page until stopped; keeps each status and what the page was."""

    def __init__(self, bases, path):
        super().__init__(daemon=True)
        self.bases, self.path = bases, path
        self.stopped = threading.Event()
        self.seen = []  # (status, the site's own page?)

    def run(self):
        n = 0
        while not self.stopped.is_set():
            n += 1
            # Every other request is one no cache holds (its own query string): that one
            # the app must make, so it meets the outage.
            url = self.bases[n % len(self.bases)] + self.path + (f"?lezer={n}" if n % 2 else "")
            try:
                with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
                    status, body = response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                status, body = error.code, error.read().decode()
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                status, body = 0, ""
            self.seen.append((status, "Ondernemen met de beste ondersteuning" in body, body))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_readers_and_posters_get_the_sites_pages_while_the_database_restarts(
    seed_article, tmp_path
):
    Subscription.objects.create(
        email="volger@example.nl", article=seed_article, confirmed_at=timezone.now()
    )
    settings_dict = connection.settings_dict
    proxy = DatabaseProxy(settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))
    proxy.start()
    through_proxy = database_url({**settings_dict, "HOST": "127.0.0.1", "PORT": proxy.port})
    servers = [
        AppServer(tmp_path / f"app-{n}.log", DATABASE_URL=through_proxy, DATABASE_CONN_MAX_AGE="0")
        for n in range(2)
    ]
    sink = MailSink().start()
    worker_log = tmp_path / "worker.log"
    with open(worker_log, "w") as log:
        worker = start_worker(sink, database=through_proxy, stderr=log)
    run_id = uuid.uuid4().hex[:8]
    try:
        for server in servers:
            wait_for(server.poll_ready, 60, "an app server")
        bases = [server.base for server in servers]
        page_readers = [
            PageReader(bases, seed_article.get_absolute_url()) for _ in range(PAGE_READERS)
        ]
        start = threading.Barrier(POSTERS)
        form_path = f"/reacties/{seed_article.pk}/reageren/"
        posters = [Reader(n, POSTS_EACH, bases, form_path, run_id, start) for n in range(POSTERS)]
        for thread in [*page_readers, *posters]:
            thread.start()
        wait_for(lambda: sum(len(p.outcomes) for p in posters) >= 8, 60, "posting under way")
        proxy.cut()
        wait_for(
            lambda: (
                sum(status == 503 for r in page_readers for status, *_ in r.seen) >= 3
                and sum(
                    o.get("status") == 503 or o.get("form_status") == 503
                    for p in posters
                    for o in p.outcomes
                )
                >= 2
            ),
            60,
            "readers and posters to meet the outage",
        )
        proxy.restore()
        for poster in posters:
            poster.join(timeout=180)
        for reader in page_readers:
            reader.stopped.set()
            reader.join(timeout=60)
        assert worker.poll() is None, "the worker exited during the outage"

        accepted = [o["text"] for p in posters for o in p.outcomes if o.get("status") == 302]
        assert accepted, "no comment got through"
        wait_for(
            lambda: (
                len([m for m in sink.to("volger@example.nl") if run_id in str(m)]) >= len(accepted)
            ),
            90,
            "a notification of every accepted comment",
        )
        assert worker.poll() is None, "the worker exited"
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        for server in servers:
            server.stop()
        sink.stop()
        proxy.stop()

    # Readers got the site's pages: the article (from the cache when the database was
    # away) or the site's Dutch 503; never a server error or a broken connection.
    statuses = {status for reader in page_readers for status, *_ in reader.seen}
    assert statuses <= {200, 503}, statuses
    assert all(own for reader in page_readers for _, own, _ in reader.seen)
    assert all(
        SITE_503 in body
        for reader in page_readers
        for status, _, body in reader.seen
        if status == 503
    )
    # Every poster got a page of the site; a refused post got its text back.
    for poster in posters:
        assert poster.failure is None, poster.failure
        for outcome in poster.outcomes:
            assert outcome.get("form_status") in (200, 503), outcome
            assert outcome.get("status") in (None, 302, 503, 200, 429), outcome
    stored = Comment.objects.filter(comment__contains=run_id)
    counts = {}
    for text in stored.values_list("comment", flat=True):
        counts[text] = counts.get(text, 0) + 1
    assert all(count == 1 for count in counts.values()), "a comment was stored twice"
    assert set(accepted) <= set(counts), "an accepted comment was lost"
    # Each comment's notification is one message: SMTP cannot confirm a hand-over cut off
    # by the outage, so the one mail in flight then may arrive twice, as the same message.
    notified = [m for m in sink.to("volger@example.nl") if run_id in str(m)]
    message_ids = {}
    for message in notified:
        comment_id = re.search(r"/reacties/(\d+)/", str(message)).group(1)
        message_ids.setdefault(comment_id, set()).add(message["Message-ID"])
    assert all(len(ids) == 1 for ids in message_ids.values())
    assert len(notified) - len(message_ids) <= 1
