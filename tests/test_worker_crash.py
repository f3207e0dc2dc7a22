"""A worker process killed with SIGKILL mid-batch loses no notification."""

import signal

import pytest
from django.utils import timezone

from comments.models import Subscription
from comments.posting import post_comment
from mail.models import OutgoingMail
from tests.mail_sink import MailSink, text_of
from tests.processes import start_worker, wait_for

SUBSCRIBERS = 150


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
    notifications = OutgoingMail.objects.filter(params__comment=comment.pk)
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
