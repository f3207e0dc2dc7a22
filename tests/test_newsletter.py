"""The newsletter, over real SMTP: sign-up, opt-in, sending from the admin, unsubscribe, export."""

import csv
import datetime
import io
import re

import pytest
from captcha.models import CaptchaStore
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.models import Article
from comments.models import Subscription
from mail.models import OutgoingMail
from newsletter.export import csv_safe
from newsletter.models import NewsletterSend
from tests.mail_sink import html_of, links_in, path_of, text_of

pytestmark = pytest.mark.django_db

READER = "lezer@example.nl"
ARTICLES = "admin:articles_article_changelist"
SUBSCRIPTIONS = "admin:comments_subscription_changelist"


@pytest.fixture
def sign_up(client):
    """Fill in the newsletter form like a reader (captcha included); returns the response."""

    def sign_up(email=READER, **overrides):
        html = client.get(reverse("newsletter:signup")).content.decode()
        key = re.search(r'name="captcha_0" value="([^"]+)"', html).group(1)
        data = {
            "email": email,
            "captcha_0": key,
            "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
            "homepage": "",
        }
        data.update(overrides)
        return client.post(reverse("newsletter:signup"), data)

    return sign_up


@pytest.fixture
def subscribed(client, sign_up, smtp_sink, run_worker):
    """Sign up and confirm from the mail; the sink is empty afterwards."""

    def subscribed(email=READER):
        sign_up(email)
        run_worker()
        [confirmation] = smtp_sink.to(email)
        confirm = next(link for link in links_in(confirmation) if "/bevestigen/" in link)
        client.post(path_of(confirm))
        assert Subscription.objects.get(email=email, article=None).is_confirmed
        smtp_sink.clear()

    return subscribed


def send(admin_client, *articles):
    """Choose the admin action for the articles and say yes on the page that asks."""
    data = {"action": "send_to_newsletter", "_selected_action": [a.pk for a in articles]}
    return admin_client.post(reverse(ARTICLES), {**data, "confirm": "yes"}, follow=True)


def test_the_footer_link_leads_to_a_sign_up_form(client, seed_article):
    html = client.get(seed_article.get_absolute_url()).content.decode()
    assert f'href="{reverse("newsletter:signup")}"' in html
    page = client.get(reverse("newsletter:signup"))
    assert page.status_code == 200
    assert "no-cache" in page.headers.get("Cache-Control", "")
    html = page.content.decode()
    assert 'name="email"' in html
    assert 'name="captcha_0"' in html
    assert 'name="homepage"' in html


def test_the_whole_newsletter_flow_over_smtp(
    client, sign_up, smtp_sink, run_worker, admin_client_nl, make_article
):
    # Sign up: one confirmation mail about the newsletter, not about an article.
    response = sign_up()
    assert response.status_code == 200
    run_worker()
    [confirmation] = smtp_sink.messages
    assert confirmation["To"] == READER
    assert confirmation["Auto-Submitted"] == "auto-generated"
    assert "List-Unsubscribe" not in confirmation
    subscription = Subscription.objects.get(email=READER)
    assert subscription.article is None
    assert not subscription.is_confirmed
    confirm = next(link for link in links_in(confirmation) if "/nieuwsbrief/bevestigen/" in link)
    assert path_of(confirm) in html_of(confirmation)

    # A GET on the link (a mail scanner) changes nothing; the button's POST confirms.
    page = client.get(path_of(confirm))
    assert page.status_code == 200
    assert READER in page.content.decode()
    assert not Subscription.objects.get(email=READER).is_confirmed
    assert client.post(path_of(confirm)).status_code == 200
    assert Subscription.objects.get(email=READER).is_confirmed
    smtp_sink.clear()

    # The editor sends an article: the mail has its title, lead, link and list headers.
    article = make_article(title="Vijf tips voor de btw-aangifte", lead="Zo voorkomt u een boete.")
    response = send(admin_client_nl, article)
    assert response.status_code == 200
    run_worker()
    [message] = smtp_sink.to(READER)
    assert message["Subject"] == "Vijf tips voor de btw-aangifte"
    text, html = text_of(message), html_of(message)
    article_url = f"http://testserver{article.get_absolute_url()}"
    for part in (text, html):
        assert "Vijf tips voor de btw-aangifte" in part
        assert "Zo voorkomt u een boete." in part
        assert article.get_absolute_url() in part
    assert any(link.endswith(article.get_absolute_url()) for link in links_in(message)), article_url
    unsubscribe = re.fullmatch(r"<(.+)>", message["List-Unsubscribe"]).group(1)
    assert unsubscribe.startswith("http")
    assert "/nieuwsbrief/afmelden/" in unsubscribe
    assert unsubscribe in text
    assert path_of(unsubscribe) in html
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "newsletter." in message["List-Id"]

    # A GET on every link changes nothing.
    for link in links_in(message):
        assert client.get(path_of(link)).status_code == 200
    assert Subscription.objects.get(email=READER).scope == Subscription.Scope.ALL

    # One-click unsubscribe: a bare POST without cookies or CSRF token.
    mail_program = Client(enforce_csrf_checks=True)
    response = mail_program.post(
        path_of(unsubscribe),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert Subscription.objects.get(email=READER).scope == Subscription.Scope.NONE

    # The next article reaches nobody.
    smtp_sink.clear()
    send(admin_client_nl, make_article())
    run_worker()
    assert smtp_sink.messages == []


def test_sending_the_same_article_twice_mails_nobody_twice(
    subscribed, smtp_sink, run_worker, admin_client_nl, make_article
):
    subscribed(READER)
    subscribed("tweede@example.nl")
    article = make_article()
    send(admin_client_nl, article)
    run_worker()
    assert len(smtp_sink.to(READER)) == 1
    assert len(smtp_sink.to("tweede@example.nl")) == 1
    again = send(admin_client_nl, article)
    messages = [str(m) for m in again.context["messages"]]
    assert any("al naar de nieuwsbrief gestuurd" in m for m in messages), messages
    run_worker()
    assert len(smtp_sink.messages) == 2
    keys = set(OutgoingMail.objects.filter(kind="newsletter").values_list("key", flat=True))
    assert keys == {
        f"newsletter:{article.pk}:{READER}",
        f"newsletter:{article.pk}:tweede@example.nl",
    }


def test_unconfirmed_addresses_get_no_newsletter(
    sign_up, smtp_sink, run_worker, admin_client_nl, make_article
):
    sign_up()
    run_worker()
    smtp_sink.clear()
    send(admin_client_nl, make_article())
    run_worker()
    assert smtp_sink.messages == []


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"published_at": timezone.now() + datetime.timedelta(days=2)},
    ],
    ids=["draft", "scheduled"],
)
def test_an_unpublished_article_is_refused(
    subscribed, smtp_sink, run_worker, admin_client_nl, make_article, fields
):
    subscribed()
    article = make_article(title="Nog niet klaar", **fields)
    response = send(admin_client_nl, article)
    messages = [str(m) for m in response.context["messages"]]
    assert any("Nog niet klaar" in m for m in messages), messages
    run_worker()
    assert smtp_sink.messages == []
    assert not OutgoingMail.objects.filter(kind="newsletter").exists()


