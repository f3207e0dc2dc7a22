"""Sending the outbox: claim due mail for a lease, write it, hand it to SMTP, record the outcome.

A worker claims due rows for a short lease, sends them over one SMTP connection
and marks each row sent the moment the server accepted it. A failed attempt is
retried with exponential back-off until MAIL_GIVE_UP_AFTER has passed; a
worker killed mid-batch leaves its claimed rows to be retried when the lease
ends. Message-IDs are derived from the row's unique key, so the one message that
may be in flight at the moment of a crash reaches mail programs as the same
message if it is handed over again.
"""

import contextlib
import datetime
import logging
import time
from itertools import groupby

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone, translation

from mail.models import OutgoingMail
from mail.registry import kind_named

logger = logging.getLogger(__name__)


def retry_delay(attempts):
    base = settings.MAIL_RETRY_BASE_SECONDS
    return datetime.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def claim_due_mail(limit, due_by):
    """Take up to `limit` mails due by `due_by` for this worker, for the length of one lease."""
    now = timezone.now()
    with transaction.atomic():
        due = (
            OutgoingMail.objects.waiting()
            .filter(next_attempt_at__lte=due_by)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("next_attempt_at", "pk")
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        lease = now + datetime.timedelta(seconds=settings.MAIL_CLAIM_SECONDS)
        OutgoingMail.objects.filter(pk__in=ids).update(claimed_until=lease)
    return list(OutgoingMail.objects.filter(pk__in=ids).order_by("pk"))


def _load_batch(mails):
    """Let each kind fetch what its mails need at once; {mail id: error} where it failed."""
    failed = {}
    by_kind = sorted(mails, key=lambda mail: mail.kind)
    for name, group in groupby(by_kind, key=lambda mail: mail.kind):
        group = list(group)
        try:
            kind = kind_named(name)
        except LookupError:
            continue  # each of them waits, when it is written
        if kind.load is None:
            continue
        try:
            kind.load(group)
        except Exception as error:
            logger.exception("Mails of kind %s could not be loaded", name)
            failed.update({mail.pk: error for mail in group})
    return failed


def _mark_sent(mail):
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Don't wait for the disk on every mail: only a crash of the database
            # server itself (not of the worker) could make a few mails go out twice.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        OutgoingMail.objects.filter(pk=mail.pk).update(
            status=OutgoingMail.Status.SENT,
            sent_at=timezone.now(),
            attempts=F("attempts") + 1,
            claimed_until=None,
            last_error="",
        )


def _mark_failed_attempt(mail, error):
    now = timezone.now()
    attempts = mail.attempts + 1
    gave_up = now - mail.created_at > datetime.timedelta(seconds=settings.MAIL_GIVE_UP_AFTER)
    OutgoingMail.objects.filter(pk=mail.pk).update(
        status=OutgoingMail.Status.FAILED if gave_up else OutgoingMail.Status.PENDING,
        attempts=attempts,
        next_attempt_at=now + retry_delay(attempts),
        claimed_until=None,
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )


def _cancel(mail, reason):
    OutgoingMail.objects.filter(pk=mail.pk).update(
        status=OutgoingMail.Status.CANCELLED, claimed_until=None, last_error=reason
    )


def _open(smtp):
    """Open the SMTP connection; None when it worked, else the error."""
    try:
        smtp.open()
    except Exception as error:
        return error
    return None


def message_for(mail):
    """(message, reason not to send) for one mail on its own, loading what it needs."""
    kind = kind_named(mail.kind)
    if kind.load is not None:
        kind.load([mail])
    return _write(kind, mail)


def _write(kind, mail):
    """(message, reason not to send): the mail written in its language, or why it is not."""
    with translation.override(mail.language or settings.LANGUAGE_CODE):
        reason = kind.reason_not_to_send(mail)
        if reason:
            return None, reason
        return kind.build(mail), ""


def send_due_mail(batch_size=100):
    """Send everything that is due, a batch per SMTP connection; returns how many were sent."""
    sent = 0
    started = timezone.now()  # a mail that fails now waits for a later run
    while mails := claim_due_mail(batch_size, due_by=started):
        claimed_at = time.monotonic()
        not_loaded = _load_batch(mails)
        smtp = get_connection()
        unreachable = _open(smtp)
        for index, mail in enumerate(mails):
            if index and time.monotonic() - claimed_at > settings.MAIL_CLAIM_SECONDS / 2:
                # A slow server: give back the rest while the lease holds, so that no other
                # worker can take (and send) them as well; the next claim takes them again.
                OutgoingMail.objects.filter(pk__in=[m.pk for m in mails[index:]]).update(
                    claimed_until=None
                )
                break
            if unreachable:
                # The server cannot be reached: the rest of the batch waits too.
                for waiting in mails[index:]:
                    _mark_failed_attempt(waiting, unreachable)
                break
            try:
                if mail.pk in not_loaded:
                    raise not_loaded[mail.pk]
                message, reason = _write(kind_named(mail.kind), mail)
            except Exception as error:
                # An unknown kind (an app not installed here yet) or a mail that cannot be
                # written waits for a retry; it never holds up the rest of the outbox.
                logger.exception("Mail %s could not be written", mail.pk)
                _mark_failed_attempt(mail, error)
                continue
            if reason:
                _cancel(mail, reason)
                continue
            try:
                smtp.send_messages([message])
            except Exception as error:
                logger.warning("Mail %s not delivered: %s", mail.pk, error)
                _mark_failed_attempt(mail, error)
                with contextlib.suppress(Exception):  # start the next mail afresh
                    smtp.close()
                unreachable = _open(smtp)
            else:
                _mark_sent(mail)
                sent += 1
        with contextlib.suppress(Exception):  # a broken connection is closed already
            smtp.close()
        if unreachable:
            break
    return sent


def next_attempt_due():
    """When a worker should look again: the first retry or lease end among waiting mail."""
    waiting = OutgoingMail.objects.waiting().aggregate(
        next_attempt=Min("next_attempt_at"), lease_end=Min("claimed_until")
    )
    moments = [moment for moment in waiting.values() if moment is not None]
    if not moments:
        return None
    return max(max(moments), timezone.now())
