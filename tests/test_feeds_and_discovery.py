"""Feeds, sitemap and robots.txt describe the published articles."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_rss_feed_lists_published_articles(client, seed_article):
    response = client.get(reverse("articles:feed-rss"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    body = response.content.decode()
    assert "<title>Drie tips voor social mediarichtlijnen</title>" in body
    assert seed_article.get_absolute_url() in body
    assert "<language>nl</language>" in body


def test_atom_feed_lists_published_articles(client, seed_article):
    response = client.get(reverse("articles:feed-atom"))
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "<title>Drie tips voor social mediarichtlijnen</title>" in body
    assert "<name>Jorie Post</name>" in body


def test_sitemap_lists_article_urls_with_the_site_domain(client, seed_article, settings):
    body = client.get("/sitemap.xml").content.decode()
    assert f"<loc>{settings.SITE_URL}{seed_article.get_absolute_url()}</loc>" in body


def test_the_sitemap_lists_each_article_in_both_languages(client, seed_article, settings):
    body = client.get("/sitemap.xml").content.decode()
    dutch = f"{settings.SITE_URL}{seed_article.get_absolute_url()}"
    english = f"{settings.SITE_URL}/en{seed_article.get_absolute_url()}"
    assert f"<loc>{english}</loc>" in body
    assert f'<xhtml:link rel="alternate" hreflang="en" href="{english}"/>' in body
    assert f'<xhtml:link rel="alternate" hreflang="nl" href="{dutch}"/>' in body
    assert f'<xhtml:link rel="alternate" hreflang="x-default" href="{dutch}"/>' in body


def test_robots_txt_points_to_the_sitemap(client, settings):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in response.content.decode()
    assert "Disallow: /beheer/" in response.content.decode()


def test_feeds_speak_the_language_of_their_address(client):
    assert "<language>nl</language>" in client.get("/nieuws/feed/rss/").content.decode()
    assert "<language>en</language>" in client.get("/en/nieuws/feed/rss/").content.decode()
