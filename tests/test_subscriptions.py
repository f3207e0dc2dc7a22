"""Following a discussion by e-mail, over real SMTP: opt-in, scopes, unsubscribe, delivery."""

import re

import pytest
from captcha.models import CaptchaStore
from django.core import signing
from django.test import Client
from django.urls import reverse

from comments.models import Comment, Subscription
from comments.moderation import approve_comments, remove_comments
from mail.models import OutgoingMail
from tests.conftest import SUBSCRIBER
from tests.mail_sink import html_of, links_in, path_of, text_of

pytestmark = pytest.mark.django_db


def test_ticking_the_box_sends_one_confirmation_mail_and_nothing_else(
    client, seed_article, post, smtp_sink, run_worker
):
    post(seed_article, email=SUBSCRIBER, followup="on")
    run_worker()
    [message] = smtp_sink.messages
    assert message["To"] == SUBSCRIBER
    assert message["Subject"] == (
        'Bevestig dat u de reacties op "Drie tips voor social mediarichtlijnen" wilt volgen'
    )
    assert message["Auto-Submitted"] == "auto-generated"
    assert "/abonnement/bevestigen/" in text_of(message)
    assert "/abonnement/bevestigen/" in html_of(message)
    subscription = Subscription.objects.get(email=SUBSCRIBER)
    assert not subscription.is_confirmed


def test_nothing_arrives_before_confirmation(seed_article, post, smtp_sink, run_worker):
    post(seed_article, email=SUBSCRIBER, followup="on")
    run_worker()
    smtp_sink.clear()
    post(seed_article, name="Ander", email="ander@example.nl")
    run_worker()
    assert smtp_sink.to(SUBSCRIBER) == []


def test_a_confirmed_subscriber_is_notified_of_new_comments(
    seed_article, subscribe, post, smtp_sink, run_worker
):
    subscribe(seed_article)
    new = post(
        seed_article,
        name="Bas Bakker",
        email="bas@example.nl",
        comment="Sterk verhaal <script>alert(1)</script> & <3 it's\n\nTweede alinea\nregel",
    )
    run_worker()
    [message] = smtp_sink.to(SUBSCRIBER)
    assert message["Subject"] == 'Nieuwe reactie op "Drie tips voor social mediarichtlijnen"'
    text, html = text_of(message), html_of(message)
    assert "Bas Bakker schreef een nieuwe reactie" in text
    # The text as the page shows it: no markup, no entities, paragraphs kept.
    assert "Sterk verhaal alert(1) & <3 it's\n\nTweede alinea\nregel" in text.replace("\r\n", "\n")
    assert "<script>" not in html
    assert f"/reacties/{new.pk}/" in text  # its permalink
    assert f"/reacties/{new.pk}/" in html
    unsubscribe = re.fullmatch(r"<(.+)>", message["List-Unsubscribe"]).group(1)
    assert "/abonnement/afmelden/" in unsubscribe
    assert unsubscribe in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["References"] == message["In-Reply-To"]
    assert f"article-{seed_article.pk}@" in message["References"]
    assert "/abonnement/beheren/" in text


def test_notifications_of_one_article_share_a_thread(
    seed_article, subscribe, post, smtp_sink, run_worker
):
    subscribe(seed_article)
    post(seed_article, name="Een", email="een@example.nl")
    post(seed_article, name="Twee", email="twee@example.nl")
    run_worker()
    first, second = smtp_sink.to(SUBSCRIBER)
    assert first["References"] == second["References"]
    assert first["Message-ID"] != second["Message-ID"]


def test_no_notification_for_your_own_comment(seed_article, subscribe, post, smtp_sink, run_worker):
    subscribe(seed_article)
    post(seed_article, email=SUBSCRIBER.upper(), comment="Nog een gedachte van mij.")
    run_worker()
    assert smtp_sink.to(SUBSCRIBER) == []


def test_scope_replies_only(client, seed_article, subscribe, post, smtp_sink, run_worker):
    mine = subscribe(seed_article)
    subscription = Subscription.objects.get(email=SUBSCRIBER)
    subscription.scope = Subscription.Scope.REPLIES
    subscription.save()
    post(seed_article, name="Los", email="los@example.nl")
    reply = post(seed_article, reply_to=mine, name="Antwoord", email="antwoord@example.nl")
    run_worker()
    [message] = smtp_sink.to(SUBSCRIBER)
    assert f"/reacties/{reply.pk}/" in text_of(message)


