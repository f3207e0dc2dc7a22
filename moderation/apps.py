from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def ready(self):
        from comments.screening import register_check
        from moderation import rules

        for check in rules.CHECKS:
            register_check(check)
