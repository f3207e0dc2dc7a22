"""Uploads: the real type from the content, size and pixel limits, metadata removed."""

import io

import PIL.Image
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from images.models import Image
from images.uploads import clean_upload
from tests.image_files import (
    GPS_IFD,
    image_bytes,
    jpeg_with_location,
    png_header_claiming,
    upload,
)

PHP = b"<?php system($_GET['cmd']); ?>\n"


def refusal(name, content):
    with pytest.raises(ValidationError) as refused:
        clean_upload(upload(name, content))
    return refused.value


def stored(clean):
    return PIL.Image.open(io.BytesIO(clean.file.read()))


def test_a_png_named_jpg_is_taken_and_stored_as_the_png_it_is():
    clean = clean_upload(upload("vakantie.jpg", image_bytes("PNG", (300, 200))))
    assert clean.format == "PNG"
    assert clean.file.name.endswith(".png")
    assert (clean.width, clean.height) == (300, 200)
    assert stored(clean).format == "PNG"


def test_the_stored_name_is_the_sites_own_never_the_uploaders():
    clean = clean_upload(upload("../../etc/passwd.php.jpg", image_bytes("JPEG", (40, 30))))
    assert "passwd" not in clean.file.name
    assert clean.file.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("shell.jpg", PHP),
        ("shell.php.png", b"\x89PNG\r\n\x1a\n" + PHP),  # a PNG's signature, then a script
        (
            "tekening.png",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        ),
        ("pagina.webp", b"<!doctype html><title>x</title>"),
        ("leeg.jpg", b""),
    ],
)
def test_what_is_not_an_accepted_image_is_refused(name, content):
    assert refusal(name, content).code == "not_an_image"


def test_other_image_types_than_the_accepted_ones_are_refused():
    """A real image, but of a type the site does not take (decoders for it are never run)."""
    assert refusal("oud.jpg", image_bytes("BMP", (40, 30))).code == "not_an_image"
    assert refusal("eps.jpg", b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n").code == (
        "not_an_image"
    )


def test_a_20000_by_20000_image_is_refused_without_decoding_it():
    error = refusal("bom.png", png_header_claiming(20_000, 20_000))
    assert error.code == "too_many_pixels"


def test_an_image_over_the_sites_pixel_limit_is_refused_with_its_size(settings):
    settings.IMAGES_MAX_PIXELS = 40_000_000
    error = refusal("groot.png", png_header_claiming(8_000, 6_000))
    assert error.code == "too_many_pixels"
    assert error.params["width"] == 8_000


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.IMAGES_MAX_UPLOAD_BYTES = 1_000
    assert refusal("foto.jpg", image_bytes("JPEG", (400, 300))).code == "too_large"


def test_a_damaged_image_is_refused():
    whole = image_bytes("JPEG", (400, 300))
    assert refusal("kapot.jpg", whole[: len(whole) // 2]).code == "damaged"


def test_exif_location_and_camera_data_are_removed():
    original = PIL.Image.open(io.BytesIO(jpeg_with_location()))
    assert original.getexif().get_ifd(GPS_IFD)  # the test file does carry a location

    kept = stored(clean_upload(upload("dam.jpg", jpeg_with_location())))
    assert not kept.getexif().get_ifd(GPS_IFD)
    assert len(kept.getexif()) == 0
    assert "exif" not in kept.info and "xmp" not in kept.info


def test_a_photo_taken_sideways_is_stored_upright():
    """EXIF orientation 6 (turned a quarter): applied, since the EXIF that said so is gone."""
    clean = clean_upload(upload("staand.jpg", jpeg_with_location((300, 200), orientation=6)))
    assert (clean.width, clean.height) == (200, 300)
    assert stored(clean).size == (200, 300)


# Through the admin


def admin_add(admin_client, name, content, **fields):
    data = {"alt_text": "Heuvels onder een zomerzon", "title": "Heuvels", **fields}
    return admin_client.post(
        reverse("admin:images_image_add"), {**data, "file": upload(name, content)}
    )


def test_an_editor_uploads_an_image_and_the_worker_makes_its_renditions(
    admin_client, media_root, run_worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_add(admin_client, "foto.jpg", image_bytes("JPEG", (1000, 600)))
    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.width, image.height) == (1000, 600)
    assert not image.renditions.exists()  # made by the worker, not during the upload

    run_worker()
    assert {(r.format, r.width) for r in image.renditions.all()} >= {("jpeg", 320), ("jpeg", 1000)}


def test_the_admin_refuses_a_script_with_a_message_and_stores_nothing(admin_client, media_root):
    response = admin_add(admin_client, "shell.jpg", PHP)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["file"]
    assert not Image.objects.exists()
    assert not media_root.exists() or not [p for p in media_root.rglob("*") if p.is_file()]


def test_alternative_text_is_required(admin_client, media_root):
    response = admin_add(admin_client, "foto.jpg", image_bytes("JPEG", (40, 30)), alt_text="")
    assert response.status_code == 200
    assert "alt_text" in response.context["adminform"].form.errors
    assert not Image.objects.exists()


def test_the_image_list_shows_thumbnails_and_the_markdown_to_use(admin_client, make_image):
    image = make_image(title="Heuvels")
    response = admin_client.get(reverse("admin:images_image_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"![Heuvels onder een zomerzon](image:{image.pk})" in html
    thumbnail = image.renditions.get(format="jpeg", width=320)
    assert f'src="{thumbnail.file.url}"' in html
    assert (
        admin_client.get(reverse("admin:images_image_change", args=[image.pk])).status_code == 200
    )


def test_replacing_the_file_removes_the_old_one_and_makes_new_renditions(
    admin_client, make_image, media_root, run_worker, django_capture_on_commit_callbacks
):
    image = make_image(image_bytes("JPEG", (800, 450)))
    old_file = media_root / image.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:images_image_change", args=[image.pk]),
            {
                "alt_text": image.alt_text,
                "file": upload("nieuw.png", image_bytes("PNG", (500, 500))),
            },
        )
    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.width, image.height) == (500, 500) and image.file.name.endswith(".png")
    assert not old_file.exists()
    with django_capture_on_commit_callbacks(execute=True):
        run_worker()
    assert {r.height for r in image.renditions.all()} == {320, 500}
