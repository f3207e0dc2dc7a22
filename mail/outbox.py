"""Putting mail in the durable outbox: one row per mail, once per key, then a delivery run.

A mail is written only when it is sent (mail.delivery), from the `params` its
kind stored; queueing commits together with whatever caused the mail.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from mail.models import OutgoingMail
from mail.tasks import deliver_outbox

FAN_OUT_CHUNK = 1000


def reader_language():
    """The language of the page the reader is on, for the mails that page causes."""
    try:
        return translation.get_supported_language_variant(translation.get_language() or "")
    except LookupError:
        return settings.LANGUAGE_CODE


def queue_mail(*, key, kind, to, language, **params):
    """Put one mail in the outbox (once per key) and make sure a worker will send it.

    Returns True when the mail is new, False when one with this key was queued before.
    """
    created = fan_out([OutgoingMail(key=key, kind=kind, to=to, language=language, params=params)])
    return created == 1


def fan_out(mails):
    """Queue many mails (an iterable, read in chunks); returns how many rows were new.

    Keys already in the outbox are skipped, so running a fan-out again after a crash
    queues only what is missing, and the count says so.
    """
    created = 0
    chunk = []
    for mail in mails:
        chunk.append(mail)
        if len(chunk) >= FAN_OUT_CHUNK:
            created += _insert(chunk)
            chunk = []
    if chunk:
        created += _insert(chunk)
    schedule_delivery()
    return created


def _insert(chunk):
    keys = {mail.key for mail in chunk}
    with transaction.atomic():
        existing = set(OutgoingMail.objects.filter(key__in=keys).values_list("key", flat=True))
        OutgoingMail.objects.bulk_create(chunk, ignore_conflicts=True)
    return len(keys - existing)


def schedule_delivery():
    """Enqueue a delivery run; the task row commits together with the mail rows."""
    deliver_outbox.enqueue()


def retry_now(mails):
    """Put given-up and cancelled mails (and waiting ones) back to be sent at once."""
    count = mails.exclude(status=OutgoingMail.Status.SENT).update(
        status=OutgoingMail.Status.PENDING, next_attempt_at=timezone.now(), claimed_until=None
    )
    schedule_delivery()
    return count


def delete_finished_mail(*, older_than_days, now=None):
    """Forget sent, given-up and cancelled mail older than that; waiting mail always stays."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=older_than_days)
    return OutgoingMail.objects.finished().filter(created_at__lt=cutoff).delete()[0]
