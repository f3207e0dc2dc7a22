from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self):
        from mail.registry import on_worker_start, register_kind, rename_task
        from privacy import mails
        from privacy.tasks import forget_old_data, start_daily_clean_up

        register_kind(mails.DATA_REQUEST)
        on_worker_start(start_daily_clean_up)
        # The daily task's paths before privacy was an app of its own.
        rename_task("comments.tasks.forget_old_data", forget_old_data)
        rename_task("comments.tasks.erase_old_ip_addresses", forget_old_data)
