"""nginx (deploy/nginx.conf.template) serves uploaded media as images and nothing else."""

import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

TEMPLATE = Path(__file__).resolve().parents[1] / "deploy" / "nginx.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NAME = "0123456789abcdef0123456789abcdef"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def nginx(tmp_path):
    if not Path(NGINX).exists():
        pytest.skip("nginx is missing (deploy/serve-prod installs Debian's nginx)")
    for folder in ["logs", "tmp", "cache", "errors", "media/images/renditions"]:
        (tmp_path / folder).mkdir(parents=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", tmp_path / "key.pem", "-out", tmp_path / "cert.pem"],
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    values = {
        "RUN_DIR": str(tmp_path),
        "UPSTREAM_SERVERS": f"        server 127.0.0.1:{free_port()};",
        # As root, nginx's workers would run as nobody, who cannot enter pytest's folders.
        "USER_LINE": "user root root;" if os.geteuid() == 0 else "",
        "ERROR_PAGES": str(tmp_path / "errors"),
        "LISTEN_HTTP": f"127.0.0.1:{free_port()}",
        "LISTEN_HTTPS": f"127.0.0.1:{port} ssl",
        "HTTP2_LINE": "",
        "HTTPS_PORT_SUFFIX": f":{port}",
        "TLS_CERT": str(tmp_path / "cert.pem"),
        "TLS_KEY": str(tmp_path / "key.pem"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    config = re.sub(r"@@([A-Z0-9_]+)@@", lambda m: values[m.group(1)], TEMPLATE.read_text())
    (tmp_path / "nginx.conf").write_text(config)
    args = [NGINX, "-c", tmp_path / "nginx.conf", "-p", f"{tmp_path}/", "-e", tmp_path / "e.log"]
    process = subprocess.Popen([*args, "-g", "daemon off;"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield tmp_path / "media", port
    process.terminate()
    process.wait(timeout=10)


def get(port, path):
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=5)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_images_are_served_with_their_type_nosniff_and_far_future_caching(nginx):
    media, port = nginx
    (media / "images" / f"{NAME}.jpg").write_bytes(b"\xff\xd8")
    (media / "images" / "renditions" / f"{NAME}-320w.avif").write_bytes(b"....")
    for path, content_type in [
        (f"/media/images/{NAME}.jpg", "image/jpeg"),
        (f"/media/images/renditions/{NAME}-320w.avif", "image/avif"),
    ]:
        response = get(port, path)
        assert response.status == 200, path
        assert response.getheader("Content-Type") == content_type
        assert response.getheader("X-Content-Type-Options") == "nosniff"
        assert "sandbox" in response.getheader("Content-Security-Policy")
        assert "immutable" in response.getheader("Cache-Control")


def test_anything_else_under_media_is_not_served(nginx):
    media, port = nginx
    (media / "images" / f"{NAME}.html").write_bytes(b"<script>alert(1)</script>")
    (media / "images" / "notes.jpg").write_bytes(b"<?php ?>")  # not a name the site gives
    (media / "backup.sql").write_bytes(b"secret")
    for path in [
        f"/media/images/{NAME}.html",
        "/media/images/notes.jpg",
        "/media/backup.sql",
        "/media/images/../backup.sql",
    ]:
        assert get(port, path).status == 404, path
