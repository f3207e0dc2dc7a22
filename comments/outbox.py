"""The durable outbox: every mail the site sends is a row first, then a delivery.

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
import hashlib
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone, translation

from comments.models import OutgoingMail

logger = logging.getLogger(__name__)


def reader_language():
    """The language of the page the reader is on, for the mails that page causes."""
    try:
        return translation.get_supported_language_variant(translation.get_language() or "")
    except LookupError:
        return settings.LANGUAGE_CODE


def queue_mail(*, key, kind, to, language, comment=None, subscription=None):
    """Put one mail in the outbox (once per key) and make sure a worker will send it."""
    OutgoingMail.objects.bulk_create(
        [
            OutgoingMail(
                key=key,
                kind=kind,
                to=to,
                language=language,
                comment=comment,
                subscription=subscription,
            )
        ],
        ignore_conflicts=True,
    )
    schedule_delivery()


def schedule_delivery(run_after=None):
    """Enqueue a delivery run; the task row commits together with the mail rows."""
    from comments.tasks import deliver_outbox

    task = deliver_outbox.using(run_after=run_after) if run_after else deliver_outbox
    task.enqueue()


def message_id_for(mail):
    digest = hashlib.sha256(mail.key.encode()).hexdigest()[:32]
    return f"<{digest}@{urlsplit(settings.SITE_URL).hostname}>"


def retry_delay(attempts):
    base = settings.MAIL_RETRY_BASE_SECONDS
    return datetime.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def claim_due_mail(limit, due_by):
    """Take up to `limit` mails due by `due_by` for this worker, for the length of one lease."""
    now = timezone.now()
    with transaction.atomic():
        due = (
            OutgoingMail.objects.filter(
                status=OutgoingMail.Status.PENDING, next_attempt_at__lte=due_by
            )
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("next_attempt_at", "pk")
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        lease = now + datetime.timedelta(seconds=settings.MAIL_CLAIM_SECONDS)
        OutgoingMail.objects.filter(pk__in=ids).update(claimed_until=lease)
    return list(
        OutgoingMail.objects.filter(pk__in=ids)
        .select_related("comment", "subscription__article")
        .order_by("pk")
    )


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


def send_due_mail(batch_size=100):
    """Send everything that is due, a batch per SMTP connection; returns how many were sent."""
    from comments.mail import build_message, reason_not_to_send

    sent = 0
    started = timezone.now()  # a mail that fails now waits for a later run
    while mails := claim_due_mail(batch_size, due_by=started):
        smtp = get_connection()
        unreachable = _open(smtp)
        for index, mail in enumerate(mails):
            if unreachable:
                # The server cannot be reached: the rest of the batch waits too.
                for waiting in mails[index:]:
                    _mark_failed_attempt(waiting, unreachable)
                break
            reason = reason_not_to_send(mail)
            if reason:
                _cancel(mail, reason)
                continue
            try:
                smtp.send_messages([build_message(mail)])
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
    schedule_next_attempt()
    return sent


def schedule_next_attempt():
    """Wake a worker when the next waiting mail is due (a retry, or a dead worker's lease)."""
    pending = OutgoingMail.objects.filter(status=OutgoingMail.Status.PENDING).aggregate(
        next_attempt=Min("next_attempt_at"), lease_end=Min("claimed_until")
    )
    moments = [moment for moment in pending.values() if moment is not None]
    if moments:
        schedule_delivery(run_after=max(max(moments), timezone.now()))
