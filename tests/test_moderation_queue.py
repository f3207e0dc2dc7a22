"""The moderators' queue in the admin: queues with counts, items with their reasons and
the writer's history, actions by button, bulk actions, and the moderation log."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from moderation.models import Ban, Decision, Report

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:moderation_queuedcomment_changelist")
DECIDE = reverse("admin:moderation_decide")


def held(article, number=0, **fields):
    fields.setdefault("user_name", f"Schrijver {number}")
    fields.setdefault("user_email", f"schrijver{number}@example.nl")
    comment = Comment(
        content_type=ContentType.objects.get_for_model(article),
        object_pk=str(article.pk),
        site_id=1,
        comment=fields.pop("comment", f"Vastgehouden reactie {number}."),
        submit_date=timezone.now(),
        is_public=False,
        hold_reasons=[{"code": "links", "detail": "3"}],
        **fields,
    )
    comment.save()
    return comment


def queue(client, **params):
    response = client.get(QUEUE, params)
    assert response.status_code == 200
    return response, response.content.decode()


def test_a_moderator_without_superuser_rights_opens_the_queue_from_the_admin(
    moderator, seed_article
):
    index = moderator.get(reverse("admin:index")).content.decode()
    assert QUEUE in index and "Moderatie" in index
    held(seed_article)
    _response, html = queue(moderator)
    assert "Te beoordelen" in html and "Gemeld" in html and "Nieuw" in html
    assert "Vastgehouden reactie 0." in html
    assert "te veel links (3)" in html


def test_staff_without_moderation_rights_cannot_see_the_queue(staff_client, seed_article):
    assert staff_client.get(QUEUE).status_code == 403


def test_each_queue_has_its_count(moderator, seed_article):
    for number in range(3):
        held(seed_article, number)
    laila = Comment.objects.get(user_name="Laila Simonis")
    Report.objects.create(comment=laila, reason="offensive", reporter="a@example.nl")
    Comment.objects.filter(user_name="Sonja").update(is_removed=True, is_spam=True)
    response, _html = queue(moderator)
    counts = {q.name: count for q, count in response.context["queues"]}
    assert counts["te-beoordelen"] == 3
    assert counts["gemeld"] == 1
    assert counts["spam"] == 1
    assert counts["nieuw"] == Comment.objects.visible().count()


def test_an_item_shows_the_text_as_readers_see_it_its_article_parent_and_history(
    moderator, seed_article
):
    laila = Comment.objects.get(user_name="Laila Simonis")
    comment = held(
        seed_article,
        comment="<script>alert(1)</script>Zie **dit**",
        user_email="terugkeer@example.nl",
        parent_id=laila.pk,
    )
    held(seed_article, 9, user_email="terugkeer@example.nl", is_removed=True)
    _response, html = queue(moderator)
    item = html[html.index(f'id="item-{comment.pk}"') :]
    assert "<script>alert(1)</script>" not in item
    assert "In reactie op Laila Simonis" in item
    assert "Drie tips voor social mediarichtlijnen" in item
    assert "2 reacties" in item and "1 afgewezen" in item


def test_approving_publishes_logs_who_did_it_and_opens_the_next_item(moderator, seed_article):
    first, second = held(seed_article, 1), held(seed_article, 2)
    response = moderator.post(
        DECIDE,
        {"action": "approve", "comments": first.pk, "return_to": QUEUE, "next_item": second.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}#item-{second.pk}"
    first.refresh_from_db()
    assert first.is_visible
    decision = Decision.objects.get(comment=first)
    assert (decision.action, decision.moderator_name) == ("approve", "Mo Derator")
    log = moderator.get(reverse("admin:moderation_decision_changelist")).content.decode()
    assert "Mo Derator" in log and "goedgekeurd" in log


def test_rejecting_needs_a_ground(moderator, seed_article):
    comment = held(seed_article)
    response = moderator.post(
        DECIDE, {"action": "reject", "comments": comment.pk, "return_to": QUEUE}, follow=True
    )
    assert "Kies de reden om af te wijzen." in response.content.decode()
    comment.refresh_from_db()
    assert not comment.is_removed

    moderator.post(
        DECIDE,
        {"action": "reject", "comments": comment.pk, "ground": "offensive", "note": "Schelden"},
    )
    comment.refresh_from_db()
    assert comment.is_removed and not comment.is_spam
    decision = Decision.objects.get(comment=comment)
    assert (decision.ground, decision.note) == ("offensive", "Schelden")


def test_spam_hides_the_comment_as_spam(moderator, seed_article):
    comment = held(seed_article)
    moderator.post(DECIDE, {"action": "spam", "comments": comment.pk})
    comment.refresh_from_db()
    assert comment.is_spam and comment.is_removed
    assert Decision.objects.get(comment=comment).ground == "spam"


def test_blocking_rejects_the_comment_and_blocks_address_and_ip_for_the_chosen_time(
    moderator, seed_article
):
    comment = held(seed_article, ip_address="203.0.113.9")
    before = timezone.now()
    moderator.post(
        DECIDE, {"action": "ban", "comments": comment.pk, "ground": "spam", "ban_for": "7d"}
    )
    ban = Ban.objects.get()
    assert (ban.email, ban.ip_network) == ("schrijver0@example.nl", "203.0.113.9")
    assert 7 * 86400 - 5 < (ban.ends_at - before).total_seconds() < 7 * 86400 + 5
    comment.refresh_from_db()
    assert comment.is_removed
    assert Decision.objects.get(comment=comment).action == "ban"


def test_bulk_approval_of_a_selection(moderator, seed_article):
    comments = [held(seed_article, number) for number in range(3)]
    moderator.post(DECIDE, {"action": "approve", "comments": [comments[0].pk, comments[2].pk]})
    assert [Comment.objects.get(pk=c.pk).is_public for c in comments] == [True, False, True]
    assert Decision.objects.count() == 2


def test_a_get_never_acts(moderator, seed_article):
    comment = held(seed_article)
    assert moderator.get(DECIDE, {"action": "approve", "comments": comment.pk}).status_code == 405
    comment.refresh_from_db()
    assert not comment.is_public


def test_search_and_article_filter(moderator, seed_article, make_article):
    other = make_article()
    held(seed_article, 1)
    held(other, 2, comment="Over belastingen.")
    _response, html = queue(moderator, q="belasting")
    assert "Over belastingen." in html and "Vastgehouden reactie 1." not in html
    _response, html = queue(moderator, q="schrijver1@example.nl")
    assert "Vastgehouden reactie 1." in html and "Over belastingen." not in html
    _response, html = queue(moderator, artikel=other.pk)
    assert "Over belastingen." in html and "Vastgehouden reactie 1." not in html


def test_ip_addresses_only_for_moderators_with_that_permission(moderator, seed_article):
    held(seed_article, ip_address="198.51.100.23")
    _response, html = queue(moderator)
    assert "198.51.100.23" not in html
    assert "Tekst, naam of e-mailadres" in html


def test_the_new_queue_holds_public_comments_no_moderator_decided_on(moderator, seed_article):
    response, _html = queue(moderator, wachtrij="nieuw")
    before = response.context["page"].paginator.count
    laila = Comment.objects.get(user_name="Laila Simonis")
    moderator.post(DECIDE, {"action": "approve", "comments": laila.pk})
    response, _html = queue(moderator, wachtrij="nieuw")
    assert response.context["page"].paginator.count == before - 1
    response, html = queue(moderator, wachtrij="goedgekeurd")
    assert "Laila Simonis" in html


def queries_for_queue(client):
    with CaptureQueriesContext(connection) as queries:
        queue(client)
    return len(queries)


def test_the_queue_renders_in_the_same_number_of_queries_for_5_and_50_items(
    moderator, seed_article, make_article
):
    articles = [seed_article, make_article(), make_article()]
    for number in range(5):
        held(articles[number % 3], number, parent_id=Comment.objects.first().pk)
    few = queries_for_queue(moderator)
    for number in range(5, 50):
        comment = held(articles[number % 3], number, ip_address=f"198.51.100.{number}")
        Report.objects.create(comment=comment, reason="spam", reporter=f"r{number}")
    many = queries_for_queue(moderator)
    response, html = queue(moderator)
    assert len(response.context["items"]) == 50
    assert many == few


def test_the_comment_lists_actions_are_logged_too(admin_client_nl, seed_article):
    laila = Comment.objects.get(user_name="Laila Simonis")
    admin_client_nl.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "mark_as_spam", "_selected_action": [laila.pk]},
    )
    assert Decision.objects.get(comment=laila).action == "spam"


def test_the_queue_is_keyboard_ready_without_javascript(moderator, seed_article):
    comment = held(seed_article)
    _response, html = queue(moderator)
    item = re.search(rf'<article class="queue-item" id="item-{comment.pk}"[^>]*>', html).group(0)
    assert 'tabindex="-1"' in item
    # Every action is a real button in a form that posts without JavaScript.
    for action in ("approve", "reject", "spam", "ban"):
        assert f'name="action" value="{action}"' in html
    assert "Sneltoetsen" in html