def test_the_admin_request_only_enqueues_one_task(subscribed, admin_client_nl, make_article):
    subscribed(READER)
    subscribed("tweede@example.nl")
    article = make_article()
    send(admin_client_nl, article)
    # Nothing is in the outbox until the worker fans the article out.
    assert not OutgoingMail.objects.filter(kind="newsletter").exists()
    [task] = DBTaskResult.objects.filter(task_path="newsletter.sending.send_newsletter")
    assert task.args_kwargs["args"] == [article.pk]


def test_at_most_one_confirmation_mail_an_hour(sign_up, smtp_sink, run_worker):
    for _ in range(3):
        sign_up()
    run_worker()
    assert len(smtp_sink.to(READER)) == 1
    assert Subscription.objects.filter(email=READER).count() == 1


def test_the_honeypot_and_captcha_stop_bots(sign_up, smtp_sink, run_worker):
    assert sign_up(homepage="http://spam.example").status_code == 200
    assert sign_up("ander@example.nl", captcha_1="fout").status_code == 200
    run_worker()
    assert smtp_sink.messages == []
    assert not Subscription.objects.exists()


def test_article_subscriptions_are_unaffected(
    client, seed_article, subscribed, smtp_sink, run_worker, admin_client_nl, make_article
):
    # The same address follows a discussion and the newsletter: two rows, each on its own.
    follow = Subscription.objects.create(
        email=READER, article=seed_article, confirmed_at=timezone.now()
    )
    subscribed(READER)
    assert Subscription.objects.filter(email=READER).count() == 2
    send(admin_client_nl, make_article())
    run_worker()
    [message] = smtp_sink.to(READER)
    unsubscribe = re.fullmatch(r"<(.+)>", message["List-Unsubscribe"]).group(1)
    Client().post(path_of(unsubscribe))
    follow.refresh_from_db()
    assert follow.scope == Subscription.Scope.ALL
    assert Subscription.objects.get(email=READER, article=None).scope == Subscription.Scope.NONE


def test_a_discussion_link_does_not_work_on_the_newsletter_pages(client, seed_article):
    from comments.subscriptions import confirm_url, unsubscribe_url

    follow = Subscription.objects.create(email=READER, article=seed_article)
    for url in (confirm_url(follow), unsubscribe_url(follow)):
        newsletter_path = path_of(url).replace(
            "/abonnement/bevestigen/", "/nieuwsbrief/bevestigen/"
        )
        newsletter_path = newsletter_path.replace("/abonnement/afmelden/", "/nieuwsbrief/afmelden/")
        assert client.post(newsletter_path).status_code == 400
    follow.refresh_from_db()
    assert not follow.is_confirmed
    assert follow.scope == Subscription.Scope.ALL


