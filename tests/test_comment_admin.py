"""Moderators find, filter and judge comments in the admin."""

import pytest
from django.urls import reverse

from comments.models import Comment

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:comments_comment_changelist"


def test_comment_list_shows_article_name_email_status_and_excerpt(admin_client_nl, seed_article):
    html = admin_client_nl.get(reverse(CHANGELIST)).content.decode()
    assert "Laila Simonis" in html
    assert "Drie tips voor social mediarichtlijnen" in html
    assert "Leuk artikel! Helemaal mee eens." in html
    assert "openbaar" in html


@pytest.mark.parametrize("status", ["public", "held", "removed", "spam"])
def test_status_filters(admin_client_nl, seed_article, status):
    laila = Comment.objects.get(user_name="Laila Simonis")
    Comment.objects.filter(pk=laila.pk).update(is_public=False)
    Comment.objects.filter(user_name="Jorie Post").update(is_removed=True)
    Comment.objects.filter(user_name="Sonja").update(is_removed=True, is_spam=True)
    response = admin_client_nl.get(reverse(CHANGELIST), {"status": status})
    counts = {"public": 2, "held": 1, "removed": 2, "spam": 1}
    assert response.context["cl"].result_count == counts[status]


def test_search_finds_comments_by_text(admin_client_nl, seed_article):
    response = admin_client_nl.get(reverse(CHANGELIST), {"q": "feedbackware"})
    assert response.context["cl"].result_count == 1


@pytest.mark.parametrize(
    ("action", "check"),
    [
        ("approve", lambda c: c.is_public and not c.is_removed),
        ("remove", lambda c: c.is_removed and not c.is_spam),
        ("mark_as_spam", lambda c: c.is_removed and c.is_spam),
    ],
)
def test_bulk_actions(admin_client_nl, seed_article, action, check):
    Comment.objects.update(is_public=False)
    wilcos = Comment.objects.filter(user_name="Wilco Verdoold")
    response = admin_client_nl.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [c.pk for c in wilcos]},
        follow=True,
    )
    assert response.status_code == 200
    assert all(check(comment) for comment in Comment.objects.filter(user_name="Wilco Verdoold"))
    assert not Comment.objects.get(user_name="Laila Simonis").is_public


def test_comment_change_page_shows_the_rendered_comment(admin_client_nl, seed_article):
    wilco = Comment.objects.get(user_name="Wilco Verdoold", level=1)
    html = admin_client_nl.get(
        reverse("admin:comments_comment_change", args=[wilco.pk])
    ).content.decode()
    assert 'rel="nofollow ugc noopener">(Klik hier)</a>' in html
