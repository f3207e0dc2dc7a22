"""Readers see published articles only; staff can preview drafts."""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from tests.html_audit import assert_page_is_inert

pytestmark = pytest.mark.django_db


def test_listing_shows_newest_first_with_lead_and_date(client, make_article):
    make_article(title="Oud nieuws", published_at=timezone.now() - datetime.timedelta(days=30))
    make_article(title="Vers nieuws", lead="De inleiding van het verse nieuws.")
    html = client.get(reverse("articles:index")).content.decode()
    assert html.index("Vers nieuws") < html.index("Oud nieuws") < html.index("Drie tips")
    assert "De inleiding van het verse nieuws." in html
    assert "10 mei 2012" in html


def test_listing_is_paginated(client, make_article, settings):
    settings.ARTICLES_PER_PAGE = 2
    for _ in range(3):
        make_article()
    first = client.get(reverse("articles:index"))
    assert len(first.context["page_obj"]) == 2
    assert 'rel="next" href="?pagina=2"' in first.content.decode()
    last = client.get(reverse("articles:index"), {"pagina": "2"})
    assert len(last.context["page_obj"]) == 2
    beyond = client.get(reverse("articles:index"), {"pagina": "99"})
    assert beyond.status_code == 200
    garbage = client.get(reverse("articles:index"), {"pagina": "x'<"})
    assert garbage.status_code == 200


def test_old_news_url_redirects_to_the_listing(client):
    response = client.get("/nieuws/")
    assert response.status_code == 301
    assert response["Location"] == "/"


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"published_at": timezone.now() + datetime.timedelta(days=2)},
    ],
    ids=["draft", "scheduled"],
)
def test_unpublished_articles_are_hidden_from_readers(client, make_article, fields):
    article = make_article(title="Geheim artikel", **fields)
    assert client.get(article.get_absolute_url()).status_code == 404
    assert "Geheim artikel" not in client.get(reverse("articles:index")).content.decode()
    assert "Geheim artikel" not in client.get(reverse("articles:feed-rss")).content.decode()
    assert "Geheim artikel" not in client.get(reverse("articles:feed-atom")).content.decode()
    assert "geheim-artikel" not in client.get("/sitemap.xml").content.decode()


def test_staff_can_preview_a_draft(staff_client, make_article):
    article = make_article(title="Concept", status=Article.Status.DRAFT)
    response = staff_client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Voorbeeld: lezers kunnen dit artikel nog niet zien." in html
    assert '<meta name="robots" content="noindex">' in html


def test_a_scheduled_article_appears_once_its_time_has_come(client, make_article):
    article = make_article(published_at=timezone.now() + datetime.timedelta(seconds=1))
    assert client.get(article.get_absolute_url()).status_code == 404
    Article.objects.filter(pk=article.pk).update(
        published_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    article.refresh_from_db()
    assert client.get(article.get_absolute_url()).status_code == 200


def test_url_with_the_wrong_date_redirects_to_the_canonical_one(client, seed_article):
    response = client.get("/nieuws/2020/01/01/drie-tips-voor-social-mediarichtlijnen/")
    assert response.status_code == 301
    assert response["Location"] == seed_article.get_absolute_url()


def test_article_url_reverses_and_resolves(seed_article):
    url = seed_article.get_absolute_url()
    assert url == "/nieuws/2012/05/10/drie-tips-voor-social-mediarichtlijnen/"
    match = resolve(url)
    assert match.view_name == "articles:detail"
    assert match.kwargs["slug"] == "drie-tips-voor-social-mediarichtlijnen"


def test_unknown_page_gives_a_dutch_404(client, settings):
    settings.DEBUG = False
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.content.decode()


def test_article_page_has_canonical_opengraph_and_json_ld(client, seed_article, settings):
    html = client.get(seed_article.get_absolute_url()).content.decode()
    url = settings.SITE_URL + seed_article.get_absolute_url()
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<script type="application/ld+json">' in html
    assert '"@type": "NewsArticle"' in html
    assert '"datePublished": "2012-05-10T' in html


def test_json_ld_cannot_close_its_script_element(client, make_article):
    article = make_article(title="</script><script>alert(1)</script>")
    html = client.get(article.get_absolute_url()).content.decode()
    assert_page_is_inert(html)  # only the page's own scripts, and the JSON-LD intact


def test_article_footer_has_forward_and_newsletter_links(client, seed_article):
    html = client.get(seed_article.get_absolute_url()).content.decode()
    assert 'href="mailto:?subject=Drie%20tips%20voor%20social%20mediarichtlijnen&amp;body=' in html
    assert ">Doorsturen</a>" in html
    assert f'href="{reverse("newsletter:signup")}">Nieuwsbrief</a>' in html
    assert client.get(reverse("newsletter:signup")).status_code == 200


def test_pages_use_a_constant_number_of_queries(
    client, make_article, django_assert_max_num_queries, seed_article
):
    for _ in range(15):
        make_article(tips=["Een", "Twee", "Drie", "Vier"])
    big = make_article(tips=[f"Tip {i}" for i in range(30)])
    # The first page of a test also reads the masthead's sections (cached from then on).
    with django_assert_max_num_queries(5):
        client.get(reverse("articles:index"))
    # The article, its tips, tags, related articles, the next publication; the discussion's
    # page of threads (count, ids), their outlines and shown comments, the totals, the
    # picks, and answered comments.
    with django_assert_max_num_queries(12):
        client.get(big.get_absolute_url())
    with django_assert_max_num_queries(12):
        client.get(seed_article.get_absolute_url())


def test_a_readers_get_sets_no_cookie_and_writes_nothing(client, seed_article):
    for url in [reverse("articles:index"), seed_article.get_absolute_url()]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert response.cookies == {}
        statements = [query["sql"].lstrip().split()[0].upper() for query in queries]
        assert set(statements) == {"SELECT"}


def add_comment(article, parent=None, **fields):
    return Comment.objects.create(
        content_type=ContentType.objects.get_for_model(Article),
        object_pk=str(article.pk),
        site_id=1,
        user_name="Lezer",
        user_email="lezer@example.nl",
        comment="Een reactie.",
        submit_date=timezone.now(),
        parent_id=parent.pk if parent else 0,
        **fields,
    )


def test_the_listing_counts_the_comments_each_article_page_shows(
    client, make_article, django_assert_max_num_queries
):
    expected = {}
    for number in range(10):
        article = make_article()
        for _ in range(number):
            add_comment(article)
        if number % 2:
            # Held, removed and spam comments are not counted; a removed comment with a
            # reply stays as a placeholder, which is not counted either.
            add_comment(article, is_public=False)
            add_comment(article, is_spam=True, is_removed=True)
            removed = add_comment(article, is_removed=True)
            add_comment(article, parent=removed)
            expected[article.get_absolute_url()] = number + 1
        else:
            expected[article.get_absolute_url()] = number
    with django_assert_max_num_queries(5):  # 4, and the masthead's sections the first time
        html = client.get(reverse("articles:index")).content.decode()
    listed = dict(re.findall(r'<a href="([^"#]+)#reacties">(\d+) reacties?</a>', html))
    assert {url: int(count) for url, count in listed.items()} == expected
    for url, count in expected.items():
        page = client.get(url).content.decode()
        shown = re.search(r'<span class="discussion__count">\((\d+)\)</span>', page).group(1)
        assert int(shown) == count, url
