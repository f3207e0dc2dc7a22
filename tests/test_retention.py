"""Retention: the daily task forgets what the privacy page says is kept only for a while."""

import datetime

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from comments.models import Subscription
from comments.subscriptions import request_subscription
from mail.models import OutgoingMail
from mail.tasks import deliver_outbox
from privacy.tasks import LEGACY_PATHS, forget_old_data

pytestmark = pytest.mark.django_db

READER = "petra@example.nl"


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def subscription(email, article=None, *, confirmed=True, scope="all", changed_days_ago=0):
    sub = Subscription.objects.create(
        email=email,
        article=article,
        scope=scope,
        confirmed_at=days_ago(changed_days_ago + 100) if confirmed else None,
    )
    # created/updated are set by the database fields; move them into the past.
    Subscription.objects.filter(pk=sub.pk).update(
        created_at=days_ago(changed_days_ago + 100), updated_at=days_ago(changed_days_ago)
    )
    return sub


def mail(key, status, *, created_days_ago):
    row = OutgoingMail.objects.create(key=key, kind="notification", to=READER, status=status)
    OutgoingMail.objects.filter(pk=row.pk).update(created_at=days_ago(created_days_ago))
    return row


def daily_runs():
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=forget_old_data.module_path
    )


def test_unconfirmed_and_unsubscribed_subscriptions_go_after_the_retention(
    seed_article, make_article, settings
):
    settings.SUBSCRIPTION_RETENTION_DAYS = 30
    other = make_article()
    gone = [
        subscription("oud@example.nl", article=seed_article, confirmed=False, changed_days_ago=31),
        subscription("oud@example.nl", confirmed=False, changed_days_ago=31),  # the newsletter
        subscription(READER, article=seed_article, scope="none", changed_days_ago=31),
        subscription(READER, scope="none", changed_days_ago=31),
    ]
    kept = [
        subscription("nieuw@example.nl", seed_article, confirmed=False, changed_days_ago=29),
        subscription(READER, article=other, scope="none", changed_days_ago=29),
        # Following for years is no reason to stop: only a stop starts the clock.
        subscription("trouw@example.nl", article=seed_article, changed_days_ago=400),
        subscription("trouw@example.nl", article=other, scope="replies", changed_days_ago=400),
        subscription("trouw@example.nl", changed_days_ago=400),
    ]
    result = forget_old_data.call()
    assert result["subscriptions"] == len(gone)
    assert not Subscription.objects.filter(pk__in=[s.pk for s in gone]).exists()
    assert Subscription.objects.filter(pk__in=[s.pk for s in kept]).count() == len(kept)


def test_asking_again_for_a_confirmation_restarts_the_clock(seed_article, settings):
    """A sign-up made long ago but asked for again today keeps its fresh confirmation link."""
    settings.SUBSCRIPTION_RETENTION_DAYS = 30
    sub = subscription(READER, article=seed_article, confirmed=False, changed_days_ago=40)
    Subscription.objects.filter(pk=sub.pk).update(confirmation_sent_at=days_ago(40))
    request_subscription(email=READER, article=seed_article)  # as the follow form does
    forget_old_data.call()
    assert Subscription.objects.filter(pk=sub.pk).exists()
    assert OutgoingMail.objects.filter(params__subscription=sub.pk, kind="confirmation").exists()


def test_a_sign_up_with_mail_still_waiting_is_kept(seed_article, settings):
    settings.SUBSCRIPTION_RETENTION_DAYS = 30
    sub = subscription(READER, article=seed_article, confirmed=False, changed_days_ago=40)
    OutgoingMail.objects.create(
        key="waiting", kind="confirmation", to=READER, params={"subscription": sub.pk}
    )
    forget_old_data.call()
    assert Subscription.objects.filter(pk=sub.pk).exists()
    assert OutgoingMail.objects.filter(key="waiting").exists()


def test_a_short_retention_never_deletes_a_sign_up_whose_link_still_works(seed_article, settings):
    settings.SUBSCRIPTION_RETENTION_DAYS = 1
    sub = subscription(READER, article=seed_article, confirmed=False, changed_days_ago=3)
    forget_old_data.call()
    assert Subscription.objects.filter(pk=sub.pk).exists()  # the link is valid for 7 days


