"""What a review of the moderation found, kept fixed: double mails, undone decisions,
blocks that overlap, hidden IP addresses, gamed reports, bad input."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from mail.models import OutgoingMail
from moderation.decisions import decide
from moderation.mails import STATEMENT_OF_REASONS_KIND
from moderation.models import Ban, Decision, ModeratorAlerts, Report
from moderation.reports import REPORT_RECEIVED_KIND, report_comment
from tests.conftest import post_url

pytestmark = pytest.mark.django_db

REJECT = Decision.Action.REJECT


def statements():
    return OutgoingMail.objects.filter(kind=STATEMENT_OF_REASONS_KIND)


def report(comment, *, ip, email=""):
    return report_comment(
        comment=comment,
        reason="offensive",
        law="",
        explanation="",
        name="",
        email=email,
        language="nl",
        ip_address=ip,
    )


def test_a_timed_and_a_lasting_block_together_still_refuse_clearly(
    client, seed_article, comment_form
):
    Ban.objects.create(email="petra@example.nl", ends_at=timezone.now() + datetime.timedelta(1))
    Ban.objects.create(ip_network="127.0.0.1")
    response = client.post(post_url(seed_article), comment_form(seed_article))
    assert response.status_code == 403
    assert "U kunt op deze site geen reacties plaatsen" in response.content.decode()


def test_rejecting_twice_sends_one_statement(post, seed_article):
    comment = post(seed_article)
    decide([comment], action=REJECT, moderator=None, ground="offensive")
    decide([comment], action=REJECT, moderator=None, ground="misleading")
    assert statements().count() == 1
    assert Decision.objects.filter(comment=comment).count() == 2


def test_a_statement_is_not_sent_once_the_comment_is_shown_again(
    post, seed_article, smtp_sink, run_worker
):
    comment = post(seed_article, email="schrijver@example.nl")
    decide([comment], action=REJECT, moderator=None, ground="offensive")
    decide([comment], action=Decision.Action.APPROVE, moderator=None)
    run_worker()
    assert smtp_sink.to("schrijver@example.nl") == []
    assert statements().get().status == OutgoingMail.Status.CANCELLED


def test_hiding_from_the_comment_list_logs_it_but_sends_no_statement_without_a_ground(
    admin_client_nl, post, seed_article
):
    comment = post(seed_article)
    admin_client_nl.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "remove", "_selected_action": [comment.pk]},
    )
    comment.refresh_from_db()
    assert comment.is_removed
    assert Decision.objects.get(comment=comment).action == REJECT
    assert not statements().exists()


def test_rejecting_a_spam_comment_on_another_ground_moves_it_out_of_spam(post, seed_article):
    comment = post(seed_article)
    decide([comment], action=Decision.Action.SPAM, moderator=None)
    decide([comment], action=REJECT, moderator=None, ground="offensive")
    comment.refresh_from_db()
    assert comment.is_removed and not comment.is_spam


def test_the_status_is_not_changed_by_ticking_a_box_in_the_change_form(
    moderator, post, seed_article
):
    comment = post(seed_article)
    page = moderator.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    assert 'name="is_removed"' not in page.content.decode()


def test_moderators_cannot_delete_for_good(moderator, post, seed_article):
    comment = post(seed_article)
    url = reverse("admin:comments_comment_delete", args=[comment.pk])
    assert moderator.post(url, {"post": "yes"}).status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_an_emptied_comment_is_in_no_queue_and_cannot_be_approved(moderator, post, seed_article):
    comment = post(seed_article)
    Comment.objects.filter(pk=comment.pk).update(is_removed=True, comment="", comment_html="")
    response = moderator.get(
        reverse("admin:moderation_queuedcomment_changelist"), {"wachtrij": "afgewezen"}
    )
    assert response.context["page"].paginator.count == 0
    assert decide([comment], action=Decision.Action.APPROVE, moderator=None) == 0
    comment.refresh_from_db()
    assert comment.is_removed


def test_a_moderator_without_the_ip_permission_sees_no_ip_address_in_blocks(moderator):
    Ban.objects.create(email="a@example.nl", ip_network="198.51.100.77")
    url = reverse("admin:moderation_ban_changelist")
    assert "198.51.100.77" not in moderator.get(url).content.decode()
    assert moderator.get(url, {"q": "198.51.100.77"}).context["cl"].result_count == 0


def test_a_lasting_block_from_the_queue_keeps_no_ip_address(post, seed_article):
    comment = post(seed_article)
    decide(
        [comment], action=Decision.Action.BAN, moderator=None, ground="offensive", ban_for="lifted"
    )
    ban = Ban.objects.get()
    assert (ban.email, ban.ip_network, ban.ends_at) == ("petra@example.nl", "", None)


def test_three_addresses_in_one_ipv6_block_count_as_one_reporter(seed_article, settings):
    laila = Comment.objects.get(user_name="Laila Simonis")
    for number in range(1, 4):
        report(laila, ip=f"2001:db8:1:2::{number}")
    laila.refresh_from_db()
    assert laila.is_public


def test_a_comment_a_moderator_let_stay_is_not_hidden_again_by_new_reports(seed_article):
    laila = Comment.objects.get(user_name="Laila Simonis")
    decide([laila], action=Decision.Action.APPROVE, moderator=None)
    for number in range(3):
        report(laila, ip=f"198.51.100.{number}")
    laila.refresh_from_db()
    assert laila.is_public
    assert Report.objects.open().filter(comment=laila).count() == 3  # in "Gemeld"


def test_the_report_form_mails_one_address_at_most_once_an_hour(seed_article):
    laila = Comment.objects.get(user_name="Laila Simonis")
    for number in range(3):
        report(laila, ip=f"198.51.100.{number}", email="slachtoffer@example.nl")
    assert OutgoingMail.objects.filter(kind=REPORT_RECEIVED_KIND).count() == 1


@pytest.mark.parametrize(
    "request_of",
    [
        lambda c: c.post(
            reverse("admin:moderation_decide"),
            {"action": "approve", "comments": "99999999999999999999"},
        ),
        lambda c: c.get(reverse("moderation:report", args=[99999999999999999999])),
        lambda c: c.get(reverse("admin:moderation_queuedcomment_changelist"), {"artikel": "²"}),
        lambda c: c.get(
            reverse("admin:moderation_queuedcomment_changelist"), {"artikel": "9" * 5000}
        ),
    ],
)
def test_odd_input_never_gives_a_500(moderator, seed_article, request_of):
    assert request_of(moderator).status_code in (200, 302, 404)


def test_someone_no_longer_a_moderator_gets_no_alerts(post, seed_article, settings, moderator):
    user = moderator.user
    ModeratorAlerts.objects.create(user=user, frequency=ModeratorAlerts.Frequency.IMMEDIATELY)
    user.groups.clear()
    settings.COMMENTS_MAX_LINKS = 0
    post(seed_article, comment="Zie https://bron.example.nl")
    assert not OutgoingMail.objects.filter(to="moderator@example.nl").exists()


def test_opening_the_alerts_page_stores_nothing(moderator):
    moderator.get(reverse("admin:moderation_alerts"))
    assert not ModeratorAlerts.objects.exists()


def test_blocking_needs_the_permission_to_add_blocks(moderator, post, seed_article):
    Group.objects.get(name="Moderatoren").permissions.remove(
        *Group.objects.get(name="Moderatoren").permissions.filter(codename="add_ban")
    )
    comment = post(seed_article)
    response = moderator.post(
        reverse("admin:moderation_decide"),
        {"action": "ban", "comments": comment.pk, "ground": "spam", "ban_for": "1h"},
    )
    assert response.status_code == 403
    assert not Ban.objects.exists()


def test_the_rules_for_comments_are_published_and_linked(client, seed_article):
    page = client.get(seed_article.get_absolute_url()).content.decode()
    assert reverse("moderation:rules") in page
    rules = client.get(reverse("moderation:rules")).content.decode()
    assert "Regels voor reacties" in rules and "beledigend of haatzaaiend" in rules
    assert "Disallow: /reacties/melden/" in client.get("/robots.txt").content.decode()
