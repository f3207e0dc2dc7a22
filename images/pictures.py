"""<picture> markup for an image: its renditions as srcset, or the original until they exist."""

import html
import re

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from images.models import Image, Rendition

MODERN_FORMATS = (Rendition.Format.AVIF, Rendition.Format.WEBP)
# The JPEG a browser without srcset takes, and og:image's.
FALLBACK_WIDTH = 640
SHARE_WIDTH = 1280
# How articles/markup.py stores (bleach's serialisation) an editor's ![alt](image:42),
# a paragraph of its own or inside text.
IMAGE_REFERENCE = re.compile(r'(<p>)?<img(?: alt="([^"<>]*)")? src="image:(\d+)">(</p>)?')


def picture_context(image, *, sizes, eager=False, max_width=None, alt=None, css_class=""):
    """What templates/images/picture.html needs to show this image."""

    def fitting(format):
        return [
            rendition
            for rendition in image.renditions_in(format)
            if max_width is None or rendition.width <= max_width
        ]

    jpegs = fitting(Rendition.Format.JPEG)
    context = {
        "alt": image.alt_text if alt is None else alt,
        "sizes": sizes,
        "eager": eager,
        "css_class": css_class,
        "sources": [],
        "srcset": "",
    }
    if not jpegs:
        # Until the worker has made the renditions: the original, at its own size.
        return {**context, "src": image.file.url, "width": image.width, "height": image.height}
    for format in MODERN_FORMATS:
        renditions = fitting(format)
        if renditions:
            context["sources"].append({"type": f"image/{format}", "srcset": _srcset(renditions)})
    fallback = [r for r in jpegs if r.width <= FALLBACK_WIDTH] or jpegs[:1]
    src = fallback[-1]
    return {
        **context,
        "src": src.file.url,
        "srcset": _srcset(jpegs),
        "width": src.width,
        "height": src.height,
    }


def share_image(image):
    """The JPEG to give social networks and search engines: (url, width, height)."""
    rendition = image.largest(Rendition.Format.JPEG, SHARE_WIDTH)
    if rendition is None:
        return image.file.url, image.width, image.height
    return rendition.file.url, rendition.width, rendition.height


def insert_pictures(*fragments, sizes):
    """The fragments of stored HTML with each image reference made a <picture> (a <figure>
    with its caption when it is a paragraph of its own); one that names no image is left
    out. Two queries for all fragments together."""
    ids = {int(match[3]) for fragment in fragments for match in IMAGE_REFERENCE.finditer(fragment)}
    if not ids:
        return list(fragments)
    images = Image.objects.prefetch_related("renditions").in_bulk(ids)

    def replace(match):
        opening, alt, image_id, closing = match.groups()
        image = images.get(int(image_id))
        if image is None:
            return "" if opening and closing else (opening or "") + (closing or "")
        alt = html.unescape(alt or "") or image.alt_text
        context = picture_context(image, sizes=sizes, alt=alt)
        picture_html = render_to_string("images/picture.html", context).strip()
        if opening and closing:
            return render_to_string(
                "images/figure.html",
                {"image": image, "picture_html": mark_safe(picture_html)},  # noqa: S308 - rendered by our template just now
            ).strip()
        return (opening or "") + picture_html + (closing or "")

    return [IMAGE_REFERENCE.sub(replace, fragment) for fragment in fragments]


def _srcset(renditions):
    return ", ".join(f"{rendition.file.url} {rendition.width}w" for rendition in renditions)
