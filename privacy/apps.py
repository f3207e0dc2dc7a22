from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self):
        from mail.registry import on_worker_start, register_kind, rename_task
        from privacy import mails
        from privacy.tasks import LEGACY_PATHS, forget_old_data, start_daily_clean_up

        register_kind(mails.DATA_REQUEST)
        on_worker_start(start_daily_clean_up)
        for old_path in LEGACY_PATHS:
            rename_task(old_path, forget_old_data)
