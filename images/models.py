from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class Image(models.Model):
    """An uploaded image: the original (checked, EXIF removed) and what describes it."""

    file = models.FileField(_("file"), upload_to="images/", max_length=200)
    width = models.PositiveIntegerField(_("width"), editable=False)
    height = models.PositiveIntegerField(_("height"), editable=False)
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("For finding the image in the admin.")
    )
    alt_text = models.CharField(
        _("alternative text"),
        max_length=250,
        help_text=_(
            "What the image shows, for readers who cannot see it (screen readers, "
            "search engines). Do not start with 'Image of'."
        ),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    credit = models.CharField(
        _("credit"), max_length=150, blank=True, help_text=_("The photographer or the source.")
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return self.title or self.alt_text

    @property
    def markdown(self):
        """What an editor writes in an article's body to show this image there."""
        return f"![{self.alt_text}](image:{self.pk})"

    def renditions_in(self, format):
        """This image's renditions in one format, narrowest first (prefetch-friendly)."""
        return sorted(
            (rendition for rendition in self.renditions.all() if rendition.format == format),
            key=lambda rendition: rendition.width,
        )

    def largest(self, format, max_width):
        """The widest rendition in this format no wider than max_width, or None."""
        fitting = [r for r in self.renditions_in(format) if r.width <= max_width]
        return fitting[-1] if fitting else None


class Rendition(models.Model):
    """One size of an image in one format, made once by the worker after the upload."""

    class Format(models.TextChoices):
        AVIF = "avif", "AVIF"
        WEBP = "webp", "WebP"
        JPEG = "jpeg", "JPEG"

    image = models.ForeignKey(
        Image, verbose_name=_("image"), on_delete=models.CASCADE, related_name="renditions"
    )
    format = models.CharField(_("format"), max_length=4, choices=Format)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    file = models.FileField(_("file"), upload_to="images/renditions/", max_length=200)

    class Meta:
        verbose_name = _("rendition")
        verbose_name_plural = _("renditions")
        ordering = ["image", "format", "width"]
        constraints = [
            models.UniqueConstraint(
                fields=["image", "format", "width"], name="unique_rendition_per_format_and_width"
            )
        ]

    def __str__(self):
        return f"{self.image_id} {self.width}w {self.format}"

    @property
    def mime_type(self):
        return f"image/{self.format}"


def delete_file(sender, instance, **kwargs):
    """A deleted image or rendition takes its file along, once the deletion is committed."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))
