from django.core.management.base import BaseCommand

from images.models import Image
from images.renditions import make_renditions


class Command(BaseCommand):
    help = (
        "Make the renditions of images that have none (with --all: of every image, e.g. "
        "after the widths or formats changed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Make them again for every image.")

    def handle(self, *args, **options):
        images = Image.objects.all()
        if not options["all"]:
            images = images.filter(renditions__isnull=True)
        count = 0
        for image in images.iterator():
            make_renditions(image)
            count += 1
        self.stdout.write(f"Renditions made for {count} image(s).")
