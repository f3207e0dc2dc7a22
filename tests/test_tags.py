"""Tags: each has a page listing its published articles; an article links its tags."""

import pytest
from django.urls import reverse

from articles.models import Article

pytestmark = pytest.mark.django_db


def test_a_tag_page_lists_the_published_articles_with_that_tag(client, seed_article, make_article):
    tagged = make_article(title="Ook over social media")
    tagged.tags.add("social media")
    make_article(title="Zonder die tag").tags.add("belastingen")
    draft = make_article(title="Nog geheim", status=Article.Status.DRAFT)
    draft.tags.add("social media")
    response = client.get("/tag/social-media/")
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [tagged, seed_article]
    html = response.content.decode()
    assert '<h1 lang="nl">social media</h1>' in html
    assert "Zonder die tag" not in html
    assert "Nog geheim" not in html


def test_a_tag_with_an_accent_has_a_page(client, make_article):
    article = make_article()
    article.tags.add("Financiën")
    url = reverse("articles:tag", args=["financiën"])
    assert url == "/tag/financi%C3%ABn/"
    response = client.get(url)
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [article]


def test_an_unknown_or_impossible_tag_is_404(client):
    assert client.get("/tag/bestaat-niet/").status_code == 404
    assert client.get("/tag/%00/").status_code == 404
    assert client.get("/tag/a%27%3Cb/").status_code == 404


def test_the_article_page_links_its_tags(client, seed_article):
    html = client.get(seed_article.get_absolute_url()).content.decode()
    assert '<a href="/tag/social-media/" lang="nl">social media</a>' in html
    assert '<a href="/tag/personeelsbeleid/" lang="nl">personeelsbeleid</a>' in html
    assert '<meta property="article:tag" content="social media">' in html


def test_a_tag_page_is_paged(client, make_article, settings):
    settings.ARTICLES_PER_PAGE = 2
    for _ in range(3):
        make_article().tags.add("export")
    assert 'rel="next" href="?pagina=2"' in client.get("/tag/export/").content.decode()
    assert len(client.get("/tag/export/", {"pagina": 2}).context["page_obj"]) == 1


def test_tagging_an_article_makes_cached_tag_pages_stale(client, make_article):
    article = make_article(title="Later getagd")
    make_article().tags.add("export")
    assert "Later getagd" not in client.get("/tag/export/").content.decode()
    article.tags.add("export")
    assert "Later getagd" in client.get("/tag/export/").content.decode()


def test_tag_pages_with_published_articles_are_in_the_sitemap(client, make_article, settings):
    make_article(status=Article.Status.DRAFT).tags.add("geheim")
    body = client.get("/sitemap.xml").content.decode()
    assert f"<loc>{settings.SITE_URL}/tag/social-media/</loc>" in body
    assert "/tag/geheim/" not in body


def test_the_tag_page_uses_a_constant_number_of_queries(
    client, make_article, django_assert_max_num_queries
):
    for _ in range(12):
        make_article().tags.add("export", "zzp")
    client.get("/")  # the masthead's sections and the content types, once
    with django_assert_max_num_queries(5):  # tag, count, page, comment counts, next
        client.get("/tag/export/")
