"""Anonymous readers get cached pages that are never stale; faults degrade gracefully."""

import datetime
import time

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from comments.moderation import approve_comments, remove_comments
from tests.conftest import post_url

pytestmark = pytest.mark.django_db


def test_a_second_anonymous_read_comes_from_the_cache(client, seed_article):
    first = client.get(seed_article.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        second = client.get(seed_article.get_absolute_url())
    assert len(queries) == 0
    assert second.content == first.content
    assert second["Cache-Control"] == ("public, max-age=0, s-maxage=1, stale-while-revalidate=30")
    assert "Cookie" in second["Vary"]
    assert second["ETag"] and second["Last-Modified"]
    assert "Set-Cookie" not in second.headers


def test_a_conditional_get_is_answered_with_304(client, seed_article):
    first = client.get(seed_article.get_absolute_url())
    again = client.get(seed_article.get_absolute_url(), headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    since = client.get(
        seed_article.get_absolute_url(), headers={"If-Modified-Since": first["Last-Modified"]}
    )
    assert since.status_code == 304


def test_a_new_comment_shows_at_once(client, seed_article, comment_form):
    client.get(seed_article.get_absolute_url())
    client.post(post_url(seed_article), comment_form(seed_article, comment="Vers van de pers"))
    client.cookies.clear()  # an anonymous reader elsewhere, without the message cookie
    assert "Vers van de pers" in client.get(seed_article.get_absolute_url()).content.decode()
    assert "6 reacties" in client.get(reverse("articles:index")).content.decode()


@pytest.mark.parametrize("decision", ["approve", "remove"])
def test_moderation_shows_at_once(client, seed_article, decision):
    laila = Comment.objects.filter(user_name="Laila Simonis")
    if decision == "approve":
        laila.update(is_public=False)
    client.get(seed_article.get_absolute_url())
    (approve_comments if decision == "approve" else remove_comments)(laila)
    html = client.get(seed_article.get_absolute_url()).content.decode()
    assert ("Leuk artikel!" in html) == (decision == "approve")


def test_a_comment_on_one_article_leaves_another_articles_cached_page_untouched(
    client, seed_article, make_article, comment_form
):
    other = make_article()
    listing = client.get(reverse("articles:index"))
    first = client.get(other.get_absolute_url())
    response = client.post(post_url(seed_article), comment_form(seed_article))
    assert response.status_code == 302
    client.cookies.clear()  # the thank-you message made the next page personal
    with CaptureQueriesContext(connection) as queries:
        again = client.get(other.get_absolute_url())
    assert len(queries) == 0  # from the cache: nothing of it changed
    assert (again.content, again["ETag"]) == (first.content, first["ETag"])
    # The commented article and the listing's count are new at once.
    assert "Goed punt, dank voor de tips." in client.get(seed_article.get_absolute_url()).text
    assert client.get(reverse("articles:index"))["ETag"] != listing["ETag"]


def test_an_edited_article_shows_at_once(client, seed_article):
    client.get(seed_article.get_absolute_url())
    seed_article.lead = "Een nieuwe inleiding."
    seed_article.save()
    assert "Een nieuwe inleiding." in client.get(seed_article.get_absolute_url()).content.decode()


def test_a_scheduled_article_appears_when_its_time_comes(client, make_article):
    soon = timezone.now() + datetime.timedelta(seconds=1)
    make_article(title="Straks verschenen", published_at=soon)
    assert "Straks verschenen" not in client.get(reverse("articles:index")).content.decode()
    deadline = time.monotonic() + 5
    while "Straks verschenen" not in client.get(reverse("articles:index")).content.decode():
        assert time.monotonic() < deadline, "the cached listing outlived the publication time"
        time.sleep(0.05)
    assert timezone.now() >= soon


def test_staff_and_readers_with_a_message_get_a_fresh_private_page(
    staff_client, seed_article, make_article
):
    draft = make_article(title="Concept", status=Article.Status.DRAFT)
    response = staff_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    staff_client.logout()
    staff_client.cookies["messages"] = "x"
    assert "private" in staff_client.get(seed_article.get_absolute_url())["Cache-Control"]


@pytest.fixture
def database_down(monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    def switch_off():
        monkeypatch.setattr(connection, "cursor", down)
        monkeypatch.setattr(connection, "chunked_cursor", down)

    return switch_off


def test_without_a_database_cached_pages_keep_being_served(client, seed_article, database_down):
    client.get(seed_article.get_absolute_url())
    database_down()
    response = client.get(seed_article.get_absolute_url())
    assert response.status_code == 200
    assert "Drie tips voor social mediarichtlijnen" in response.content.decode()


def test_without_a_database_readers_get_a_dutch_503(client, seed_article, database_down):
    database_down()
    response = client.get(seed_article.get_absolute_url())
    assert response.status_code == 503
    assert "Tijdelijk niet beschikbaar" in response.content.decode()
    assert response["Retry-After"] == "30"


def test_without_a_database_a_post_gives_the_text_back(
    client, seed_article, comment_form, database_down
):
    data = comment_form(seed_article, comment="Mijn waardevolle gedachte")
    database_down()
    response = client.post(post_url(seed_article), data)
    html = response.content.decode()
    assert response.status_code == 503
    assert "Uw reactie is niet geplaatst." in html
    assert "Mijn waardevolle gedachte" in html


REDIS_DOWN = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2},
    }
}


def test_without_redis_the_site_keeps_serving_and_a_poster_is_told_what_happened(
    client, seed_article, comment_form, settings
):
    """Posts cannot be counted, so none is taken; the poster learns why and keeps the text."""
    data = comment_form(seed_article, comment="Mijn tekst die niet verloren mag gaan.")
    settings.CACHES = REDIS_DOWN
    assert client.get(seed_article.get_absolute_url()).status_code == 200
    assert client.get(reverse("articles:index")).status_code == 200
    response = client.post(post_url(seed_article), data)
    html = response.content.decode()
    assert response.status_code == 503
    assert "Door een storing bij ons kunnen er nu geen reacties worden geplaatst." in html
    assert "te vaak geprobeerd" not in html
    assert "Mijn tekst die niet verloren mag gaan." in html
    assert not Comment.objects.filter(user_name="Petra de Vries").exists()


def test_the_page_cache_works_on_redis(client, seed_article, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": f"test-{time.time_ns()}",
        }
    }
    client.get(seed_article.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        assert client.get(seed_article.get_absolute_url()).status_code == 200
    assert len(queries) == 0


def test_without_redis_a_recommendation_is_refused_as_a_fault_not_as_too_many(
    client, seed_article, settings
):
    comment = Comment.objects.for_article(seed_article).visible().first()
    settings.CACHES = REDIS_DOWN
    response = client.post(
        reverse("comments:recommend"),
        {"reactie": comment.pk},
        headers={"Accept": "application/json", "Origin": "http://testserver"},
    )
    assert response.status_code == 503
    assert response.json()["message"].startswith("Door een storing bij ons kan dit nu niet.")
    assert Comment.objects.get(pk=comment.pk).recommend_count == 0
