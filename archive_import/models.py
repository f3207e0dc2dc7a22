from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportedItem(models.Model):
    """What an item of an archive (a WordPress post, a Disqus comment, ...) became here:
    a second run finds it and neither doubles nor overwrites it."""

    class Source(models.TextChoices):
        WORDPRESS = "wordpress", "WordPress"
        DISQUS = "disqus", "Disqus"

    class Kind(models.TextChoices):
        ARTICLE = "article", _("article")
        COMMENT = "comment", _("comment")
        IMAGE = "image", _("image")

    source = models.CharField(_("source"), max_length=10, choices=Source)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    external_id = models.CharField(_("identifier in the archive"), max_length=100)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    imported_object = GenericForeignKey("content_type", "object_id")
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        verbose_name = _("imported item")
        verbose_name_plural = _("imported items")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "external_id"], name="unique_imported_item"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.source} {self.kind} {self.external_id}"
