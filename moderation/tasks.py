"""The moderation app's background work: the spam filter retrains as decisions come in,
and the moderators' hourly digests go out."""

import datetime

from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from moderation import alerts, spam_scoring
from moderation.models import Decision, SpamFilterState

# A burst of decisions (a moderator clearing the queue) retrains once, not per click.
RETRAIN_AT_MOST_EVERY = datetime.timedelta(seconds=30)


@task()
def retrain_spam_filter():
    state = spam_scoring.retrain()
    return {
        "trained": state.is_trained,
        "ham_examples": state.ham_examples,
        "spam_examples": state.spam_examples,
    }


def retraining_waits():
    """A retraining is queued and has not started: it will read every decision made so far."""
    return DBTaskResult.objects.filter(
        task_path=retrain_spam_filter.module_path, status=TaskResultStatus.READY
    ).exists()


def last_trained_at():
    return (
        SpamFilterState.objects.filter(pk=SpamFilterState.SINGLETON)
        .values_list("trained_at", flat=True)
        .first()
    )


def queue_retraining(now=None):
    """Retrain after a decision: at once after a quiet spell, else RETRAIN_AT_MOST_EVERY
    after the last retraining; never twice for decisions one waiting retraining covers."""
    if retraining_waits():
        return
    now = now or timezone.now()
    last = last_trained_at()
    if last is not None and last + RETRAIN_AT_MOST_EVERY > now:
        retrain_spam_filter.using(run_after=last + RETRAIN_AT_MOST_EVERY).enqueue()
    else:
        retrain_spam_filter.enqueue()


def queue_retraining_if_behind():
    """On a worker's start: retrain when decisions were made since the last retraining,
    as on the first start after the spam filter was deployed."""
    last = last_trained_at()
    decisions = (
        Decision.objects.all() if last is None else Decision.objects.filter(created_at__gt=last)
    )
    if decisions.exists():
        queue_retraining()


@task()
def send_moderation_digests():
    """The moderators' hourly digests, then again in an hour: one chain, however often a
    worker starts (a waiting link of the chain is replaced)."""
    queued = alerts.queue_digests()
    DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=send_moderation_digests.module_path
    ).delete()
    send_moderation_digests.using(run_after=timezone.now() + alerts.DIGEST_EVERY).enqueue()
    return queued


def start_hourly_digests():
    """Start the chain an hour from now, unless a link of it waits already (a restart
    neither sends a digest early nor puts the next one off)."""
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=send_moderation_digests.module_path
    ).exists()
    if not waiting:
        send_moderation_digests.using(run_after=timezone.now() + alerts.DIGEST_EVERY).enqueue()
