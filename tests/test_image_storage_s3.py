"""Media in an S3-compatible store (django-storages), against moto's server on 127.0.0.1."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.image_files import image_bytes

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")
pytest.importorskip("storages.backends.s3")

BUCKET = "ondernemen-media"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_media(s3_endpoint, settings, monkeypatch):
    """The site's media in a fresh bucket, configured as MEDIA_S3_* would configure it."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "querystring_auth": False,
                "file_overwrite": False,
                "default_acl": None,
                "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_uploads_and_renditions_go_to_the_bucket_as_images(
    s3_media, s3_endpoint, make_image, make_article, client, media_root
):
    image = make_image(image_bytes("JPEG", (700, 400)))
    assert not media_root.exists()  # nothing on the local disk

    keys = {item["Key"] for item in s3_media.list_objects_v2(Bucket=BUCKET)["Contents"]}
    expected = {image.file.name} | {r.file.name for r in image.renditions.all()}
    assert keys == expected
    assert len(expected) == 1 + 2 * 3  # the original; 320, 640, 700 in AVIF and JPEG
    for rendition in image.renditions.all():
        head = s3_media.head_object(Bucket=BUCKET, Key=rendition.file.name)
        assert head["ContentType"] == rendition.mime_type
        assert head["CacheControl"] == "public, max-age=31536000, immutable"

    html = client.get(make_article(lead_image=image).get_absolute_url()).content.decode()
    rendition = image.renditions.get(format="jpeg", width=640)
    assert f'src="{s3_endpoint}/{BUCKET}/{rendition.file.name}"' in html
    assert f'<meta property="og:image" content="{s3_endpoint}/{BUCKET}/' in html


def test_deleting_an_image_deletes_its_objects(
    s3_media, make_image, django_capture_on_commit_callbacks
):
    image = make_image(image_bytes("JPEG", (400, 300)))
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert s3_media.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_media_s3_settings_choose_the_s3_storage_and_allow_its_images():
    """MEDIA_S3_BUCKET and MEDIA_S3_ENDPOINT_URL, as a site on several machines sets them."""
    script = (
        "import json; from django.conf import settings; "
        "print(json.dumps([settings.STORAGES['default'], "
        "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']]))"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MEDIA_"))}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        MEDIA_S3_BUCKET="media-bucket",
        MEDIA_S3_ENDPOINT_URL="https://s3.example.nl:9000",
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    storage, img_src = json.loads(result.stdout)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "media-bucket"
    assert storage["OPTIONS"]["querystring_auth"] is False
    assert "https://s3.example.nl:9000" in img_src
