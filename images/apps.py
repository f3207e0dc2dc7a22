from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class ImagesConfig(AppConfig):
    name = "images"
    verbose_name = _("Images")

    def ready(self):
        from images.models import delete_file

        for model in ("images.Image", "images.Rendition"):
            post_delete.connect(delete_file, sender=model, dispatch_uid=f"images-{model}-file")
