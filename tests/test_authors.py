"""Authors are people with a page of their articles; bylines link there."""

import json
import re

import pytest
from django.core.exceptions import ValidationError

from articles.models import Article, Author
from tests.browsing import make_author

pytestmark = pytest.mark.django_db


def json_ld(html):
    return json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1)
    )


def test_jorie_post_is_an_author_with_her_role_and_the_seed_article(seed_article):
    author = seed_article.author
    assert (author.name, author.slug) == ("Jorie Post", "jorie-post")
    assert author.role == "Senior Account Executive bij LEWIS PR"
    assert list(author.articles.all()) == [seed_article]


def test_the_byline_links_to_the_authors_page(client, seed_article):
    html = client.get(seed_article.get_absolute_url()).content.decode()
    assert (
        '<a href="/auteur/jorie-post/" rel="author">Jorie Post</a>, '
        '<span lang="nl">Senior Account Executive bij LEWIS PR</span>'
    ) in html


def test_a_byline_without_an_author_page_is_plain_text(client, make_article):
    article = make_article(author_name="Gastauteur", author_role="Ondernemer")
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<span class="article__author">– Gastauteur, <span lang="nl">Ondernemer</span>' in html
    assert 'rel="author"' not in html


def test_the_authors_page_shows_the_person_and_their_published_articles(
    client, seed_article, make_article
):
    author = seed_article.author
    author.biography = "Jorie schrijft over pr.\n\nEn over social media."
    author.save()
    newer = make_article(title="Nieuw van Jorie", author=author)
    make_article(title="Concept van Jorie", author=author, status=Article.Status.DRAFT)
    make_article(title="Van iemand anders")
    response = client.get("/auteur/jorie-post/")
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [newer, seed_article]
    html = response.content.decode()
    assert '<h1 class="author__name">Jorie Post</h1>' in html
    assert "Senior Account Executive bij LEWIS PR" in html
    assert "<p>Jorie schrijft over pr.</p>\n\n<p>En over social media.</p>" in html
    assert "Concept van Jorie" not in html
    assert "Van iemand anders" not in html


def test_the_authors_photo_is_shown(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    author = make_author("Piet Foto", photo="authors/piet.jpg")
    html = client.get(author.get_absolute_url()).content.decode()
    assert '<img class="author__photo" src="/media/authors/piet.jpg" alt=""' in html


def test_an_unknown_author_is_404(client):
    assert client.get("/auteur/niemand/").status_code == 404


def test_the_json_ld_author_is_a_person_with_the_authors_page(client, seed_article, settings):
    data = json_ld(client.get(seed_article.get_absolute_url()).content.decode())
    assert data["author"] == {
        "@type": "Person",
        "name": "Jorie Post",
        "jobTitle": "Senior Account Executive bij LEWIS PR",
        "url": f"{settings.SITE_URL}/auteur/jorie-post/",
    }
    assert data["articleSection"] == "Ondernemen"


def test_feeds_name_the_author(client, seed_article):
    seed_article.author_name = ""
    seed_article.save()
    assert "<name>Jorie Post</name>" in client.get("/nieuws/feed/atom/").content.decode()


def test_an_article_needs_an_author_or_an_authors_name(make_article):
    article = make_article(author_name="")
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "author" in error.value.message_dict
    article.author = make_author("Redactie")
    article.full_clean()


def test_an_author_with_articles_cannot_be_deleted(seed_article):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        Author.objects.get(slug="jorie-post").delete()


def test_author_pages_are_in_the_sitemap(client, settings):
    make_author("Zonder Artikelen")
    body = client.get("/sitemap.xml").content.decode()
    assert f"<loc>{settings.SITE_URL}/auteur/jorie-post/</loc>" in body
    assert "/auteur/zonder-artikelen/" not in body


def test_the_authors_page_uses_a_constant_number_of_queries(
    client, seed_article, make_article, django_assert_max_num_queries
):
    for _ in range(12):
        make_article(author=seed_article.author, section=seed_article.section)
    client.get("/")  # the masthead's sections and the content types, once
    with django_assert_max_num_queries(5):  # author, count, page, comment counts, next
        client.get("/auteur/jorie-post/")
