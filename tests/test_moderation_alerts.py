"""Moderators choose to hear of held and reported comments at once or hourly, by mail
over real SMTP, with links to the items in the queue (whose buttons act)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from moderation.alerts import queue_digests
from moderation.decisions import decide
from moderation.models import Decision, ModeratorAlerts
from moderation.reports import report_comment
from tests.mail_sink import text_of

pytestmark = pytest.mark.django_db

MODERATOR = "moderator@example.nl"


@pytest.fixture
def moderator(moderator_user):
    """Here the moderator's account, not a logged-in client: readers post anonymously."""
    return moderator_user


def wants(user, frequency):
    ModeratorAlerts.objects.update_or_create(user=user, defaults={"frequency": frequency})


def held_comment(post, article, settings, **fields):
    settings.COMMENTS_MAX_LINKS = 0
    comment = post(article, comment="Kijk op https://bron.example.nl", **fields)
    assert not comment.is_public
    return comment


def report(comment, email=""):
    return report_comment(
        comment=comment,
        reason="offensive",
        law="",
        explanation="Scheldt.",
        name="",
        email=email,
        language="nl",
        ip_address="203.0.113.5",
    )


def test_a_moderator_who_wants_it_at_once_hears_of_a_held_comment_with_a_link_to_it(
    post, seed_article, settings, moderator, smtp_sink, run_worker
):
    wants(moderator, ModeratorAlerts.Frequency.IMMEDIATELY)
    comment = held_comment(post, seed_article, settings)
    run_worker()
    [mail] = smtp_sink.to(MODERATOR)
    assert mail["Subject"].startswith("Vastgehouden: een reactie van Petra de Vries")
    body = text_of(mail)
    assert "te veel links (1)" in body
    assert f"/beheer/moderation/queuedcomment/?wachtrij=te-beoordelen#item-{comment.pk}" in body


def test_and_of_a_report(seed_article, moderator, smtp_sink, run_worker):
    wants(moderator, ModeratorAlerts.Frequency.IMMEDIATELY)
    laila = Comment.objects.get(user_name="Laila Simonis")
    report(laila)
    run_worker()
    [mail] = smtp_sink.to(MODERATOR)
    assert mail["Subject"].startswith("Gemeld: een reactie van Laila Simonis")
    assert "beledigend of haatzaaiend" in text_of(mail) and "Scheldt." in text_of(mail)
    assert f"wachtrij=gemeld#item-{laila.pk}" in text_of(mail)


def test_no_mail_for_a_moderator_who_wants_none_or_for_a_comment_already_decided(
    post, seed_article, settings, moderator, django_user_model, smtp_sink, run_worker
):
    other = django_user_model.objects.create_user("stil", "stil@example.nl", is_staff=True)
    wants(other, ModeratorAlerts.Frequency.NEVER)
    wants(moderator, ModeratorAlerts.Frequency.IMMEDIATELY)
    comment = held_comment(post, seed_article, settings)
    decide([comment], action=Decision.Action.APPROVE, moderator=moderator)
    run_worker()
    assert smtp_sink.to("stil@example.nl") == []
    assert smtp_sink.to(MODERATOR) == []  # approved before the alert went out


def test_the_hourly_digest_lists_what_waits_and_comes_once(
    post, seed_article, settings, moderator, smtp_sink, run_worker
):
    wants(moderator, ModeratorAlerts.Frequency.HOURLY)
    comment = held_comment(post, seed_article, settings)
    laila = Comment.objects.get(user_name="Laila Simonis")
    report(laila)
    run_worker()
    assert smtp_sink.to(MODERATOR) == []  # nothing at once
    assert queue_digests() == 1
    run_worker()
    [mail] = smtp_sink.to(MODERATOR)
    assert mail["Subject"] == "2 reacties wachten op een moderator"
    body = text_of(mail)
    assert f"#item-{comment.pk}" in body and f"#item-{laila.pk}" in body
    assert queue_digests(timezone.now() + datetime.timedelta(hours=1)) == 0


def test_a_digest_whose_items_were_all_decided_is_not_sent(
    post, seed_article, settings, moderator, smtp_sink, run_worker
):
    wants(moderator, ModeratorAlerts.Frequency.HOURLY)
    comment = held_comment(post, seed_article, settings)
    queue_digests()
    decide([comment], action=Decision.Action.APPROVE, moderator=moderator)
    run_worker()
    assert smtp_sink.to(MODERATOR) == []


def test_a_moderator_chooses_in_the_admin(client, moderator):
    client.force_login(moderator)
    page = client.get(reverse("admin:moderation_alerts")).content.decode()
    assert "één e-mail per uur" in page.lower() or "per uur" in page
    response = client.post(reverse("admin:moderation_alerts"), {"frequency": "hourly"})
    assert response.status_code == 302
    assert ModeratorAlerts.objects.get(user=moderator).frequency == "hourly"
    queue = client.get(reverse("admin:moderation_queuedcomment_changelist")).content.decode()
    assert "per uur" in queue


def test_a_worker_starts_the_hourly_chain_once(run_worker):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from moderation.tasks import send_moderation_digests

    run_worker()
    run_worker()
    [waiting] = DBTaskResult.objects.filter(
        task_path=send_moderation_digests.module_path, status=TaskResultStatus.READY
    )
    in_an_hour = timezone.now() + datetime.timedelta(hours=1)
    assert abs((waiting.run_after - in_an_hour).total_seconds()) < 60
