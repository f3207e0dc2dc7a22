"""The daily clean-up as the worker's task: one chain, however often a worker starts."""

import datetime

from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from privacy import retention

# The task's paths in earlier versions: a worker that starts moves rows queued under them
# to the task (privacy/apps.py), and the chain replaces any it finds. Kept for one release.
LEGACY_PATHS = ["comments.tasks.forget_old_data", "comments.tasks.erase_old_ip_addresses"]


@task()
def forget_old_data():
    """Forget what is past its retention, then come back tomorrow."""
    forgotten = retention.forget_old_data()
    DBTaskResult.objects.filter(
        status=TaskResultStatus.READY,
        task_path__in=[forget_old_data.module_path, *LEGACY_PATHS],
    ).delete()
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    forget_old_data.using(run_after=tomorrow).enqueue()
    return forgotten


def start_daily_clean_up():
    """Forget old data now (the chain then re-enqueues itself daily)."""
    forget_old_data.enqueue()
