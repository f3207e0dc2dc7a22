"""Sections: a listing each, a feed each, and a place in the masthead."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Section
from tests.browsing import make_section

pytestmark = pytest.mark.django_db


def masthead_links(html):
    """(text, href, current) of the masthead's navigation links."""
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    return [
        (text, href, 'aria-current="page"' in attrs)
        for href, attrs, text in re.findall(r'<a href="([^"]+)"([^>]*)>([^<]+)</a>', nav)
    ]


def test_the_seed_sections_exist_in_order_with_the_seed_article_in_ondernemen(seed_article):
    names = list(Section.objects.values_list("name", flat=True))
    assert names == ["Nieuws", "Ondernemen", "Financiën", "Marketing"]
    assert seed_article.section.slug == "ondernemen"


def test_a_section_lists_only_its_published_articles_newest_first(client, make_article):
    marketing = Section.objects.get(slug="marketing")
    older = make_article(title="Oudere campagne", section=marketing)
    newer = make_article(title="Nieuwe campagne", section=marketing, published_at=timezone.now())
    make_article(title="Ander onderwerp", section=Section.objects.get(slug="financien"))
    make_article(title="Concept campagne", section=marketing, status=Article.Status.DRAFT)
    response = client.get("/rubriek/marketing/")
    assert response.status_code == 200
    html = response.content.decode()
    assert list(response.context["page_obj"]) == [newer, older]
    assert "Ander onderwerp" not in html
    assert "Concept campagne" not in html
    assert '<h1 lang="nl">Marketing</h1>' in html


def test_a_section_listing_is_paged_and_has_a_canonical_link(client, make_article, settings):
    settings.ARTICLES_PER_PAGE = 2
    finance = Section.objects.get(slug="financien")
    for _ in range(3):
        make_article(section=finance)
    html = client.get("/rubriek/financien/").content.decode()
    assert 'rel="next" href="?pagina=2"' in html
    assert f'<link rel="canonical" href="{settings.SITE_URL}/rubriek/financien/">' in html
    second = client.get("/rubriek/financien/", {"pagina": "2"})
    assert len(second.context["page_obj"]) == 1
    assert client.get("/rubriek/financien/", {"pagina": "x'<"}).status_code == 200


def test_an_unknown_section_is_404(client):
    assert client.get("/rubriek/bestaat-niet/").status_code == 404
    assert client.get("/rubriek/bestaat-niet/feed/").status_code == 404


def test_the_section_feed_lists_its_articles(client, seed_article, make_article):
    make_article(title="Over geld", section=Section.objects.get(slug="financien"))
    response = client.get(reverse("articles:section-feed", args=["ondernemen"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    body = response.content.decode()
    assert "<title>Drie tips voor social mediarichtlijnen</title>" in body
    assert "Over geld" not in body
    assert "<category>Ondernemen</category>" in body
    page = client.get("/rubriek/ondernemen/").content.decode()
    assert 'type="application/rss+xml"' in page
    assert 'href="/rubriek/ondernemen/feed/"' in page


def test_the_masthead_lists_the_sections_and_marks_the_current_one(client, seed_article):
    links = masthead_links(client.get("/rubriek/financien/").content.decode())
    assert [href for _text, href, _current in links] == [
        "/",
        "/rubriek/nieuws/",
        "/rubriek/ondernemen/",
        "/rubriek/financien/",
        "/rubriek/marketing/",
    ]
    assert [text for text, _href, current in links if current] == ["Financiën"]
    home = masthead_links(client.get("/").content.decode())
    assert [href for _text, href, current in home if current] == ["/"]
    article = masthead_links(client.get(seed_article.get_absolute_url()).content.decode())
    assert not any(current for _text, _href, current in article)


def test_the_masthead_follows_the_language_of_the_page(client):
    links = masthead_links(client.get("/en/rubriek/marketing/").content.decode())
    assert ("Marketing", "/en/rubriek/marketing/", True) in links


def test_a_new_section_appears_in_the_masthead_of_cached_pages(client):
    assert "/rubriek/export/" not in client.get("/").content.decode()
    make_section("Export", position=5)
    html = client.get("/").content.decode()
    assert [href for _t, href, _c in masthead_links(html)][-1] == "/rubriek/export/"


def test_the_masthead_reads_the_sections_once_then_from_the_cache(
    client, django_assert_num_queries
):
    client.get("/privacy/")
    with django_assert_num_queries(0):
        client.get("/privacy/")  # privacy page: no database, its masthead neither


def test_section_pages_are_in_the_sitemap(client, settings):
    body = client.get("/sitemap.xml").content.decode()
    assert f"<loc>{settings.SITE_URL}/rubriek/marketing/</loc>" in body
    assert f"<loc>{settings.SITE_URL}/en/rubriek/marketing/</loc>" in body


def test_a_section_with_articles_cannot_be_deleted(seed_article):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        seed_article.section.delete()


def test_the_section_listing_uses_a_constant_number_of_queries(
    client, make_article, django_assert_max_num_queries
):
    news = Section.objects.get(slug="nieuws")
    for _ in range(12):
        make_article(section=news)
    client.get("/")  # the masthead's sections and the content types, once
    with django_assert_max_num_queries(5):  # section, count, page, comment counts, next
        client.get("/rubriek/nieuws/")
