"""Checking an uploaded image and storing a clean copy of it.

Only what Pillow decodes as JPEG, PNG, WebP (or AVIF, when the installed Pillow reads it)
is taken, whatever the file is called: Pillow is told to try those decoders alone, so no
other file type (a script, a PostScript file, an SVG) is ever parsed. The size in bytes
and in pixels is checked before the pixels are decoded, so a small file that claims a
huge picture (a decompression bomb) is refused without allocating it. What is stored is
the image encoded again by Pillow under a name of our own with the extension of its real
type: no EXIF (the camera's GPS position among it), no XMP, nothing a browser could take
for anything but an image.
"""

import io
import uuid
from dataclasses import dataclass

import PIL.Image
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import ImageOps, features

# Pillow's format name: the stored file's extension and the options it is encoded with.
ENCODINGS = {
    "JPEG": ("jpg", {"quality": 92, "optimize": True}),
    "PNG": ("png", {"optimize": False}),
    "WEBP": ("webp", {"quality": 90}),
    "AVIF": ("avif", {"quality": 85}),
}


@dataclass(frozen=True)
class CleanImage:
    file: ContentFile
    width: int
    height: int
    format: str


def accepted_formats():
    formats = ["JPEG", "PNG", "WEBP"]
    if features.check("avif"):
        formats.append("AVIF")
    return formats


def clean_upload(upload):
    """The upload checked and encoded again, or ValidationError saying why not."""
    max_bytes = settings.IMAGES_MAX_UPLOAD_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            _("This file is %(size)s; an image may be at most %(max)s."),
            code="too_large",
            params={"size": filesizeformat(upload.size), "max": filesizeformat(max_bytes)},
        )
    formats = accepted_formats()
    upload.seek(0)
    try:
        picture = PIL.Image.open(upload, formats=formats)
    except PIL.Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except (PIL.UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _not_an_image(formats) from None
    if picture.width < 1 or picture.height < 1:
        raise _not_an_image(formats)
    if picture.width * picture.height > settings.IMAGES_MAX_PIXELS:
        raise _too_many_pixels(picture.width, picture.height)
    try:
        picture.load()
    except (OSError, ValueError, SyntaxError, PIL.Image.DecompressionBombError):
        raise ValidationError(
            _("This image is damaged or incomplete and cannot be read."), code="damaged"
        ) from None
    kind = picture.format
    extension, options = ENCODINGS[kind]
    upright = _upright(picture, kind)
    return CleanImage(
        file=ContentFile(_encoded(upright, kind, options), name=f"{uuid.uuid4().hex}.{extension}"),
        width=upright.width,
        height=upright.height,
        format=kind,
    )


def _upright(picture, kind):
    """The picture turned as its EXIF orientation says, in a mode its format can store,
    with nothing of the original's metadata (EXIF, XMP, comments) but its colour profile."""
    icc_profile = picture.info.get("icc_profile")
    upright = ImageOps.exif_transpose(picture)
    if kind == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    elif upright.mode not in ("RGB", "RGBA", "L", "LA"):
        has_alpha = "A" in upright.mode or "transparency" in upright.info
        upright = upright.convert("RGBA" if has_alpha else "RGB")
    upright.info = {"icc_profile": icc_profile} if icc_profile else {}
    return upright


def _encoded(picture, kind, options):
    output = io.BytesIO()
    icc_profile = picture.info.get("icc_profile")
    if icc_profile:
        options = {**options, "icc_profile": icc_profile}
    picture.save(output, format=kind, **options)
    return output.getvalue()


def _not_an_image(formats):
    names = ", ".join("WebP" if name == "WEBP" else name for name in formats)
    return ValidationError(
        _("This file is not an image of a type the site accepts (%(formats)s)."),
        code="not_an_image",
        params={"formats": names},
    )


def _too_many_pixels(width=None, height=None):
    limit = settings.IMAGES_MAX_PIXELS
    if width is None:
        return ValidationError(
            _("This image has too many pixels; at most %(limit)s megapixels are allowed."),
            code="too_many_pixels",
            params={"limit": limit // 1_000_000},
        )
    return ValidationError(
        _("This image is %(width)s × %(height)s pixels; at most %(limit)s megapixels are allowed."),
        code="too_many_pixels",
        params={"width": width, "height": height, "limit": limit // 1_000_000},
    )
