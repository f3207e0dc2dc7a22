"""Other packages' apps under Dutch names in the admin (theirs are English and fixed)."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class AdminLoginsConfig(AxesAppConfig):
    verbose_name = _("Admin log-ins")


class BackgroundTasksConfig(TasksAppConfig):
    verbose_name = _("Background tasks")
