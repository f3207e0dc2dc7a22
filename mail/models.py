from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mail.registry import kind_named


class OutgoingMailQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(status=OutgoingMail.Status.PENDING)

    def finished(self):
        return self.exclude(status=OutgoingMail.Status.PENDING)


class OutgoingMail(models.Model):
    """One e-mail in the durable outbox; `key` makes each mail exist only once.

    `kind` names a kind registered by an app (mail.registry); `params` holds what
    that kind needs to write the mail when it is sent (ids, never the text). A
    notification has the key "notification:<comment>:<address>", so a retry or a
    crashed worker can never create a second one for the same comment and address.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENT = "sent", _("sent")
        FAILED = "failed", _("given up")
        CANCELLED = "cancelled", _("cancelled")

    key = models.CharField(max_length=300, unique=True)
    kind = models.CharField(_("kind"), max_length=30)
    to = models.EmailField(_("to"), max_length=254)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # A worker owns a mail until this moment; after it, a crashed worker's mail is retried.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="mail_status_due_idx"),
            # A reader's data page, export and erasure look up the mail to their address.
            models.Index(fields=["to"], name="mail_to_idx"),
        ]

    def __str__(self):
        return f"{self.kind_label} → {self.to}"

    @property
    def kind_label(self):
        try:
            return kind_named(self.kind).label
        except LookupError:
            return self.kind


class WorkerHeartbeat(models.Model):
    """A running worker, as last seen: the health check and the recovery of its tasks read it.

    A worker records itself every MAIL_WORKER_HEARTBEAT_SECONDS while it runs; one not
    seen for MAIL_WORKER_TIMEOUT_SECONDS is taken for dead.
    """

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["-seen_at"]

    def __str__(self):
        return f"{self.host}:{self.pid}"
