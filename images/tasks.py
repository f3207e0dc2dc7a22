"""The images' background work, run by `manage.py run_worker`."""

from django.db import transaction
from django_tasks import task

from images.models import Image
from images.renditions import make_renditions


@task()
def make_image_renditions(image_id):
    image = Image.objects.filter(pk=image_id).first()
    if image is None:  # deleted before the worker came to it
        return 0
    return len(make_renditions(image))


def queue_renditions(image):
    """Have the worker make the image's renditions once the upload is committed."""
    image_id = image.pk
    transaction.on_commit(lambda: make_image_renditions.enqueue(image_id))
