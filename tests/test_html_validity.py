"""The home, article and search pages are valid HTML according to the Nu Html Checker."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

VNU_JAR = os.environ.get("VNU_JAR", "")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (VNU_JAR and os.path.exists(VNU_JAR) and shutil.which("java")),
        reason="set VNU_JAR to the Nu Html Checker's vnu.jar (.ci/run does)",
    ),
]


def vnu_errors(tmp_path, pages):
    files = []
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_bytes(html)
        files.append(str(path))
    result = subprocess.run(
        ["java", "-jar", VNU_JAR, "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return json.loads(result.stderr or '{"messages": []}')["messages"]


def test_home_and_article_pages_have_no_html_errors(client, seed_article, tmp_path):
    pages = {
        "home": client.get(reverse("articles:index")).content,
        "article": client.get(seed_article.get_absolute_url()).content,
        "not-found": client.get("/bestaat-niet/").content,
        "search": client.get(reverse("search:results"), {"q": "Blokker"}).content,
        "search-refused": client.get(reverse("search:results"), {"q": "?!"}).content,
    }
    errors = vnu_errors(tmp_path, pages)
    assert errors == []


def test_the_error_pages_nginx_serves_have_no_html_errors(tmp_path):
    """nginx's own 502/504 and 413 pages (deploy/errors/), served without the app."""
    errors_folder = Path(__file__).resolve().parents[1] / "deploy" / "errors"
    pages = {path.stem: path.read_bytes() for path in errors_folder.glob("*.html")}
    assert set(pages) == {"niet-bereikbaar", "te-groot"}
    assert vnu_errors(tmp_path, pages) == []