def test_asking_again_just_after_the_clean_up_starts_afresh(seed_article):
    """The clean-up deleted the row between the reader's lookup and lock: no error."""
    sub = subscription(READER, article=seed_article, confirmed=False, changed_days_ago=40)
    real_filter = Subscription.objects.select_for_update

    def deleted_meanwhile():
        Subscription.objects.filter(pk=sub.pk).delete()
        return real_filter()

    from unittest import mock

    with mock.patch.object(Subscription.objects, "select_for_update", deleted_meanwhile):
        renewed = request_subscription(email=READER, article=seed_article)
    assert renewed.pk != sub.pk
    assert Subscription.objects.get(email=READER, article=seed_article).pk == renewed.pk


def test_old_admin_log_in_records_go(settings):
    from axes.models import AccessAttempt, AccessLog

    AccessLog.objects.create(username="redacteur", ip_address="203.0.113.9", user_agent="x")
    old = AccessAttempt.objects.create(
        username="redacteur", ip_address="203.0.113.9", user_agent="x", failures_since_start=1
    )
    AccessAttempt.objects.filter(pk=old.pk).update(attempt_time=days_ago(1))
    recent = AccessAttempt.objects.create(
        username="ander", ip_address="203.0.113.10", user_agent="x", failures_since_start=1
    )
    forget_old_data.call()
    assert not AccessLog.objects.exists()
    assert list(AccessAttempt.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_mail_history_goes_after_its_days_but_waiting_mail_never(settings):
    settings.MAIL_HISTORY_DAYS = 10
    gone = [
        mail("sent", OutgoingMail.Status.SENT, created_days_ago=11),
        mail("failed", OutgoingMail.Status.FAILED, created_days_ago=11),
        mail("cancelled", OutgoingMail.Status.CANCELLED, created_days_ago=11),
    ]
    kept = [
        mail("pending", OutgoingMail.Status.PENDING, created_days_ago=400),
        mail("recent", OutgoingMail.Status.SENT, created_days_ago=9),
    ]
    assert forget_old_data.call()["mails"] == len(gone)
    assert set(OutgoingMail.objects.values_list("key", flat=True)) == {m.key for m in kept}


def test_finished_task_results_go_with_the_mail_history(settings):
    settings.MAIL_HISTORY_DAYS = 10
    results = {}
    for name, status, finished_days_ago in [
        ("old success", TaskResultStatus.SUCCESSFUL, 11),
        ("old failure", TaskResultStatus.FAILED, 11),
        ("recent", TaskResultStatus.SUCCESSFUL, 9),
        ("waiting", TaskResultStatus.READY, None),
    ]:
        result = deliver_outbox.enqueue()
        DBTaskResult.objects.filter(id=result.id).update(
            status=status,
            finished_at=days_ago(finished_days_ago) if finished_days_ago else None,
        )
        results[name] = result.id
    forget_old_data.call()
    left = {str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)}
    left.discard(str(daily_runs().get().id))
    assert left == {results["recent"], results["waiting"]}


def test_the_worker_starts_the_daily_retention_and_keeps_one_chain(seed_article, run_worker):
    old = subscription(READER, article=seed_article, confirmed=False, changed_days_ago=31)
    mail("sent", OutgoingMail.Status.SENT, created_days_ago=31)
    run_worker()
    assert not Subscription.objects.filter(pk=old.pk).exists()
    assert not OutgoingMail.objects.exists()
    run_worker()
    [next_run] = daily_runs()
    assert next_run.run_after > timezone.now() + datetime.timedelta(hours=23)


def test_a_chain_from_before_the_rename_is_replaced(run_worker):
    """The worker's old daily task (erasing IP addresses only) still runs, once, as the new one."""
    legacy = forget_old_data.using(run_after=days_ago(1)).enqueue()
    DBTaskResult.objects.filter(id=legacy.id).update(task_path=LEGACY_PATHS[1])
    run_worker()
    left = DBTaskResult.objects.filter(task_path=LEGACY_PATHS[1])
    assert not left.exclude(status=TaskResultStatus.SUCCESSFUL).exists()
    assert daily_runs().count() == 1
