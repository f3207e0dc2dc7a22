"""A published article's old addresses lead to its current one when its slug or date changes."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, FormerSlug
from tests.admin_form import article_form_data

pytestmark = pytest.mark.django_db

SEED_SLUG = "drie-tips-voor-social-mediarichtlijnen"
OLD_PATH = f"/nieuws/2012/05/10/{SEED_SLUG}/"


def rename(article, slug):
    article.slug = slug
    article.save()
    return article


def article_links(body):
    """The article addresses in a feed or sitemap (RSS <link>, Atom href, sitemap <loc>)."""
    found = re.findall(r'<(?:link|loc)>([^<]+)</|<link [^>]*href="([^"]+)"', body)
    return sorted({url for pair in found for url in pair if "/2012/" in url})


def test_the_old_slug_redirects_permanently_to_the_new_one(client, seed_article):
    rename(seed_article, "tips-voor-social-mediarichtlijnen")

    response = client.get(OLD_PATH)

    assert response.status_code == 301
    assert response["Location"] == "/nieuws/2012/05/10/tips-voor-social-mediarichtlijnen/"
    assert client.get(response["Location"]).status_code == 200


def test_every_older_slug_redirects_to_the_current_address(client, seed_article):
    rename(seed_article, "tweede-naam")
    rename(seed_article, "derde-naam")

    for old in ("drie-tips-voor-social-mediarichtlijnen", "tweede-naam"):
        response = client.get(f"/nieuws/2012/05/10/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/nieuws/2012/05/10/derde-naam/"


def test_taking_back_an_old_slug_makes_it_current_again(client, seed_article):
    rename(seed_article, "tweede-naam")
    rename(seed_article, "drie-tips-voor-social-mediarichtlijnen")

    assert client.get(OLD_PATH).status_code == 200
    assert client.get("/nieuws/2012/05/10/tweede-naam/")["Location"] == OLD_PATH


def test_a_changed_date_and_slug_redirect_from_the_old_address(client, seed_article):
    seed_article.published_at = datetime.datetime(2012, 6, 1, 9, 0, tzinfo=datetime.UTC)
    rename(seed_article, "nieuwe-naam")

    response = client.get(OLD_PATH)

    assert response.status_code == 301
    assert response["Location"] == "/nieuws/2012/06/01/nieuwe-naam/"


def test_a_changed_date_alone_redirects_from_the_old_address(client, seed_article):
    seed_article.published_at = datetime.datetime(2012, 6, 1, 9, 0, tzinfo=datetime.UTC)
    seed_article.save()

    response = client.get(OLD_PATH)

    assert response.status_code == 301
    assert response["Location"] == seed_article.get_absolute_url()


def test_the_english_address_redirects_too(client, seed_article):
    rename(seed_article, "nieuwe-naam")

    response = client.get(f"/en{OLD_PATH}")

    assert response.status_code == 301
    assert response["Location"] == "/en/nieuws/2012/05/10/nieuwe-naam/"


@pytest.mark.parametrize("feed", ["/nieuws/feed/rss/", "/nieuws/feed/atom/", "/sitemap.xml"])
def test_addresses_from_feeds_and_sitemap_keep_working(client, seed_article, feed):
    old_links = article_links(client.get(feed).content.decode())
    assert old_links
    rename(seed_article, "nieuwe-naam")
    new_links = [link.replace(SEED_SLUG, "nieuwe-naam") for link in old_links]

    for old_link, new_link in zip(old_links, new_links, strict=True):
        response = client.get(old_link)
        assert response.status_code == 301
        assert response["Location"] == urlsplit(new_link).path
    assert article_links(client.get(feed).content.decode()) == new_links


def test_a_draft_renamed_keeps_no_address(make_article):
    draft = make_article(status=Article.Status.DRAFT, slug="werktitel")
    rename(draft, "definitieve-titel")

    assert not FormerSlug.objects.exists()


def test_a_redirect_for_a_hidden_article_is_a_404(client, seed_article):
    rename(seed_article, "nieuwe-naam")
    seed_article.status = Article.Status.DRAFT
    seed_article.save()

    assert client.get(OLD_PATH).status_code == 404


def test_a_new_article_cannot_take_another_articles_old_slug(seed_article, make_article):
    rename(seed_article, "nieuwe-naam")
    other = Article(
        title="Ander artikel",
        slug="drie-tips-voor-social-mediarichtlijnen",
        lead="Inleiding.",
        body="Tekst.",
        author_name="Redactie",
        published_at=timezone.now(),
    )

    with pytest.raises(ValidationError) as error:
        other.full_clean()

    assert [e.code for e in error.value.error_dict["slug"]] == ["former_slug"]


def test_the_admin_refuses_another_articles_old_slug_with_a_message(admin_client_nl, seed_article):
    rename(seed_article, "nieuwe-naam")
    add_url = reverse("admin:articles_article_add")
    data = article_form_data(
        admin_client_nl.get(add_url),
        title="Ander artikel",
        slug="drie-tips-voor-social-mediarichtlijnen",
        lead="Inleiding.",
        body="Tekst.",
        author_name="Redactie",
    )

    response = admin_client_nl.post(add_url, data)

    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert Article.objects.count() == 1


def test_an_editor_renaming_in_the_admin_keeps_the_old_address(
    admin_client_nl, client, seed_article
):
    change_url = reverse("admin:articles_article_change", args=[seed_article.pk])
    data = article_form_data(admin_client_nl.get(change_url), slug="nieuwe-naam")

    assert admin_client_nl.post(change_url, data).status_code == 302

    assert client.get(OLD_PATH)["Location"] == "/nieuws/2012/05/10/nieuwe-naam/"


def test_restoring_an_older_slug_keeps_the_newer_address(admin_client_nl, client, seed_article):
    change_url = reverse("admin:articles_article_change", args=[seed_article.pk])
    page = admin_client_nl.get(change_url)
    assert admin_client_nl.post(change_url, article_form_data(page)).status_code == 302
    [first] = Version.objects.get_for_object(seed_article)
    page = admin_client_nl.get(change_url)
    assert (
        admin_client_nl.post(change_url, article_form_data(page, slug="nieuwe-naam")).status_code
        == 302
    )

    revision_url = reverse("admin:articles_article_revision", args=[seed_article.pk, first.pk])
    restored = admin_client_nl.post(
        revision_url, article_form_data(admin_client_nl.get(revision_url))
    )

    assert restored.status_code == 302
    assert client.get(OLD_PATH).status_code == 200
    assert client.get("/nieuws/2012/05/10/nieuwe-naam/")["Location"] == OLD_PATH


def test_the_admin_shows_an_articles_former_slugs(admin_client_nl, seed_article):
    rename(seed_article, "nieuwe-naam")

    change_url = reverse("admin:articles_article_change", args=[seed_article.pk])
    page = admin_client_nl.get(change_url).content.decode()

    assert f"<code>{SEED_SLUG}</code>" in page
