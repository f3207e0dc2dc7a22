"""dateModified, article:modified_time, the sitemap's lastmod and the feeds' updated date tell
readers and search engines when an editor last changed the content, not when a migration ran."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from tests.admin_form import article_form_data

pytestmark = pytest.mark.django_db


def date_modified(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    [payload] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    [meta] = re.findall(r'<meta property="article:modified_time" content="([^"]+)">', html)
    json_ld = json.loads(payload)["dateModified"]
    assert json_ld[:10] == meta[:10]
    return json_ld[:10]


def sitemap_lastmod(client):
    [lastmod] = re.findall(
        r"<lastmod>([^<]+)</lastmod>", client.get("/sitemap.xml").content.decode()
    )[:1]
    return lastmod[:10]


def save_in_admin(client, article, **changes):
    url = reverse("admin:articles_article_change", args=[article.pk])
    response = client.post(url, article_form_data(client.get(url), **changes))
    assert response.status_code == 302, response.content.decode()[:3000]


def today():
    return timezone.now().date().isoformat()


def test_the_seed_article_was_last_changed_on_its_publication_day(client, seed_article):
    assert date_modified(client, seed_article) == "2012-05-10"
    assert sitemap_lastmod(client) == "2012-05-10"
    atom = client.get("/nieuws/feed/atom/").content.decode()
    assert "<updated>2012-05-10" in atom


def test_an_editors_change_of_the_text_moves_it(admin_client_nl, client, seed_article):
    save_in_admin(admin_client_nl, seed_article, lead="Een nieuwe inleiding.")

    assert date_modified(client, seed_article) == today()
    assert sitemap_lastmod(client) == today()


def test_a_change_of_a_tip_moves_it(admin_client_nl, client, seed_article):
    save_in_admin(admin_client_nl, seed_article, **{"tips-0-text": "Een **nieuwe** tip."})

    assert date_modified(client, seed_article) == today()


def test_saving_without_changing_the_content_does_not_move_it(
    admin_client_nl, client, seed_article
):
    # As a browser sends the form: lines end in CRLF.
    save_in_admin(admin_client_nl, seed_article, body=seed_article.body.replace("\n", "\r\n"))
    save_in_admin(admin_client_nl, seed_article, comments_enabled="")
    seed_article.refresh_from_db()
    seed_article.save()

    assert date_modified(client, seed_article) == "2012-05-10"


def test_restoring_an_older_revision_moves_it(admin_client_nl, client, seed_article):
    save_in_admin(admin_client_nl, seed_article)
    [first] = Version.objects.get_for_object(seed_article)
    url = reverse("admin:articles_article_revision", args=[seed_article.pk, first.pk])
    seed_article.refresh_from_db()
    seed_article.content_changed_at = seed_article.published_at
    seed_article.save()

    assert admin_client_nl.post(url, article_form_data(admin_client_nl.get(url))).status_code == 302

    assert date_modified(client, seed_article) == today()
