"""Renditions: a few widths, AVIF (or WebP) and JPEG, made once by the worker."""

import io

import PIL.Image
import pytest

from images.models import Image, Rendition
from images.renditions import make_renditions
from images.tasks import make_image_renditions, queue_renditions
from tests.image_files import image_bytes


def decoded(rendition):
    with rendition.file.open("rb") as file:
        return PIL.Image.open(io.BytesIO(file.read()))


def test_a_wide_image_gets_four_widths_in_avif_and_jpeg(make_image):
    image = make_image(image_bytes("JPEG", (1600, 900)))
    renditions = list(image.renditions.order_by("format", "width"))
    assert [(r.format, r.width, r.height) for r in renditions] == [
        ("avif", 320, 180),
        ("avif", 640, 360),
        ("avif", 960, 540),
        ("avif", 1280, 720),
        ("jpeg", 320, 180),
        ("jpeg", 640, 360),
        ("jpeg", 960, 540),
        ("jpeg", 1280, 720),
    ]
    for rendition in renditions:
        picture = decoded(rendition)
        assert picture.format == {"avif": "AVIF", "jpeg": "JPEG"}[rendition.format]
        assert picture.size == (rendition.width, rendition.height)
        assert rendition.file.name.endswith({"avif": ".avif", "jpeg": ".jpg"}[rendition.format])


def test_an_image_is_never_made_larger_than_it_is(make_image):
    image = make_image(image_bytes("JPEG", (500, 400)))
    assert sorted(image.renditions.filter(format="jpeg").values_list("width", flat=True)) == [
        320,
        500,
    ]


def test_without_avif_in_pillow_the_modern_format_is_webp(make_image, monkeypatch):
    monkeypatch.setattr("images.renditions.features.check", lambda feature: feature != "avif")
    image = make_image(image_bytes("JPEG", (700, 400)))
    assert set(image.renditions.values_list("format", flat=True)) == {"webp", "jpeg"}
    assert decoded(image.renditions.filter(format="webp").first()).format == "WEBP"


def test_transparency_becomes_white_in_the_jpeg_and_stays_in_the_avif(make_image):
    transparent = PIL.Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    output = io.BytesIO()
    transparent.save(output, format="PNG")
    image = make_image(output.getvalue(), name="logo.png")
    jpeg = decoded(image.renditions.get(format="jpeg", width=320))
    assert jpeg.mode == "RGB" and jpeg.getpixel((10, 10)) == (255, 255, 255)
    avif = decoded(image.renditions.get(format="avif", width=320))
    assert avif.convert("RGBA").getpixel((10, 10))[3] == 0


def test_making_them_again_replaces_the_old_ones_and_their_files(
    make_image, media_root, django_capture_on_commit_callbacks
):
    image = make_image()
    old_files = [media_root / r.file.name for r in image.renditions.all()]
    assert all(path.exists() for path in old_files)
    with django_capture_on_commit_callbacks(execute=True):
        make_renditions(image)
    assert image.renditions.count() == len(old_files)
    assert not any(path.exists() for path in old_files)
    assert all((media_root / r.file.name).exists() for r in image.renditions.all())


def test_deleting_an_image_deletes_its_files(
    make_image, media_root, django_capture_on_commit_callbacks
):
    image = make_image()
    files = [media_root / image.file.name] + [
        media_root / r.file.name for r in image.renditions.all()
    ]
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert not Rendition.objects.exists()
    assert not any(path.exists() for path in files)


def test_the_worker_makes_the_renditions_of_a_queued_image(
    make_image, run_worker, django_capture_on_commit_callbacks
):
    image = make_image(renditions=False)
    with django_capture_on_commit_callbacks(execute=True):
        queue_renditions(image)
    assert not image.renditions.exists()
    run_worker()
    assert image.renditions.filter(format="jpeg").exists()


def test_the_task_for_an_image_deleted_meanwhile_does_nothing(db):
    assert make_image_renditions.call(12345) == 0


@pytest.mark.django_db
def test_the_command_makes_the_missing_renditions(make_image):
    from django.core.management import call_command

    without = make_image(renditions=False)
    call_command("make_renditions", verbosity=0)
    assert Image.objects.get(pk=without.pk).renditions.count() > 0
