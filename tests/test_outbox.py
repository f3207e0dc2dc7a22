"""The outbox and its worker (mail/): each mail queued once, delivered exactly once over
real SMTP, retried with back-off through an outage until it is given up, never lost or
doubled by a crashed worker, under a Message-ID of its own; and the registry through which
apps add their kinds of mail, start-up steps and renamed tasks without changing mail/."""

import datetime
import re
import signal
import time

import pytest
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from comments.models import Subscription
from comments.posting import post_comment
from comments.subscriptions import request_subscription
from mail import outbox
from mail import registry as mail_registry
from mail.delivery import claim_due_mail, retry_delay
from mail.messages import message_id_for
from mail.models import OutgoingMail
from mail.outbox import fan_out, queue_mail
from mail.registry import MailKind
from mail.tasks import deliver_outbox
from newsletter.sending import send_newsletter
from privacy.tasks import forget_old_data
from tests.mail_sink import MailSink, text_of
from tests.processes import start_worker, wait_for

pytestmark = pytest.mark.django_db

READER = "lezer@example.nl"
SUBSCRIBERS = 150  # the followers of the article whose notifications a killed worker sends


@pytest.fixture
def registry(monkeypatch):
    """mail.registry as the apps filled it; whatever a test registers is gone afterwards."""
    monkeypatch.setattr(mail_registry, "_kinds", dict(mail_registry._kinds))
    monkeypatch.setattr(
        mail_registry, "_worker_start_steps", list(mail_registry._worker_start_steps)
    )
    monkeypatch.setattr(mail_registry, "_renamed_tasks", dict(mail_registry._renamed_tasks))
    return mail_registry


def greeting(name="test_greeting", **fields):
    """A kind of mail of the tests' own, written from its params like an app's kind."""

    def build(mail):
        return EmailMessage(
            subject=f"Hallo {mail.params['name']}",
            body=f"Dag {mail.params['name']}, in {translation.get_language()}.",
            to=[mail.to],
            headers={"Message-ID": message_id_for(mail)},
        )

    return MailKind(name=name, label="test greeting", build=build, **fields)


def queue_greeting(key="greeting:1", to=READER, kind="test_greeting", **params):
    params.setdefault("name", "Petra")
    return queue_mail(key=key, kind=kind, to=to, language="en", **params)


def wake_ups():
    """When the worker will look at the outbox again: its delivery runs still to come."""
    runs = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=deliver_outbox.module_path
    )
    return set(runs.values_list("run_after", flat=True))


