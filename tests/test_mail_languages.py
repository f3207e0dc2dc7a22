"""E-mails are written in the reader's language: the one of the page they asked from,
or the one they chose on the manage page. Over real SMTP."""

import re

import pytest
from captcha.models import CaptchaStore
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from comments.models import ANONYMOUS_NAME, Comment, Subscription
from mail.delivery import message_for
from mail.models import OutgoingMail
from newsletter.sending import queue_newsletter
from privacy.personal_data import Erasure, erase
from tests.mail_sink import html_of, links_in, path_of, text_of
from tests.test_languages import sentences

pytestmark = pytest.mark.django_db

ENGLISH_READER = "reader@example.com"
DUTCH_READER = "lezer@example.nl"


@pytest.fixture
def follow(post, smtp_sink, run_worker):
    """Comment with the box ticked on the page in `language` and confirm from the mail."""

    def follow(article, email, language):
        post(article, language=language, email=email, followup="on")
        run_worker()
        [confirmation] = smtp_sink.to(email)
        confirm = next(link for link in links_in(confirmation) if "/bevestigen/" in link)
        Client().post(path_of(confirm))
        assert Subscription.objects.get(email=email, article=article).is_confirmed
        smtp_sink.clear()
        return confirmation

    return follow


def test_a_reader_on_the_english_page_gets_an_english_confirmation(
    seed_article, post, smtp_sink, run_worker
):
    post(seed_article, language="en", email=ENGLISH_READER, followup="on")
    run_worker()
    [message] = smtp_sink.to(ENGLISH_READER)
    assert message["Subject"] == (
        'Confirm that you want to follow the comments on "Drie tips voor social mediarichtlijnen"'
    )
    assert '<html lang="en">' in html_of(message)
    assert message["Content-Language"] == "en"
    [confirm] = [link for link in links_in(message) if "/bevestigen/" in link]
    # The link opens the confirmation page in English too.
    assert path_of(confirm).startswith("/en/")
    page = Client().get(path_of(confirm)).content.decode()
    assert "Confirm your subscription" in page


def test_each_subscriber_hears_of_a_new_comment_in_their_own_language(
    seed_article, follow, post, smtp_sink, run_worker
):
    follow(seed_article, ENGLISH_READER, "en")
    follow(seed_article, DUTCH_READER, "nl")
    post(seed_article, name="Kees", email="kees@example.nl", comment="Een nieuwe gedachte.")
    run_worker()
    [english] = smtp_sink.to(ENGLISH_READER)
    [dutch] = smtp_sink.to(DUTCH_READER)
    assert english["Subject"] == 'New comment on "Drie tips voor social mediarichtlijnen"'
    assert dutch["Subject"] == 'Nieuwe reactie op "Drie tips voor social mediarichtlijnen"'
    assert (english["Content-Language"], dutch["Content-Language"]) == ("en", "nl")
    assert "Kees wrote a new comment" in text_of(english)
    assert "Een nieuwe gedachte." in text_of(english)  # the comment itself as written
    assert all(path_of(link).startswith("/en/") for link in links_in(english))
    assert not any(path_of(link).startswith("/en/") for link in links_in(dutch))


def test_an_erased_commenter_is_named_in_each_subscriber_s_language(
    seed_article, follow, post, smtp_sink, run_worker
):
    """The commenter erased their data before the notifications went out."""
    follow(seed_article, ENGLISH_READER, "en")
    follow(seed_article, DUTCH_READER, "nl")
    post(seed_article, name="Kees", email="kees@example.nl", comment="Een nieuwe gedachte.")
    erase("kees@example.nl", Erasure.ANONYMISE)
    assert Comment.objects.latest("pk").user_name == ANONYMOUS_NAME
    run_worker()
    [english] = smtp_sink.to(ENGLISH_READER)
    [dutch] = smtp_sink.to(DUTCH_READER)
    for message, line in [
        (english, "Anonymous reader wrote a new comment"),
        (dutch, "Anonieme lezer schreef een nieuwe reactie"),
    ]:
        assert line in text_of(message)
        assert line in html_of(message)
        assert "Kees" not in text_of(message) and "Kees" not in html_of(message)
    assert "Anonieme lezer" not in text_of(english) + html_of(english)


def test_moderators_are_mailed_in_dutch_whatever_page_the_comment_came_from(
    seed_article, post, smtp_sink, run_worker, settings
):
    settings.COMMENTS_MODERATOR_EMAILS = ["redactie@example.nl"]
    settings.COMMENTS_BLOCKED_WORDS = ["casino"]
    post(seed_article, language="en", email=ENGLISH_READER, comment="Try our casino")
    run_worker()
    [notice] = smtp_sink.to("redactie@example.nl")
    assert "reactie" in notice["Subject"].lower()
    assert '<html lang="nl">' in html_of(notice)