def test_one_click_unsubscribe_by_a_bare_post(seed_article, subscribe, post, smtp_sink, run_worker):
    subscribe(seed_article)
    post(seed_article, name="Een", email="een@example.nl")
    run_worker()
    [message] = smtp_sink.to(SUBSCRIBER)
    url = re.fullmatch(r"<(.+)>", message["List-Unsubscribe"]).group(1)
    mail_program = Client(enforce_csrf_checks=True)
    response = mail_program.post(
        path_of(url), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert Subscription.objects.get(email=SUBSCRIBER).scope == Subscription.Scope.NONE
    smtp_sink.clear()
    post(seed_article, name="Twee", email="twee@example.nl")
    run_worker()
    assert smtp_sink.to(SUBSCRIBER) == []


def test_a_get_on_any_mail_link_changes_nothing(
    client, seed_article, post, smtp_sink, run_worker, subscribe
):
    post(seed_article, email="nieuw@example.nl", followup="on")
    run_worker()
    [confirmation] = smtp_sink.to("nieuw@example.nl")
    for link in links_in(confirmation):
        assert client.get(path_of(link)).status_code == 200
    assert not Subscription.objects.get(email="nieuw@example.nl").is_confirmed

    subscribe(seed_article)
    post(seed_article, name="Een", email="een@example.nl")
    run_worker()
    [notification] = smtp_sink.to(SUBSCRIBER)
    for link in links_in(notification):
        # The comment's permalink redirects on to the page that shows it.
        response = client.get(path_of(link), follow=True)
        assert response.status_code == 200
    subscription = Subscription.objects.get(email=SUBSCRIBER)
    assert subscription.is_confirmed
    assert subscription.scope == Subscription.Scope.ALL


@pytest.mark.parametrize("route", ["confirm", "manage", "unsubscribe"])
def test_tampered_links_get_a_clear_page(client, route):
    token = signing.dumps({"s": 1, "e": "x@example.nl"}, salt="iets-anders")
    url = reverse(f"comments:subscription-{route}", args=[token])
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 400
        assert "Deze link is niet geldig." in response.content.decode()


def test_at_most_one_confirmation_mail_an_hour(
    client, seed_article, post, smtp_sink, run_worker, comment_form
):
    for _ in range(3):
        post(seed_article, email=SUBSCRIBER, followup="on")
    follow = reverse("comments:follow", args=[seed_article.pk])
    html = client.get(follow).content.decode()
    key = re.search(r'name="captcha_0" value="([^"]+)"', html).group(1)
    client.post(
        follow,
        {
            "email": SUBSCRIBER,
            "captcha_0": key,
            "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
        },
    )
    run_worker()
    assert len(smtp_sink.to(SUBSCRIBER)) == 1


def test_follow_without_commenting(client, seed_article, smtp_sink, run_worker):
    follow = reverse("comments:follow", args=[seed_article.pk])
    html = client.get(follow).content.decode()
    assert "Volg deze discussie" in html
    key = re.search(r'name="captcha_0" value="([^"]+)"', html).group(1)
    wrong = client.post(follow, {"email": SUBSCRIBER, "captcha_0": key, "captcha_1": "fout"})
    assert "De code klopt niet." in wrong.content.decode()
    html = wrong.content.decode()
    key = re.search(r'name="captcha_0" value="([^"]+)"', html).group(1)
    answer = CaptchaStore.objects.get(hashkey=key).response
    response = client.post(follow, {"email": SUBSCRIBER, "captcha_0": key, "captcha_1": answer})
    assert "Controleer uw e-mail" in response.content.decode()
    run_worker()
    assert len(smtp_sink.to(SUBSCRIBER)) == 1


def test_the_manage_page_lists_and_changes_subscriptions_across_articles(
    client, seed_article, make_article, subscribe, post, smtp_sink, run_worker
):
    other = make_article(title="Tweede artikel")
    subscribe(seed_article)
    subscribe(other)
    post(seed_article, name="Een", email="een@example.nl")
    run_worker()
    [message] = smtp_sink.to(SUBSCRIBER)
    manage = path_of(next(link for link in links_in(message) if "/beheren/" in link))
    html = client.get(manage).content.decode()
    assert "Drie tips voor social mediarichtlijnen" in html
    assert "Tweede artikel" in html
    subscriptions = {s.article_id: s for s in Subscription.objects.filter(email=SUBSCRIBER)}
    response = client.post(
        manage,
        {
            f"scope_{subscriptions[seed_article.pk].pk}": "replies",
            f"scope_{subscriptions[other.pk].pk}": "none",
        },
    )
    assert "Uw keuzes zijn opgeslagen." in response.content.decode()
    scopes = dict(Subscription.objects.filter(email=SUBSCRIBER).values_list("article", "scope"))
    assert scopes == {seed_article.pk: "replies", other.pk: "none"}


def test_a_held_comment_notifies_only_after_approval(
    seed_article, subscribe, post, smtp_sink, run_worker, settings
):
    subscribe(seed_article)
    settings.COMMENTS_BLOCKED_WORDS = ["casino"]
    held = post(seed_article, name="Twijfel", email="twijfel@example.nl", comment="Online casino")
    run_worker()
    assert smtp_sink.to(SUBSCRIBER) == []
    approve_comments(Comment.objects.filter(pk=held.pk))
    run_worker()
    [message] = smtp_sink.to(SUBSCRIBER)
    assert f"/reacties/{held.pk}/" in text_of(message)


def test_a_comment_removed_before_sending_is_not_sent(
    seed_article, subscribe, post, smtp_sink, run_worker
):
    subscribe(seed_article)
    smtp_sink.stop()
    bad = post(seed_article, name="Snel weg", email="weg@example.nl")
    run_worker()  # fans out; SMTP is down so the mail waits
    remove_comments(Comment.objects.filter(pk=bad.pk))
    smtp_sink.start()
    OutgoingMail.objects.update(next_attempt_at=OutgoingMail.objects.first().created_at)
    run_worker()
    assert smtp_sink.to(SUBSCRIBER) == []
    assert OutgoingMail.objects.get(params__comment=bad.pk).status == OutgoingMail.Status.CANCELLED
