from django.core.management.base import BaseCommand

from search.indexing import rebuild_index


class Command(BaseCommand):
    help = (
        "Store the words of every article in the search index again (after changes made "
        "without saving each article, such as an import)."
    )

    def handle(self, *args, **options):
        count = rebuild_index()
        self.stdout.write(f"Indexed {count} articles.")
