"""Editors manage sections and authors, and give an article its section, author and tags."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from articles.models import Article, Author, Section

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, django_user_model):
    """Staff with the permissions for articles, sections and authors; no superuser."""
    user = django_user_model.objects.create_user(
        "redacteur", "redacteur@example.nl", "een-lang-wachtwoord", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="articles",
            content_type__model__in=["article", "tip", "section", "author"],
        )
    )
    client.force_login(user)
    return client


def test_an_editor_adds_a_section_and_an_author(editor_client):
    response = editor_client.post(
        reverse("admin:articles_section_add"),
        {"name": "Export", "slug": "export", "position": "5", "description": "Over grenzen."},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Section.objects.get(slug="export").name == "Export"
    response = editor_client.post(
        reverse("admin:articles_author_add"),
        {"name": "An de Vries", "slug": "an-de-vries", "role": "Redacteur", "biography": "Hoi."},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Author.objects.get(slug="an-de-vries").role == "Redacteur"
    for name in ["section", "author"]:
        assert editor_client.get(reverse(f"admin:articles_{name}_changelist")).status_code == 200


def test_an_editor_gives_an_article_its_section_author_and_tags(editor_client, seed_article):
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "Geld lenen",
            "slug": "geld-lenen",
            "section": Section.objects.get(slug="financien").pk,
            "author": seed_article.author.pk,
            "tags": "financiering, zzp",
            "lead": "Inleiding.",
            "body": "Tekst",
            "status": "published",
            "published_at_0": "2024-01-02",
            "published_at_1": "10:00:00",
            "comments_enabled": "on",
            "comment_moderation": "nobody",
            "tips-TOTAL_FORMS": "0",
            "tips-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(slug="geld-lenen")
    assert article.section.slug == "financien"
    assert article.author.name == "Jorie Post"
    assert sorted(tag.name for tag in article.tags.all()) == ["financiering", "zzp"]


def test_an_article_without_author_or_name_is_refused(editor_client):
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "Zonder auteur",
            "slug": "zonder-auteur",
            "lead": "Inleiding.",
            "body": "Tekst",
            "status": "draft",
            "published_at_0": "2024-01-02",
            "published_at_1": "10:00:00",
            "comment_moderation": "nobody",
            "tips-TOTAL_FORMS": "0",
            "tips-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "author" in response.context["adminform"].form.errors
    assert not Article.objects.filter(slug="zonder-auteur").exists()


def test_the_article_list_filters_by_section(editor_client, seed_article, make_article):
    make_article(title="Marketingstuk", section=Section.objects.get(slug="marketing"))
    ondernemen = Section.objects.get(slug="ondernemen")
    response = editor_client.get(
        reverse("admin:articles_article_changelist"), {"section__id__exact": ondernemen.pk}
    )
    html = response.content.decode()
    assert "Drie tips voor social mediarichtlijnen" in html
    assert "Marketingstuk" not in html
