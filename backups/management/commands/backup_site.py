from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from backups.archive import BackupError, back_up, forget_old_backups


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database (pg_dump, or SQLite's online backup) and "
        "the uploaded media into a new folder inside --to; safe while the site runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", default=str(settings.BACKUP_DIR), help="parent folder")
        parser.add_argument(
            "--keep-days",
            type=int,
            default=settings.BACKUP_KEEP_DAYS,
            help="then delete the backups there older than this (BACKUP_KEEP_DAYS)",
        )

    def handle(self, *args, to, keep_days, **options):
        try:
            folder = back_up(to)
        except BackupError as error:
            raise CommandError(str(error)) from error
        forget_old_backups(to, keep_days=keep_days)
        self.stdout.write(str(folder))
