from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "mail"
    label = "mail"
    verbose_name = _("E-mail")

    def ready(self):
        from django_tasks.signals import task_finished

        from mail.worker import run_again_if_the_database_failed_it

        task_finished.connect(run_again_if_the_database_failed_it, dispatch_uid="mail-outage")