def run_until(run_worker, condition, what, timeout=20):
    """Run the worker until `condition()`: a retry is due only after its back-off."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        run_worker()


# --------------------------------------------------------------------------------------
# Delivery: exactly once, through an outage and a crash, given up in the end
# --------------------------------------------------------------------------------------


def test_mail_survives_an_smtp_outage_and_arrives_exactly_once(
    seed_article, subscribe, post, smtp_sink, run_worker, make_article, settings
):
    settings.MAIL_RETRY_BASE_SECONDS = 0.05
    subscribe(seed_article)
    for number in range(4):
        subscribe(seed_article, email=f"lezer{number}@example.nl")
    smtp_sink.stop()
    posted = [post(seed_article, name=f"Schrijver {n}", email=f"s{n}@example.nl") for n in range(3)]
    run_worker()
    waiting = OutgoingMail.objects.filter(params__comment__in=[comment.pk for comment in posted])
    assert waiting.count() == 15
    assert set(waiting.values_list("status", flat=True)) == {"pending"}
    assert all(mail.attempts >= 1 and mail.last_error for mail in waiting)
    smtp_sink.start()
    deadline = time.monotonic() + 20
    while waiting.filter(status="sent").count() < 15:
        assert time.monotonic() < deadline, "mail was not retried"
        run_worker()
    notifications = [m for m in smtp_sink.messages if re.search(r"/reacties/\d+/", text_of(m))]
    received = [
        (m["To"], re.search(r"/reacties/(\d+)/", text_of(m)).group(1)) for m in notifications
    ]
    assert len(received) == 15
    assert len(set(received)) == 15
    assert {comment for _, comment in received} == {str(c.pk) for c in posted}


def test_each_failed_attempt_waits_twice_as_long_up_to_an_hour(settings):
    settings.MAIL_RETRY_BASE_SECONDS = 30
    delays = [retry_delay(attempts).total_seconds() for attempts in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_failed_attempt_is_retried_after_its_back_off(registry, smtp_sink, run_worker, settings):
    registry.register_kind(greeting())
    smtp_sink.stop()
    queue_greeting()
    settings.MAIL_RETRY_BASE_SECONDS = 30
    run_worker()
    mail = OutgoingMail.objects.get()
    assert (mail.status, mail.attempts) == (OutgoingMail.Status.PENDING, 1)
    assert "Connection refused" in mail.last_error or "Errno" in mail.last_error
    wait = mail.next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=25) < wait <= datetime.timedelta(seconds=30)
    assert wake_ups() == {mail.next_attempt_at}  # the worker comes back when the retry is due
    run_worker()  # not due yet: no second attempt
    assert OutgoingMail.objects.get().attempts == 1

    OutgoingMail.objects.update(next_attempt_at=timezone.now())
    run_worker()
    mail = OutgoingMail.objects.get()
    assert mail.attempts == 2
    wait = mail.next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=55) < wait <= datetime.timedelta(seconds=60)

    smtp_sink.start()
    OutgoingMail.objects.update(next_attempt_at=timezone.now())
    run_worker()
    mail = OutgoingMail.objects.get()
    assert (mail.status, mail.attempts, mail.last_error) == (OutgoingMail.Status.SENT, 3, "")
    assert len(smtp_sink.to(READER)) == 1


def test_mail_that_cannot_be_delivered_is_given_up_after_mail_give_up_after(
    registry, smtp_sink, run_worker, settings
):
    settings.MAIL_RETRY_BASE_SECONDS = 0.05
    registry.register_kind(greeting())
    smtp_sink.stop()
    queue_greeting(key="greeting:old")
    queue_greeting(key="greeting:new")
    OutgoingMail.objects.filter(key="greeting:old").update(
        created_at=timezone.now() - datetime.timedelta(seconds=settings.MAIL_GIVE_UP_AFTER + 60)
    )
    run_worker()
    old, new = (
        OutgoingMail.objects.get(key="greeting:old"),
        OutgoingMail.objects.get(key="greeting:new"),
    )
    assert old.status == OutgoingMail.Status.FAILED
    assert old.attempts == 1 and old.last_error
    assert new.status == OutgoingMail.Status.PENDING
    smtp_sink.start()
    run_until(run_worker, lambda: OutgoingMail.objects.get(pk=new.pk).status == "sent", "a retry")
    assert OutgoingMail.objects.get(pk=old.pk).status == OutgoingMail.Status.FAILED
    assert len(smtp_sink.to(READER)) == 1


def test_a_mail_claimed_by_a_worker_waits_until_its_lease_ends(registry, smtp_sink, run_worker):
    """A worker that died mid-batch leaves its claimed mail; it goes when the lease ends."""
    registry.register_kind(greeting())
    queue_greeting()
    lease = timezone.now() + datetime.timedelta(seconds=60)
    OutgoingMail.objects.update(claimed_until=lease)
    run_worker()
    assert smtp_sink.messages == []
    assert OutgoingMail.objects.get().status == OutgoingMail.Status.PENDING
    assert wake_ups() == {lease}
    OutgoingMail.objects.update(claimed_until=timezone.now() - datetime.timedelta(seconds=1))
    run_worker()
    assert OutgoingMail.objects.get().status == OutgoingMail.Status.SENT
    assert len(smtp_sink.to(READER)) == 1


def test_a_claimed_mail_is_not_claimed_again_during_its_lease(settings):
    settings.MAIL_CLAIM_SECONDS = 60
    for n in range(3):
        OutgoingMail.objects.create(key=f"k{n}", kind="test_greeting", to=READER)
    now = timezone.now()
    first = claim_due_mail(2, due_by=now)
    second = claim_due_mail(2, due_by=now)
    assert len(first) == 2 and len(second) == 1
    assert {mail.pk for mail in first}.isdisjoint(mail.pk for mail in second)
    assert claim_due_mail(10, due_by=now) == []
    assert all(mail.claimed_until > now for mail in first + second)


def test_a_mail_handed_over_again_keeps_its_message_id(registry, smtp_sink, run_worker):
    """After a crash between the SMTP hand-over and its record, mail programs see one mail."""
    registry.register_kind(greeting())
    queue_greeting(key="greeting:1")
    queue_greeting(key="greeting:2", to="ander@example.nl")
    run_worker()
    OutgoingMail.objects.filter(key="greeting:1").update(
        status=OutgoingMail.Status.PENDING, next_attempt_at=timezone.now()
    )
    run_worker()
    first, again = smtp_sink.to(READER)
    [other] = smtp_sink.to("ander@example.nl")
    assert first["Message-ID"] == again["Message-ID"]
    assert first["Message-ID"] != other["Message-ID"]
    assert re.fullmatch(r"<[0-9a-f]{32}@[^>]+>", first["Message-ID"])


def test_a_mail_that_cannot_be_written_does_not_hold_up_the_others(registry, smtp_sink, run_worker):
    """One kind's bug (a template error, a deleted row) is that mail's failed attempt."""

    def broken(mail):
        raise RuntimeError("the template is broken")

    registry.register_kind(MailKind(name="test_broken", label="broken", build=broken))
    registry.register_kind(greeting())
    queue_mail(key="broken:1", kind="test_broken", to="kapot@example.nl", language="nl")
    queue_greeting()
    run_worker()
    assert len(smtp_sink.to(READER)) == 1
    broken_mail = OutgoingMail.objects.get(key="broken:1")
    assert broken_mail.status == OutgoingMail.Status.PENDING
    assert broken_mail.attempts == 1
    assert "the template is broken" in broken_mail.last_error


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

    received = [m for m in sink.messages if f"/reacties/{comment.pk}/" in text_of(m)]
    recipients = {m["To"] for m in received}
    assert recipients == {f"volger{n}@example.nl" for n in range(SUBSCRIBERS)}
    message_ids = {m["Message-ID"] for m in received}
    assert len(message_ids) == SUBSCRIBERS
    # SMTP has no way to confirm a hand-over after a SIGKILL: at most the one mail in
    # flight at that moment is handed over again, with the same Message-ID.
    assert len(received) - SUBSCRIBERS <= 1


# --------------------------------------------------------------------------------------
# The admin
# --------------------------------------------------------------------------------------


def test_subscriptions_and_the_outbox_are_visible_in_the_admin(admin_client_nl, seed_article):
    request_subscription(email="lezer@example.nl", article=seed_article)
    subscriptions = admin_client_nl.get(reverse("admin:comments_subscription_changelist"))
    assert "lezer@example.nl" in subscriptions.content.decode()
    outbox = admin_client_nl.get(reverse("admin:mail_outgoingmail_changelist"))
    assert "lezer@example.nl" in outbox.content.decode()
    mail = OutgoingMail.objects.get()
    OutgoingMail.objects.filter(pk=mail.pk).update(status="failed", last_error="SMTP weg")
    failed = admin_client_nl.get(
        reverse("admin:mail_outgoingmail_changelist"), {"status": "failed"}
    )
    assert "SMTP weg" in failed.content.decode()
    admin_client_nl.post(
        reverse("admin:mail_outgoingmail_changelist"),
        {"action": "retry_now", "_selected_action": [mail.pk]},
    )
    assert OutgoingMail.objects.get().status == "pending"
    assert Subscription.objects.get().email == "lezer@example.nl"


# --------------------------------------------------------------------------------------
# The registry: what apps add without changing mail/
# --------------------------------------------------------------------------------------


def test_a_kind_an_app_registers_is_queued_written_and_delivered(registry, smtp_sink, run_worker):
    registry.register_kind(greeting())
    assert queue_greeting(name="Petra") is True
    run_worker()
    [message] = smtp_sink.to(READER)
    assert message["Subject"] == "Hallo Petra"
    assert "Dag Petra, in en." in text_of(message)  # written in the mail's language
    mail = OutgoingMail.objects.get()
    assert mail.status == OutgoingMail.Status.SENT and mail.sent_at
    assert mail.kind_label == "test greeting"


def test_a_kind_s_reason_not_to_send_cancels_the_mail(registry, smtp_sink, run_worker):
    registry.register_kind(
        greeting(reason_not_to_send=lambda mail: f"{mail.params['name']} left the list.")
    )
    queue_greeting(name="Petra")
    run_worker()
    assert smtp_sink.messages == []
    mail = OutgoingMail.objects.get()
    assert mail.status == OutgoingMail.Status.CANCELLED
    assert mail.last_error == "Petra left the list."


def test_a_mail_of_a_kind_no_app_registered_waits_until_one_does(
    registry, smtp_sink, run_worker, settings
):
    settings.MAIL_RETRY_BASE_SECONDS = 0.05
    queue_greeting(kind="test_not_yet")
    run_worker()
    mail = OutgoingMail.objects.get()
    assert mail.status == OutgoingMail.Status.PENDING
    assert mail.attempts >= 1
    assert "LookupError" in mail.last_error and "test_not_yet" in mail.last_error
    assert mail.kind_label == "test_not_yet"
    assert smtp_sink.messages == []

    registry.register_kind(greeting(name="test_not_yet"))
    run_until(run_worker, lambda: OutgoingMail.objects.get().status == "sent", "the retry")
    assert len(smtp_sink.to(READER)) == 1


def test_queueing_a_key_twice_queues_one_mail():
    assert queue_greeting(key="greeting:1") is True
    assert queue_greeting(key="greeting:1", name="Iemand anders") is False
    assert OutgoingMail.objects.get().params == {"name": "Petra"}


def test_fan_out_counts_only_the_rows_it_created(monkeypatch):
    monkeypatch.setattr(outbox, "FAN_OUT_CHUNK", 2)

    def mails(count):
        return (
            OutgoingMail(key=f"fan:{n}", kind="test_greeting", to=f"lezer{n}@example.nl")
            for n in range(count)
        )

    assert fan_out(mails(5)) == 5
    assert fan_out(mails(5)) == 0  # run again after a crash: nothing is missing
    assert fan_out(mails(7)) == 2
    assert fan_out([]) == 0
    assert OutgoingMail.objects.count() == 7


def test_a_start_up_step_an_app_registers_runs_when_the_worker_starts(registry, run_worker):
    calls = []

    @registry.on_worker_start
    def step():
        calls.append("started")

    registry.on_worker_start(step)  # registering twice runs it once
    run_worker()
    assert calls == ["started"]
    run_worker()
    assert calls == ["started", "started"]


def test_tasks_queued_under_their_old_paths_still_run(make_article, smtp_sink, run_worker):
    """Rows an earlier version queued as comments.newsletter.* and comments.tasks.*."""
    Subscription.objects.create(email=READER, article=None, confirmed_at=timezone.now())
    article = make_article(title="Verstuurd onder de oude naam")
    newsletter = send_newsletter.enqueue(article.pk)
    clean_up = forget_old_data.using(
        run_after=timezone.now() - datetime.timedelta(hours=1)
    ).enqueue()
    for result, old_path in [
        (newsletter, "comments.newsletter.send_newsletter"),
        (clean_up, "comments.tasks.forget_old_data"),
    ]:
        DBTaskResult.objects.filter(id=result.id).update(task_path=old_path)
    run_worker()
    [message] = smtp_sink.to(READER)
    assert message["Subject"] == "Verstuurd onder de oude naam"
    for result in (newsletter, clean_up):
        assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.SUCCESSFUL
    assert not DBTaskResult.objects.filter(task_path__startswith="comments.newsletter.").exists()
    assert not DBTaskResult.objects.filter(task_path="comments.tasks.forget_old_data").exists()


def test_a_slow_batch_gives_back_what_its_lease_no_longer_covers(smtp_sink, run_worker, settings):
    """Mail not sent within half the lease goes back to the queue, so no second worker can
    take it while this one still holds it; each is sent once all the same."""
    settings.MAIL_CLAIM_SECONDS = 0.001
    for n in range(3):
        queue_mail(key=f"traag-{n}", kind="data_export", to=f"lezer{n}@example.nl", language="nl")
    run_worker()
    assert sorted(m["To"] for m in smtp_sink.messages) == [f"lezer{n}@example.nl" for n in range(3)]
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {"sent"}