def test_one_newsletter_subscription_per_address():
    from django.db import IntegrityError, transaction

    Subscription.objects.create(email=READER, article=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(email=READER, article=None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+31 6", "'+31 6"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("lezer@example.nl", "lezer@example.nl"),
        (None, ""),
    ],
)
def test_csv_cells_are_safe(value, expected):
    assert csv_safe(value) == expected


def test_the_subscriber_list_exports_as_safe_csv(admin_client_nl, seed_article):
    now = timezone.now()
    Subscription.objects.create(email=READER, article=None, confirmed_at=now)
    Subscription.objects.create(email="volger@example.nl", article=seed_article)
    Subscription.objects.create(email='=HYPERLINK("http://evil.example")')
    response = admin_client_nl.post(
        reverse(SUBSCRIPTIONS),
        {
            "action": "export_csv",
            "_selected_action": list(Subscription.objects.values_list("pk", flat=True)),
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="abonnees.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel then reads UTF-8
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    header, *body = rows
    assert header == [
        "e-mailadres",
        "volgt",
        "ontvangt",
        "status",
        "taal",
        "bevestigd",
        "aangemaakt",
    ]
    by_email = {row[0]: row for row in body}
    assert set(by_email) == {
        '\'=HYPERLINK("http://evil.example")',
        READER,
        "volger@example.nl",
    }
    assert by_email[READER][1:5] == [
        "Nieuwsbrief",
        "alle nieuwe reacties op het artikel",
        "bevestigd",
        "nl",
    ]
    assert by_email[READER][5] == now.isoformat()
    assert by_email["volger@example.nl"][1] == seed_article.title
    assert by_email["volger@example.nl"][3] == "niet bevestigd"
    assert by_email["volger@example.nl"][5] == ""
    for row in body:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_editors_can_list_only_the_newsletter_subscribers(admin_client_nl, seed_article):
    Subscription.objects.create(email=READER, article=None, confirmed_at=timezone.now())
    Subscription.objects.create(email="volger@example.nl", article=seed_article)
    html = admin_client_nl.get(reverse(SUBSCRIPTIONS), {"soort": "nieuwsbrief"}).content.decode()
    assert READER in html
    assert "volger@example.nl" not in html


def test_the_export_needs_the_admin(client, staff_client):
    response = staff_client.post(
        reverse(SUBSCRIPTIONS), {"action": "export_csv", "_selected_action": []}
    )
    assert response.status_code in (302, 403)


def test_the_action_asks_before_it_mails_anyone(
    subscribed, smtp_sink, run_worker, admin_client_nl, make_article
):
    subscribed(READER)
    article = make_article(title="Vijf tips voor de btw-aangifte")
    data = {"action": "send_to_newsletter", "_selected_action": [article.pk]}
    page = admin_client_nl.post(reverse(ARTICLES), data)
    html = page.content.decode()
    assert "Naar de nieuwsbrief sturen?" in html
    assert "1 bevestigde abonnee van de nieuwsbrief" in html
    assert "Vijf tips voor de btw-aangifte" in html
    assert 'name="confirm" value="yes"' in html
    run_worker()
    assert smtp_sink.messages == []  # not until the editor says yes

    send(admin_client_nl, article)
    run_worker()
    assert len(smtp_sink.to(READER)) == 1
    listing = admin_client_nl.get(reverse(ARTICLES)).content.decode()
    assert "verzonden naar 1 adres op" in listing


def test_a_send_the_worker_did_not_finish_is_resumed_when_it_starts(
    subscribed, smtp_sink, run_worker, admin_client_nl, make_article
):
    subscribed(READER)
    subscribed("tweede@example.nl")
    article = make_article()
    send(admin_client_nl, article)
    # The worker died while fanning out: its task was taken and never finished.
    DBTaskResult.objects.filter(task_path="newsletter.sending.send_newsletter").update(
        status="RUNNING"
    )
    run_worker()
    assert len(smtp_sink.to(READER)) == 1
    assert len(smtp_sink.to("tweede@example.nl")) == 1
    send_record = NewsletterSend.objects.get(article=article)
    assert send_record.queued_at is not None and send_record.recipients == 2


def test_an_article_unpublished_before_the_worker_ran_can_be_sent_later(
    subscribed, smtp_sink, run_worker, admin_client_nl, make_article
):
    subscribed(READER)
    article = make_article()
    send(admin_client_nl, article)
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    run_worker()
    assert smtp_sink.messages == []
    Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED)
    send(admin_client_nl, article)  # not refused as "already sent"
    run_worker()
    assert len(smtp_sink.to(READER)) == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unsubscribe_link_of_an_erased_subscription_says_no_more_mail_comes(
    client, subscribed, smtp_sink, method
):
    from newsletter.subscribers import newsletter_unsubscribe_url

    subscribed(READER)
    subscription = Subscription.objects.get(email=READER, article=None)
    link = path_of(newsletter_unsubscribe_url(subscription))
    subscription.delete()  # erased, or past its retention
    response = getattr(client, method)(link)
    assert response.status_code == 200  # mail providers' one-click POSTs succeed
    assert "U ontvangt deze e-mails niet meer" in response.content.decode()
