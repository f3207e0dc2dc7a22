"""A worker process killed with SIGKILL mid-batch loses no notification."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from comments.models import OutgoingMail, Subscription
from comments.posting import post_comment
from tests.mail_sink import MailSink, text_of

ROOT = Path(__file__).resolve().parents[1]
SUBSCRIBERS = 150


def database_url():
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def start_worker(sink):
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
        "MAIL_CLAIM_SECONDS": "1",
        "MAIL_RETRY_BASE_SECONDS": "0.2",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.05",
        ],
        cwd=ROOT,
        env=environment,
    )


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_killed_worker_leaves_no_notification_lost_or_doubled(make_article):
    article = make_article(title="Veel volgers")
    now = timezone.now()
    Subscription.objects.bulk_create(
        Subscription(email=f"volger{n}@example.nl", article=article, confirmed_at=now)
        for n in range(SUBSCRIBERS)
    )
    comment = post_comment(
        article=article,
        parent=None,
        name="Schrijver",
        email="schrijver@example.nl",
        url="",
        text="Een reactie voor veel volgers.",
        followup=False,
        submission_key="crash-test",
    ).comment
    sink = MailSink(delay=0.005).start()
    notifications = OutgoingMail.objects.filter(comment=comment)
    try:
        first = start_worker(sink)
        wait_for(lambda: len(sink.messages) >= 40, 60, "the first mails")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        sent_before_restart = notifications.filter(status="sent").count()
        assert sent_before_restart < SUBSCRIBERS, "the worker finished before it was killed"

        second = start_worker(sink)
        try:
            wait_for(
                lambda: notifications.filter(status="sent").count() == SUBSCRIBERS,
                120,
                "every notification to be sent",
            )
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)
    finally:
        sink.stop()

    received = [m for m in sink.messages if f"#c{comment.pk}" in text_of(m)]
    recipients = {m["To"] for m in received}
    assert recipients == {f"volger{n}@example.nl" for n in range(SUBSCRIBERS)}
    message_ids = {m["Message-ID"] for m in received}
    assert len(message_ids) == SUBSCRIBERS
    # SMTP has no way to confirm a hand-over after a SIGKILL: at most the one mail in
    # flight at that moment is handed over again, with the same Message-ID.
    assert len(received) - SUBSCRIBERS <= 1
