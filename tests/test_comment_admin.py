"""Moderators find, filter and judge comments in the admin."""

import pytest
from django.db.models import F
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


def test_deleting_a_comment_with_replies_never_leaves_a_reply_without_it(
    admin_client_nl, seed_article
):
    """The answered comment stays as the placeholder; one without replies goes for good."""
    comments = Comment.objects.for_article(seed_article).order_by("thread_id", "order")
    answered = next(c for c in comments if Comment.objects.filter(parent_id=c.pk).exclude(pk=c.pk))
    replies = list(Comment.objects.filter(parent_id=answered.pk).exclude(pk=answered.pk))
    # A comment nobody answered, elsewhere in the discussion.
    lone = (
        comments.exclude(pk__in=[answered.pk, *(r.pk for r in replies)])
        .exclude(pk__in=Comment.objects.exclude(pk=F("parent_id")).values("parent_id"))
        .first()
    )
    response = admin_client_nl.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "delete_selected", "_selected_action": [answered.pk, lone.pk], "post": "yes"},
        follow=True,
    )
    html = response.content.decode()
    assert "leeggemaakt" in html
    assert not Comment.objects.filter(pk=lone.pk).exists()
    kept = Comment.objects.get(pk=answered.pk)
    assert kept.is_removed and kept.comment == "" and kept.user_email == ""
    for reply in replies:
        assert Comment.objects.get(pk=reply.pk).parent_id == answered.pk
    page = admin_client_nl.get(seed_article.get_absolute_url()).content.decode()
    assert "Deze reactie is verwijderd." in page


def test_the_moderators_list_names_its_actions_apart_and_shows_text_not_markup(
    admin_client_nl, seed_article
):
    html = admin_client_nl.get(reverse("admin:comments_comment_changelist")).content.decode()
    assert html.count("Geselecteerde reacties verwijderen") == 0
    assert "Geselecteerde reacties definitief verwijderen" in html
    assert "Geselecteerde reacties verbergen" in html
    assert "&lt;a href" not in html and "&lt;p&gt;" not in html


def test_the_admin_speaks_dutch_about_other_packages_and_saves(admin_client_nl, seed_article):
    index = admin_client_nl.get(reverse("admin:index")).content.decode()
    assert "Access attempts" not in index and "Task Results" not in index
    assert "Achtergrondtaken" in index and "taakresultaten" in index.lower()
    change = reverse("admin:articles_article_change", args=[seed_article.pk])
    form = admin_client_nl.get(change).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        {
            "published_at_0": seed_article.published_at.strftime("%d-%m-%Y"),
            "published_at_1": seed_article.published_at.strftime("%H:%M:%S"),
            "tips-TOTAL_FORMS": "0",
            "tips-INITIAL_FORMS": "0",
        }
    )
    data.pop("published_at", None)
    response = admin_client_nl.post(change, data, follow=True)
    text = response.content.decode()
    assert "De artikel" not in text
    assert "Wijzigingen opgeslagen: artikel" in text, text[:3000]
