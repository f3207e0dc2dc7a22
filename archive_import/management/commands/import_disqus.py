from django.core.management.base import BaseCommand, CommandError

from archive_import.disqus import DisqusImport, read_url_map
from archive_import.report import ImportReport
from archive_import.running import run_import
from archive_import.xml_stream import ArchiveError


class Command(BaseCommand):
    help = (
        "Bring in a Disqus export (XML): its comments, threaded, on the articles they were "
        "left on (matched by slug, former slug or --url-map). Safe to run again: what was "
        "imported before is skipped. Sends no mail."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The Disqus export (Admin > Moderation > Export).")
        parser.add_argument(
            "--url-map",
            help="A CSV file of two columns: a page's old URL (or path), its article's new "
            "URL (or path, or slug).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )

    def handle(self, *, path, url_map, dry_run, **options):
        report = ImportReport(dry_run=dry_run)
        try:
            work = DisqusImport(
                path,
                report=report,
                url_map=read_url_map(url_map) if url_map else None,
                progress=self.stderr.write,
            )
            run_import(work.run, dry_run=dry_run)
        except ArchiveError as error:
            raise CommandError(f"{path}: {error}") from None
        for line in report.lines():
            self.stdout.write(line)
