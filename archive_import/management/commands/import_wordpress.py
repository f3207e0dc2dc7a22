from django.core.management.base import BaseCommand, CommandError

from archive_import.report import ImportReport
from archive_import.running import run_import
from archive_import.wordpress import WordPressImport
from archive_import.xml_stream import ArchiveError


class Command(BaseCommand):
    help = (
        "Bring in a WordPress export (WXR): posts as articles with their authors, categories, "
        "tags, featured images and threaded comments. Safe to run again: what was imported "
        "before is skipped. Sends no mail."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The WXR file (Tools > Export in WordPress).")
        parser.add_argument(
            "--media-dir",
            help="A copy of wp-content/uploads (or the site's root): featured images are "
            "taken from here, by the path of their URL.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )

    def handle(self, *, path, media_dir, dry_run, **options):
        report = ImportReport(dry_run=dry_run)
        try:
            work = WordPressImport(
                path, report=report, media_dir=media_dir, progress=self.stderr.write
            )
            run_import(work.run, dry_run=dry_run)
        except ArchiveError as error:
            raise CommandError(f"{path}: {error}") from None
        for line in report.lines():
            self.stdout.write(line)
