"""Every save of an article in the admin keeps a revision with its tips, to restore later."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from reversion.models import Version

from articles.models import Article
from articles.page_cache import VERSION_KEY
from tests.admin_form import article_form_data

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def save_in_admin(client, article, **changes):
    page = client.get(change_url(article))
    response = client.post(change_url(article), article_form_data(page, **changes))
    assert response.status_code == 302, response.content.decode()[:3000]


def test_a_save_in_the_admin_keeps_a_revision_with_the_tips(admin_client_nl, seed_article):
    save_in_admin(admin_client_nl, seed_article, title="Drie tips, herzien")

    [version] = Version.objects.get_for_object(seed_article)
    assert version.field_dict["title"] == "Drie tips, herzien"
    assert version.revision.user.username == "beheerder"
    tip_texts = [
        tip_version.field_dict["text"]
        for tip_version in version.revision.version_set.exclude(pk=version.pk)
    ]
    assert len(tip_texts) == 3
    assert any(text.startswith("Geef zelf het goede voorbeeld.") for text in tip_texts)


def test_the_history_lists_each_revision_with_who_and_what(admin_client_nl, seed_article):
    save_in_admin(admin_client_nl, seed_article, title="Drie tips, herzien")
    save_in_admin(admin_client_nl, seed_article, lead="Een nieuwe inleiding.")

    history = admin_client_nl.get(
        reverse("admin:articles_article_history", args=[seed_article.pk])
    ).content.decode()
    versions = Version.objects.get_for_object(seed_article)
    assert len(versions) == 2
    for version in versions:
        revision_url = reverse(
            "admin:articles_article_revision", args=[seed_article.pk, version.pk]
        )
        assert revision_url in history
    assert history.count("beheerder") >= 2
    # What changed: the admin's change message names the fields (their labels, in Dutch
    # once the capitalised labels are in the catalogue).
    assert re.search(r"<td>(Title|Titel)\b[^<]* gewijzigd\.</td>", history)
    assert re.search(r"<td>(Lead|Intro) gewijzigd\.</td>", history)


def test_restoring_a_revision_brings_back_the_old_title_and_tips(admin_client_nl, seed_article):
    save_in_admin(admin_client_nl, seed_article)
    [first] = Version.objects.get_for_object(seed_article)
    page = admin_client_nl.get(change_url(seed_article))
    data = article_form_data(page, title="Vier tips")
    data["tips-0-text"] = "Een **herschreven** tip."
    data["tips-1-DELETE"] = "on"
    assert admin_client_nl.post(change_url(seed_article), data).status_code == 302
    assert seed_article.tips.count() == 2

    revision_url = reverse("admin:articles_article_revision", args=[seed_article.pk, first.pk])
    revision_page = admin_client_nl.get(revision_url)
    assert revision_page.status_code == 200
    response = admin_client_nl.post(revision_url, article_form_data(revision_page))

    assert response.status_code == 302, response.content.decode()[:3000]
    seed_article.refresh_from_db()
    assert seed_article.title == "Drie tips voor social mediarichtlijnen"
    texts = list(seed_article.tips.values_list("text", flat=True))
    assert len(texts) == 3
    assert "Een **herschreven** tip." not in texts
    assert texts[1].startswith("Stel een social media manager aan")


def test_restoring_a_revision_makes_cached_pages_stale(admin_client_nl, client, seed_article):
    save_in_admin(admin_client_nl, seed_article)
    [first] = Version.objects.get_for_object(seed_article)
    save_in_admin(admin_client_nl, seed_article, title="Vier tips")
    revision_url = reverse("admin:articles_article_revision", args=[seed_article.pk, first.pk])
    revision_page = admin_client_nl.get(revision_url)
    before = cache.get(VERSION_KEY)

    admin_client_nl.post(revision_url, article_form_data(revision_page))

    assert cache.get(VERSION_KEY) != before
    # A reader (no session cookie) sees the restored title.
    reader = client.__class__()
    page = reader.get(Article.objects.get(pk=seed_article.pk).get_absolute_url())
    assert "Drie tips voor social mediarichtlijnen" in page.content.decode()
    assert "Vier tips" not in page.content.decode()


def test_viewing_an_old_revision_changes_nothing(admin_client_nl, seed_article):
    save_in_admin(admin_client_nl, seed_article)
    [first] = Version.objects.get_for_object(seed_article)
    save_in_admin(admin_client_nl, seed_article, title="Vier tips")

    revision_url = reverse("admin:articles_article_revision", args=[seed_article.pk, first.pk])
    page = admin_client_nl.get(revision_url)

    assert 'value="Drie tips voor social mediarichtlijnen"' in page.content.decode()
    seed_article.refresh_from_db()
    assert seed_article.title == "Vier tips"


def test_an_old_revision_shows_what_restoring_it_changes(admin_client_nl, seed_article):
    save_in_admin(admin_client_nl, seed_article)
    [first] = Version.objects.get_for_object(seed_article)
    page = admin_client_nl.get(change_url(seed_article))
    data = article_form_data(page, title="Vier tips")
    data["tips-2-text"] = "Een nieuwe derde tip."
    assert admin_client_nl.post(change_url(seed_article), data).status_code == 302

    revision_url = reverse("admin:articles_article_revision", args=[seed_article.pk, first.pk])
    html = admin_client_nl.get(revision_url).content.decode()
    changes = html[html.index('class="module revision-changes"') : html.index("</section>")]

    assert "<del>Vier tips</del>" in changes
    assert "<ins>Drie tips voor social mediarichtlijnen</ins>" in changes
    assert "<del>Een nieuwe derde tip.</del>" in changes
    assert "<ins>Geef zelf het goede voorbeeld." in changes
    assert "Onlangs is de eerste Nederlander" not in changes  # the lead did not change