def test_the_manage_page_lists_the_newsletter_and_changes_the_mail_language(
    seed_article, make_article, follow, post, smtp_sink, run_worker
):
    follow(seed_article, DUTCH_READER, "nl")
    Subscription.objects.create(email=DUTCH_READER, article=None, confirmed_at=timezone.now())
    post(seed_article, name="Kees", email="kees@example.nl")
    run_worker()
    [message] = smtp_sink.to(DUTCH_READER)
    manage = path_of(next(link for link in links_in(message) if "/beheren/" in link))
    client = Client()
    html = client.get(manage).content.decode()
    assert "Nieuwsbrief" in html and "stuur mij de nieuwsbrief" in html
    assert '<span lang="en">English</span>' in html  # named in itself, marked English
    subscriptions = {s.article_id: s for s in Subscription.objects.filter(email=DUTCH_READER)}
    response = client.post(
        manage,
        {
            f"scope_{subscriptions[seed_article.pk].pk}": "all",
            f"scope_{subscriptions[None].pk}": "none",
            "language": "en",
        },
    )
    assert "Uw keuzes zijn opgeslagen." in response.content.decode()
    smtp_sink.clear()

    post(seed_article, name="Kees", email="kees@example.nl", comment="Nog een gedachte.")
    queue_newsletter(make_article(title="Nieuw artikel").pk)
    run_worker()
    [notification] = smtp_sink.to(DUTCH_READER)  # and no newsletter
    assert notification["Subject"] == 'New comment on "Drie tips voor social mediarichtlijnen"'


def test_an_invalid_language_on_the_manage_page_is_refused_in_dutch(
    seed_article, follow, smtp_sink
):
    follow(seed_article, DUTCH_READER, "nl")
    from comments.subscriptions import manage_url

    response = Client().post(
        path_of(manage_url(DUTCH_READER)),
        {f"scope_{Subscription.objects.get().pk}": "all", "language": "fr"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Controleer het volgende:" in html
    assert "Selecteer een geldige keuze. fr is geen beschikbare keuze." in html
    assert Subscription.objects.get().language == "nl"


def test_newsletter_sign_up_on_the_english_page_sends_english_newsletters(
    client, make_article, smtp_sink, run_worker
):
    with translation.override("en"):
        url = reverse("newsletter:signup")
    assert url.startswith("/en/")
    html = client.get(url).content.decode()
    key = re.search(r'name="captcha_0" value="([^"]+)"', html).group(1)
    answer = CaptchaStore.objects.get(hashkey=key).response
    client.post(url, {"email": ENGLISH_READER, "captcha_0": key, "captcha_1": answer})
    run_worker()
    [confirmation] = smtp_sink.to(ENGLISH_READER)
    assert "newsletter" in confirmation["Subject"].lower()
    confirm = next(link for link in links_in(confirmation) if "/bevestigen/" in link)
    assert "Subscription confirmed" in client.post(path_of(confirm)).content.decode()
    smtp_sink.clear()

    queue_newsletter(make_article(title="Nieuw artikel", lead="Een korte inleiding.").pk)
    run_worker()
    [newsletter] = smtp_sink.to(ENGLISH_READER)
    text, html = text_of(newsletter), html_of(newsletter)
    assert "You receive this e-mail because you subscribed to the newsletter." in text
    assert "Een korte inleiding." in text  # the article as written
    assert '<html lang="en">' in html
    assert '<div lang="nl">' in html  # the Dutch lead is marked as Dutch for screen readers


def test_a_data_request_from_the_english_page_is_answered_in_english(
    client, seed_article, smtp_sink, run_worker
):
    with translation.override("en"):
        url = reverse("privacy:request")
    html = client.get(url).content.decode()
    key = re.search(r'name="captcha_0" value="([^"]+)"', html).group(1)
    answer = CaptchaStore.objects.get(hashkey=key).response
    client.post(url, {"email": ENGLISH_READER, "captcha_0": key, "captcha_1": answer})
    run_worker()
    [message] = smtp_sink.to(ENGLISH_READER)
    assert '<html lang="en">' in html_of(message)
    [link] = [link for link in links_in(message) if "/mijn-gegevens/" in link]
    assert path_of(link).startswith("/en/")
    assert "Your data" in client.get(path_of(link)).content.decode()
    download = client.post(path_of(link) + "download/")
    assert 'filename="my-data-' in download["Content-Disposition"]


@pytest.fixture
def one_mail_of_each_kind(seed_article):
    comment = Comment.objects.for_article(seed_article).visible().first()
    discussion = Subscription.objects.create(
        email=DUTCH_READER, article=seed_article, confirmed_at=timezone.now()
    )
    newsletter = Subscription.objects.create(
        email=DUTCH_READER, article=None, confirmed_at=timezone.now()
    )

    def mail(key, kind, **params):
        return OutgoingMail(key=key, kind=kind, to=DUTCH_READER, params=params)

    return [
        mail("c", "confirmation", subscription=discussion.pk),
        mail("nc", "newsletter_confirmation", subscription=newsletter.pk),
        mail("n", "notification", comment=comment.pk, subscription=discussion.pk),
        mail("m", "moderation", comment=comment.pk),
        mail("l", "newsletter", subscription=newsletter.pk, article=seed_article.pk),
        mail("d", "data_export"),
    ]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_mail_carries_a_sentence_of_the_other_language(one_mail_of_each_kind, language):
    other_language_sentences = set(sentences(language))
    for mail in one_mail_of_each_kind:
        mail.language = language
        message, reason_not_to_send = message_for(mail)
        assert reason_not_to_send == ""
        for part in (message.subject, message.body, message.alternatives[0][0]):
            text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part))
            leaked = [sentence for sentence in other_language_sentences if sentence in text]
            assert leaked == [], (mail.kind, leaked)
        assert f'<html lang="{language}">' in message.alternatives[0][0]
