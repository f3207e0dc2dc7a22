"""Editors manage articles and tips in the admin."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from articles.models import Tip

pytestmark = pytest.mark.django_db


def test_article_admin_pages_load(admin_client_nl, seed_article):
    assert admin_client_nl.get(reverse("admin:articles_article_changelist")).status_code == 200
    assert admin_client_nl.get(reverse("admin:articles_article_add")).status_code == 200
    change = admin_client_nl.get(reverse("admin:articles_article_change", args=[seed_article.pk]))
    assert change.status_code == 200
    assert "Geef zelf het goede voorbeeld." in change.content.decode()


def test_admin_search_finds_the_article(admin_client_nl, seed_article):
    response = admin_client_nl.get(reverse("admin:articles_article_changelist"), {"q": "Blokker"})
    assert "Drie tips voor social mediarichtlijnen" in response.content.decode()


def test_editor_creates_an_article_with_tips(admin_client_nl):
    response = admin_client_nl.post(
        reverse("admin:articles_article_add"),
        {
            "title": "Nieuw artikel",
            "slug": "nieuw-artikel",
            "lead": "Inleiding.",
            "body": "Tekst\n\n[tips]",
            "status": "published",
            "published_at_0": "2024-01-02",
            "published_at_1": "10:00:00",
            "comments_enabled": "on",
            "author_name": "Redactie",
            "tips-TOTAL_FORMS": "2",
            "tips-INITIAL_FORMS": "0",
            "tips-0-position": "2",
            "tips-0-text": "Tweede",
            "tips-1-position": "1",
            "tips-1-text": "Eerste",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    tips = Tip.objects.filter(article__slug="nieuw-artikel")
    assert [tip.text for tip in tips] == ["Eerste", "Tweede"]


def test_view_on_site_links_to_the_article(admin_client_nl, seed_article):
    change = admin_client_nl.get(reverse("admin:articles_article_change", args=[seed_article.pk]))
    assert "Weergeven op website" in change.content.decode()


def test_tip_positions_are_unique_per_article(seed_article):
    with pytest.raises(IntegrityError), transaction.atomic():
        Tip.objects.create(article=seed_article, position=1, text="Dubbel")
