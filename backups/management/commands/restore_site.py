import environ
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from backups.archive import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder into a fresh, empty database given by --database-url "
        "(PostgreSQL: create it first; SQLite: a new file), and its media into MEDIA_ROOT "
        "(--media). Then point DATABASE_URL at that database and start the site."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--database-url", required=True)
        parser.add_argument(
            "--media", action="store_true", help="replace MEDIA_ROOT with the backup's media"
        )

    def handle(self, *args, folder, database_url, media, **options):
        database = environ.Env.db_url_config(database_url)
        try:
            manifest = restore(folder, database, media_root=settings.MEDIA_ROOT if media else None)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored the backup of {manifest['made_at']} into {database['NAME']}.")
