from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def ready(self):
        from comments.screening import register_check
        from mail.registry import on_worker_start, register_kind
        from moderation import alerts, mails, rules, spam_scoring
        from moderation.tasks import queue_retraining_if_behind, start_hourly_digests

        # The rules first (a refusal ends the screening), then the spam checks.
        for check in [*rules.CHECKS, spam_scoring.hold_known_spam, spam_scoring.hold_likely_spam]:
            register_check(check)
        for kind in mails.KINDS:
            register_kind(kind)
        alerts.connect()
        on_worker_start(queue_retraining_if_behind)
        on_worker_start(start_hourly_digests)
