"""Renditions: each image at a few widths, in AVIF (WebP where Pillow lacks AVIF) and JPEG.

Made once by the worker after an upload (images.tasks); pages list them in <picture>
with srcset, and fall back to the original until they exist.
"""

import io
from pathlib import PurePosixPath

import PIL.Image
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import features

from images.models import Image, Rendition

# The article column is at most 40rem (640 CSS pixels) wide: 1x and 2x screens, phones
# (320), and 1280 for og:image (at least 1200 wide, as social networks ask).
WIDTHS = (320, 640, 960, 1280)
ENCODINGS = {
    Rendition.Format.AVIF: ("AVIF", "avif", {"quality": 60, "speed": 8}),
    Rendition.Format.WEBP: ("WEBP", "webp", {"quality": 80, "method": 4}),
    Rendition.Format.JPEG: ("JPEG", "jpg", {"quality": 82, "optimize": True, "progressive": True}),
}


def modern_format():
    """The format offered first: AVIF when the installed Pillow encodes it, else WebP."""
    return Rendition.Format.AVIF if features.check("avif") else Rendition.Format.WEBP


def rendition_widths(original_width):
    """The widths made for an image this wide: never wider than the original."""
    widths = [width for width in WIDTHS if width < original_width]
    if original_width <= WIDTHS[-1]:
        widths.append(original_width)
    return widths or [WIDTHS[-1]]


def make_renditions(image):
    """Make the image's renditions (again), replacing any it had; returns them."""
    with image.file.open("rb") as original:
        picture = PIL.Image.open(original)
        picture.load()
    icc_profile = picture.info.get("icc_profile")
    stem = PurePosixPath(image.file.name).stem
    made = []
    for width in rendition_widths(image.width):
        height = max(1, round(image.height * width / image.width))
        resized = picture.resize((width, height), PIL.Image.Resampling.LANCZOS, reducing_gap=3.0)
        for format in (modern_format(), Rendition.Format.JPEG):
            content = _encode(resized, format, icc_profile)
            extension = ENCODINGS[format][1]
            rendition = Rendition(image=image, format=format, width=width, height=height)
            rendition.file.save(f"{stem}-{width}w.{extension}", ContentFile(content), save=False)
            made.append(rendition)
    with transaction.atomic():
        # One task at a time per image (two uploads in quick succession): the row lock
        # makes the second wait, then replace what the first made.
        if not list(Image.objects.select_for_update().filter(pk=image.pk).values_list("pk")):
            for rendition in made:  # the image was deleted meanwhile
                rendition.file.delete(save=False)
            return []
        # The old renditions' files go once this commits (images.models.delete_file).
        for old in Rendition.objects.filter(image_id=image.pk):
            old.delete()
        # One by one, not bulk_create: post_save tells the page cache (articles/apps.py).
        for rendition in made:
            rendition.save()
    return made


def _encode(picture, format, icc_profile):
    pillow_format, _extension, options = ENCODINGS[format]
    if format == Rendition.Format.JPEG and picture.mode != "RGB":
        picture = _flattened(picture)
    elif picture.mode not in ("RGB", "RGBA"):
        picture = picture.convert("RGBA" if "A" in picture.mode else "RGB")
    if icc_profile:
        options = {**options, "icc_profile": icc_profile}
    output = io.BytesIO()
    picture.save(output, format=pillow_format, **options)
    return output.getvalue()


def _flattened(picture):
    """JPEG has no transparency: transparent parts become white, as on the page."""
    rgba = picture.convert("RGBA")
    background = PIL.Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background
