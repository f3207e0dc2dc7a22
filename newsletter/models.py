from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NewsletterSend(models.Model):
    """An editor's request to send an article to the newsletter, until the worker has queued it.

    The worker queues the mails (one outbox row per address, never twice) and then sets
    `queued_at`; a worker that dies before that finds the request again when it starts.
    """

    article = models.OneToOneField(
        "articles.Article",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="newsletter_send",
    )
    requested_at = models.DateTimeField(_("requested"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("newsletter send")
        verbose_name_plural = _("newsletter sends")

    def __str__(self):
        return str(self.article)
