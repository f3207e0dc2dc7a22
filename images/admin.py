from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from images.models import Image, Rendition
from images.pictures import picture_context
from images.tasks import queue_renditions
from images.uploads import accepted_formats, clean_upload


class ImageForm(forms.ModelForm):
    class Meta:
        model = Image
        fields = ["file", "title", "alt_text", "caption", "credit"]
        widgets = {"file": forms.ClearableFileInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ",".join(
            f"image/{name.lower()}" for name in accepted_formats()
        )
        self.fields["file"].help_text = _(
            "JPEG, PNG, WebP or AVIF. The site makes the sizes and formats readers get; "
            "location data and other camera details are removed."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if isinstance(upload, UploadedFile):
            clean = clean_upload(upload)
            self.instance.width, self.instance.height = clean.width, clean.height
            return clean.file
        return upload


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageForm
    list_display = ["thumbnail", "__str__", "size", "renditions_made", "markdown", "uploaded_at"]
    list_display_links = ["thumbnail", "__str__"]
    search_fields = ["title", "alt_text", "caption", "credit"]
    readonly_fields = ["preview", "size", "markdown"]
    fields = ["file", "preview", "size", "title", "alt_text", "caption", "credit", "markdown"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("renditions")

    def save_model(self, request, obj, form, change):
        replaced = form.initial.get("file") if change else None
        super().save_model(request, obj, form, change)
        if "file" in form.changed_data:
            if replaced:
                # The new file has a name of its own; the old one would stay behind.
                name, storage = replaced.name, obj.file.storage
                transaction.on_commit(lambda: storage.delete(name))
            queue_renditions(obj)

    @admin.display(description=_("image"))
    def thumbnail(self, image):
        return self._image_html(image, max_width=320, height=64)

    @admin.display(description=_("preview"))
    def preview(self, image):
        if not image.pk:
            return "–"
        return self._image_html(image, max_width=640, height=240)

    @admin.display(description=_("size"))
    def size(self, image):
        return f"{image.width} × {image.height}" if image.pk else "–"

    @admin.display(description=_("renditions"), boolean=True)
    def renditions_made(self, image):
        return bool(image.renditions_in(Rendition.Format.JPEG))

    @admin.display(description=_("in an article's body"))
    def markdown(self, image):
        return format_html("<code>{}</code>", image.markdown) if image.pk else "–"

    def _image_html(self, image, *, max_width, height):
        picture = picture_context(image, sizes=f"{max_width}px", max_width=max_width)
        # Scaled in proportion to the given height; the admin's CSP allows no inline
        # style, so the size goes in the attributes.
        width = round(picture["width"] * height / picture["height"])
        return format_html(
            '<img src="{}" width="{}" height="{}" alt="" loading="lazy">',
            picture["src"],
            width,
            height,
        )
